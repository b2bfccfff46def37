// PvqExecutor: loads a query program, passes it its arguments, runs its `pvq` export and serves its
// `host_call`s (pvq-executor's `PvqExecutor::execute`, with the limits of the seed's
// `PvqExecutorConfig` on top).
//
// Guest ABI (PolkaVM 32-bit, PVQ.md §B.3-B.4): the arguments are the module's aux data (written by
// the host, read-only for the guest) just below 0xFFFF0000; `pvq(arg_ptr, size)` gets their address
// in A0 and length in A1; byte 0 selects the entrypoint. It returns a u64 in A0 (low half, the
// result pointer) and A1 (high half, its length). `host_call` is import 0: extension id in A0/A1 (lo,
// hi), call pointer in A2, call length in A3; the host puts the result in the guest heap (sbrk) and
// returns pointer and length the same way.
//
// One query drives one instance through `run()` interrupts; a host call whose answer is a Promise
// leaves the instance suspended at the `ecalli` (`executeAsync` awaits it and resumes), so queries
// on one executor share no mutable state beyond the module cache and the modules' instance pools.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseBlob, symbolText, type ProgramBlob } from '../decoder/blob.ts';
import { ProgramParseError } from '../decoder/errors.ts';
import { MemoryMapError, VM_MAX_PAGE_SIZE, alignUp } from '../machine/layout.ts';
import { MemoryAccessError, StandardMemory } from '../machine/memory.ts';
import { Reg } from '../machine/state.ts';
import { defaultBackendName, hasBackend, type BackendName } from '../runtime/backends.ts';
import type { Instance } from '../runtime/instance.ts';
import { RuntimeError } from '../runtime/errors.ts';
import { Module } from '../runtime/module.ts';
import { isCompiledModule, readPrecompiled, type CompiledModuleNamespace } from '../runtime/compiled.ts';
import { extensionError, isExtensionError, type ExtensionError } from './extension.ts';
import type { PvqError } from './errors.ts';
import { sameBytes } from './bytes.ts';

/** A host call's answer: the SCALE-encoded result, or why the call failed (the query then stops). */
export type HostCallResult = Uint8Array | ExtensionError;

/** What answers a guest's `host_call` (reference `PvqExecutorContext`). A Promise is allowed for
 * `executeAsync` only (a light client fetching storage on demand). */
export interface PvqExecutorContext {
  hostCall(extensionId: bigint, callData: Uint8Array): HostCallResult | Promise<HostCallResult>;
}

/** Where `enableDebugging` writes (the seed's `debug!` lines). */
export interface PvqLogger {
  debug(message: string): void;
}

/** The seed's `PvqExecutorConfig`, plus what a JS host needs (backend, instruction cap, wall clock). */
export interface PvqExecutorConfig {
  /** Default 16 MiB. Bytes of guest memory (data, heap, stack, arguments) one query may hold; a
   * program whose layout exceeds it, arguments that do not fit, or heap growth past it end the query
   * with `out-of-memory`. */
  maxMemory?: number;
  /** Default 10 000 (10 s). Milliseconds of guest time from the first instruction, checked at basic-block
   * edges: parsing and code generation are host costs, and awaited host calls do not count either;
   * `timeout` (reason `deadline`). */
  maxExecutionTime?: number;
  /** Default 512 KiB. The most stack a program may declare: the guest runs with the stack its blob
   * declares (as on chain), and a blob declaring more is refused (`invalid-program`, `stack-size`). */
  stackSize?: number;
  /** Default 1024. Nested calls as polkavm's ABI makes them (a jump that sets `ra` is a call, a jump
   * through `ra` returns); one more stops the query with a `runtime` error, detail `call-depth`.
   * Infinity: not counted. */
  maxCallDepth?: number;
  /** Default false. Logs program size and memory usage through `logger`, and adds `memoryUsage` to
   * each query's metrics. */
  enableDebugging?: boolean;
  /** Default `console`. Where debug lines go. */
  logger?: PvqLogger;
  /** Default true. Every guest access is checked against the memory map; false cannot be honoured
   * (there is no unchecked mode) and is refused. */
  strictMemory?: boolean;
  /** Default: every extension. Ids a guest may call; any other is refused with a `permission` extension error. */
  extensionWhitelist?: readonly bigint[] | undefined;
  /** Default false. True: a program is compiled whole to JS the first time it is seen (or at
   * `precompile()`), on the 'compiled' backend; false: the runtime's default backend, which may
   * compile lazily. */
  precompilePrograms?: boolean;
  /** Default true. False: the interpreter only (no JS generated at run time, e.g. under a CSP
   * without `unsafe-eval`). */
  enableJit?: boolean;
  /** Default: from precompilePrograms / enableJit (the runtime's default, 'tiered', when neither says otherwise). Names the backend outright; must agree with them. */
  backend?: BackendName;
  /** Default unlimited. Guest instructions, checked at basic-block edges; `timeout` (instructions). */
  maxInstructions?: number;
  /** Default unlimited. Milliseconds for the whole query, host calls (and with `executeAsync` their
   * awaits) included; `timeout` (reason `wall-clock`). */
  maxWallClockTime?: number;
  /** Default: one cache shared by every executor in the process (32 modules). Where prepared
   * modules are kept, keyed by program hash, memory layout and options; false: none. */
  moduleCache?: PvqModuleCache | false;
}

/** The earlier name of PvqExecutorConfig. */
export type PvqConfig = PvqExecutorConfig;

export interface ResolvedPvqConfig {
  readonly maxMemory: number;
  readonly maxExecutionTime: number;
  readonly stackSize: number;
  readonly maxCallDepth: number;
  readonly enableDebugging: boolean;
  readonly logger: PvqLogger;
  readonly strictMemory: true;
  readonly extensionWhitelist: ReadonlySet<bigint> | undefined;
  readonly precompilePrograms: boolean;
  readonly enableJit: boolean;
  readonly backend: BackendName;
  readonly maxInstructions: number;
  readonly maxWallClockTime: number;
  readonly moduleCache: PvqModuleCache | undefined;
}

export const PVQ_DEFAULT_CONFIG = Object.freeze({
  maxMemory: 16 * 1024 * 1024,
  maxExecutionTime: 10_000,
  stackSize: 512 * 1024,
  maxCallDepth: 1024,
  enableDebugging: false,
  strictMemory: true,
  precompilePrograms: false,
  enableJit: true,
  maxInstructions: Infinity,
  maxWallClockTime: Infinity,
});

/** The reference's behaviour: no memory cap, no time limit, any declared stack, no call-depth count. */
export const PVQ_REFERENCE_CONFIG: PvqExecutorConfig = Object.freeze({ maxMemory: Infinity, maxExecutionTime: Infinity, stackSize: 0xffffffff, maxCallDepth: Infinity });

const CONFIG_FIELDS = new Set<string>([
  'maxMemory',
  'maxExecutionTime',
  'stackSize',
  'maxCallDepth',
  'enableDebugging',
  'logger',
  'strictMemory',
  'extensionWhitelist',
  'precompilePrograms',
  'enableJit',
  'backend',
  'maxInstructions',
  'maxWallClockTime',
  'moduleCache',
]);

const nonNegative = (name: string, value: unknown): number => {
  if (typeof value !== 'number' || !(value >= 0)) throw new TypeError(`PvqExecutorConfig.${name} must be a non-negative number, got ${String(value)}`);
  return value;
};

const flag = (name: string, value: unknown, byDefault: boolean): boolean => {
  if (value === undefined) return byDefault;
  if (typeof value !== 'boolean') throw new TypeError(`PvqExecutorConfig.${name} must be a boolean, got ${String(value)}`);
  return value;
};

const consoleLogger: PvqLogger = { debug: (message) => console.debug(message) };

export function resolvePvqConfig(config: PvqExecutorConfig = {}): ResolvedPvqConfig {
  for (const key of Object.keys(config))
    if (!CONFIG_FIELDS.has(key)) throw new TypeError(`PvqExecutorConfig has no field '${key}' (fields: ${[...CONFIG_FIELDS].join(', ')})`);
  const whitelist = config.extensionWhitelist;
  if (whitelist !== undefined && !(Array.isArray(whitelist) && whitelist.every((id) => typeof id === 'bigint')))
    throw new TypeError('PvqExecutorConfig.extensionWhitelist must list extension ids as bigints');
  const stackSize = nonNegative('stackSize', config.stackSize ?? PVQ_DEFAULT_CONFIG.stackSize);
  if (stackSize > 0xffffffff) throw new TypeError(`PvqExecutorConfig.stackSize ${stackSize} does not fit in a u32`);
  const maxCallDepth = nonNegative('maxCallDepth', config.maxCallDepth ?? PVQ_DEFAULT_CONFIG.maxCallDepth);
  if (maxCallDepth !== Infinity && !Number.isInteger(maxCallDepth)) throw new TypeError(`PvqExecutorConfig.maxCallDepth must be an integer or Infinity, got ${maxCallDepth}`);
  if (flag('strictMemory', config.strictMemory, true) !== true)
    throw new TypeError('PvqExecutorConfig.strictMemory: false cannot be honoured: every guest access is checked against the memory map (there is no unchecked mode)');
  const enableDebugging = flag('enableDebugging', config.enableDebugging, false);
  const logger = config.logger ?? consoleLogger;
  if (typeof logger?.debug !== 'function') throw new TypeError('PvqExecutorConfig.logger must have a debug(message) method');
  const precompilePrograms = flag('precompilePrograms', config.precompilePrograms, false);
  const enableJit = flag('enableJit', config.enableJit, true);
  if (!enableJit && precompilePrograms) throw new TypeError('PvqExecutorConfig: precompilePrograms needs enableJit (the interpreter has nothing to compile)');
  let backend: BackendName;
  if (config.backend !== undefined) {
    if (!hasBackend(config.backend)) throw new TypeError(`PvqExecutorConfig.backend '${config.backend}' is not available in this build`);
    if (!enableJit && config.backend !== 'interpreter') throw new TypeError(`PvqExecutorConfig: backend '${config.backend}' generates JS, but enableJit is false`);
    if (precompilePrograms && config.backend !== 'compiled') throw new TypeError(`PvqExecutorConfig: precompilePrograms compiles whole programs, which backend '${config.backend}' does not`);
    backend = config.backend;
  } else if (!enableJit) backend = 'interpreter';
  else if (precompilePrograms) {
    if (!hasBackend('compiled')) throw new TypeError('PvqExecutorConfig.precompilePrograms needs the compiled backend, which this build lacks');
    backend = 'compiled';
  } else backend = defaultBackendName();
  const cache = config.moduleCache;
  if (cache !== undefined && cache !== false && !(cache instanceof PvqModuleCache)) throw new TypeError('PvqExecutorConfig.moduleCache must be a PvqModuleCache or false');
  return {
    maxMemory: nonNegative('maxMemory', config.maxMemory ?? PVQ_DEFAULT_CONFIG.maxMemory),
    maxExecutionTime: nonNegative('maxExecutionTime', config.maxExecutionTime ?? PVQ_DEFAULT_CONFIG.maxExecutionTime),
    stackSize: Math.floor(stackSize),
    maxCallDepth,
    enableDebugging,
    logger,
    strictMemory: true,
    extensionWhitelist: whitelist === undefined ? undefined : new Set(whitelist),
    precompilePrograms,
    enableJit,
    backend,
    maxInstructions: nonNegative('maxInstructions', config.maxInstructions ?? PVQ_DEFAULT_CONFIG.maxInstructions),
    maxWallClockTime: nonNegative('maxWallClockTime', config.maxWallClockTime ?? PVQ_DEFAULT_CONFIG.maxWallClockTime),
    moduleCache: cache === false ? undefined : (cache ?? sharedModuleCache),
  };
}

/** What one execution cost. */
export interface PvqMetrics {
  /** Gas charged (0 without a gas limit: gas is then not metered, as in the reference). */
  readonly gasUsed: bigint;
  /** Guest instructions executed (whole basic blocks, counted on entry). */
  readonly instructions: number;
  readonly hostCalls: number;
  /** Largest guest heap size seen, in bytes. */
  readonly peakHeapSize: number;
  /** Wall-clock milliseconds for the whole execution, loading (and awaited host calls) included. */
  readonly timeMs: number;
  /** Whether the prepared module came from the executor's cache. */
  readonly moduleCached: boolean;
  /** With enableDebugging: the most guest memory the query held (ro + rw + heap + stack + args, in
   * whole pages), in bytes. */
  readonly memoryUsage?: number;
}

export type PvqOutcome =
  | { readonly ok: true; readonly value: Uint8Array; readonly gasRemaining: bigint | undefined; readonly metrics: PvqMetrics }
  | { readonly ok: false; readonly error: PvqError; readonly gasRemaining: bigint | undefined; readonly metrics: PvqMetrics };

const PVQ_EXPORT = 'pvq';
const HOST_CALL_IMPORT = 'host_call';
// The aux region is page-granular, so argument lengths within one page share a memory layout.
const AUX_GRANULE = 0x1000;

/** Prepared modules, least recently used first out. Compiling is the expensive step of a first
 * query, so executors share one cache unless given their own. */
export class PvqModuleCache {
  private readonly entries = new Map<string, Module>();
  readonly capacity: number;

  constructor(capacity = 32) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new TypeError(`module cache capacity must be a non-negative integer, got ${capacity}`);
    this.capacity = capacity;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): Module | undefined {
    const module = this.entries.get(key);
    if (module) {
      this.entries.delete(key);
      this.entries.set(key, module);
    }
    return module;
  }

  set(key: string, module: Module): void {
    if (this.capacity === 0) return;
    this.entries.set(key, module);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }

  clear(): void {
    this.entries.clear();
  }
}

const sharedModuleCache = new PvqModuleCache();

// Hashing a blob costs more than running a small query (sha256 of 6.5 KB ≈ 170 µs in JS), and hosts
// pass the same array again and again, or a fresh copy of the same bytes (read from a request). So
// a hash is remembered per array, with a copy of the bytes it was computed from, reused while the
// array still holds exactly those bytes; and per length, the last few programs seen, so a fresh copy
// costs one comparison instead of a hash.
const knownPrograms = new WeakMap<Uint8Array, { hash: string; bytes: Uint8Array }>();
const recentByLength = new Map<number, { hash: string; bytes: Uint8Array }[]>();
const RECENT_PER_LENGTH = 4;
const RECENT_LENGTHS = 64;

function programHash(program: Uint8Array): string {
  const known = knownPrograms.get(program);
  if (known && sameBytes(known.bytes, program)) return known.hash;
  let recent = recentByLength.get(program.length);
  let entry = recent?.find((r) => sameBytes(r.bytes, program));
  if (!entry) {
    entry = { hash: bytesToHex(sha256(program)), bytes: program.slice() };
    if (!recent) {
      if (recentByLength.size >= RECENT_LENGTHS) recentByLength.delete(recentByLength.keys().next().value!);
      recentByLength.set(program.length, (recent = []));
    }
    recent.unshift(entry);
    if (recent.length > RECENT_PER_LENGTH) recent.pop();
  }
  knownPrograms.set(program, entry);
  return entry.hash;
}

/**
 * Program bytes the executor has copied and hashed once (`PvqExecutor.prepare`): queries given it
 * skip the check that a plain array still holds the bytes it was hashed from (on Node a native
 * compare, ≈0.2 µs for 6.5 KB and 0.5 µs for 25 KB; elsewhere a word loop, ≈1 and 4-6 µs).
 */
export class PvqProgram {
  readonly hash: string;
  readonly #bytes: Uint8Array;

  /** Use `PvqProgram.from` or `PvqExecutor.prepare`. */
  constructor(bytes: Uint8Array, hash: string) {
    this.#bytes = bytes;
    this.hash = hash;
  }

  /** A copy of `bytes`, hashed; not loaded (`PvqExecutor.prepare` also loads it). */
  static from(bytes: Uint8Array): PvqProgram {
    if (!(bytes instanceof Uint8Array)) throw new TypeError('PvqProgram.from(bytes): bytes must be a Uint8Array');
    const copy = bytes.slice();
    return new PvqProgram(copy, programHash(copy));
  }

  get length(): number {
    return this.#bytes.length;
  }

  /** A copy of the bytes. */
  bytes(): Uint8Array {
    return this.#bytes.slice();
  }

  /** @internal the bytes themselves, for loading. */
  view(): Uint8Array {
    return this.#bytes;
  }
}

/** A host call the guest is suspended at: its answer is pending. */
interface PendingCall {
  readonly answer: Promise<HostCallResult>;
  readonly id: bigint;
  readonly fnIndex: number | undefined;
}

/** One query in flight. */
interface Query {
  readonly instance: Instance;
  readonly limit: bigint | undefined;
  readonly started: number;
  readonly cached: boolean;
  /** performance.now() at which guest time runs out, or Infinity. */
  guestDeadline: number;
  /** performance.now() at which the whole query's time runs out (maxWallClockTime), or Infinity. */
  readonly wallDeadline: number;
}

const asExtensionError = (e: unknown, id: bigint, fnIndex: number | undefined): ExtensionError =>
  extensionError('exception', id, `the extension threw: ${e instanceof Error ? e.message : String(e)}`, fnIndex);

const isPromise = (v: unknown): v is Promise<HostCallResult> => typeof (v as { then?: unknown } | null)?.then === 'function';

/** Runs PVQ programs against a context that serves their host calls. */
export class PvqExecutor {
  readonly context: PvqExecutorContext;
  readonly config: ResolvedPvqConfig;
  private lastLoad: { readonly hash: string; readonly auxDataSize: number; readonly metered: boolean; readonly module: Module } | undefined;

  constructor(context: PvqExecutorContext, config: PvqExecutorConfig = {}) {
    if (typeof context?.hostCall !== 'function') throw new TypeError('PvqExecutor needs a context with a hostCall(extensionId, callData) method');
    this.context = context;
    this.config = resolvePvqConfig(config);
  }

  /**
   * Loads (and with precompilePrograms, compiles) a program ahead of its first query, for arguments
   * up to `argsLength` bytes; returns the load error, or undefined when it is ready.
   */
  precompile(program: Uint8Array | PvqProgram, argsLength = 0, options: { metered?: boolean } = {}): PvqError | undefined {
    if (!(program instanceof Uint8Array) && !(program instanceof PvqProgram)) throw new TypeError('precompile(program): program must be a Uint8Array or PvqProgram');
    const loaded = this.load(program, argsLength, options.metered ?? false);
    return 'kind' in loaded ? loaded : undefined;
  }

  /** Copies and hashes `program` once, for hosts that run the same program many times; a load
   * error (not a PVQ program) comes back as a value. With precompilePrograms it is also compiled. */
  prepare(program: Uint8Array): PvqProgram | PvqError {
    if (!(program instanceof Uint8Array)) throw new TypeError('prepare(program): program must be a Uint8Array');
    const prepared = PvqProgram.from(program);
    const loaded = this.load(prepared, 0, false);
    return 'kind' in loaded ? loaded : prepared;
  }

  /**
   * Runs `program`'s `pvq` export with `args` (byte 0: the entrypoint index; then its SCALE-encoded
   * arguments) and returns the SCALE-encoded result. With `gasLimit` gas is metered (1 per
   * instruction, charged per basic block) and `gasRemaining` reports what is left; without it there
   * is no metering, as in the reference. Every guest or extension failure is a value; an extension
   * answering with a Promise is refused (use executeAsync).
   */
  execute(program: Uint8Array | PvqProgram | CompiledModuleNamespace, args: Uint8Array, gasLimit?: bigint | number): PvqOutcome {
    const started = performance.now();
    const query = this.begin(program, args, gasLimit, started);
    if (!('instance' in query)) return query;
    let step = this.advance(query);
    if (step !== undefined && 'answer' in step) {
      step.answer.catch(() => {});
      const error = extensionError('async-in-sync', step.id, 'the extension returned a Promise; a query with asynchronous extensions must use executeAsync', step.fnIndex);
      step = { kind: 'extension', error, message: `host_call to extension ${step.id} failed: ${error.message}` };
    }
    return this.finish(query, step);
  }

  /**
   * As `execute`, but an extension may answer with a Promise: the guest stays suspended at its host
   * call until it settles. Guest time counts against maxExecutionTime; the whole query, awaits
   * included, against maxWallClockTime.
   */
  async executeAsync(program: Uint8Array | PvqProgram | CompiledModuleNamespace, args: Uint8Array, gasLimit?: bigint | number): Promise<PvqOutcome> {
    const started = performance.now();
    const query = this.begin(program, args, gasLimit, started);
    if (!('instance' in query)) return query;
    const wallDeadline = query.wallDeadline;
    for (;;) {
      const step = this.advance(query);
      if (step === undefined || !('answer' in step)) return this.finish(query, step);
      const paused = performance.now();
      let settled: HostCallResult | 'wall-clock';
      try {
        settled = await this.within(step.answer, wallDeadline);
      } catch (e) {
        settled = asExtensionError(e, step.id, step.fnIndex);
      }
      if (settled === 'wall-clock')
        return this.finish(query, { kind: 'timeout', reason: 'wall-clock', message: `the query took longer than maxWallClockTime (${this.config.maxWallClockTime} ms), awaits included` });
      // Awaiting is not guest time: the guest's deadline moves by the time spent waiting.
      query.guestDeadline += performance.now() - paused;
      const failure = this.deliver(query.instance, step.id, step.fnIndex, settled);
      if (failure) return this.finish(query, failure);
    }
  }

  private within(answer: Promise<HostCallResult>, wallDeadline: number): Promise<HostCallResult | 'wall-clock'> {
    if (wallDeadline === Infinity) return answer;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve('wall-clock'), Math.max(0, wallDeadline - performance.now()));
      answer.then(
        (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        (e) => {
          clearTimeout(timer);
          reject(e);
        },
      );
    });
  }

  /** Checks the call, loads the module, takes an instance and writes the arguments; or the outcome when that fails. */
  private begin(program: Uint8Array | PvqProgram | CompiledModuleNamespace, args: Uint8Array, gasLimit: bigint | number | undefined, started: number): Query | PvqOutcome {
    // A compiled module (`pvm2js compile`, imported): its code serves every query of its program, by ModuleId.
    if (!(program instanceof Uint8Array || program instanceof PvqProgram) && isCompiledModule(program)) program = readPrecompiled(program).bytes;
    if (!(program instanceof Uint8Array || program instanceof PvqProgram) || !(args instanceof Uint8Array))
      throw new TypeError('execute(program, args): program must be a Uint8Array, a PvqProgram or an imported pvm2js compiled module, args a Uint8Array');
    let limit: bigint | undefined;
    if (gasLimit !== undefined) {
      if (typeof gasLimit === 'number' && !Number.isSafeInteger(gasLimit)) throw new TypeError(`gas limit must be an integer, got ${gasLimit}`);
      limit = BigInt(gasLimit);
      if (limit < -(1n << 63n) || limit >= 1n << 63n) throw new TypeError(`gas limit ${limit} is outside the i64 range`);
    }
    const config = this.config;
    if (config.enableDebugging) config.logger.debug(`Executing program with ${program.length} bytes (${args.length} bytes of arguments)`);
    if (args.length > config.maxMemory) return this.failEarly({ kind: 'out-of-memory', message: `the arguments (${args.length} bytes) exceed maxMemory (${config.maxMemory} bytes)` }, limit, started, false);
    const loaded = this.load(program, args.length, limit !== undefined);
    if ('kind' in loaded) return this.failEarly(loaded, limit, started, false);
    const { module, cached } = loaded;
    let instance: Instance;
    try {
      instance = module.instantiate();
    } catch (e) {
      if (e instanceof RuntimeError && e.kind === 'out-of-memory') return this.failEarly({ kind: 'out-of-memory', message: e.message }, limit, started, cached);
      throw e;
    }
    if (limit !== undefined) instance.setGas(limit);
    const auxAddress = module.memoryMap.auxDataAddress;
    if (args.length > 0) instance.writeMemory(auxAddress, args);
    instance.prepareCall(PVQ_EXPORT, [auxAddress, args.length]);
    instance.setInstructionBudget(config.maxInstructions === Infinity ? undefined : config.maxInstructions);
    instance.setCallDepthLimit(config.maxCallDepth === Infinity ? undefined : config.maxCallDepth);
    // The guest's deadline counts from here: parsing and generating code are host costs, so a query's
    // outcome does not depend on whether its code was compiled (or cached) before.
    return { instance, limit, started, cached, guestDeadline: performance.now() + config.maxExecutionTime, wallDeadline: started + config.maxWallClockTime };
  }

  private failEarly(error: PvqError, limit: bigint | undefined, started: number, moduleCached: boolean): PvqOutcome {
    return { ok: false, error, gasRemaining: limit, metrics: { gasUsed: 0n, instructions: 0, hostCalls: 0, peakHeapSize: 0, timeMs: performance.now() - started, moduleCached } };
  }

  /** Reads the result, gives the instance back, and builds the outcome. */
  private finish(query: Query, error: PvqError | undefined): PvqOutcome {
    const { instance, limit } = query;
    let value: Uint8Array | undefined;
    if (!error) {
      const [ptr, len] = this.pair(instance, Reg.A0);
      try {
        value = instance.readMemory(ptr, len);
      } catch (e) {
        if (!(e instanceof MemoryAccessError)) throw e;
        error = { kind: 'runtime', detail: 'result-access', pc: undefined, message: `the result (${len} bytes at 0x${ptr.toString(16)}) is not readable guest memory` };
      }
    }
    const m = instance.metrics();
    let memoryUsage: number | undefined;
    if (this.config.enableDebugging) {
      const map = instance.module.memoryMap;
      memoryUsage = map.roDataSize + alignUp(map.rwDataSize + m.peakHeapSize, map.pageSize) + map.stackSize + map.auxDataSize;
      this.config.logger.debug(`Memory usage: ${memoryUsage} bytes (heap ${m.peakHeapSize}, stack ${map.stackSize})`);
    }
    const gasRemaining = limit === undefined ? undefined : instance.gas();
    instance.release();
    const metrics: PvqMetrics = {
      gasUsed: m.gasUsed,
      instructions: m.instructions,
      hostCalls: m.hostCalls,
      peakHeapSize: m.peakHeapSize,
      timeMs: performance.now() - query.started,
      moduleCached: query.cached,
      ...(memoryUsage === undefined ? {} : { memoryUsage }),
    };
    return error ? { ok: false, error, gasRemaining, metrics } : { ok: true, value: value!, gasRemaining, metrics };
  }

  /** Parses and prepares the program, or says why it is not a PVQ program. */
  private load(program: Uint8Array | PvqProgram, argsLength: number, metered: boolean): { module: Module; cached: boolean } | PvqError {
    const auxDataSize = alignUp(argsLength, AUX_GRANULE);
    const hash = program instanceof PvqProgram ? program.hash : programHash(program);
    // A host runs the same program again and again: the last module is at hand without building a key.
    const last = this.lastLoad;
    if (last !== undefined && last.hash === hash && last.auxDataSize === auxDataSize && last.metered === metered) return { module: last.module, cached: true };
    const { backend, stackSize, maxMemory, moduleCache } = this.config;
    const key = hash + '/' + auxDataSize + (metered ? '/gas/' : '/-/') + backend + '/' + maxMemory + '/' + stackSize;
    const hit = moduleCache?.get(key);
    if (hit) {
      this.lastLoad = { hash, auxDataSize, metered, module: hit };
      return { module: hit, cached: true };
    }
    let blob: ProgramBlob;
    try {
      blob = parseBlob(program instanceof PvqProgram ? program.view() : program);
    } catch (e) {
      if (e instanceof ProgramParseError) return { kind: 'invalid-program', reason: 'parse', message: e.message, offset: e.offset };
      throw e;
    }
    for (const symbol of blob.imports) {
      const name = symbolText(symbol);
      if (name !== HOST_CALL_IMPORT) return { kind: 'invalid-program', reason: 'unsupported-import', message: `the program imports '${name}'; a PVQ program may import only ${HOST_CALL_IMPORT}` };
    }
    if (!blob.exports.some((e) => e.name === PVQ_EXPORT))
      return { kind: 'invalid-program', reason: 'no-pvq-export', message: `the program has no '${PVQ_EXPORT}' export (exports: ${blob.exports.map((e) => e.name).join(', ') || 'none'})` };
    if (blob.stackSize > stackSize)
      return { kind: 'invalid-program', reason: 'stack-size', message: `the program declares a ${blob.stackSize}-byte stack, more than stackSize (${stackSize} bytes)` };
    let module: Module;
    try {
      module = Module.fromBlob(blob, { backend, gasMetering: metered ? 'sync' : undefined, auxDataSize, memoryLimit: maxMemory });
    } catch (e) {
      if (e instanceof ProgramParseError) return { kind: 'invalid-program', reason: 'parse', message: e.message, offset: e.offset };
      if (e instanceof MemoryMapError) return { kind: 'invalid-program', reason: 'memory-layout', message: e.message };
      throw e;
    }
    moduleCache?.set(key, module);
    this.lastLoad = { hash, auxDataSize, metered, module };
    return { module, cached: false };
  }

  /**
   * Runs the guest until it returns (undefined), stops for good (the error), or waits on a host call
   * answered with a Promise (the pending call; `deliver` its answer, then advance again).
   */
  private advance(query: Query): PvqError | PendingCall | undefined {
    const instance = query.instance;
    for (;;) {
      const remaining = Math.min(query.guestDeadline, query.wallDeadline) - performance.now();
      instance.setDeadline(remaining === Infinity ? undefined : Math.max(0, remaining));
      const interrupt = instance.run();
      switch (interrupt.kind) {
        case 'finished':
          return undefined;
        case 'ecalli': {
          // Imports are checked at load, so every valid index is host_call.
          if (interrupt.index >= instance.module.blob.imports.length)
            return { kind: 'runtime', detail: 'trap', pc: instance.programCounter(), message: `ecalli ${interrupt.index} names no import` };
          const call = this.hostCall(instance);
          if (call === undefined) continue;
          return call;
        }
        case 'trap':
          return this.trap(instance);
        case 'not-enough-gas':
          return { kind: 'not-enough-gas', message: 'the query ran out of gas' };
        case 'budget':
          switch (interrupt.reason) {
            case 'memory':
              return { kind: 'out-of-memory', message: `the guest's memory would exceed maxMemory (${this.config.maxMemory} bytes)` };
            case 'call-depth':
              return { kind: 'runtime', detail: 'call-depth', pc: instance.programCounter(), message: `the guest nested more than maxCallDepth (${this.config.maxCallDepth}) calls at pc ${instance.programCounter() ?? '?'}` };
            case 'deadline':
              if (performance.now() >= query.wallDeadline && query.wallDeadline < query.guestDeadline)
                return { kind: 'timeout', reason: 'wall-clock', message: `the query took longer than maxWallClockTime (${this.config.maxWallClockTime} ms)` };
              return { kind: 'timeout', reason: 'deadline', message: `the query ran longer than maxExecutionTime (${this.config.maxExecutionTime} ms of guest time)` };
            case 'instructions':
              return { kind: 'timeout', reason: 'instructions', message: `the query ran more than maxInstructions (${this.config.maxInstructions})` };
          }
          break;
        case 'segfault':
        case 'step':
          // Neither dynamic paging nor step tracing is switched on for PVQ modules.
          throw new Error(`unexpected '${interrupt.kind}' interrupt from a PVQ module`);
      }
    }
  }

  /** A trap, labelled: an access just below the stack is the guest running off its stack. */
  private trap(instance: Instance): PvqError {
    const pc = instance.programCounter();
    const memory = instance.memory;
    if (memory instanceof StandardMemory && memory.faultAddress >= 0) {
      const address = memory.faultAddress;
      memory.faultAddress = -1;
      const low = instance.module.memoryMap.stackAddressLow;
      if (address < low && address >= low - VM_MAX_PAGE_SIZE)
        return { kind: 'runtime', detail: 'stack-overflow', pc, message: `the guest ran off its ${instance.module.memoryMap.stackSize}-byte stack (access at 0x${address.toString(16)}, pc ${pc ?? '?'})` };
      return { kind: 'runtime', detail: 'memory-access', pc, message: `the guest accessed unmapped or read-only memory at 0x${address.toString(16)} (pc ${pc ?? '?'})` };
    }
    return { kind: 'runtime', detail: 'trap', pc, message: `the guest trapped at pc ${pc ?? '?'}` };
  }

  /** A u64 ABI value starting at register `lo`: two registers on 32-bit ISAs, one on 64-bit ones; split into (low, high) u32 halves. */
  private pair(instance: Instance, lo: number): [number, number] {
    if (instance.module.is64Bit) {
      const v = instance.reg(lo);
      return [Number(v & 0xffffffffn), Number(v >> 32n)];
    }
    return [Number(instance.reg(lo)), Number(instance.reg(lo + 1))];
  }

  /** Serves the host call the guest stopped at: undefined when answered, the error that stops the query, or the pending answer. */
  private hostCall(instance: Instance): PvqError | PendingCall | undefined {
    const wide = instance.module.is64Bit;
    const id = wide ? instance.reg(Reg.A0) : (instance.reg(Reg.A1) << 32n) | instance.reg(Reg.A0);
    const ptr = Number(instance.reg(wide ? Reg.A1 : Reg.A2) & 0xffffffffn);
    const len = Number(instance.reg(wide ? Reg.A2 : Reg.A3) & 0xffffffffn);

    let callData: Uint8Array;
    try {
      callData = instance.readMemory(ptr, len);
    } catch (e) {
      if (!(e instanceof MemoryAccessError)) throw e;
      return stop(extensionError('memory-access', id, `call data (${len} bytes at 0x${ptr.toString(16)}) is not readable guest memory`));
    }
    const fnIndex = callData[0];
    const whitelist = this.config.extensionWhitelist;
    if (whitelist && !whitelist.has(id)) return stop(extensionError('permission', id, `extension ${id} is not in the whitelist`, fnIndex));
    let answer: HostCallResult | Promise<HostCallResult>;
    try {
      answer = this.context.hostCall(id, callData);
    } catch (e) {
      answer = asExtensionError(e, id, fnIndex);
    }
    if (isPromise(answer)) return { answer, id, fnIndex };
    return this.deliver(instance, id, fnIndex, answer);
  }

  /** Puts a host call's answer in the guest heap and its (pointer, length) in A0/A1; or the error that stops the query. */
  private deliver(instance: Instance, id: bigint, fnIndex: number | undefined, answer: HostCallResult): PvqError | undefined {
    if (!(answer instanceof Uint8Array)) {
      if (isExtensionError(answer) && typeof answer?.kind === 'string') return stop(answer);
      return stop(extensionError('exception', id, `the extension answered with ${Object.prototype.toString.call(answer)}, not SCALE bytes`, fnIndex));
    }
    // Checked first: sbrk takes a u32, and no answer past maxMemory can fit anyway.
    if (answer.length > this.config.maxMemory) return { kind: 'out-of-memory', message: `a ${answer.length}-byte host call result would exceed maxMemory (${this.config.maxMemory} bytes)` };
    const resultPtr = instance.sbrk(0);
    const top = resultPtr === undefined ? undefined : instance.sbrk(answer.length);
    if (resultPtr === undefined || top === undefined) {
      if (instance.memory.fault.kind === 'budget') return { kind: 'out-of-memory', message: `a ${answer.length}-byte host call result would exceed maxMemory (${this.config.maxMemory} bytes)` };
      return stop(extensionError('memory-allocation', id, `cannot grow the guest heap by ${answer.length} bytes`, fnIndex));
    }
    if (answer.length > 0) instance.writeMemory(resultPtr, answer);
    if (instance.module.is64Bit) instance.setReg(Reg.A0, (BigInt(answer.length) << 32n) | BigInt(resultPtr));
    else {
      instance.setReg(Reg.A0, resultPtr);
      instance.setReg(Reg.A1, answer.length);
    }
    return undefined;
  }
}

const stop = (error: ExtensionError): PvqError => ({ kind: 'extension', error, message: `host_call to extension ${error.extensionId} failed: ${error.message}` });
