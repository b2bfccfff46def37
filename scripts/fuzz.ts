// Differential fuzzing from the command line:
//   npm run fuzz -- --count N --seed S      run programs S:0 .. S:N-1
//   npm run fuzz -- --seed S --only I       run one program, print it, shrink it if it diverges
// Progress (programs/s, divergences so far) goes to stderr; each divergence, shrunk to a minimal
// reproduction, to stdout; the last line is `fuzz: N programs, M divergences`. Exit 1 on divergence.
// With --jobs J (default: the cores, up to 4, for 2,000 programs or more) J child processes each take
// every J-th program.
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { ISA_NAMES } from '../src/decoder/isa.ts';
import { Coverage, generateCase, type FuzzCase } from '../test/fuzz/generator.ts';
import { reduceCase } from '../test/fuzz/reduce.ts';
import { describeCase, describeDivergence, runDifferential, type Side } from '../test/fuzz/runner.ts';
import { defaultSides } from '../test/fuzz/sides.ts';
import { hasBackend, type BackendName } from '../src/runtime/index.ts';

const USAGE = 'usage: npm run fuzz -- [--count N] [--seed S] [--start I] [--only I] [--jobs J] [--no-reduce] [--max-reports K] [--backend compiled|tiered|tiered-eager|tiered-one|tiered-random|compiled-copies]';

interface Args {
  count: number;
  seed: number;
  start: number;
  only: number | undefined;
  jobs: number | undefined;
  reduce: boolean;
  maxReports: number;
  /** Internal: this process is child `worker` of `jobs`. */
  worker: number | undefined;
  /** The side compared with the interpreter (default compiled). */
  backend: BackendName;
}

function parse(argv: string[]): Args {
  const out: Args = { count: 10_000, seed: 1, start: 0, only: undefined, jobs: undefined, reduce: true, maxReports: 10, worker: undefined, backend: 'compiled' };
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
    else if (arg === '--jobs') out.jobs = Math.max(1, value());
    else if (arg === '--no-reduce') out.reduce = false;
    else if (arg === '--max-reports') out.maxReports = value();
    else if (arg === '--worker') out.worker = value();
    else if (arg === '--backend') {
      const name = argv[++i];
      if (name === undefined || !hasBackend(name)) throw new Error(`--backend takes one of: compiled, tiered, tiered-eager, tiered-one, tiered-random, compiled-copies (got ${name})`);
      out.backend = name as BackendName;
    } else if (arg === '--help' || arg === '-h') {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return out;
}

/** What one process found; children send it to the parent when done. */
interface Tally {
  programs: number;
  divergences: number;
  stops: number;
  outcomes: Record<string, number>;
  stopKinds: Record<string, number>;
  coverage: number[][];
  cpuSeconds: number;
}

type Message = { type: 'progress'; programs: number; divergences: number } | { type: 'report'; text: string } | { type: 'done'; tally: Tally };

const bump = (m: Record<string, number>, key: string, by = 1): void => {
  m[key] = (m[key] ?? 0) + by;
};

/** Runs programs first, first + step, ... (`count` of them). */
function fuzz(args: Args, first: number, step: number, count: number, send: (m: Message) => void): Tally {
  const { a, b, every10th } = defaultSides(args.backend);
  const coverage = new Coverage();
  const tally: Tally = { programs: 0, divergences: 0, stops: 0, outcomes: {}, stopKinds: {}, coverage: [], cpuSeconds: 0 };
  const cpuBefore = process.cpuUsage();
  let lastProgress = performance.now();
  let reports = 0;

  const report = (c: FuzzCase, a: Side, b: Side): string => {
    let shown = c;
    let result = runDifferential(c, a, b);
    let note = '';
    if (args.reduce) {
      const reduced = reduceCase(c, a, b);
      if (reduced.case.code.count < c.code.count) note = `(shrunk from ${c.code.count} to ${reduced.case.code.count} instructions)\n`;
      shown = reduced.case;
      result = reduced.result;
    }
    return `${note}${describeDivergence(shown, result, a, b)}\n`;
  };

  for (let n = 0; n < count; n++) {
    const index = first + n * step;
    let c: FuzzCase;
    tally.programs++;
    try {
      c = generateCase(args.seed, index);
    } catch (e) {
      tally.divergences++;
      send({ type: 'report', text: `generator failed on ${args.seed}:${index}: ${(e as Error).stack}\n` });
      continue;
    }
    coverage.add(c);
    const result = runDifferential(c, a, b);
    tally.stops += result.stops.length;
    for (const stop of result.stops) bump(tally.stopKinds, stop.replace(/\(.*$/, ''));
    if (args.only !== undefined) send({ type: 'report', text: `${describeCase(c)}\noutcome: ${result.outcome}; stops: ${result.stops.join(', ')}\n` });
    if (result.divergence) {
      tally.divergences++;
      const d = result.divergence;
      // One line per divergence, so a long run can be sorted into classes afterwards.
      send({ type: 'report', text: `divergence ${args.seed}:${index} ${a.name} vs ${b.name} at stop ${d.history.length + 1}: ${d.field}: ${d.a} vs ${d.b}` });
      if (reports++ < args.maxReports) send({ type: 'report', text: report(c, a, b) });
    } else bump(tally.outcomes, result.outcome.replace(/\(.*?\)/g, '').trim());
    const second = every10th && index % 10 === 0 ? runDifferential(c, every10th.a, every10th.b) : undefined;
    if (every10th && second?.divergence) {
      tally.divergences++;
      const d = second.divergence;
      send({ type: 'report', text: `divergence ${args.seed}:${index} ${every10th.a.name} vs ${every10th.b.name} at stop ${d.history.length + 1}: ${d.field}: ${d.a} vs ${d.b}` });
      if (reports++ < args.maxReports) send({ type: 'report', text: report(c, every10th.a, every10th.b) });
    }
    const now = performance.now();
    if (now - lastProgress > 2000) {
      lastProgress = now;
      send({ type: 'progress', programs: tally.programs, divergences: tally.divergences });
    }
  }
  const cpu = process.cpuUsage(cpuBefore);
  tally.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  tally.coverage = coverage.counts.map((row) => Array.from(row));
  return tally;
}

function summarize(args: Args, tally: Tally, seconds: number, jobs: number): void {
  const list = (m: Record<string, number>): string =>
    Object.entries(m)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  console.error(`fuzz: last stops: ${list(tally.outcomes)}`);
  console.error(`fuzz: all ${tally.stops} stops compared: ${list(tally.stopKinds)}`);
  console.error(
    `fuzz: ${(tally.programs / seconds).toFixed(0)} programs/s over ${seconds.toFixed(1)} s with ${jobs} job(s) (${tally.cpuSeconds.toFixed(1)} s CPU)`,
  );
  if (args.only === undefined) {
    const coverage = new Coverage();
    tally.coverage.forEach((row, isa) => coverage.counts[isa]!.set(row));
    ISA_NAMES.forEach((name, isa) => {
      const missing = coverage.missing(isa as 0 | 1 | 2 | 3);
      if (missing.length) console.error(`fuzz: ${name}: never emitted: ${missing.join(', ')}`);
    });
  }
  console.log(`fuzz: ${tally.programs} programs, ${tally.divergences} divergences`);
}

function merge(into: Tally, t: Tally): void {
  into.programs += t.programs;
  into.divergences += t.divergences;
  into.stops += t.stops;
  for (const [k, v] of Object.entries(t.outcomes)) bump(into.outcomes, k, v);
  for (const [k, v] of Object.entries(t.stopKinds)) bump(into.stopKinds, k, v);
  into.cpuSeconds += t.cpuSeconds;
  if (into.coverage.length === 0) into.coverage = t.coverage.map((row) => row.map(() => 0));
  t.coverage.forEach((row, isa) => row.forEach((v, op) => (into.coverage[isa]![op]! += v)));
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parse(process.argv.slice(2));
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  const first = args.only ?? args.start;
  const count = args.only !== undefined ? 1 : args.count;

  if (args.worker !== undefined) {
    const jobs = args.jobs ?? 1;
    const mine = Math.max(0, Math.ceil((count - args.worker) / jobs));
    const send = (m: Message): void => void process.send!(m);
    send({ type: 'done', tally: fuzz(args, first + args.worker, jobs, mine, send) });
    process.disconnect();
    return 0;
  }

  const { a, b, selfCheck, every10th } = defaultSides(args.backend);
  if (every10th) console.error(`fuzz: every tenth program also ${every10th.a.name} vs ${every10th.b.name}`);
  if (selfCheck) console.error(`NOTICE: the compiled backend is not registered; comparing ${a.name} against ${b.name}`);
  const jobs = args.only !== undefined ? 1 : (args.jobs ?? (count >= 2000 ? Math.min(4, availableParallelism()) : 1));
  console.error(`fuzz: seed ${args.seed}, programs ${first}..${first + count - 1}, ${a.name} vs ${b.name}`);
  const began = performance.now();
  const total: Tally = { programs: 0, divergences: 0, stops: 0, outcomes: {}, stopKinds: {}, coverage: [], cpuSeconds: 0 };

  let lastProgress = began;
  const progress = (programs: number, divergences: number): void => {
    const now = performance.now();
    if (now - lastProgress < 2000) return;
    lastProgress = now;
    const rate = (programs / (now - began)) * 1000;
    console.error(`fuzz: ${programs}/${count} programs, ${rate.toFixed(0)}/s, ${divergences} divergences`);
  };

  if (jobs === 1) {
    merge(
      total,
      fuzz(args, first, 1, count, (m) => {
        if (m.type === 'report') console.log(m.text);
        else if (m.type === 'progress') progress(m.programs, m.divergences);
      }),
    );
  } else {
    const done = new Array<number>(jobs).fill(0);
    const found = new Array<number>(jobs).fill(0);
    const script = fileURLToPath(import.meta.url);
    await Promise.all(
      Array.from(
        { length: jobs },
        (_, w) =>
          new Promise<void>((resolve, reject) => {
            const child = fork(script, [...process.argv.slice(2), '--jobs', String(jobs), '--worker', String(w)], { execArgv: process.execArgv });
            child.on('message', (m: Message) => {
              if (m.type === 'report') console.log(m.text);
              else if (m.type === 'progress') {
                done[w] = m.programs;
                found[w] = m.divergences;
                progress(
                  done.reduce((x, y) => x + y, 0),
                  found.reduce((x, y) => x + y, 0),
                );
              } else merge(total, m.tally);
            });
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`fuzz job ${w} exited with code ${code}`))));
          }),
      ),
    );
  }
  summarize(args, total, (performance.now() - began) / 1000, jobs);
  return total.divergences > 0 ? 1 : 0;
}

process.exitCode = await main();
