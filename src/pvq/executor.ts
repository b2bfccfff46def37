// PvqExecutor: loads a query program, passes it its arguments, runs its `pvq` export and serves its
// `host_call`s (pvq-executor's `PvqExecutor::execute`, with the limits pvm2js adds on top).
//
// Guest ABI (PolkaVM 32-bit, PVQ.md §B.3-B.4): the arguments are the module's aux data (written by
// the host, read-only for the guest) just below 0xFFFF0000; `pvq(arg_ptr, size)` gets their address
// in A0 and length in A1; byte 0 selects the entrypoint. It returns a u64 in A0 (low half, the
// result pointer) and A1 (high half, its length). `host_call` is import 0: extension id in A0/A1 (lo,
// hi), call pointer in A2, call length in A3; the host puts the result in the guest heap (sbrk) and
// returns pointer and length the same way.

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { parseBlob, symbolText, type ProgramBlob } from '../decoder/blob.ts';
import { ProgramParseError } from '../decoder/errors.ts';
import { MemoryMapError, alignUp } from '../machine/layout.ts';
import { MemoryAccessError } from '../machine/memory.ts';
import { Reg } from '../machine/state.ts';
import { defaultBackendName, hasBackend, type BackendName } from '../runtime/backends.ts';
import type { Instance } from '../runtime/instance.ts';
import { RuntimeError } from '../runtime/errors.ts';
import { Module } from '../runtime/module.ts';
import { isCompiledModule, readPrecompiled, type CompiledModuleNamespace } from '../runtime/compiled.ts';
import { extensionError, isExtensionError, type ExtensionError } from './extension.ts';
import type { PvqError } from './errors.ts';

/** What answers a guest's `host_call` (reference `PvqExecutorContext`). */
export interface PvqExecutorContext {
  /** The SCALE-encoded result, or why the call failed (the query then stops with that error). */
  hostCall(extensionId: bigint, callData: Uint8Array): Uint8Array | ExtensionError;
}

export interface PvqConfig {
  /** Default 16 MiB. Bytes of guest memory (data, heap, stack, arguments) one execution may hold;
   * growing past it ends the query with `out-of-memory`. */
  maxMemory?: number;
  /** Default 10 000 (10 s). Wall-clock milliseconds of guest time, from the first instruction and checked
   * at basic-block edges; parsing and code generation are host costs and not counted. `timeout` (deadline). */
  maxExecutionTime?: number;
  /** Default unlimited. Guest instructions, checked at basic-block edges; `timeout` (instructions). */
  maxInstructions?: number;
  /** Default 512 KiB. The guest gets at least this much stack, more if its blob declares more
   * (the reference gives exactly what the blob declares: set 0 for that). */
  stackSize?: number;
  /** Default: every extension. Ids a guest may call; any other is refused with a `permission` extension error. */
  extensionWhitelist?: readonly bigint[] | undefined;
  /** Default: the runtime's default backend ('tiered'). */
  backend?: BackendName;
  /** Default: one cache shared by every executor in the process (32 modules). Where prepared
   * modules are kept, keyed by program hash, memory layout and options; false: none. */
  moduleCache?: PvqModuleCache | false;
}

export interface ResolvedPvqConfig {
  readonly maxMemory: number;
  readonly maxExecutionTime: number;
  readonly maxInstructions: number;
  readonly stackSize: number;
  readonly extensionWhitelist: ReadonlySet<bigint> | undefined;
  readonly backend: BackendName | undefined;
  readonly moduleCache: PvqModuleCache | undefined;
}

export const PVQ_DEFAULT_CONFIG = Object.freeze({
  maxMemory: 16 * 1024 * 1024,
  maxExecutionTime: 10_000,
  maxInstructions: Infinity,
  stackSize: 512 * 1024,
});

/** The reference's behaviour: no memory cap, no wall-clock limit, the blob's own stack size. */
export const PVQ_REFERENCE_CONFIG: PvqConfig = Object.freeze({ maxMemory: Infinity, maxExecutionTime: Infinity, stackSize: 0 });

const nonNegative = (name: string, value: number): number => {
  if (typeof value !== 'number' || !(value >= 0)) throw new TypeError(`PvqConfig.${name} must be a non-negative number, got ${String(value)}`);
  return value;
};

export function resolvePvqConfig(config: PvqConfig = {}): ResolvedPvqConfig {
  const backend = config.backend;
  if (backend !== undefined && !hasBackend(backend)) throw new TypeError(`PvqConfig.backend '${backend}' is not available in this build`);
  const whitelist = config.extensionWhitelist;
  if (whitelist !== undefined && !whitelist.every((id) => typeof id === 'bigint'))
    throw new TypeError('PvqConfig.extensionWhitelist must list extension ids as bigints');
  const stackSize = nonNegative('stackSize', config.stackSize ?? PVQ_DEFAULT_CONFIG.stackSize);
  if (stackSize > 0xffffffff) throw new TypeError(`PvqConfig.stackSize ${stackSize} does not fit in a u32`);
  const cache = config.moduleCache;
  if (cache !== undefined && cache !== false && !(cache instanceof PvqModuleCache)) throw new TypeError('PvqConfig.moduleCache must be a PvqModuleCache or false');
  return {
    maxMemory: nonNegative('maxMemory', config.maxMemory ?? PVQ_DEFAULT_CONFIG.maxMemory),
    maxExecutionTime: nonNegative('maxExecutionTime', config.maxExecutionTime ?? PVQ_DEFAULT_CONFIG.maxExecutionTime),
    maxInstructions: nonNegative('maxInstructions', config.maxInstructions ?? PVQ_DEFAULT_CONFIG.maxInstructions),
    stackSize: Math.floor(stackSize),
    extensionWhitelist: whitelist === undefined ? undefined : new Set(whitelist),
    backend,
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
  /** Wall-clock milliseconds for the whole execution, loading included. */
  readonly timeMs: number;
  /** Whether the prepared module came from the executor's cache. */
  readonly moduleCached: boolean;
}

export type PvqOutcome =
  | { readonly ok: true; readonly value: Uint8Array; readonly gasRemaining: bigint | undefined; readonly metrics: PvqMetrics }
  | { readonly ok: false; readonly error: PvqError; readonly gasRemaining: bigint | undefined; readonly metrics: PvqMetrics };

const PVQ_EXPORT = 'pvq';
const HOST_CALL_IMPORT = 'host_call';
// The aux region is page-granular, so argument lengths within one page share a memory layout.
const AUX_GRANULE = 0x1000;

const NO_METRICS = { gasUsed: 0n, instructions: 0, hostCalls: 0, peakHeapSize: 0 };

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
// pass the same array again and again; so a hash is remembered per array, with a copy of the bytes
// it was computed from, and reused only while the array still holds exactly those bytes.
const knownPrograms = new WeakMap<Uint8Array, { hash: string; bytes: Uint8Array }>();

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let i = 0;
  // Four bytes at a time where both are aligned: about 5x faster than byte by byte.
  if ((a.byteOffset & 3) === 0 && (b.byteOffset & 3) === 0) {
    const words = a.length >>> 2;
    const x = new Int32Array(a.buffer, a.byteOffset, words);
    const y = new Int32Array(b.buffer, b.byteOffset, words);
    for (; i < words; i++) if (x[i] !== y[i]) return false;
    i = words * 4;
  }
  for (; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// Instantiating costs several times more than resetting an instance's memory (≈90 µs vs ≈20 µs on
// the interpreter), so each module keeps one idle instance for the next query. A query takes it
// out while it runs, so a query started from inside a host call gets a fresh one.
const idleInstances = new WeakMap<Module, Instance>();

function acquireInstance(module: Module): Instance {
  const idle = idleInstances.get(module);
  if (!idle) return module.instantiate();
  idleInstances.delete(module);
  idle.resetMemory();
  return idle;
}

function releaseInstance(instance: Instance): void {
  idleInstances.set(instance.module, instance);
}

function programHash(program: Uint8Array): string {
  const known = knownPrograms.get(program);
  if (known && sameBytes(known.bytes, program)) return known.hash;
  const hash = bytesToHex(sha256(program));
  knownPrograms.set(program, { hash, bytes: program.slice() });
  return hash;
}

/** Runs PVQ programs against a context that serves their host calls. */
export class PvqExecutor {
  readonly context: PvqExecutorContext;
  readonly config: ResolvedPvqConfig;

  constructor(context: PvqExecutorContext, config: PvqConfig = {}) {
    this.context = context;
    this.config = resolvePvqConfig(config);
  }

  /**
   * Runs `program`'s `pvq` export with `args` (byte 0: the entrypoint index; then its SCALE-encoded
   * arguments) and returns the SCALE-encoded result. With `gasLimit` gas is metered (1 per
   * instruction, charged per basic block) and `gasRemaining` reports what is left; without it there
   * is no metering, as in the reference.
   */
  execute(program: Uint8Array | CompiledModuleNamespace, args: Uint8Array, gasLimit?: bigint | number): PvqOutcome {
    const started = performance.now();
    // A compiled module (`pvm2js compile`, imported): its code serves every query of its program, by ModuleId.
    if (!(program instanceof Uint8Array) && isCompiledModule(program)) program = readPrecompiled(program).bytes;
    if (!(program instanceof Uint8Array) || !(args instanceof Uint8Array))
      throw new TypeError('execute(program, args): program must be a Uint8Array or an imported pvm2js compiled module, args a Uint8Array');
    let limit: bigint | undefined;
    if (gasLimit !== undefined) {
      if (typeof gasLimit === 'number' && !Number.isSafeInteger(gasLimit)) throw new TypeError(`gas limit must be an integer, got ${gasLimit}`);
      limit = BigInt(gasLimit);
      if (limit < -(1n << 63n) || limit >= 1n << 63n) throw new TypeError(`gas limit ${limit} is outside the i64 range`);
    }
    const fail = (error: PvqError, instance?: Instance, moduleCached = false): PvqOutcome => ({
      ok: false,
      error,
      gasRemaining: limit === undefined ? undefined : (instance?.gas() ?? limit),
      metrics: { ...(instance?.metrics() ?? NO_METRICS), timeMs: performance.now() - started, moduleCached },
    });

    const loaded = this.load(program, args.length, limit !== undefined);
    if ('kind' in loaded) return fail(loaded);
    const { module, cached } = loaded;
    let instance: Instance;
    try {
      instance = acquireInstance(module);
    } catch (e) {
      if (e instanceof RuntimeError && e.kind === 'out-of-memory') return fail({ kind: 'out-of-memory', message: e.message }, undefined, cached);
      throw e;
    }
    if (limit !== undefined) instance.setGas(limit);
    const auxAddress = module.memoryMap.auxDataAddress;
    if (args.length > 0) instance.writeMemory(auxAddress, args);
    instance.prepareCall(PVQ_EXPORT, [auxAddress, args.length]);
    instance.setInstructionBudget(Number.isFinite(this.config.maxInstructions) ? this.config.maxInstructions : undefined);
    // The deadline counts guest time from here: parsing and generating code are host costs, so a
    // query's outcome does not depend on whether its code was compiled (or cached) before.
    const deadline = this.config.maxExecutionTime;
    instance.setDeadline(Number.isFinite(deadline) ? deadline : undefined);

    let error: PvqError | undefined;
    try {
      error = this.drive(instance);
    } finally {
      releaseInstance(instance);
    }
    if (error) return fail(error, instance, cached);
    const [ptr, len] = this.pair(instance, Reg.A0);
    let value: Uint8Array;
    try {
      value = instance.readMemory(ptr, len).slice();
    } catch (e) {
      if (!(e instanceof MemoryAccessError)) throw e;
      return fail({ kind: 'memory-access', message: `the result (${len} bytes at 0x${ptr.toString(16)}) is not readable guest memory` }, instance, cached);
    }
    return {
      ok: true,
      value,
      gasRemaining: limit === undefined ? undefined : instance.gas(),
      metrics: { ...instance.metrics(), timeMs: performance.now() - started, moduleCached: cached },
    };
  }

  /** Parses and prepares the program, or says why it is not a PVQ program. */
  private load(program: Uint8Array, argsLength: number, metered: boolean): { module: Module; cached: boolean } | PvqError {
    const auxDataSize = alignUp(argsLength, AUX_GRANULE);
    const { backend, stackSize, maxMemory, moduleCache } = this.config;
    const key = [programHash(program), auxDataSize, metered ? 'gas' : '-', backend ?? defaultBackendName(), stackSize, maxMemory].join('/');
    const hit = moduleCache?.get(key);
    if (hit) return { module: hit, cached: true };
    let blob: ProgramBlob;
    try {
      blob = parseBlob(program);
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
    let module: Module;
    try {
      module = Module.fromBlob(
        { ...blob, stackSize: Math.max(blob.stackSize, this.config.stackSize) },
        {
          ...(this.config.backend ? { backend: this.config.backend } : {}),
          gasMetering: metered ? 'sync' : undefined,
          auxDataSize,
          memoryLimit: this.config.maxMemory,
        },
      );
    } catch (e) {
      if (e instanceof ProgramParseError) return { kind: 'invalid-program', reason: 'parse', message: e.message, offset: e.offset };
      if (e instanceof MemoryMapError) return { kind: 'invalid-program', reason: 'memory-layout', message: e.message };
      throw e;
    }
    moduleCache?.set(key, module);
    return { module, cached: false };
  }

  /** Runs until the guest returns (undefined) or stops for good (the error). */
  private drive(instance: Instance): PvqError | undefined {
    for (;;) {
      const interrupt = instance.run();
      switch (interrupt.kind) {
        case 'finished':
          return undefined;
        case 'ecalli': {
          // Imports are checked at load, so every valid index is host_call.
          if (interrupt.index >= instance.module.blob.imports.length) return { kind: 'trap', pc: instance.programCounter(), message: `ecalli ${interrupt.index} names no import` };
          const failure = this.hostCall(instance);
          if (failure) return failure;
          continue;
        }
        case 'trap':
          return { kind: 'trap', pc: instance.programCounter(), message: `the guest trapped at pc ${instance.programCounter() ?? '?'}` };
        case 'not-enough-gas':
          return { kind: 'not-enough-gas', message: 'the query ran out of gas' };
        case 'budget':
          if (interrupt.reason === 'memory') return { kind: 'out-of-memory', message: `the guest's memory would exceed maxMemory (${this.config.maxMemory} bytes)` };
          return interrupt.reason === 'deadline'
            ? { kind: 'timeout', reason: 'deadline', message: `the query ran longer than maxExecutionTime (${this.config.maxExecutionTime} ms)` }
            : { kind: 'timeout', reason: 'instructions', message: `the query ran more than maxInstructions (${this.config.maxInstructions})` };
        case 'segfault':
        case 'step':
          // Neither dynamic paging nor step tracing is switched on for PVQ modules.
          throw new Error(`unexpected '${interrupt.kind}' interrupt from a PVQ module`);
      }
    }
  }

  /** A u64 ABI value starting at register `lo`: two registers on 32-bit ISAs, one on 64-bit ones; split into (low, high) u32 halves. */
  private pair(instance: Instance, lo: number): [number, number] {
    if (instance.module.is64Bit) {
      const v = instance.reg(lo);
      return [Number(v & 0xffffffffn), Number(v >> 32n)];
    }
    return [Number(instance.reg(lo)), Number(instance.reg(lo + 1))];
  }

  private hostCall(instance: Instance): PvqError | undefined {
    const wide = instance.module.is64Bit;
    const id = wide ? instance.reg(Reg.A0) : (instance.reg(Reg.A1) << 32n) | instance.reg(Reg.A0);
    const ptr = Number(instance.reg(wide ? Reg.A1 : Reg.A2) & 0xffffffffn);
    const len = Number(instance.reg(wide ? Reg.A2 : Reg.A3) & 0xffffffffn);
    const stop = (error: ExtensionError): PvqError => ({ kind: 'extension', error, message: `host_call to extension ${error.extensionId} failed: ${error.message}` });

    let callData: Uint8Array;
    try {
      callData = instance.readMemory(ptr, len).slice();
    } catch (e) {
      if (!(e instanceof MemoryAccessError)) throw e;
      return stop(extensionError('memory-access', id, `call data (${len} bytes at 0x${ptr.toString(16)}) is not readable guest memory`));
    }
    const fnIndex = callData[0];
    const whitelist = this.config.extensionWhitelist;
    if (whitelist && !whitelist.has(id)) return stop(extensionError('permission', id, `extension ${id} is not in the whitelist`, fnIndex));
    const result = this.context.hostCall(id, callData);
    if (isExtensionError(result)) return stop(result);

    const resultPtr = instance.sbrk(0);
    const top = resultPtr === undefined ? undefined : instance.sbrk(result.length);
    if (resultPtr === undefined || top === undefined) {
      if (instance.memory.fault.kind === 'budget') return { kind: 'out-of-memory', message: `a ${result.length}-byte host call result would exceed maxMemory (${this.config.maxMemory} bytes)` };
      return stop(extensionError('memory-allocation', id, `cannot grow the guest heap by ${result.length} bytes`, fnIndex));
    }
    if (result.length > 0) instance.writeMemory(resultPtr, result);
    if (wide) instance.setReg(Reg.A0, (BigInt(result.length) << 32n) | BigInt(resultPtr));
    else {
      instance.setReg(Reg.A0, resultPtr);
      instance.setReg(Reg.A1, result.length);
    }
    return undefined;
  }
}
