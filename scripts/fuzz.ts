// Differential fuzzing from the command line:
//   npm run fuzz -- --count N --seed S      run programs S:0 .. S:N-1
//   npm run fuzz -- --seed S --only I       run one program, print it, shrink it if it diverges
// Progress (programs/s, divergences so far) goes to stderr; each divergence, shrunk to a minimal
// reproduction, to stdout; the last line is `fuzz: N programs, M divergences`. Exit 1 on divergence.
import { Coverage, generateCase, type FuzzCase } from '../test/fuzz/generator.ts';
import { reduceCase } from '../test/fuzz/reduce.ts';
import { describeCase, describeDivergence, runDifferential } from '../test/fuzz/runner.ts';
import { defaultSides } from '../test/fuzz/sides.ts';
import { ISA_NAMES } from '../src/decoder/isa.ts';

const USAGE = 'usage: npm run fuzz -- [--count N] [--seed S] [--start I] [--only I] [--no-reduce] [--max-reports K]';

function parse(argv: string[]): { count: number; seed: number; start: number; only?: number; reduce: boolean; maxReports: number } {
  const out = { count: 10_000, seed: 1, start: 0, only: undefined as number | undefined, reduce: true, maxReports: 10 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): number => {
      const v = Number(argv[++i]);
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${arg} needs a non-negative integer\n${USAGE}`);
      return v;
    };
    if (arg === '--count') out.count = value();
    else if (arg === '--seed') out.seed = value() >>> 0;
    else if (arg === '--start') out.start = value();
    else if (arg === '--only') out.only = value();
    else if (arg === '--no-reduce') out.reduce = false;
    else if (arg === '--max-reports') out.maxReports = value();
    else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return out;
}

function main(): number {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const { a, b, selfCheck } = defaultSides();
  if (selfCheck) console.error(`NOTICE: the compiled backend is not registered; comparing ${a.name} against ${b.name}`);
  console.error(`fuzz: seed ${args.seed}, ${a.name} vs ${b.name}`);

  const first = args.only ?? args.start;
  const count = args.only !== undefined ? 1 : args.count;
  const outcomes = new Map<string, number>();
  const stopKinds = new Map<string, number>();
  const coverage = new Coverage();
  let divergences = 0;
  let stops = 0;
  const began = performance.now();
  const cpuBefore = process.cpuUsage();
  let lastReport = began;

  const report = (c: FuzzCase): void => {
    let shown = c;
    let result = runDifferential(c, a, b);
    if (args.reduce) {
      const reduced = reduceCase(c, a, b);
      shown = reduced.case;
      result = reduced.result;
      if (shown !== c) console.log(`(shrunk from ${c.code.count} to ${shown.code.count} instructions)`);
    }
    console.log(describeDivergence(shown, result, a, b));
    console.log();
  };

  for (let n = 0; n < count; n++) {
    const index = first + n;
    let c: FuzzCase;
    try {
      c = generateCase(args.seed, index);
    } catch (e) {
      console.log(`generator failed on ${args.seed}:${index}: ${(e as Error).stack}`);
      divergences++;
      continue;
    }
    coverage.add(c);
    const result = runDifferential(c, a, b);
    stops += result.stops.length;
    for (const stop of result.stops) {
      const kind = stop.replace(/\(.*$/, '');
      stopKinds.set(kind, (stopKinds.get(kind) ?? 0) + 1);
    }
    if (args.only !== undefined) {
      console.log(describeCase(c));
      console.log(`outcome: ${result.outcome}; stops: ${result.stops.join(', ')}`);
    }
    if (result.divergence) {
      divergences++;
      if (divergences <= args.maxReports) report(c);
    } else {
      const kind = result.outcome.replace(/\(.*?\)/g, '').trim();
      outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    }
    const now = performance.now();
    if (now - lastReport > 2000) {
      lastReport = now;
      const rate = ((n + 1) / (now - began)) * 1000;
      console.error(`fuzz: ${n + 1}/${count} programs, ${rate.toFixed(0)}/s, ${divergences} divergences`);
    }
  }

  const seconds = (performance.now() - began) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  console.error(
    `fuzz: final stops: ${[...outcomes].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ')}\n` +
      `fuzz: all ${stops} stops compared: ${[...stopKinds].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${v}`).join(', ')}\n` +
      `fuzz: ${(count / seconds).toFixed(0)} programs/s over ${seconds.toFixed(1)} s (${cpuSeconds.toFixed(1)} s CPU)`,
  );
  if (args.only === undefined) {
    ISA_NAMES.forEach((name, isa) => {
      const missing = coverage.missing(isa as 0 | 1 | 2 | 3);
      if (missing.length) console.error(`fuzz: ${name}: never emitted: ${missing.join(', ')}`);
    });
  }
  console.log(`fuzz: ${count} programs, ${divergences} divergences`);
  return divergences > 0 ? 1 : 0;
}

process.exitCode = main();
