// `npm run bench`: pinky, the compute kernels and doom/quake compile times, side by side on the compiled
// and tiered backends, the interpreter and (64-bit kernels) anan-as, in one process; then the start-up
// section (bench/tiered.ts: one-shot pinky, doom's first instructions, PVQ first and repeated queries,
// each in fresh processes; `--filter start`). Progress goes to stderr, the table (or `--json`) to stdout.
//
//   npm run bench -- [--json] [--filter <text>] [--quick]
//
// Every workload is run to completion on every engine, its result checked (registers against a known
// answer, guest instruction counts against each other), warmed up, then timed several times; the table
// shows the median. Execution time covers `run()` only: compiling, instantiating and `prepareCall`
// happen before the clock starts.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus, loadavg } from 'node:os';
import { assemble } from '../src/assembler/index.ts';
import { compileToJs } from '../src/codegen/index.ts';
import { Isa, parseBlob, parseIsaName } from '../src/decoder/index.ts';
import { naiveCostModel } from '../src/gas/index.ts';
import { hasBackend, Module, tuneEngine } from '../src/runtime/index.ts';
import { loadKernels, type Kernel } from './kernels/index.ts';
import { benchPvq, formatPvqTable, type PvqBenchRow, type PvqTargetCheck } from './pvq.ts';
import { ANAN_AS_VERSION, prepareAnanAsCall, startAnanAs } from './peers/anan-as.ts';
import { benchStart, formatStart, type StartResults } from './tiered.ts';

const BLOBS = new URL('../../shared/blobs/polkavm/', import.meta.url);

/** A run taking longer than this (CPU) cuts the repeats to one warm-up and three timed runs. */
const SLOW_RUN_MS = 5000;

/** Gas for a timed run: far more than any workload needs, so gas used = guest instructions (naive model). */
const GAS = 1n << 50n;

const REG = { ra: 0, sp: 1, t0: 2, t1: 3, t2: 4, s0: 5, s1: 6, a0: 7, a1: 8, a2: 9, a3: 10, a4: 11, a5: 12 } as const;

/** pinky `initialize` on a fresh instance, as the reference polkavm reports it (../shared/blobs/README.md). */
const PINKY = {
  file: 'bench-pinky.polkavm',
  entry: 'initialize',
  instructions: 327_668_972n,
  registers: { t0: 0x53b7d7fan, t1: 0x307ffn, t2: 0x4009d340n, a2: 0xc7e3n, a3: 0xe000n, a4: 0x10000n, a5: 0x3bcn },
} as const;

const COMPILE_BLOBS = ['doom.polkavm', 'doom64.polkavm', 'quake.polkavm'] as const;

/** The issue's targets (ambitious on purpose): benchmarks, not tests. */
const TARGETS = {
  pinkyExecMs: 350,
  ananAsRatio: 25,
  /** Issue 11: every 64-bit kernel on the compiled backend. */
  kernel64Mips: 1000,
  doomToJsMs: 300,
  doomToJsWithMapMs: 600,
} as const;

type EngineName = 'compiled' | 'tiered' | 'interpreter' | 'anan-as';

interface Options {
  json: boolean;
  filter: string | undefined;
  quick: boolean;
}

interface RunOutcome {
  ms: number;
  /** CPU time of the process over the same span: on a shared machine, closer to what an idle one shows. */
  cpuMs: number;
  instructions: bigint;
  /** Why the result is wrong, or null when it matches the known answer. */
  problem: string | null;
}

interface ExecResult {
  workload: string;
  engine: EngineName;
  /** a0 at the call, for kernels (slow peers get a smaller one). */
  argument?: number;
  instructions: number;
  /** Every timed run, in milliseconds of wall time. */
  runsMs: number[];
  medianMs: number;
  /** Every timed run, in milliseconds of process CPU time. */
  runsCpuMs: number[];
  medianCpuMs: number;
  /** Million guest instructions per second of CPU time. */
  mips: number;
  verified: boolean;
  problem: string | null;
  /** Set when the compiled backend could not compile the program and ran it on its interpreter fallback. */
  fallback?: string;
}

interface CompileResult {
  blob: string;
  codeBytes: number;
  /** Blob bytes → JS text, without a source map (null: the stage failed, see `problem`). */
  toJs: Timing | null;
  /** The same with the source map. */
  toJsWithMap: Timing | null;
  /** Bytes → a module ready to instantiate (parse, decode, codegen, evaluate the JS). */
  toModule: Timing | null;
  jsBytes: number;
  problem: string | null;
}

function parseOptions(argv: readonly string[]): Options {
  const options: Options = { json: false, filter: undefined, quick: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--json') options.json = true;
    else if (arg === '--quick') options.quick = true;
    else if (arg === '--filter') {
      options.filter = argv[++i];
      if (options.filter === undefined) throw new Error('--filter needs a value');
    } else if (arg.startsWith('--filter=')) options.filter = arg.slice('--filter='.length);
    else if (arg === '--help' || arg === '-h') {
      process.stdout.write('usage: npm run bench -- [--json] [--filter <text>] [--quick]\n');
      process.exit(0);
    } else throw new Error(`unknown argument: ${arg}`);
  }
  return options;
}

const progress = (text: string): void => void process.stderr.write(`${text}\n`);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Warms an engine up on the workload, then times it; every run (warm-up included) is checked, so a
 * wrong answer can never hide behind a fast time.
 */
function measure(workload: string, engine: EngineName, runOnce: () => RunOutcome, warmups: number, runs: number): ExecResult {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let instructions = 0n;
  let problem: string | null = null;
  for (let i = 0; i < warmups + runs; i++) {
    const outcome = runOnce();
    if (problem === null && outcome.problem !== null) problem = outcome.problem;
    if (i > 0 && outcome.instructions !== instructions && problem === null)
      problem = `instruction count changed between runs: ${instructions} then ${outcome.instructions}`;
    instructions = outcome.instructions;
    if (i >= warmups) {
      times.push(outcome.ms);
      cpuTimes.push(outcome.cpuMs);
    }
    progress(`  ${workload} on ${engine}: ${i < warmups ? 'warm-up' : 'run'} ${outcome.ms.toFixed(1)} ms (CPU ${outcome.cpuMs.toFixed(1)} ms)`);
    // A run of many seconds is warm by its own length and steady enough to need few repeats.
    if (i === 0 && outcome.cpuMs > SLOW_RUN_MS) {
      warmups = Math.min(warmups, 1);
      runs = Math.min(runs, 3);
    }
  }
  const medianMs = median(times);
  const medianCpuMs = median(cpuTimes);
  const count = Number(instructions);
  return {
    workload,
    engine,
    instructions: count,
    runsMs: times,
    medianMs,
    runsCpuMs: cpuTimes,
    medianCpuMs,
    mips: count / medianCpuMs / 1000,
    verified: problem === null,
    problem,
  };
}

/** Our backends, fastest first. */
const OUR_BACKENDS = (['compiled', 'tiered', 'interpreter'] as const).filter((name) => hasBackend(name));

/** Runs `fn` once and measures its wall time and the process's CPU time, in milliseconds. */
function clock<T>(fn: () => T): [T, { ms: number; cpuMs: number }] {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = fn();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return [value, { ms, cpuMs: (cpu.user + cpu.system) / 1000 }];
}

/** Runs a measurement; an engine that throws (host misuse, a part not built yet) becomes a failed row. */
function attempt(workload: string, engine: EngineName, fn: () => ExecResult): ExecResult {
  try {
    return fn();
  } catch (error) {
    const problem = `threw: ${(error as Error).message}`;
    progress(`  ${workload} on ${engine}: ${problem}`);
    return { workload, engine, instructions: 0, runsMs: [], medianMs: NaN, runsCpuMs: [], medianCpuMs: NaN, mips: NaN, verified: false, problem };
  }
}

function loadModule(bytes: Uint8Array, backend: 'compiled' | 'tiered' | 'interpreter'): Module {
  return Module.fromBytes(bytes, { backend, gasMetering: 'sync', costModel: naiveCostModel });
}

/**
 * The compiled backend hands programs it cannot compile to the interpreter, so a "compiled" row
 * could silently measure the interpreter: say why codegen refused the program, if it did.
 */
function compiledFallbackReason(module: Module): string | undefined {
  try {
    compileToJs(module.image);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** One call on a fresh instance of one of our backends; only `run()` is timed. */
function runOurs(module: Module, entry: string, args: readonly bigint[], check: (reg: (index: number) => bigint) => string | null): RunOutcome {
  const instance = module.instantiate();
  instance.prepareCall(entry, args);
  instance.setGas(GAS);
  const [interrupt, { ms, cpuMs }] = clock(() => instance.run());
  const instructions = GAS - instance.gas();
  if (interrupt.kind !== 'finished') return { ms, cpuMs, instructions, problem: `ended with ${interrupt.kind} at pc ${instance.programCounter()}` };
  return { ms, cpuMs, instructions, problem: check((index) => instance.reg(index)) };
}

function checkPinky(reg: (index: number) => bigint): string | null {
  for (const [name, value] of Object.entries(PINKY.registers)) {
    const actual = reg(REG[name as keyof typeof REG]);
    if (actual !== value) return `${name} = 0x${actual.toString(16)}, expected 0x${value.toString(16)}`;
  }
  return null;
}

function checkA0(expected: bigint): (reg: (index: number) => bigint) => string | null {
  return (reg) => {
    const actual = reg(REG.a0);
    return actual === expected ? null : `a0 = ${actual}, expected ${expected}`;
  };
}

function benchPinky(options: Options, results: ExecResult[]): void {
  const bytes = readFileSync(new URL(PINKY.file, BLOBS));
  for (const backend of OUR_BACKENDS) {
    progress(`pinky ${PINKY.entry} on ${backend}`);
    // The interpreter needs tens of seconds per run; its numbers are context, not a target.
    const [warmups, runs] = backend !== 'interpreter' ? (options.quick ? [1, 2] : [2, 5]) : options.quick ? [0, 1] : [1, 3];
    const result = attempt('pinky', backend, () => {
      const module = loadModule(bytes, backend);
      const r = measure('pinky', backend, () => {
        const outcome = runOurs(module, PINKY.entry, [], checkPinky);
        if (outcome.problem === null && outcome.instructions !== PINKY.instructions)
          outcome.problem = `${outcome.instructions} instructions, expected ${PINKY.instructions}`;
        return outcome;
      }, warmups, runs);
      if (backend === 'compiled') r.fallback = compiledFallbackReason(module);
      return r;
    });
    results.push(result);
  }
}

function benchKernel(kernel: Kernel, options: Options, results: ExecResult[]): void {
  const isa = parseIsaName(/^%isa\s*=\s*(\S+)/m.exec(kernel.source)?.[1] ?? '');
  if (isa === undefined) throw new Error(`${kernel.name} declares no %isa`);
  const bytes = assemble(kernel.source, { isa });
  progress(`${kernel.name}: computing the expected results in plain JS`);
  const expected = kernel.expected(kernel.argument);
  const smallExpected = kernel.expected(kernel.smallArgument);
  const own: ExecResult[] = [];
  const slowWarmups = 1;
  const slowRuns = options.quick ? 2 : 5;
  let compiledSmallCount: bigint | undefined;
  let tieredSmallCount: bigint | undefined;

  if (OUR_BACKENDS.includes('compiled')) {
    progress(`${kernel.name} on compiled, a0 = ${kernel.argument}`);
    const r = attempt(kernel.name, 'compiled', () => {
      const module = loadModule(bytes, 'compiled');
      const r = measure(kernel.name, 'compiled', () => runOurs(module, kernel.entry, [BigInt(kernel.argument)], checkA0(expected)), options.quick ? 1 : 2, options.quick ? 3 : 7);
      // The compiled code must execute exactly as many instructions as the interpreter; compare on the small size.
      const small = runOurs(module, kernel.entry, [BigInt(kernel.smallArgument)], checkA0(smallExpected));
      if (r.problem === null && small.problem !== null) r.problem = `with a0 = ${kernel.smallArgument}: ${small.problem}`;
      compiledSmallCount = small.instructions;
      r.fallback = compiledFallbackReason(module);
      return r;
    });
    r.argument = kernel.argument;
    own.push(r);
  }
  if (OUR_BACKENDS.includes('tiered')) {
    progress(`${kernel.name} on tiered, a0 = ${kernel.argument}`);
    const r = attempt(kernel.name, 'tiered', () => {
      const module = loadModule(bytes, 'tiered');
      const r = measure(kernel.name, 'tiered', () => runOurs(module, kernel.entry, [BigInt(kernel.argument)], checkA0(expected)), options.quick ? 1 : 2, options.quick ? 3 : 7);
      // Exactly as many instructions as the others, at the small size.
      const small = runOurs(module, kernel.entry, [BigInt(kernel.smallArgument)], checkA0(smallExpected));
      if (r.problem === null && small.problem !== null) r.problem = `with a0 = ${kernel.smallArgument}: ${small.problem}`;
      tieredSmallCount = small.instructions;
      return r;
    });
    r.argument = kernel.argument;
    own.push(r);
  }
  if (OUR_BACKENDS.includes('interpreter')) {
    progress(`${kernel.name} on interpreter, a0 = ${kernel.smallArgument}`);
    const r = attempt(kernel.name, 'interpreter', () => {
      const module = loadModule(bytes, 'interpreter');
      return measure(kernel.name, 'interpreter', () => runOurs(module, kernel.entry, [BigInt(kernel.smallArgument)], checkA0(smallExpected)), slowWarmups, slowRuns);
    });
    r.argument = kernel.smallArgument;
    own.push(r);
  }
  if (kernel.bits === 64 && isa === Isa.JamV1) {
    progress(`${kernel.name} on anan-as, a0 = ${kernel.smallArgument}`);
    const args = [BigInt(kernel.smallArgument)];
    const r = attempt(kernel.name, 'anan-as', () => measure(kernel.name, 'anan-as', () => {
      const { run } = startAnanAs(prepareAnanAsCall(bytes, kernel.entry, args), GAS);
      const [out, { ms, cpuMs }] = clock(run);
      const instructions = GAS - out.gasLeft;
      if (out.status !== 'finished') return { ms, cpuMs, instructions, problem: `ended with ${out.status} at pc ${out.pc}` };
      const a0 = out.registers[REG.a0]!;
      return { ms, cpuMs, instructions, problem: a0 === smallExpected ? null : `a0 = ${a0}, expected ${smallExpected}` };
    }, slowWarmups, slowRuns));
    r.argument = kernel.smallArgument;
    own.push(r);
  }
  // Every engine runs the same program; at the same size they must agree on the instruction count
  // (anan-as charges 1 gas per instruction, as the naive model does).
  const counts = own.map((r) => (r.engine === 'compiled' ? compiledSmallCount : r.engine === 'tiered' ? tieredSmallCount : BigInt(r.instructions)));
  for (let i = 1; i < own.length; i++) {
    if (own[i]!.problem === null && counts[0] !== undefined && counts[i] !== counts[0]) {
      own[i]!.problem = `executed ${counts[i]} instructions with a0 = ${kernel.smallArgument}, ${own[0]!.engine} ${counts[0]}`;
      own[i]!.verified = false;
    }
  }
  for (const r of own) r.verified = r.problem === null;
  results.push(...own);
}

interface Timing {
  /** Median wall time, ms. */
  ms: number;
  /** Median process CPU time, ms. */
  cpuMs: number;
}

/**
 * Compile times of one blob, measured in a fresh process on the built package (bench/compile-child.mjs:
 * dist/, what the CLI and library users run; built here if missing). The sources under tsx measure
 * ~10-15% slower (tsx adds a getter per imported binding and a name helper per closure).
 */
function benchCompile(name: string, options: Options): CompileResult {
  const path = fileURLToPath(new URL(name, BLOBS));
  const bytes = readFileSync(path);
  const result: CompileResult = { blob: name, codeBytes: parseBlob(bytes).code.length, toJs: null, toJsWithMap: null, toModule: null, jsBytes: 0, problem: null };
  progress(`compile ${name} (fresh process, dist/)`);
  if (!existsSync(new URL('../dist/codegen/index.js', import.meta.url))) {
    progress('  building dist/ (npm run build)');
    execFileSync('npm', ['run', 'build'], { cwd: fileURLToPath(new URL('..', import.meta.url)), stdio: 'ignore' });
  }
  try {
    const out = execFileSync(process.execPath, [fileURLToPath(new URL('./compile-child.mjs', import.meta.url)), path, name, String(options.quick ? 1 : 2), String(options.quick ? 3 : 5)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const child = JSON.parse(out.trim().split('\n').pop()!) as Pick<CompileResult, 'toJs' | 'toJsWithMap' | 'toModule' | 'jsBytes'>;
    Object.assign(result, child);
    for (const [what, t] of [['to JS text', child.toJs], ['with source map', child.toJsWithMap], ['to a runnable module', child.toModule]] as const)
      progress(`  ${what}: ${t!.ms.toFixed(1)} ms (CPU ${t!.cpuMs.toFixed(1)} ms)`);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr;
    result.problem = `compile child failed: ${(stderr?.trim().split('\n').pop() ?? (error as Error).message).slice(0, 200)}`;
    progress(`  ${result.problem}`);
  }
  return result;
}

/** How many times faster `fast` executes guest instructions than `slow` (they may have run different sizes). */
const speedup = (fast: ExecResult, slow: ExecResult): number => fast.mips / slow.mips;

interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

function checkTargets(exec: readonly ExecResult[], compile: readonly CompileResult[], start: StartResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const engine of ['compiled', 'tiered'] as const) {
    // The median of 3 fresh processes when those rows ran (one process's warm speed is bimodal).
    const processes = start.warm.find((x) => x.engine === engine);
    const pinky = exec.find((r) => r.workload === 'pinky' && r.engine === engine);
    if (processes !== undefined && processes.problem === null)
      checks.push({
        target: `pinky initialize <= ${TARGETS.pinkyExecMs} ms execution, sync gas (${engine})`,
        measured: `${processes.medianMs.toFixed(0)} ms CPU (median of 3 fresh processes)`,
        met: processes.medianMs <= TARGETS.pinkyExecMs,
      });
    else if (pinky !== undefined)
      checks.push({
        target: `pinky initialize <= ${TARGETS.pinkyExecMs} ms execution, sync gas (${engine})`,
        measured: `${pinky.medianCpuMs.toFixed(0)} ms CPU (${pinky.medianMs.toFixed(0)} ms wall)`,
        met: pinky.verified && pinky.fallback === undefined && pinky.medianCpuMs <= TARGETS.pinkyExecMs,
      });
  }
  for (const anan of exec.filter((r) => r.engine === 'anan-as')) {
    const compiled = exec.find((r) => r.workload === anan.workload && r.engine === 'compiled');
    if (compiled === undefined) continue;
    const ratio = speedup(compiled, anan);
    checks.push({
      target: `${anan.workload}: compiled >= ${TARGETS.ananAsRatio}x anan-as`,
      measured: `${ratio.toFixed(1)}x`,
      met: compiled.verified && anan.verified && compiled.fallback === undefined && ratio >= TARGETS.ananAsRatio,
    });
  }
  for (const r of exec.filter((r) => r.engine === 'compiled' && r.workload.endsWith('_64')))
    checks.push({ target: `${r.workload}: compiled >= ${TARGETS.kernel64Mips} M instr/s`, measured: `${r.mips.toFixed(0)} M/s`, met: r.verified && r.mips >= TARGETS.kernel64Mips });
  const doom = compile.find((c) => c.blob === 'doom.polkavm');
  if (doom !== undefined) {
    const t = (x: Timing | null): string => (x === null ? 'failed' : `${x.cpuMs.toFixed(0)} ms CPU (${x.ms.toFixed(0)} ms wall)`);
    checks.push({
      target: `doom.polkavm -> JS text <= ${TARGETS.doomToJsMs} ms without source map`,
      measured: t(doom.toJs),
      met: doom.toJs !== null && doom.toJs.cpuMs <= TARGETS.doomToJsMs,
    });
    checks.push({
      target: `doom.polkavm -> JS text with source map <= ${TARGETS.doomToJsWithMapMs} ms`,
      measured: t(doom.toJsWithMap),
      met: doom.toJsWithMap !== null && doom.toJsWithMap.cpuMs <= TARGETS.doomToJsWithMapMs,
    });
  }
  return checks;
}

/** Issue 8's start-up targets. */
function checkStartTargets(exec: readonly ExecResult[], start: StartResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const shot = (engine: string) => start.oneShot.find((x) => x.engine === engine && x.flags.length === 0);
  const tiered = shot('tiered');
  const interp = shot('interpreter');
  if (tiered && interp)
    checks.push({
      target: 'pinky one-shot wall on tiered <= 0.5x the interpreter and <= 1.0 s',
      measured: `${tiered.medianMs.toFixed(0)} ms = ${(tiered.medianMs / interp.medianMs).toFixed(2)}x`,
      met: tiered.problem === null && tiered.medianMs <= 0.5 * interp.medianMs && tiered.medianMs <= 1000,
    });
  // Warm speed differs between fresh processes (bench/README.md "Steady warm speed"): the 3-process rows
  // decide when they ran, the in-process rows otherwise.
  const processesT = start.warm.find((x) => x.engine === 'tiered');
  const processesC = start.warm.find((x) => x.engine === 'compiled');
  if (processesT && processesC && processesT.problem === null && processesC.problem === null)
    checks.push({
      target: 'pinky warm on tiered within 10% of compiled',
      measured: `${processesT.medianMs.toFixed(0)} vs ${processesC.medianMs.toFixed(0)} ms CPU (${(processesT.medianMs / processesC.medianMs).toFixed(2)}x; medians of 3 fresh processes)`,
      met: processesT.medianMs <= 1.1 * processesC.medianMs,
    });
  const warmT = exec.find((r) => r.workload === 'pinky' && r.engine === 'tiered');
  const warmC = exec.find((r) => r.workload === 'pinky' && r.engine === 'compiled');
  if (warmT && warmC && !(processesT && processesC))
    checks.push({
      target: 'pinky warm on tiered within 10% of compiled',
      measured: `${warmT.medianCpuMs.toFixed(0)} vs ${warmC.medianCpuMs.toFixed(0)} ms CPU (${(warmT.medianCpuMs / warmC.medianCpuMs).toFixed(2)}x)`,
      met: warmT.verified && warmT.medianCpuMs <= 1.1 * warmC.medianCpuMs,
    });
  for (const anan of exec.filter((r) => r.engine === 'anan-as')) {
    const t = exec.find((r) => r.workload === anan.workload && r.engine === 'tiered');
    if (t) checks.push({ target: `${anan.workload}: tiered >= ${TARGETS.ananAsRatio}x anan-as`, measured: `${speedup(t, anan).toFixed(1)}x`, met: t.verified && speedup(t, anan) >= TARGETS.ananAsRatio });
  }
  const doom = start.doom.find((x) => x.engine === 'tiered');
  if (doom) checks.push({ target: 'doom fromBytes + instantiate + 1,000 instructions <= 50 ms on tiered', measured: `${doom.medianMs.toFixed(1)} ms`, met: doom.problem === null && doom.medianMs <= 50 });
  const pre = start.doom.find((x) => x.engine.startsWith('precompiled'));
  if (pre)
    checks.push({
      target: 'doom precompiled: loadCompiled + instantiate + 1,000 instructions after import <= 20 ms',
      measured: `${pre.medianMs.toFixed(1)} ms (import before it ${pre.importMedianMs?.toFixed(0) ?? '?'} ms)`,
      met: pre.problem === null && pre.medianMs <= 20,
    });
  for (const query of ['sum-balance', 'swap-info']) {
    const t = start.pvq.find((x) => x.query === query && x.engine === 'tiered');
    const i = start.pvq.find((x) => x.query === query && x.engine === 'interpreter');
    const c = start.pvq.find((x) => x.query === query && x.engine === 'compiled');
    if (t && i)
      checks.push({
        target: `PVQ ${query} first query on tiered <= 1.1x interpreter`,
        measured: `${t.firstVsInterpreter.toFixed(2)}x (median of 15 rounds' ratios; medians ${t.firstMedianMs.toFixed(1)} vs ${i.firstMedianMs.toFixed(1)} ms)`,
        met: t.firstVsInterpreter <= 1.1,
      });
    if (t && c) checks.push({ target: `PVQ ${query} ${t.count} queries on tiered no slower than compiled`, measured: `${t.manyMs.toFixed(0)} vs ${c.manyMs.toFixed(0)} ms`, met: t.manyMs <= c.manyMs });
  }
  return checks;
}

function machine(): { cpu: string; cores: number; node: string; v8: string; platform: string; loadAverage: number[]; v8Flags: readonly string[] } {
  const list = cpus();
  return {
    cpu: list[0]?.model ?? 'unknown',
    cores: list.length,
    node: process.version,
    v8: process.versions.v8,
    platform: `${process.platform} ${process.arch}`,
    loadAverage: loadavg(),
    v8Flags: engine.applied ? engine.flags : [],
  };
}


function formatTable(exec: readonly ExecResult[], compile: readonly CompileResult[], targets: readonly TargetCheck[], quick: boolean, pvq: readonly PvqBenchRow[]): string {
  const m = machine();
  const lines: string[] = [];
  lines.push(`Machine: ${m.cpu}, ${m.cores} cores, ${m.platform}; Node ${m.node} (V8 ${m.v8}); anan-as ${ANAN_AS_VERSION}`);
  lines.push(`V8 flags for the in-process rows: ${engine.applied ? engine.flags.join(' ') : `none (${engine.reason})`} (tuneEngine, as the CLI sets them).`);
  const load = loadavg().map((x) => x.toFixed(1)).join(' ');
  lines.push(`Load average at the end: ${load}. Median of ${quick ? 'a few (--quick)' : 'several'} runs after warm-up; execution = run() only,`);
  lines.push('sync gas metering, naive cost model (gas used = guest instructions). The interpreter and anan-as run each kernel');
  lines.push('with a smaller a0 (about a tenth of the work); speeds and ratios compare instructions per CPU second.');
  lines.push('');
  if (exec.length > 0) {
    lines.push('| workload | engine | a0 | M instr | wall ms | CPU ms | M/s (CPU) | compiled is faster by | verified |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---|');
    for (const r of exec) {
      const compiled = exec.find((c) => c.workload === r.workload && c.engine === 'compiled');
      const faster = compiled === undefined || r === compiled || !compiled.verified || !r.verified ? '' : `${speedup(compiled, r).toFixed(1)}x`;
      const n = (x: number, digits: number): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
      lines.push(
        `| ${r.workload} | ${r.engine} | ${r.argument ?? ''} | ${n(r.instructions / 1e6, 1)} | ${n(r.medianMs, 1)} | ${n(r.medianCpuMs, 1)} | ${n(r.mips, 1)} | ${faster} | ${r.verified ? 'yes' : `NO: ${r.problem}`}${r.fallback === undefined ? '' : ` (ran on the interpreter fallback: ${r.fallback})`} |`,
      );
    }
    lines.push('');
  }
  if (compile.length > 0) {
    const t = (x: Timing | null): string => (x === null ? 'failed' : `${x.ms.toFixed(0)} / ${x.cpuMs.toFixed(0)}`);
    lines.push('| compile (wall / CPU ms) | code KB | to JS text | with source map | to runnable module | JS KB | problem |');
    lines.push('|---|---:|---:|---:|---:|---:|---|');
    for (const c of compile)
      lines.push(
        `| ${c.blob} | ${(c.codeBytes / 1024).toFixed(0)} | ${t(c.toJs)} | ${t(c.toJsWithMap)} | ${t(c.toModule)} | ${(c.jsBytes / 1024).toFixed(0)} | ${c.problem ?? ''} |`,
      );
    lines.push('');
  }
  // ---- PVQ (issue 10) ----
  lines.push(...formatPvqTable(pvq));
  if (targets.length > 0) {
    lines.push('| target | measured | met |');
    lines.push('|---|---:|---|');
    for (const t of targets) lines.push(`| ${t.target} | ${t.measured} | ${t.met ? 'yes' : 'no'} |`);
  }
  return lines.map((l) => l.replace(/\s+$/, '')).join('\n') + '\n';
}

// The warm rows run as the CLI does, with runtime/engine.ts's V8 flags (without them about a third of
// processes leave a hot region on slower OSR code for good: bench/README.md "Steady warm speed").
const engine = tuneEngine();

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const wanted = (name: string): boolean => options.filter === undefined || name.includes(options.filter);
  const exec: ExecResult[] = [];
  const compile: CompileResult[] = [];

  if (wanted('pinky')) benchPinky(options, exec);
  for (const kernel of loadKernels()) {
    if (!wanted(kernel.name)) continue;
    benchKernel(kernel, options, exec);
  }
  const compileWanted = COMPILE_BLOBS.filter((name) => wanted(name) || wanted('compile'));
  for (const name of compileWanted) compile.push(benchCompile(name, options));

  const start: StartResults = benchStart(options.quick, (name) => wanted(name) || wanted('start'));
  // ---- PVQ (issue 10) ----
  const pvq: { rows: PvqBenchRow[]; targets: PvqTargetCheck[] } = wanted('pvq') || options.filter === undefined ? await benchPvq({ quick: options.quick, wanted, progress }) : { rows: [], targets: [] };

  const targets = [...checkTargets(exec, compile, start), ...checkStartTargets(exec, start), ...pvq.targets];
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ machine: machine(), quick: options.quick, exec, compile, start, targets, pvq: pvq.rows }, null, 2)}\n`);
  } else {
    process.stdout.write(formatStart(start) + formatTable(exec, compile, targets, options.quick, pvq.rows));
  }
  // A wrong answer is a failure; a missed speed target is not (it is reported in the table).
  return exec.every((r) => r.verified) && pvq.rows.every((r) => r.verified) ? 0 : 1;
}

process.exitCode = await main();
