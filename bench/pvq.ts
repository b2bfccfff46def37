// The PVQ rows of `npm run bench`: queries per second of the real pvq-sdk guests through
// ExtensionsExecutor (steady state: the module is cached, the instance reused), the per-query
// overhead of a near-empty guest, and the worker pool with 1 and 2 threads. Every query's result is
// checked against the known answer.
import { readFileSync } from 'node:fs';
import { assemble } from '../src/assembler/index.ts';
import { ExtensionsExecutor, MockRuntimeState, PvqProgram, mockExtensions, type PvqOutcome } from '../src/pvq/index.ts';
import { PvqWorkerPool } from '../src/pvq-pool/index.ts';
import { BACKEND_NAMES, defaultBackendName, hasBackend } from '../src/runtime/index.ts';

const BLOBS = new URL('../../shared/blobs/pvq/', import.meta.url);

const le = (value: bigint, bytes: number): string => {
  let out = '';
  for (let i = 0; i < bytes; i++, value >>= 8n) out += Number(value & 0xffn).toString(16).padStart(2, '0');
  return out;
};
const unhex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

const ALICE = 'd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d';
const DOT = '0100';
const USDT = '00020432053d27';
const DOT_RESERVE = 10_235_709_412_325n;
const USDT_RESERVE = 12_117_819_770_919n;

/** The chopsticks PoC state of the reference's expectations, plus a DOT/USDT pool (test/pvq-fixture.ts). */
export const benchState = (): MockRuntimeState =>
  new MockRuntimeState()
    .addAsset(21, { name: 'Test', symbol: 'TST', decimals: 12, totalSupply: 2_000_000_000n })
    .setBalance(21, ALICE, 1_000_000_000n)
    .addPool(DOT, USDT, DOT_RESERVE, USDT_RESERVE);

export interface Workload {
  readonly name: string;
  readonly program: () => Uint8Array;
  readonly args: Uint8Array;
  readonly expected: string;
}

export const PVQ_WORKLOADS: readonly Workload[] = [
  {
    name: 'sum-balance',
    program: () => new Uint8Array(readFileSync(new URL('files_guest-sum-balance.polkavm', BLOBS))),
    args: unhex('00' + le(21n, 4) + '04' + ALICE),
    expected: le(1_000_000_000n, 8),
  },
  {
    name: 'swap-info',
    program: () => new Uint8Array(readFileSync(new URL('demo_guest-swap-info.polkavm', BLOBS))),
    args: unhex('02' + '08' + DOT + '1c' + USDT),
    expected: '01' + le(DOT_RESERVE, 16) + le(USDT_RESERVE, 16),
  },
  {
    // Three instructions, no host call: what a query costs beyond the guest's own work.
    name: 'empty',
    program: () => assemble('%isa = latest32\npub @pvq:\n  a0 = 0\n  a1 = 0\n  ret\n'),
    args: unhex('00'),
    expected: '',
  },
];

/** The workload of that name (experiments take it from the command line). */
export function pvqWorkload(name: string): Workload {
  const workload = PVQ_WORKLOADS.find((w) => w.name === name);
  if (!workload) throw new Error(`no PVQ workload ${name}; one of ${PVQ_WORKLOADS.map((w) => w.name).join(', ')}`);
  return workload;
}

/** Figures before issue 10 (commit d580ae7, measured on this machine with the same workloads and
 * state, µs per query, steady state); the table shows them beside this run's. */
const PREVIOUS_US: Record<string, number> = {
  'sum-balance/compiled': 26.6,
  'swap-info/compiled': 35.0,
  'sum-balance/interpreter': 32.3,
  'swap-info/interpreter': 42.4,
};

export interface PvqBenchRow {
  workload: string;
  engine: string;
  /** `bytes`: the same Uint8Array each query (checked against the bytes it was hashed from);
   * `prepared`: a PvqProgram; `pool-N`: PvqWorkerPool with N threads, batches of 100 (executeMany). */
  program: string;
  queries: number;
  wallMs: number;
  /** Process CPU time (all threads) over the same span. */
  cpuMs: number;
  queriesPerSecond: number;
  /** Queries per second of process CPU time (all threads, so at most the wall figure's worth on one
   * busy thread): what one core does when other jobs share the machine and wall time counts their turns too. */
  queriesPerCpuSecond: number;
  usPerQuery: number;
  /** Before issue 10, µs per query (see PREVIOUS_US), where measured. */
  previousUsPerQuery: number | null;
  instructions: number;
  verified: boolean;
  problem: string | null;
}

export interface PvqTargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const check = (w: Workload, o: PvqOutcome): string | null => (o.ok ? (hex(o.value) === w.expected ? null : `result ${hex(o.value)}`) : `${o.error.kind}: ${o.error.message}`);

function timed(seconds: number, batch: () => string | null): { queries: number; wallMs: number; cpuMs: number; problem: string | null } {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let queries = 0;
  let problem: string | null = null;
  while (performance.now() - t0 < seconds * 1000) {
    problem ??= batch();
    queries += BATCH;
  }
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { queries, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, problem };
}

const BATCH = 500;

function row(w: Workload, engine: string, program: string, t: { queries: number; wallMs: number; cpuMs: number; problem: string | null }, instructions: number): PvqBenchRow {
  return {
    workload: w.name,
    engine,
    program,
    queries: t.queries,
    wallMs: t.wallMs,
    cpuMs: t.cpuMs,
    queriesPerSecond: Math.round((t.queries / t.wallMs) * 1000),
    queriesPerCpuSecond: Math.round((t.queries / t.cpuMs) * 1000),
    usPerQuery: (t.wallMs * 1000) / t.queries,
    previousUsPerQuery: program === 'bytes' ? (PREVIOUS_US[`${w.name}/${engine}`] ?? null) : null,
    instructions,
    verified: t.problem === null,
    problem: t.problem,
  };
}

export async function benchPvq(options: { quick: boolean; wanted: (name: string) => boolean; progress: (text: string) => void }): Promise<{ rows: PvqBenchRow[]; targets: PvqTargetCheck[] }> {
  const rows: PvqBenchRow[] = [];
  const seconds = options.quick ? 0.4 : 1.5;
  // Every backend the runtime registers, the default first (the targets are on it).
  const engines = [defaultBackendName(), ...BACKEND_NAMES.filter((b) => hasBackend(b) && b !== defaultBackendName())];
  for (const w of PVQ_WORKLOADS) {
    if (!options.wanted(`pvq ${w.name}`)) continue;
    const bytes = w.program();
    for (const engine of engines) {
      const executor = new ExtensionsExecutor(mockExtensions(benchState()), { backend: engine });
      const prepared = executor.executor.prepare(bytes);
      if (!(prepared instanceof PvqProgram)) throw new Error(`${w.name}: ${prepared.message}`);
      for (const [label, program] of [
        ['bytes', bytes],
        ['prepared', prepared],
      ] as const) {
        options.progress(`pvq ${w.name} on ${engine} (${label})`);
        const first = executor.execute(program, w.args);
        const batch = (): string | null => {
          let problem: string | null = null;
          for (let i = 0; i < BATCH; i++) {
            const o = executor.execute(program, w.args);
            if (i === 0) problem = check(w, o);
          }
          return problem;
        };
        timed(seconds / 2, batch); // warm-up
        rows.push(row(w, engine, label, timed(seconds, batch), first.metrics.instructions));
        const last = rows[rows.length - 1]!;
        last.problem ??= check(w, first);
        last.verified = last.problem === null;
      }
    }
    if (w.name === 'empty' || !options.wanted(`pvq pool`)) continue;
    for (const threads of [1, 2]) {
      options.progress(`pvq ${w.name} on a ${threads}-thread pool`);
      const pool = new PvqWorkerPool({ extensionsModule: new URL('./pvq-extensions.ts', import.meta.url), threads });
      const program = PvqProgram.from(bytes);
      // Batches of 100 queries per message, two batches in flight per thread.
      const inFlight = 2 * threads;
      const batch = Array.from({ length: 100 }, () => w.args);
      const run = async (ms: number): Promise<{ queries: number; wallMs: number; cpuMs: number; problem: string | null }> => {
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        let queries = 0;
        let problem: string | null = null;
        const lane = async (): Promise<void> => {
          while (performance.now() - t0 < ms) {
            const outcomes = await pool.executeMany(program, batch);
            problem ??= check(w, outcomes[0]!);
            queries += outcomes.length;
          }
        };
        await Promise.all(Array.from({ length: inFlight }, lane));
        const cpu = process.cpuUsage(cpu0);
        return { queries, wallMs: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000, problem };
      };
      try {
        await run(seconds * 500);
        rows.push(row(w, engines[0]!, `pool-${threads}`, await run(seconds * 1000), 0));
      } finally {
        await pool.destroy();
      }
    }
  }
  return { rows, targets: pvqTargets(rows) };
}

/** The issue's targets, on the default backend; the interpreter's overhead as the empty query. */
function pvqTargets(rows: readonly PvqBenchRow[]): PvqTargetCheck[] {
  const targets: PvqTargetCheck[] = [];
  const find = (workload: string, engine: string, program: string) => rows.find((r) => r.workload === workload && r.engine === engine && r.program === program);
  for (const [workload, qps] of [
    ['sum-balance', 100_000],
    ['swap-info', 60_000],
  ] as const) {
    for (const program of ['prepared', 'bytes']) {
      const r = find(workload, defaultBackendName(), program);
      if (r) targets.push({ target: `PVQ ${workload} (${program}, ${r.engine}) >= ${qps.toLocaleString('en')} queries/s`, measured: `${r.queriesPerSecond.toLocaleString('en')} (per CPU second: ${r.queriesPerCpuSecond.toLocaleString('en')})`, met: r.queriesPerSecond >= qps });
    }
  }
  const empty = find('empty', 'interpreter', 'prepared');
  if (empty) targets.push({ target: 'PVQ interpreter per-query overhead <= 3 µs', measured: `${empty.usPerQuery.toFixed(2)} µs`, met: empty.usPerQuery <= 3 });
  return targets;
}

export function formatPvqTable(rows: readonly PvqBenchRow[]): string[] {
  if (rows.length === 0) return [];
  const lines = [
    'PVQ: queries through ExtensionsExecutor, steady state (module cached, instance reused), mock runtime; "previous" = before issue 10 (commit d580ae7, same machine).',
    '',
    '| query | engine | program | guest instr | queries/s | µs/query | previous µs/query | CPU ms / wall ms | verified |',
    '|---|---|---|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.workload} | ${r.engine} | ${r.program} | ${r.instructions || ''} | ${r.queriesPerSecond.toLocaleString('en')} | ${r.usPerQuery.toFixed(2)} | ${r.previousUsPerQuery ?? ''} | ${r.cpuMs.toFixed(0)} / ${r.wallMs.toFixed(0)} | ${r.verified ? 'yes' : `NO: ${r.problem}`} |`,
    );
  lines.push('');
  return lines;
}
