// PvqWorkerPool: PVQ queries on worker threads (Node only), for hosts that need more than one core.
// The pool is piscina (a maintained worker-thread pool: queueing, idle timeouts, back-pressure);
// each worker builds its own executor from an extensions module the embedder names, so nothing is
// shared between threads but the program bytes and query arguments, copied in, and the outcome,
// copied out. Past one machine, run more replicas: an executor keeps no state between queries.
import { Piscina } from 'piscina';
import { PvqProgram, type PvqExecutorConfig, type PvqOutcome } from '../pvq/index.ts';

export interface PvqWorkerPoolOptions {
  /** Path or URL of an ES module exporting `extensions` (Extension[], or a function returning them,
   * maybe async) and optionally `config` (a PvqExecutorConfig); each worker imports it once. */
  extensionsModule: string | URL;
  /** Executor config for every worker, over the module's own `config`: structured-cloneable fields
   * only (no logger, no moduleCache). */
  config?: PvqExecutorConfig;
  /** Default 1. Worker threads (the pool keeps exactly this many). */
  threads?: number;
  /** Default 1. Queries a worker runs at once (more than one helps only with async extensions). */
  concurrentQueriesPerThread?: number;
}

/** @internal what a worker is started with. */
export interface PvqWorkerData {
  readonly extensionsModule: string;
  readonly config: PvqExecutorConfig;
}

/** @internal one query, as sent to a worker. */
export interface PvqTask {
  readonly hash: string;
  readonly program: Uint8Array;
  /** One query's arguments, or several queries' (answered with a list of outcomes). */
  readonly args: Uint8Array | readonly Uint8Array[];
  readonly gasLimit: bigint | number | undefined;
}

const NOT_CLONEABLE = ['logger', 'moduleCache'] as const;

export class PvqWorkerPool {
  private readonly pool: Piscina<PvqTask, PvqOutcome | PvqOutcome[]>;
  readonly threads: number;

  constructor(options: PvqWorkerPoolOptions) {
    const threads = options.threads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new TypeError(`PvqWorkerPool: threads must be a positive integer, got ${threads}`);
    const perThread = options.concurrentQueriesPerThread ?? 1;
    if (!Number.isInteger(perThread) || perThread < 1) throw new TypeError(`PvqWorkerPool: concurrentQueriesPerThread must be a positive integer, got ${perThread}`);
    const config = options.config ?? {};
    for (const field of NOT_CLONEABLE)
      if (config[field] !== undefined) throw new TypeError(`PvqWorkerPool: config.${field} cannot cross to a worker thread; set it in the extensions module's config`);
    const module = options.extensionsModule instanceof URL ? options.extensionsModule.href : options.extensionsModule;
    if (typeof module !== 'string' || module === '') throw new TypeError('PvqWorkerPool: extensionsModule must name a module');
    const extensionsModule = module.startsWith('file:') || !module.startsWith('/') ? module : new URL(`file://${module}`).href;
    const worker = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './worker.js', import.meta.url);
    this.threads = threads;
    this.pool = new Piscina<PvqTask, PvqOutcome | PvqOutcome[]>({
      filename: worker.href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: perThread,
      workerData: { extensionsModule, config } satisfies PvqWorkerData,
      // Running from TypeScript sources (tests, `tsx`): the workers need the same loader.
      ...(worker.pathname.endsWith('.ts') && !process.execArgv.some((a) => a.includes('tsx')) ? { execArgv: [...process.execArgv, '--import', 'tsx'] } : {}),
    });
  }

  /**
   * Runs one query on some worker. Guest and extension failures are outcome values, as with
   * `execute`; the promise rejects only when the worker itself fails (the extensions module cannot
   * be loaded, the pool is destroyed).
   */
  async execute(program: Uint8Array | PvqProgram, args: Uint8Array, gasLimit?: bigint | number): Promise<PvqOutcome> {
    if (!(args instanceof Uint8Array)) throw new TypeError('execute(program, args): args must be a Uint8Array');
    // Hashed here once per PvqProgram (pass one to skip even that): workers keep programs by hash.
    const prepared = program instanceof PvqProgram ? program : PvqProgram.from(program);
    return this.pool.run({ hash: prepared.hash, program: prepared.view(), args, gasLimit }) as Promise<PvqOutcome>;
  }

  /**
   * Runs the same program with each of `argsList` on one worker, one after another: a message to a
   * worker and back costs tens of µs, more than a small query, so batches are what scale.
   */
  async executeMany(program: Uint8Array | PvqProgram, argsList: readonly Uint8Array[], gasLimit?: bigint | number): Promise<PvqOutcome[]> {
    if (!Array.isArray(argsList) || !argsList.every((a) => a instanceof Uint8Array)) throw new TypeError('executeMany(program, argsList): argsList must be an array of Uint8Arrays');
    const prepared = program instanceof PvqProgram ? program : PvqProgram.from(program);
    return this.pool.run({ hash: prepared.hash, program: prepared.view(), args: argsList, gasLimit }) as Promise<PvqOutcome[]>;
  }

  /** Queries waiting for a worker. */
  get queued(): number {
    return this.pool.queueSize;
  }

  async destroy(): Promise<void> {
    await this.pool.destroy();
  }
}
