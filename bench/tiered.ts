// The bench's start-up section (issue 8): what a one-shot user or a first query sees, per backend, each
// in fresh node processes so that nothing compiled or warmed up before counts.
//
// (a) pinky one-shot: `pvm2js run bench-pinky.polkavm initialize --gas 2000000000` (the built CLI,
//     dist/cli/main.js, built first), wall time of the whole process, median of 5 taken in rounds across the rows; on tiered /
//     compiled / interpreter / a module written by `pvm2js compile`, and tiered under V8 flags;
// (b) doom: Module.fromBytes + instantiate + the first 1,000 instructions (bench/tiered-child.mjs); and
//     doom written by `pvm2js compile`: the import in plain node (V8 parsing the module), and after it
//     loadCompiled + instantiate + the first 1,000 instructions (tiered-child.mjs doom-precompiled);
// (c) PVQ: the first query in a fresh process, and 10,000 queries in one process, for sum-balance and
//     swap-info (bench/tiered-child.mjs).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileModule } from '../src/runtime/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const CHILD = join(ROOT, 'bench/tiered-child.mjs');
const PINKY = join(ROOT, '../shared/blobs/polkavm/bench-pinky.polkavm');
const DOOM = join(ROOT, '../shared/blobs/polkavm/doom.polkavm');

export const START_BACKENDS = ['tiered', 'compiled', 'interpreter'] as const;

/** V8 flags tried on the tiered one-shot (issue 8: the levers a CLI could set at start). */
export const V8_LEVERS: readonly (readonly string[])[] = [['--no-lazy-feedback-allocation'], ['--interrupt-budget=16384'], ['--always-sparkplug'], ['--max-lazy']];

export interface OneShotRow {
  readonly engine: string;
  readonly flags: readonly string[];
  readonly runsMs: number[];
  readonly medianMs: number;
  readonly problem: string | null;
}

export interface DoomRow {
  readonly engine: string;
  readonly runsMs: number[];
  readonly medianMs: number;
  readonly loadMedianMs: number;
  /** Precompiled only: `await import()` of the module in a plain node process (V8 parsing it), ms. */
  readonly importMedianMs?: number;
  readonly problem: string | null;
}

export interface PvqRow {
  readonly query: string;
  readonly engine: string;
  /** First query in a fresh process: executor made + first result, ms (median of the runs). */
  readonly firstRunsMs: number[];
  readonly firstMedianMs: number;
  /** The median over rounds of this row's first query against the interpreter's in the same round
   * (a pair taken a moment apart, so the machine's drift cancels); NaN for the interpreter's row. */
  readonly firstVsInterpreter: number;
  /** 10,000 queries in one process (the first included), ms. */
  readonly manyMs: number;
  readonly count: number;
  readonly problem: string | null;
}

/** Pinky warm in several fresh processes: each process's median CPU ms over 5 runs after 2 warm-ups. */
export interface WarmRow {
  readonly engine: string;
  readonly processMediansMs: number[];
  readonly medianMs: number;
  readonly problem: string | null;
}

export interface StartResults {
  readonly oneShot: OneShotRow[];
  readonly doom: DoomRow[];
  readonly pvq: PvqRow[];
  readonly warm: WarmRow[];
}

const progress = (text: string): void => void process.stderr.write(`${text}\n`);

function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function wall(args: readonly string[]): { ms: number; problem: string | null; stdout: string } {
  const t0 = performance.now();
  const run = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  const ms = performance.now() - t0;
  const problem = run.status === 0 ? null : `exit ${run.status}: ${(run.stderr || run.stdout).trim().split('\n')[0]}`;
  return { ms, problem, stdout: run.stdout };
}

function child(args: readonly string[]): Record<string, unknown> {
  const out = execFileSync(process.execPath, [CHILD, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

interface OneShotPlan {
  readonly engine: string;
  readonly flags: readonly string[];
  readonly args: readonly string[];
}

/** Each plan's command `runs` times, in rounds across the plans (this machine's speed drifts over a
 * minute: a slow stretch then weighs on every row alike, not on one). */
function oneShots(plans: readonly OneShotPlan[], runs: number): OneShotRow[] {
  const rows = plans.map((plan) => ({ plan, times: [] as number[], problem: null as string | null }));
  for (let k = 0; k < runs; k++)
    for (const row of rows) {
      if (row.problem !== null) continue;
      const r = wall([...row.plan.flags, CLI, ...row.plan.args]);
      if (r.problem !== null) {
        row.problem = r.problem;
        continue;
      }
      if (!/finished/.test(r.stdout)) row.problem = `did not finish: ${r.stdout.trim().split('\n')[0]}`;
      row.times.push(r.ms);
      progress(`  one-shot pinky on ${row.plan.engine}${row.plan.flags.length ? ` ${row.plan.flags.join(' ')}` : ''}: ${r.ms.toFixed(0)} ms`);
    }
  return rows.map(({ plan, times, problem }) => ({ engine: plan.engine, flags: plan.flags, runsMs: times, medianMs: median(times), problem }));
}

export function benchStart(quick: boolean, wanted: (name: string) => boolean): StartResults {
  // Every row runs the built package (the CLI, and tiered-child.mjs over dist/), as users do.
  if (['pinky', 'warm', 'one-shot', 'doom', 'pvq'].some(wanted)) {
    progress('start-up rows: building dist/ (npm run build)');
    execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'ignore' });
  }
  const runs = 3;
  const results: StartResults = { oneShot: [], doom: [], pvq: [], warm: [] };
  if (wanted('pinky') || wanted('warm')) {
    for (const backend of ['compiled', 'tiered']) {
      const medians: number[] = [];
      let problem: string | null = null;
      for (let k = 0; k < runs; k++) {
        try {
          const r = child(['pinky-warm', backend]);
          medians.push(median(r.cpuMs as number[]));
          progress(`  pinky warm on ${backend}, fresh process ${k + 1}: median ${medians.at(-1)!.toFixed(0)} ms CPU`);
        } catch (e) {
          problem = (e as Error).message.split('\n')[0]!;
        }
      }
      results.warm.push({ engine: backend, processMediansMs: medians, medianMs: median(medians), problem });
    }
  }
  if (wanted('one-shot')) {
    const pinkyArgs = (backend: string): string[] => ['run', PINKY, 'initialize', '--gas', '2000000000', '--backend', backend];
    const plans: OneShotPlan[] = START_BACKENDS.map((engine) => ({ engine, flags: [], args: pinkyArgs(engine) }));
    const dir = mkdtempSync(join(tmpdir(), 'pvm2js-bench-'));
    try {
      const module = join(dir, 'pinky.mjs');
      const compiled = wall([CLI, 'compile', PINKY, '-o', module, '--gas-metering', 'sync']);
      if (compiled.problem === null) plans.push({ engine: 'precompiled .mjs', flags: [], args: ['run', module, 'initialize', '--gas', '2000000000'] });
      if (!quick) for (const flags of V8_LEVERS) plans.push({ engine: 'tiered', flags, args: pinkyArgs('tiered') });
      results.oneShot.push(...oneShots(plans, quick ? 3 : 5));
      if (compiled.problem !== null) results.oneShot.push({ engine: 'precompiled .mjs', flags: [], runsMs: [], medianMs: NaN, problem: `pvm2js compile: ${compiled.problem}` });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  // Start-up rows are short and this machine's speed drifts: more samples, taken in rounds across the
  // backends, so that a slow minute weighs on all of them alike.
  const startRuns = quick ? 3 : 7;
  if (wanted('doom')) {
    const rows = START_BACKENDS.map((engine) => ({ engine, runsMs: [] as number[], loads: [] as number[], problem: null as string | null }));
    for (let k = 0; k < startRuns; k++)
      for (const row of rows) {
        if (row.problem) continue;
        try {
          const r = child(['doom-first', row.engine]);
          if (r.stop !== 'budget') row.problem = `stopped with ${String(r.stop)}`;
          row.runsMs.push(r.totalMs as number);
          row.loads.push(r.loadMs as number);
          progress(`  doom first 1,000 instructions on ${row.engine}: ${(r.totalMs as number).toFixed(1)} ms`);
        } catch (e) {
          row.problem = (e as Error).message.split('\n')[0]!;
        }
      }
    for (const row of rows) results.doom.push({ engine: row.engine, runsMs: row.runsMs, medianMs: median(row.runsMs), loadMedianMs: median(row.loads), problem: row.problem });
    results.doom.push(doomPrecompiled(startRuns));
  }
  if (wanted('pvq')) {
    const count = quick ? 1000 : 10_000;
    for (const query of ['sum-balance', 'swap-info']) {
      const rows = START_BACKENDS.map((engine) => ({ engine, first: [] as number[], many: [] as number[], problem: null as string | null }));
      const measure = (args: (engine: string) => string[], into: (row: (typeof rows)[number], r: Record<string, unknown>) => void, times: number): void => {
        for (let k = 0; k < times; k++)
          for (const row of rows) {
            if (row.problem) continue;
            try {
              into(row, child(args(row.engine)));
            } catch (e) {
              row.problem = (e as Error).message.split('\n')[0]!;
            }
          }
      };
      measure((engine) => ['pvq', query, engine, '1'], (row, r) => row.first.push(r.firstMs as number), 2 * startRuns + 1);
      measure((engine) => ['pvq', query, engine, String(count)], (row, r) => row.many.push(r.totalMs as number), quick ? 1 : 3);
      for (const row of rows) {
        progress(`  pvq ${query} on ${row.engine}: first ${median(row.first).toFixed(1)} ms, ${count} queries ${median(row.many).toFixed(0)} ms`);
        const interp = rows.find((r) => r.engine === 'interpreter');
        const ratios = interp && interp !== row ? row.first.map((t, k) => t / interp.first[k]!).filter(Number.isFinite) : [];
        results.pvq.push({ query, engine: row.engine, firstRunsMs: row.first, firstMedianMs: median(row.first), firstVsInterpreter: ratios.length ? median(ratios) : NaN, manyMs: median(row.many), count, problem: row.problem });
      }
    }
  }
  return results;
}

/** doom written by `pvm2js compile`: the import alone (plain node), then what follows it (tiered-child.mjs). */
function doomPrecompiled(runs: number): DoomRow {
  const engine = 'precompiled .mjs (after import)';
  const dir = mkdtempSync(join(tmpdir(), 'pvm2js-bench-'));
  const times: number[] = [];
  const loads: number[] = [];
  const imports: number[] = [];
  let problem: string | null = null;
  try {
    const file = join(dir, 'doom.mjs');
    writeFileSync(file, compileModule(new Uint8Array(readFileSync(DOOM))).code);
    const importScript = `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); console.log(performance.now() - t0);`;
    for (let k = 0; k < runs; k++) {
      imports.push(Number(execFileSync(process.execPath, ['--input-type=module', '-e', importScript], { encoding: 'utf8' }).trim()));
      const r = child(['doom-precompiled', file]);
      if (r.stop !== 'budget') problem = `stopped with ${String(r.stop)}`;
      times.push(r.afterImportMs as number);
      loads.push(r.loadMs as number);
      progress(`  doom precompiled: import ${imports.at(-1)!.toFixed(0)} ms (plain node), then first 1,000 instructions ${(r.afterImportMs as number).toFixed(1)} ms`);
    }
  } catch (e) {
    problem = (e as Error).message.split('\n')[0]!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { engine, runsMs: times, medianMs: median(times), loadMedianMs: median(loads), importMedianMs: median(imports), problem };
}

export function formatStart(r: StartResults): string {
  const lines: string[] = [];
  const n = (x: number, digits = 0): string => (Number.isFinite(x) ? x.toFixed(digits) : '—');
  if (r.warm.length) {
    lines.push('| pinky warm, 3 fresh processes (tuneEngine; 2 warm-ups, 5 runs each) | per-process median CPU ms | median | problem |');
    lines.push('|---|---|---:|---|');
    for (const x of r.warm) lines.push(`| ${x.engine} | ${x.processMediansMs.map((t) => t.toFixed(0)).join(', ')} | ${n(x.medianMs)} | ${x.problem ?? ''} |`);
    lines.push('');
  }
  if (r.oneShot.length) {
    const interp = r.oneShot.find((x) => x.engine === 'interpreter' && x.flags.length === 0);
    lines.push('| one-shot: pvm2js run bench-pinky initialize --gas 2000000000 | V8 flags | wall ms (median of 5, in rounds) | runs | vs interpreter | problem |');
    lines.push('|---|---|---:|---|---:|---|');
    for (const x of r.oneShot)
      lines.push(
        `| ${x.engine} | ${x.flags.join(' ')} | ${n(x.medianMs)} | ${x.runsMs.map((t) => t.toFixed(0)).join(', ')} | ${interp && x !== interp ? `${(x.medianMs / interp.medianMs).toFixed(2)}x` : ''} | ${x.problem ?? ''} |`,
      );
    lines.push('');
  }
  if (r.doom.length) {
    lines.push('| doom: fromBytes (precompiled: loadCompiled) + instantiate + first 1,000 instructions (fresh process) | total ms (median of 7) | of which load | runs | import before it, plain node ms | problem |');
    lines.push('|---|---:|---:|---|---:|---|');
    for (const x of r.doom)
      lines.push(`| ${x.engine} | ${n(x.medianMs, 1)} | ${n(x.loadMedianMs, 1)} | ${x.runsMs.map((t) => t.toFixed(0)).join(', ')} | ${x.importMedianMs === undefined ? '' : n(x.importMedianMs)} | ${x.problem ?? ''} |`);
    lines.push('');
  }
  if (r.pvq.length) {
    lines.push('| PVQ query | engine | first query, fresh process ms (median of 15) | vs interpreter (median of the rounds\' ratios) | N queries in one process ms (median of 3 processes) | N | problem |');
    lines.push('|---|---|---:|---:|---:|---:|---|');
    for (const x of r.pvq) {
      const interp = r.pvq.find((y) => y.query === x.query && y.engine === 'interpreter');
      lines.push(
        `| ${x.query} | ${x.engine} | ${n(x.firstMedianMs, 1)} | ${interp && interp !== x ? `${x.firstVsInterpreter.toFixed(2)}x` : ''} | ${n(x.manyMs)} | ${x.count} | ${x.problem ?? ''} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n') + (lines.length ? '\n' : '');
}
