// The typestate API of sp-virtualization 0.4.0 (forwarder.rs): Module → Instance → Execution, each
// a handle around an id that forwards every call to the host functions, as a runtime does.
//
// Rust moves a handle into each call and gets a new one back; here a call consumes the JS object and
// returns a fresh one (or the same object when Rust hands the value back unchanged), and using a
// consumed object throws VirtMisuseError('consumed-handle'). Rust destroys an instance when its handle
// is dropped; JS has no drop, so call `destroy()` on an Instance or Execution you no longer need
// (the host keeps at most 30 alive), or declare it with `using` so the scope's end destroys it.

import { checkI64, checkU32, checkU64, VirtMisuseError } from './errors.ts';
import { EXEC_BUFFER_SIZE, execBufferFields } from './exec-buffer.ts';
import {
  decodeCompileResult,
  decodeInstantiateResult,
  decodeModuleIdResult,
  decodeRunResult,
  decodeUnitResult,
  VirtHost,
} from './host-functions.ts';
import { CompileStatus, ExecError, ExecStatus, LOG_TARGET, MemoryError, type InstanceId, type InstantiateError, type ModuleError, type ModuleId } from './types.ts';
import type { VirtManagerBackend } from './manager.ts';
import { noticeOnce } from '../runtime/logger.ts';

// `Symbol.dispose` (explicit resource management) is in Node 20 and current browsers, but only in
// TypeScript's esnext lib or @types/node: declared here as they declare it, so the shipped .d.ts
// type-checks for a consumer with neither (lib es2022, no types).
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

const utf8 = new TextEncoder();
const asBytes = (value: Uint8Array | string): Uint8Array => (typeof value === 'string' ? utf8.encode(value) : value);

/**
 * The registered hosts, innermost last (Rust: the `VirtManagerExt` registered in the externalities of
 * `execute_with`). There is no process-wide default: a call with nothing registered is host misuse,
 * as Rust panics with "No VirtManagerExt registered".
 *
 * A registration lives for the synchronous part of its body only. Without AsyncLocalStorage (browsers
 * have none) that is the only exact rule: two bodies never interleave while either is on this stack,
 * whereas a registration kept until a promise settles would be seen by every other task that runs
 * meanwhile (and a promise that never settles would pin it for good).
 */
const registered: VirtHost[] = [];

/** Anything `withVirtManager` accepts: the host functions over a manager, or a bare manager backend. */
export type VirtManagerExt = VirtHost | VirtManagerBackend;

const asHost = (ext: VirtManagerExt): VirtHost => (ext instanceof VirtHost ? ext : new VirtHost({ manager: ext }));

/**
 * Runs `body` with `ext` registered as the host that `Module.fromBytes` / `lookup` / `fromStorageKey`
 * compile on (Rust: `TestExternalities::register_extension(VirtManagerExt::new(manager))` then
 * `execute_with`), and passes it the host. Handles keep the host they were made on. The registration
 * ends when `body` returns: an async body passes the host explicitly after an `await`
 * (`Module.fromBytes(bytes, id, { host })`); a static call without one there throws 'no-virt-manager'
 * instead of reaching whatever else happens to be registered.
 */
export function withVirtManager<T>(ext: VirtManagerExt, body: (host: VirtHost) => T): T {
  const host = asHost(ext);
  registered.push(host);
  try {
    return body(host);
  } finally {
    registered.pop();
  }
}

/** @deprecated The earlier name of `withVirtManager`. */
export const withVirtHost = withVirtManager;

/** The host a call without an explicit one uses: the innermost registered, or a clear error. */
export function registeredVirtHost(): VirtHost {
  const host = registered[registered.length - 1];
  if (host === undefined)
    throw new VirtMisuseError(
      'no-virt-manager',
      'No VirtManagerExt registered: run the call inside withVirtManager(new VirtManager(), (host) => ...) (Rust registers a VirtManagerExt in the externalities), or pass one explicitly, as an async body must after an await: Module.fromBytes(bytes, id, { host })',
    );
  return host;
}

/** Where a static constructor compiles: the host given, or the registered one. */
export interface HostOption {
  readonly host?: VirtHost;
}

function hostOf(options: HostOption | undefined): VirtHost {
  const host = options?.host;
  if (host === undefined) return registeredVirtHost();
  if (!(host instanceof VirtHost)) throw new VirtMisuseError('bad-argument', `options.host must be a VirtHost (the host functions), got ${host === null ? 'null' : typeof host}`);
  return host;
}

export type CompileResult =
  | { readonly ok: true; readonly module: VirtModule; readonly status: 'cached' | 'compiled' }
  | { readonly ok: false; readonly error: ModuleError };

export type LookupResult = { readonly ok: true; readonly module: VirtModule } | { readonly ok: false; readonly error: ModuleError };

export type InstantiateResult = { readonly ok: true; readonly instance: VirtInstance } | { readonly ok: false; readonly error: InstantiateError };

/** On failure the instance comes back idle and usable (Rust `Err((Instance, ExecError))`). */
export type PrepareResult =
  | { readonly ok: true; readonly execution: VirtExecution }
  | { readonly ok: false; readonly instance: VirtInstance; readonly error: ExecError };

export type MemoryResult = { readonly ok: true } | { readonly ok: false; readonly error: MemoryError };

export type ExecResult =
  /** The export returned. The instance is idle: prepare it again to make another call (memory is kept). */
  | { readonly kind: 'finished'; readonly instance: VirtInstance; readonly gasLeft: bigint }
  /**
   * The guest called an import. Handle it (memory is reachable through `execution`), then resume
   * with `execution.run(gasLeft, returnValue)`; the return value goes to A0.
   */
  | {
      readonly kind: 'syscall';
      readonly execution: VirtExecution;
      readonly gasLeft: bigint;
      /** The import's symbol, at most 32 bytes. */
      readonly syscallSymbol: Uint8Array;
      /** The symbol as UTF-8 (lossy), for dispatching on names. */
      readonly syscallName: string;
      readonly a0: bigint;
      readonly a1: bigint;
      readonly a2: bigint;
      readonly a3: bigint;
      readonly a4: bigint;
      readonly a5: bigint;
    }
  /** Trap, out of gas, an unknown import index, or an id in the wrong state. The instance is idle. */
  | { readonly kind: 'error'; readonly instance: VirtInstance; readonly error: ExecError };

function compileResult(host: VirtHost, wire: number): CompileResult {
  const r = decodeCompileResult(wire);
  if (!r.ok) return r;
  return { ok: true, module: new VirtModule(host, r.moduleId), status: r.status === CompileStatus.Cached ? 'cached' : 'compiled' };
}

/** A compiled module (Rust `Module`). Modules are never destroyed; they live as long as their host. */
export class VirtModule {
  readonly host: VirtHost;
  readonly id: ModuleId;

  /** @internal Made by fromBytes / lookup / fromStorageKey. */
  constructor(host: VirtHost, id: ModuleId) {
    this.host = host;
    this.id = id;
  }

  /**
   * Compiles `bytes` (a `.polkavm` blob). With an identifier, a module already cached under it is
   * returned ('cached') without compiling; otherwise the module is compiled and cached under it.
   * Without one nothing is cached.
   */
  static fromBytes(bytes: Uint8Array, identifier?: Uint8Array | string, options?: HostOption): CompileResult {
    const host = hostOf(options);
    if (!(bytes instanceof Uint8Array)) throw new VirtMisuseError('bad-argument', 'the program must be a Uint8Array (the .polkavm blob bytes)');
    noticeOnce(
      'virtualization:unstable',
      'sp-virtualization is UNSTABLE and not meant for production: its API and host functions may change in any release (pvm2js/virt follows sp-virtualization 0.4.0)',
      host.logger,
      LOG_TARGET,
    );
    return compileResult(host, host.compileFromBytes(bytes, identifier === undefined ? undefined : asBytes(identifier)));
  }

  /** The module cached under `identifier` (NotCached if none); never compiles and never reads storage. */
  static lookup(identifier: Uint8Array | string, options?: HostOption): LookupResult {
    const host = hostOf(options);
    const r = decodeModuleIdResult(host.lookup(asBytes(identifier)));
    return r.ok ? { ok: true, module: new VirtModule(host, r.moduleId) } : r;
  }

  /** The program stored at `storageKey` (in `childTrie` if non-empty), cached under that key; NotFound if nothing is stored there. */
  static fromStorageKey(storageKey: Uint8Array | string, childTrie: Uint8Array | string = new Uint8Array(0), options?: HostOption): CompileResult {
    const host = hostOf(options);
    return compileResult(host, host.compileFromStorageKey(asBytes(storageKey), asBytes(childTrie)));
  }

  instantiate(): InstantiateResult {
    const r = decodeInstantiateResult(this.host.instantiate(this.id));
    return r.ok ? { ok: true, instance: new VirtInstance(this.host, r.instanceId) } : r;
  }
}

/** Shared by Instance and Execution: an instance id that a call can consume. */
abstract class Handle {
  readonly host: VirtHost;
  readonly id: InstanceId;
  private live = true;

  constructor(host: VirtHost, id: InstanceId) {
    this.host = host;
    this.id = id;
  }

  protected abstract readonly what: string;

  /** Throws unless the handle is live; with `consume`, also marks it used up. */
  protected take(consume: boolean): void {
    if (!this.live) throw new VirtMisuseError('consumed-handle', `this ${this.what} (instance ${this.id}) was already consumed or destroyed`);
    if (consume) this.live = false;
  }

  /** False once a call consumed the handle or it was destroyed. */
  get isLive(): boolean {
    return this.live;
  }

  /** Destroys the instance on the host (Rust: dropping the handle). The handle is consumed. */
  destroy(): void {
    this.take(true);
    // Rust's Drop ignores the result: an id the host no longer knows is not the caller's problem.
    this.host.destroy(this.id);
  }

  /**
   * `using instance = ...` (TypeScript 5.2+, Node 20): destroys the instance when the scope ends,
   * which is what Rust's Drop does; nothing happens if a call already consumed or destroyed it.
   */
  [Symbol.dispose](): void {
    if (this.live) this.destroy();
  }
}

// Runtimes without Symbol.dispose (older browsers) still find the method under Node's registered
// symbol, which TypeScript's `using` helpers and the disposable polyfills look up too.
const NODE_DISPOSE = Symbol.for('nodejs.dispose');
if ((Symbol as { dispose?: symbol }).dispose !== NODE_DISPOSE) {
  Object.defineProperty(Handle.prototype, NODE_DISPOSE, { value: Handle.prototype[Symbol.dispose], configurable: true, writable: true });
}

/** An idle instance (Rust `Instance`). */
export class VirtInstance extends Handle {
  protected readonly what = 'Instance';

  /**
   * Prepares a call of the export named `exportName` (registers cleared, stack pointer reset; memory is
   * kept). Consumes this instance on success; on failure (no such export) it stays usable.
   */
  prepare(exportName: Uint8Array | string): PrepareResult {
    this.take(false);
    const r = decodeUnitResult(this.host.prepare(this.id, asBytes(exportName)), ExecError);
    if (!r.ok) return { ok: false, instance: this, error: r.error };
    this.take(true);
    return { ok: true, execution: new VirtExecution(this.host, this.id) };
  }
}

/** A prepared execution, or one suspended at a syscall (Rust `Execution`). */
export class VirtExecution extends Handle {
  protected readonly what = 'Execution';

  /**
   * Runs (or resumes) with `gasLeft` gas and `a0` in register A0: 0 on the first run, the syscall's
   * return value on a resume. Consumes this execution.
   */
  run(gasLeft: bigint, a0: bigint = 0n): ExecResult {
    checkI64(gasLeft, 'gasLeft');
    checkU64(a0, 'a0');
    this.take(true);
    let wire: number;
    try {
      wire = this.host.run(this.id, gasLeft, a0, RUN_BUFFER);
    } catch (e) {
      // Host misuse mid-run (an interrupt virtualization rules out): the handle is gone, so is the instance.
      this.host.destroy(this.id);
      throw e;
    }
    const r = decodeRunResult(wire);
    if (!r.ok) return { kind: 'error', instance: new VirtInstance(this.host, this.id), error: r.error };
    const b = RUN_FIELDS;
    if (r.status === ExecStatus.Finished) return { kind: 'finished', instance: new VirtInstance(this.host, this.id), gasLeft: b.gasLeft() };
    const syscallSymbol = b.syscallSymbol();
    return {
      kind: 'syscall',
      execution: new VirtExecution(this.host, this.id),
      gasLeft: b.gasLeft(),
      syscallSymbol,
      syscallName: symbolName(syscallSymbol),
      a0: b.arg(0),
      a1: b.arg(1),
      a2: b.arg(2),
      a3: b.arg(3),
      a4: b.arg(4),
      a5: b.arg(5),
    };
  }

  /** Fills `dest` from guest memory at `offset`; OutOfBounds if any byte is not accessible. */
  readMemory(offset: number, dest: Uint8Array): MemoryResult {
    this.take(false);
    return decodeUnitResult(this.host.readMemory(this.id, checkU32(offset, 'offset'), dest), MemoryError);
  }

  /** Writes `src` to guest memory at `offset` (read-only data excepted, as in polkavm); OutOfBounds if any byte is not writable. */
  writeMemory(offset: number, src: Uint8Array): MemoryResult {
    this.take(false);
    return decodeUnitResult(this.host.writeMemory(this.id, checkU32(offset, 'offset'), src), MemoryError);
  }
}

// One ExecBuffer for every run: the host fills it and run() reads it before anything else can run.
const RUN_BUFFER = new Uint8Array(EXEC_BUFFER_SIZE);
const RUN_FIELDS = execBufferFields(RUN_BUFFER);

// The same few symbols come back on every syscall: remember the last one's text instead of decoding
// the bytes again (measured: decoding was a tenth of the forwarder's time per syscall).
const utf8Lossy = new TextDecoder('utf-8', { fatal: false });
let lastSymbol = new Uint8Array(0);
let lastName = '';
function symbolName(symbol: Uint8Array): string {
  if (symbol.length === lastSymbol.length && symbol.every((b, i) => b === lastSymbol[i])) return lastName;
  lastSymbol = symbol.slice();
  lastName = utf8Lossy.decode(symbol);
  return lastName;
}
