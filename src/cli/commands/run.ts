// `pvm2js run`: calls one export (or a pc) and reports how the run ended, as text or one JSON object.
import { formatInstruction } from '../../decoder/disasm.ts';
import { OP_NAMES } from '../../decoder/table.ts';
import { COST_MODEL_NAMES, costTable, isCostModelName, simpleCostModel, type CostModel, type CostModelName, type CostTable } from '../../gas/index.ts';
import type { Interrupt } from '../../machine/interrupt.ts';
import { REG_COUNT, REG_NAMES, Reg } from '../../machine/state.ts';
import { loadCompiled, Module, RuntimeError, tuneEngine, type Instance } from '../../runtime/index.ts';
import { BACKEND_NAMES, defaultBackendName, type BackendName } from '../../runtime/backends.ts';
import { UsageError, parseArgs, parseGasArg, readInputFile } from '../args.ts';
import { PROGRAM_OPTIONS, PROGRAM_OPTIONS_HELP, loadProgramInput } from '../input.ts';
import { LineSink, writeErr, writeOut } from '../output.ts';
import { answerHostCall, hostAnswers, importNames } from '../host.ts';
import { Progress, grouped } from '../progress.ts';

const HELP = `usage: pvm2js run <file> <export|@pc> [args...] [options]

Calls an export (or starts at a pc: @123 or @0x7b, which may be inside a block; the whole block is
charged) with up to 9 arguments in A0..A5, T0..T2: each a u64 in decimal or 0x hex, negative decimals
as two's complement (32-bit ISAs keep the low 32 bits, sign-extended).

options:
${PROGRAM_OPTIONS_HELP}
  --backend B          tiered | compiled | interpreter (default: tiered: interpreter first, hot code compiled;
                       for a module from 'pvm2js compile': compiled, its own code, loaded from its tables)
  --gas N              meter gas (sync) starting from N
  --cost-model M       ${COST_MODEL_NAMES.join(' | ')} (default naive; applies with --gas)
  --cost-table F       a JSON file {"<instruction name>": cost, "invalid": cost}: polkavm's simple
                       cost model with your per-instruction costs (missing ones cost 1); with --gas
  --ecalli-ret V       answer every host call with V in A0 and resume (default: stop at the host call)
  --ecalli-ret NAME=V  answer the import NAME with V (repeatable; wins over the bare form)
  --host FILE.mjs      answer host calls with the functions FILE exports, one per import name, called
                       as fn(instance, index) like the library's Linker functions: read and set
                       registers and memory through the instance; the return value (bigint or
                       integer; nothing leaves A0 alone) goes to A0
  -q, --quiet          no progress line (shown on a terminal for runs past ~1 s)
  --dynamic-paging     dynamic paging; the module's ro/rw/stack pages are mapped on first touch
  --max-instructions N stop with status budget after about N instructions (checked at block edges)
  --timeout S          stop with status budget after S seconds (checked at block edges)
  --trace              print each executed instruction and the registers it changed (to stdout;
                       with --json to stderr)
  --json               print one JSON object

exit code: 0 finished, 1 any other guest outcome, 2 usage or parse errors`;

const U64_MAX = (1n << 64n) - 1n;

/** A u64 in decimal or 0x hex; negative decimals as two's complement. */
export function parseU64Arg(text: string, what: string): bigint {
  const m = /^(-?)(0x[0-9a-fA-F]+|[0-9]+)$/.exec(text);
  if (!m) throw new UsageError(`${what} '${text}' is not a number (decimal or 0x hex)`);
  const magnitude = BigInt(m[2]!);
  if (m[1] === '-') {
    if (m[2]!.startsWith('0x') || magnitude > 1n << 63n) throw new UsageError(`${what} '${text}' is out of range`);
    return BigInt.asUintN(64, -magnitude);
  }
  if (magnitude > U64_MAX) throw new UsageError(`${what} '${text}' does not fit in 64 bits`);
  return magnitude;
}

/** A count or a duration: a non-negative decimal, exactly representable (counts are whole numbers below 2^53). */
function parseCount(text: string | undefined, what: string, options: { fraction?: boolean } = {}): number | undefined {
  if (text === undefined) return undefined;
  if (!(options.fraction ? /^\d+(\.\d+)?$/ : /^\d+$/).test(text))
    throw new UsageError(`${what} '${text}' is not a non-negative ${options.fraction ? 'number' : 'integer'}`);
  if (!options.fraction && BigInt(text) > BigInt(Number.MAX_SAFE_INTEGER)) throw new UsageError(`${what} ${text} is more than ${Number.MAX_SAFE_INTEGER}`);
  return Number(text);
}

/** Reads a per-instruction cost table; names are checked against the instruction table. */
function readCostTable(path: string): CostModel {
  const text = new TextDecoder().decode(readInputFile(path));
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--cost-table ${path}: not JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--cost-table ${path}: expected an object of instruction name → cost`);
  const known = new Set<string>([...OP_NAMES, 'invalid']);
  for (const [name, cost] of Object.entries(parsed)) {
    if (!known.has(name)) throw new UsageError(`--cost-table ${path}: unknown instruction '${name}'`);
    if (typeof cost !== 'number' || !Number.isInteger(cost) || cost < 0 || cost > 0xffff_ffff)
      throw new UsageError(`--cost-table ${path}: the cost of ${name} must be an integer from 0 to 4294967295, got ${JSON.stringify(cost)}`);
  }
  return simpleCostModel(costTable(parsed as Partial<CostTable>), `table from ${path}`);
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    {
      ...PROGRAM_OPTIONS,
      backend: { value: true },
      gas: { value: true },
      'cost-model': { value: true },
      'cost-table': { value: true },
      'ecalli-ret': { value: true, repeat: true },
      host: { value: true },
      quiet: { short: 'q' },
      'dynamic-paging': {},
      'max-instructions': { value: true },
      timeout: { value: true },
      trace: {},
      json: {},
    },
    HELP,
  );
  const [file, entry, ...rest] = args.positional;
  if (file === undefined || entry === undefined) throw new UsageError('expected <file> <export|@pc> [args...]');
  if (rest.length > 9) throw new UsageError(`too many arguments: ${rest.length} (at most 9)`);
  const callArgs = rest.map((a, k) => parseU64Arg(a, `argument ${k + 1}`));
  const backend = (args.get('backend') ?? defaultBackendName()) as BackendName;
  if (!(BACKEND_NAMES as readonly string[]).includes(backend)) throw new UsageError(`unknown backend '${backend}' (${BACKEND_NAMES.join(', ')})`);
  const gasText = args.get('gas');
  const gas = gasText === undefined ? undefined : parseGasArg(gasText, '--gas');
  const costModelName = args.get('cost-model') ?? 'naive';
  if (!isCostModelName(costModelName)) throw new UsageError(`unknown cost model '${costModelName}' (${COST_MODEL_NAMES.join(', ')})`);
  const costTablePath = args.get('cost-table');
  if (costTablePath !== undefined && args.get('cost-model') !== undefined) throw new UsageError('give either --cost-model or --cost-table, not both');
  const costModel: CostModel | CostModelName = costTablePath === undefined ? costModelName : readCostTable(costTablePath);
  const maxInstructions = parseCount(args.get('max-instructions'), '--max-instructions');
  const timeout = parseCount(args.get('timeout'), '--timeout', { fraction: true });
  const trace = args.flag('trace');
  const json = args.flag('json');

  const loadStart = performance.now();
  const { blob, compiled, namespace } = await loadProgramInput(file, args);
  // A compiled module runs its own code, from its stored tables (nothing decoded or generated), unless
  // the options ask for other code: another backend, cost model or paging.
  const ownCode =
    compiled !== undefined &&
    (args.get('backend') === undefined || backend === 'compiled') &&
    args.get('cost-model') === undefined &&
    costTablePath === undefined &&
    (!args.flag('dynamic-paging') || compiled.dynamicPaging);
  let module: Module;
  try {
    module = ownCode
      ? loadCompiled(namespace, { stepTracing: trace, gasMetering: gas === undefined ? null : 'sync' })
      : Module.fromBlob(blob, {
          backend,
          gasMetering: gas === undefined ? undefined : 'sync',
          // The cost model and paging a compiled module was made for, unless told otherwise.
          costModel: compiled && args.get('cost-model') === undefined && costTablePath === undefined ? compiled.costModel : costModel,
          dynamicPaging: args.flag('dynamic-paging') || (compiled?.dynamicPaging ?? false),
          stepTracing: trace,
        });
  } catch (e) {
    if (e instanceof RuntimeError) throw new UsageError(e.message);
    throw e;
  }
  const answers = await hostAnswers(module, args.options.get('ecalli-ret') ?? [], args.get('host'), parseU64Arg);
  const names = importNames(module);
  const instance = module.instantiate();
  let pc: number;
  if (entry.startsWith('@')) {
    const value = parseU64Arg(entry.slice(1), 'pc');
    if (value > 0xffffffffn) throw new UsageError(`pc ${entry} does not fit in 32 bits`);
    pc = Number(value);
  } else {
    const found = module.exportPc(entry);
    if (found === undefined) throw new UsageError(`no export named '${entry}' (exports: ${module.exportNames().join(', ') || 'none'})`);
    pc = found;
  }
  instance.prepareCall(pc, callArgs);
  if (gas !== undefined) instance.setGas(gas);
  instance.setInstructionBudget(maxInstructions);
  const loadMs = performance.now() - loadStart;
  // The CLI owns its process: V8 flags for steady generated-code speed (runtime/engine.ts), set once the
  // program is loaded, so that loading's long loops (decoding doom's 163k instructions) may still be
  // optimised on the stack: set before, they made `run doom`'s load ~2x slower.
  tuneEngine();

  const execStart = performance.now();
  instance.setDeadline(timeout === undefined ? undefined : timeout * 1000);
  // The trace is the output a user pipes (`--trace | head`), so it goes to stdout; with --json, stdout
  // holds only the JSON object and the trace goes to stderr.
  const tracer = trace ? new Tracer(instance, new LineSink(json ? writeErr : writeOut), names) : undefined;
  const progress = new Progress({ quiet: args.flag('quiet') || trace });
  // With progress on, the run goes in slices of instructions so the line can be redrawn; a slice's end
  // is a budget stop at a block edge, resumed at once, so the outcome is the same as one long run.
  const slice = progress.enabled ? 1 << 22 : undefined;
  let interrupt: Interrupt;
  try {
    for (;;) {
      if (slice !== undefined) {
        const left = maxInstructions === undefined ? Infinity : maxInstructions - instance.metrics().instructions;
        instance.setInstructionBudget(Math.max(0, Math.min(slice, left)));
      }
      interrupt = instance.run();
      if (interrupt.kind === 'step') {
        tracer!.step();
        continue;
      }
      if (interrupt.kind === 'budget' && interrupt.reason === 'instructions' && slice !== undefined) {
        const done = instance.metrics().instructions;
        if (maxInstructions === undefined || done < maxInstructions) {
          progress.update(() => `running ${entry}: ${grouped(done)} instructions, ${grouped(done / Math.max(1, performance.now() - execStart) / 1000)} M/s`);
          continue;
        }
      }
      if (interrupt.kind === 'ecalli') {
        const answer = answers[interrupt.index];
        if (answer !== undefined) {
          const name = names[interrupt.index] ?? `#${interrupt.index}`;
          const said = answerHostCall(instance, interrupt.index, answer, name);
          tracer?.note(`ecalli ${interrupt.index} (${name}) → ${said}`);
          continue;
        }
      }
      if (interrupt.kind === 'segfault' && instance.mapModulePage(interrupt.pageAddress)) continue;
      break;
    }
  } finally {
    progress.done();
  }
  tracer?.finish();
  const execMs = performance.now() - execStart;

  const metrics = instance.metrics();
  const regs = Array.from({ length: REG_COUNT }, (_, k) => instance.reg(k).toString());
  const gasLeft = gas === undefined ? null : instance.gas();
  const out: Record<string, unknown> = { status: interrupt.kind, pc: instance.programCounter() ?? null, backend: module.options.backend };
  if (interrupt.kind === 'ecalli') {
    out.ecalli = interrupt.index;
    out.import = names[interrupt.index] ?? null;
  }
  if (interrupt.kind === 'segfault') out.pageAddress = interrupt.pageAddress;
  if (interrupt.kind === 'budget') out.reason = interrupt.reason;
  Object.assign(out, {
    regs,
    gas: gasLeft === null ? null : gasLeft.toString(),
    gasUsed: gasLeft === null ? null : (gas! - gasLeft).toString(),
    hostCalls: metrics.hostCalls,
    timings: { loadMs: round(loadMs), execMs: round(execMs) },
  });
  if (json) writeOut(JSON.stringify(out) + '\n');
  else writeOut(formatText(out, regs, module.is64Bit) + '\n');
  if (interrupt.kind === 'ecalli' && !json) {
    const name = names[interrupt.index];
    writeErr(
      name === undefined
        ? `hint: the program ran 'ecalli ${interrupt.index}', which names no import of it (it has ${names.length})\n`
        : `hint: the program called the host function '${name}'; answer it with --ecalli-ret ${name}=<value>, every import with --ecalli-ret <value>, or with code: --host <file.mjs> exporting ${name}(instance)\n`,
    );
  }
  return interrupt.kind === 'finished' ? 0 : 1;
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000;

function formatText(out: Record<string, unknown>, regs: string[], is64Bit: boolean): string {
  const lines = [`status: ${String(out.status)}`, `pc: ${String(out.pc)}`];
  if ('ecalli' in out) lines.push(`ecalli: ${String(out.ecalli)}${out.import ? ` (${String(out.import)})` : ''}`);
  for (const key of ['pageAddress', 'reason'] as const) if (key in out) lines.push(`${key}: ${String(out[key])}`);
  lines.push('regs:');
  for (const [k, text] of regs.entries()) lines.push(`  ${REG_NAMES[k]!.padEnd(3)} ${formatRegister(BigInt(text), is64Bit)}`);
  if (out.gas !== null) lines.push(`gas: ${String(out.gas)} (used ${String(out.gasUsed)})`);
  lines.push(`host calls: ${String(out.hostCalls)}`);
  const t = out.timings as { loadMs: number; execMs: number };
  lines.push(`load: ${t.loadMs} ms, exec: ${t.execMs} ms`);
  return lines.join('\n');
}

/** A register in hex and decimal, and signed when its top bit is set (of 32 bits on 32-bit ISAs). */
export function formatRegister(value: bigint, is64Bit: boolean): string {
  const bits = is64Bit ? 64 : 32;
  const signed = BigInt.asIntN(bits, value);
  const hex = `0x${value.toString(16).padStart(bits / 4, '0')}`;
  return signed < 0n ? `${hex} = ${value} = ${signed}` : `${hex} = ${value}`;
}

/** Prints each instruction once it has executed, with the registers it changed. */
class Tracer {
  private readonly instance: Instance;
  private readonly sink: LineSink;
  private readonly names: readonly string[];
  private pc: number | undefined;
  private regs: bigint[] = [];

  constructor(instance: Instance, sink: LineSink, names: readonly string[]) {
    this.instance = instance;
    this.sink = sink;
    this.names = names;
  }

  private snapshot(): bigint[] {
    return Array.from({ length: REG_COUNT }, (_, k) => this.instance.reg(k));
  }

  private flush(): void {
    if (this.pc === undefined) return;
    const code = this.instance.module.code;
    const index = code.indexOfPc[this.pc] ?? -1;
    const text = index >= 0 ? formatInstruction(code, index) : '?';
    const now = this.snapshot();
    const changed = now.flatMap((v, k) => (v !== this.regs[k] ? [`${REG_NAMES[k]}=0x${v.toString(16)}`] : []));
    this.sink.line(`${String(this.pc).padStart(8)}: ${text}${changed.length ? '    ; ' + changed.join(' ') : ''}`);
    this.pc = undefined;
  }

  step(): void {
    this.flush();
    this.pc = this.instance.programCounter();
    this.regs = this.snapshot();
  }

  note(text: string): void {
    this.flush();
    this.sink.line(`          ${text}`);
  }

  finish(): void {
    this.flush();
    this.sink.flush();
  }
}

