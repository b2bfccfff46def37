// pvm2js query: run a PVQ query program against the mock runtime (or the reference test runner's
// fixed answers) and print its SCALE result, decoded when the program's metadata is at hand.
import { existsSync, readFileSync } from 'node:fs';
import { Binary, type HexString } from '@polkadot-api/substrate-bindings';
import { UsageError, parseArgs, readInputFile, parseGasArg } from '../args.ts';
import { readProgramInput, checkPolkavmBlob } from '../input.ts';
import { BACKEND_NAMES, hasBackend, type BackendName } from '../../runtime/backends.ts';
import { tuneEngine } from '../../runtime/engine.ts';
import {
  ExtensionsExecutor,
  MockRuntimeState,
  PVQ_DEFAULT_CONFIG,
  decodeQueryResult,
  entrypointOf,
  executorErrorName,
  mockExtensions,
  parseProgramMetadata,
  referenceErrorText,
  testRunnerExtensions,
  toJsonValue,
  type PvqConfig,
  type PvqOutcome,
  type ProgramMetadata,
} from '../../pvq/index.ts';
import { writeOut } from '../output.ts';

const HELP = `usage: pvm2js query <program.polkavm | out.mjs> [options]

Runs the program's 'pvq' export (of a program, or of a compiled module written by 'pvm2js compile') with the query arguments and prints the SCALE-encoded result
(and its decoded value when the program's metadata is found).

  --args HEX          the query arguments: byte 0 selects the entrypoint, its SCALE-encoded
                      arguments follow (default: none, which a PVQ guest rejects with a trap)
  --state FILE        mock runtime state as JSON: fungibles (assets, balances) and swap (pools,
                      asset info); see README "PVQ". Default: an empty chain
  --extensions K      mock (default): core, fungibles and swap over --state;
                      test-runner: the reference pvq-test-runner's fixed answers
  --metadata FILE     the program's metadata JSON (pvq-program-metadata-gen); default: a
                      <program>-metadata.json or <program>.json beside the program, if any
  --gas N             gas limit (1 per instruction); without it gas is not metered
  --timeout S         guest-time limit in seconds (default ${PVQ_DEFAULT_CONFIG.maxExecutionTime / 1000})
  --max-instructions N  stop after about N guest instructions
  --max-memory BYTES  guest memory cap (default ${PVQ_DEFAULT_CONFIG.maxMemory})
  --max-call-depth N  nested guest calls allowed (default ${PVQ_DEFAULT_CONFIG.maxCallDepth}; 'none': unlimited)
  --stack-size BYTES  the most stack a program may declare (default ${PVQ_DEFAULT_CONFIG.stackSize})
  --allow ID          allow only these extension ids (repeatable; default: all)
  --no-jit            the interpreter only (enableJit: false)
  --precompile        compile the whole program before running (precompilePrograms: true)
  --debug             log program size and memory usage to stderr (enableDebugging)
  --backend B         tiered (default) | compiled | interpreter
  --json              print one JSON object

Exit codes: 0 the query returned a result, 1 it failed (trap, gas, timeout, extension error...),
2 usage errors, unreadable input, or a program that is not a PVQ program.`;

function parseHex(text: string, what: string): Uint8Array {
  const digits = text.startsWith('0x') ? text.slice(2) : text;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) throw new UsageError(`${what} '${text}' is not an even number of hex digits`);
  return Uint8Array.from(Binary.fromHex(`0x${digits}` as HexString));
}

const hex = (bytes: Uint8Array): string => Binary.toHex(bytes);

function parseCount(text: string | undefined, what: string, options: { float?: boolean } = {}): number | undefined {
  if (text === undefined) return undefined;
  const ok = options.float ? /^\d+(\.\d+)?$/.test(text) : /^\d+$/.test(text);
  if (!ok) throw new UsageError(`${what} '${text}' is not a non-negative ${options.float ? 'number' : 'integer'}`);
  // Checked on the digits, so the message repeats what was typed, never a rounded double.
  if (BigInt(text.split('.')[0]!) > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`${what} ${text} is more than ${Number.MAX_SAFE_INTEGER}`);
  return Number(text);
}

function readJson(path: string, what: string): unknown {
  const bytes = readInputFile(path);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (e) {
    throw new UsageError(`${what} ${path} is not JSON: ${(e as Error).message}`);
  }
}

function findMetadata(programPath: string): string | undefined {
  const base = programPath.replace(/\.polkavm$/, '');
  return [`${base}-metadata.json`, `${base}.json`].find((p) => existsSync(p));
}

function describeError(outcome: Extract<PvqOutcome, { ok: false }>): Record<string, unknown> {
  const e = outcome.error;
  const detail: Record<string, unknown> = { kind: e.kind, name: executorErrorName(e), message: e.message, reference: referenceErrorText(e) };
  if (e.kind === 'extension') detail.extension = { kind: e.error.kind, extensionId: e.error.extensionId.toString(), ...(e.error.fnIndex !== undefined ? { fnIndex: e.error.fnIndex } : {}) };
  if (e.kind === 'runtime') {
    detail.detail = e.detail;
    detail.pc = e.pc ?? null;
  }
  if (e.kind === 'timeout') detail.reason = e.reason;
  if (e.kind === 'invalid-program') detail.reason = e.reason;
  return detail;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    {
      args: { value: true },
      state: { value: true },
      extensions: { value: true },
      metadata: { value: true },
      gas: { value: true },
      timeout: { value: true },
      'max-instructions': { value: true },
      'max-memory': { value: true },
      'max-call-depth': { value: true },
      'stack-size': { value: true },
      'no-jit': {},
      precompile: {},
      debug: {},
      allow: { value: true, repeat: true },
      backend: { value: true },
      json: {},
    },
    HELP,
  );
  if (args.positional.length !== 1) throw new UsageError('expected exactly one program file (see --help)');
  const programPath = args.positional[0]!;
  const queryArgs = parseHex(args.get('args') ?? '', '--args');

  const gasText = args.get('gas');
  const gas = gasText === undefined ? undefined : parseGasArg(gasText, '--gas');

  const backend = args.get('backend');
  if (backend !== undefined && !hasBackend(backend)) throw new UsageError(`backend '${backend}' is not available (${BACKEND_NAMES.filter((b) => hasBackend(b)).join(', ')})`);
  const config: PvqConfig = {};
  const timeout = parseCount(args.get('timeout'), '--timeout', { float: true });
  if (timeout !== undefined) config.maxExecutionTime = timeout * 1000;
  const maxInstructions = parseCount(args.get('max-instructions'), '--max-instructions');
  if (maxInstructions !== undefined) config.maxInstructions = maxInstructions;
  const maxMemory = parseCount(args.get('max-memory'), '--max-memory');
  if (maxMemory !== undefined) config.maxMemory = maxMemory;
  const depthText = args.get('max-call-depth');
  if (depthText !== undefined) config.maxCallDepth = depthText === 'none' ? Infinity : parseCount(depthText, '--max-call-depth')!;
  const stackSize = parseCount(args.get('stack-size'), '--stack-size');
  if (stackSize !== undefined) {
    if (stackSize > 0xffffffff) throw new UsageError(`--stack-size ${stackSize} does not fit in a u32`);
    config.stackSize = stackSize;
  }
  if (args.flag('no-jit')) config.enableJit = false;
  if (args.flag('precompile')) config.precompilePrograms = true;
  if (args.flag('debug')) {
    config.enableDebugging = true;
    config.logger = { debug: (message) => void process.stderr.write(`debug: ${message}\n`) };
  }
  const allow = args.options.get('allow');
  if (allow) {
    config.extensionWhitelist = allow.map((id) => {
      if (!/^\d+$/.test(id) || BigInt(id) >= 1n << 64n) throw new UsageError(`--allow '${id}' is not a decimal u64 extension id`);
      return BigInt(id);
    });
  }
  if (backend !== undefined) config.backend = backend as BackendName;

  const kind = args.get('extensions') ?? 'mock';
  if (kind !== 'mock' && kind !== 'test-runner') throw new UsageError(`--extensions '${kind}' (expected mock or test-runner)`);
  const statePath = args.get('state');
  if (statePath !== undefined && kind !== 'mock') throw new UsageError('--state applies to --extensions mock only');
  const state = statePath === undefined ? new MockRuntimeState() : MockRuntimeState.fromJSON(readJson(statePath, 'state'));
  const extensions = kind === 'mock' ? mockExtensions(state) : testRunnerExtensions({ legacyRevisions: true });

  const metadataPath = args.get('metadata') ?? findMetadata(programPath);
  const metadata: ProgramMetadata | undefined = metadataPath === undefined ? undefined : parseProgramMetadata(readJson(metadataPath, 'metadata'));

  const input = await readProgramInput(programPath);
  if (!input.compiled) checkPolkavmBlob(programPath, input.bytes);
  const program = input.bytes;
  let executor: ExtensionsExecutor;
  try {
    executor = new ExtensionsExecutor(extensions, config);
  } catch (e) {
    // Options that contradict each other (--no-jit with --precompile or --backend compiled).
    if (e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }
  // V8 flags for steady generated-code speed (runtime/engine.ts), as `run` sets them.
  tuneEngine();
  const outcome = executor.execute(program, queryArgs, gas);

  let decoded: unknown;
  let decodeNote: string | undefined;
  const entry = metadata ? entrypointOf(metadata, queryArgs) : undefined;
  if (outcome.ok && metadata) {
    try {
      decoded = toJsonValue(decodeQueryResult(metadata, queryArgs, outcome.value));
    } catch (e) {
      decodeNote = `cannot decode with the metadata: ${(e as Error).message}`;
    }
  }
  const metrics = {
    gasUsed: outcome.metrics.gasUsed.toString(),
    instructions: outcome.metrics.instructions,
    hostCalls: outcome.metrics.hostCalls,
    peakHeapSize: outcome.metrics.peakHeapSize,
    ...(outcome.metrics.memoryUsage !== undefined ? { memoryUsage: outcome.metrics.memoryUsage } : {}),
    timeMs: Number(outcome.metrics.timeMs.toFixed(3)),
  };
  const gasRemaining = outcome.gasRemaining?.toString() ?? null;

  if (args.flag('json')) {
    const report: Record<string, unknown> = { status: outcome.ok ? 'ok' : 'error' };
    if (entry) report.entrypoint = { index: entry.index, name: entry.fn.name };
    if (outcome.ok) {
      report.result = hex(outcome.value);
      if (decoded !== undefined || (metadata && !decodeNote)) report.decoded = decoded ?? null;
      if (decodeNote) report.decodeError = decodeNote;
    } else report.error = describeError(outcome);
    report.gasRemaining = gasRemaining;
    report.metrics = metrics;
    writeOut(JSON.stringify(report) + '\n');
  } else {
    const lines: string[] = [];
    if (entry) lines.push(`entrypoint:   ${entry.index} ${entry.fn.name}`);
    if (outcome.ok) {
      lines.push('status:       ok', `result:       ${hex(outcome.value)}`);
      if (decodeNote) lines.push(`decoded:      (${decodeNote})`);
      else if (metadata) lines.push(`decoded:      ${JSON.stringify(decoded ?? null)}`);
    } else {
      const d = describeError(outcome);
      lines.push(`status:       error (${String(d.kind)}${d.detail ? `: ${String(d.detail)}` : ''})`, `error:        ${outcome.error.message}`, `reference:    ${String(d.reference)}`);
    }
    if (gasRemaining !== null) lines.push(`gas left:     ${gasRemaining}`);
    lines.push(`gas used:     ${metrics.gasUsed}`, `instructions: ${metrics.instructions}`, `host calls:   ${metrics.hostCalls}`, `time:         ${metrics.timeMs} ms`);
    writeOut(lines.join('\n') + '\n');
  }
  if (outcome.ok) return 0;
  return outcome.error.kind === 'invalid-program' ? 2 : 1;
}
