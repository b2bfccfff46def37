// The sp-virtualization host functions (`#[runtime_interface] trait Virtualization`, 0.4.0) with their
// wire values: every function returns one integer, as RFC-145's RIIntResult packs a Result in an i64:
// a value >= 0 is Ok, a value in -(variant count)..=-1 is the error's discriminant. Runtime memory
// arguments are byte arrays here; `run` writes its ExecBuffer into the array it is given.
//
// The identifier cache is consulted here, not in the backend, exactly as 0.4.0 does: `compileFromBytes`
// with an identifier tries `lookup` first, and `compileFromStorageKey` reads storage only on a miss.

import { checkU32, VirtMisuseError } from './errors.ts';
import { EXEC_BUFFER_SIZE, encodeExecBuffer } from './exec-buffer.ts';
import { VirtManager, type VirtManagerBackend } from './manager.ts';
import { MemoryStorage, type VirtStorage } from './storage.ts';
import {
  CompileStatus,
  ExecError,
  ExecStatus,
  InstantiateError,
  ModuleError,
  type InstanceId,
  type ModuleId,
  type VirtResult,
} from './types.ts';
import type { Logger } from '../runtime/logger.ts';

/** `CompiledModule` on the wire: the module id in bits 0-31, the CompileStatus in bits 32-39. */
const STATUS_SHIFT = 2 ** 32;
/** The largest Ok value of a compile result (bits 40-62 are reserved). */
export const COMPILED_MODULE_MAX = 2 ** 40 - 1;

function errorCount(values: Readonly<Record<string, number>>): number {
  return Object.keys(values).length;
}

/**
 * Splits a wire value into Ok / Err: a negative value must be one of the enum's discriminants (a
 * host that sends anything else is broken, and the runtime side panics, so this throws).
 */
function fromWire<E extends number>(wire: number, errors: Readonly<Record<string, E>>, okMax: number): { ok: true; value: number } | { ok: false; error: E } {
  if (!Number.isSafeInteger(wire)) throw new VirtMisuseError('bad-argument', `wire value ${wire} is not an integer`);
  if (wire >= 0) {
    if (wire > okMax) throw new VirtMisuseError('bad-argument', `wire value ${wire} is over the Ok range (max ${okMax})`);
    return { ok: true, value: wire };
  }
  if (wire < -errorCount(errors)) throw new VirtMisuseError('bad-argument', `wire value ${wire} is no error discriminant (at least -${errorCount(errors)})`);
  return { ok: false, error: wire as E };
}

export function decodeCompileResult(wire: number): VirtResult<{ moduleId: ModuleId; status: CompileStatus }, ModuleError> {
  const r = fromWire(wire, ModuleError, COMPILED_MODULE_MAX);
  if (!r.ok) return r;
  const status = Math.floor(r.value / STATUS_SHIFT);
  if (status !== CompileStatus.Cached && status !== CompileStatus.Compiled) throw new VirtMisuseError('bad-argument', `wire value ${wire} has compile status ${status}`);
  return { ok: true, moduleId: (r.value % STATUS_SHIFT) as ModuleId, status };
}

export function decodeModuleIdResult(wire: number): VirtResult<{ moduleId: ModuleId }, ModuleError> {
  const r = fromWire(wire, ModuleError, 0xffffffff);
  return r.ok ? { ok: true, moduleId: r.value as ModuleId } : r;
}

export function decodeInstantiateResult(wire: number): VirtResult<{ instanceId: InstanceId }, InstantiateError> {
  const r = fromWire(wire, InstantiateError, 0xffffffff);
  return r.ok ? { ok: true, instanceId: r.value as InstanceId } : r;
}

export function decodeUnitResult<E extends number>(wire: number, errors: Readonly<Record<string, E>>): VirtResult<object, E> {
  const r = fromWire(wire, errors, 0);
  return r.ok ? { ok: true } : r;
}

export function decodeRunResult(wire: number): VirtResult<{ status: ExecStatus }, ExecError> {
  const r = fromWire(wire, ExecError, 0xffffffff);
  if (!r.ok) return r;
  if (r.value !== ExecStatus.Finished && r.value !== ExecStatus.Syscall) throw new VirtMisuseError('bad-argument', `run returned status ${r.value}`);
  return { ok: true, status: r.value };
}

const unit = (r: VirtResult<object, number>): number => (r.ok ? 0 : r.error);

export interface VirtHostOptions {
  /** Default: a fresh VirtManager with default options. */
  manager?: VirtManagerBackend;
  /** Default: an empty MemoryStorage. */
  storage?: VirtStorage;
  /** Where the crate's one-time notice goes (target LOG_TARGET); default the runtime's logger. `{ warn() {} }` silences it. */
  logger?: Logger;
}

/**
 * One set of host functions over one backend and one storage: what a node registers per block as
 * `VirtManagerExt` in the externalities. Modules cached under an identifier live as long as this.
 */
export class VirtHost {
  readonly manager: VirtManagerBackend;
  readonly storage: VirtStorage;

  /** Where the crate's one-time notice goes (default: the runtime's logger, see setLogger). */
  readonly logger: Logger | undefined;

  constructor(options: VirtHostOptions = {}) {
    this.manager = options.manager ?? new VirtManager();
    this.storage = options.storage ?? new MemoryStorage();
    this.logger = options.logger;
  }

  /** `compile_from_bytes(program, identifier)`: Ok = moduleId | status << 32. */
  compileFromBytes(program: Uint8Array, identifier?: Uint8Array): number {
    if (identifier !== undefined) {
      const hit = this.manager.lookup(identifier);
      if (hit.ok) return hit.moduleId + CompileStatus.Cached * STATUS_SHIFT;
      if (hit.error !== ModuleError.NotCached) return hit.error;
    }
    const r = this.manager.compile(program, identifier);
    return r.ok ? r.moduleId + CompileStatus.Compiled * STATUS_SHIFT : r.error;
  }

  /** `lookup(identifier)`: Ok = moduleId; a pure cache lookup, never storage. */
  lookup(identifier: Uint8Array): number {
    const r = this.manager.lookup(identifier);
    return r.ok ? r.moduleId : r.error;
  }

  /** `compile_from_storage_key(key, childTrie)`: the key is the cache identifier; an empty childTrie means the main trie. */
  compileFromStorageKey(storageKey: Uint8Array, childTrie: Uint8Array): number {
    const hit = this.manager.lookup(storageKey);
    if (hit.ok) return hit.moduleId + CompileStatus.Cached * STATUS_SHIFT;
    if (hit.error !== ModuleError.NotCached) return hit.error;
    const code = this.storage.get(storageKey, childTrie.length > 0 ? childTrie : undefined);
    if (code === undefined) return ModuleError.NotFound;
    const r = this.manager.compile(code, storageKey);
    return r.ok ? r.moduleId + CompileStatus.Compiled * STATUS_SHIFT : r.error;
  }

  instantiate(moduleId: number): number {
    const r = this.manager.instantiate(checkU32(moduleId, 'moduleId') as ModuleId);
    return r.ok ? r.instanceId : r.error;
  }

  prepare(instanceId: number, exportSymbol: Uint8Array): number {
    return unit(this.manager.prepare(checkU32(instanceId, 'instanceId') as InstanceId, exportSymbol));
  }

  /** `run(instanceId, gasLeft, a0, execBuffer)`: Ok = ExecStatus; the first 96 bytes of `execBuffer` are written on Ok. */
  run(instanceId: number, gasLeft: bigint, a0: bigint, execBuffer: Uint8Array): number {
    if (execBuffer.length < EXEC_BUFFER_SIZE) throw new VirtMisuseError('bad-argument', `run needs an ExecBuffer of ${EXEC_BUFFER_SIZE} bytes, got ${execBuffer.length}`);
    const r = this.manager.run(checkU32(instanceId, 'instanceId') as InstanceId, gasLeft, a0);
    if (!r.ok) return r.error;
    encodeExecBuffer(r.buffer, execBuffer);
    return r.status;
  }

  destroy(instanceId: number): number {
    return unit(this.manager.destroy(checkU32(instanceId, 'instanceId') as InstanceId));
  }

  readMemory(instanceId: number, offset: number, dest: Uint8Array): number {
    return unit(this.manager.readMemory(checkU32(instanceId, 'instanceId') as InstanceId, offset, dest));
  }

  writeMemory(instanceId: number, offset: number, src: Uint8Array): number {
    return unit(this.manager.writeMemory(checkU32(instanceId, 'instanceId') as InstanceId, offset, src));
  }
}
