// VirtManager: the host-side backend that the sp-virtualization host functions drive (the
// `VirtManagerBackend` trait, implemented by sc-virtualization's `VirtManager`): module and instance
// tables keyed by integer ids, an identifier-keyed module cache, each instance idle or ready.
// Everything is addressed by id, so the same semantics hold whether a caller holds typed handles
// (forwarder.ts) or bare numbers (host-functions.ts).

import { ProgramParseError } from '../decoder/errors.ts';
import type { CostModel, CostModelName } from '../gas/index.ts';
import { MemoryAccessError } from '../machine/memory.ts';
import { Reg } from '../machine/state.ts';
import { Module, RuntimeError, type BackendName, type Instance } from '../runtime/index.ts';
import { checkI64, checkU32, checkU64, VirtMisuseError } from './errors.ts';
import { emptyExecBuffer, type ExecBuffer } from './exec-buffer.ts';
import {
  DestroyError,
  ExecError,
  ExecStatus,
  InstantiateError,
  MemoryError,
  ModuleError,
  SyscallSymbol,
  type InstanceId,
  type ModuleId,
  type VirtResult,
} from './types.ts';

/** sc-virtualization `MAX_LIVE_INSTANCES`: one live instance per nested contract frame, with headroom. */
export const MAX_LIVE_INSTANCES = 30;

export interface VirtManagerOptions {
  /** Default: the runtime's default backend ('tiered'). */
  backend?: BackendName;
  /** Default 'full-l2', as sc-virtualization sets polkavm's `CostModelKind::Full(CacheModel::L2Hit)`. */
  costModel?: CostModel | CostModelName;
  /** Default MAX_LIVE_INSTANCES (30); `instantiate` past it fails with TooManyInstances. */
  maxLiveInstances?: number;
}

/** The operations the host functions need (Rust trait `VirtManagerBackend`, post-0.4.0 naming: `compile`). */
export interface VirtManagerBackend {
  /** Always compiles; with an identifier, also caches the module under it. */
  compile(program: Uint8Array, identifier: Uint8Array | undefined): VirtResult<{ moduleId: ModuleId }, ModuleError>;
  /** A new module id aliasing the module cached under `identifier`; never compiles. */
  lookup(identifier: Uint8Array): VirtResult<{ moduleId: ModuleId }, ModuleError>;
  instantiate(moduleId: ModuleId): VirtResult<{ instanceId: InstanceId }, InstantiateError>;
  prepare(instanceId: InstanceId, exportSymbol: Uint8Array): VirtResult<object, ExecError>;
  run(instanceId: InstanceId, gasLeft: bigint, a0: bigint): VirtResult<{ status: ExecStatus; buffer: ExecBuffer }, ExecError>;
  destroy(instanceId: InstanceId): VirtResult<object, DestroyError>;
  readMemory(instanceId: InstanceId, offset: number, dest: Uint8Array): VirtResult<object, MemoryError>;
  writeMemory(instanceId: InstanceId, offset: number, src: Uint8Array): VirtResult<object, MemoryError>;
}

/** Byte strings as Map keys: one char per byte, so distinct byte strings never collide. */
const byteKey = (bytes: Uint8Array): string => {
  let key = '';
  for (let i = 0; i < bytes.length; i++) key += String.fromCharCode(bytes[i]!);
  return key;
};

/** A module with the tables that `prepare` and the syscall path consult, built once at compile time. */
interface CompiledModule {
  readonly module: Module;
  /** Export symbol (byteKey) → pc; a later export of the same name wins, as Rust's HashMap collect does. */
  readonly exports: ReadonlyMap<string, number>;
  /** Import index → symbol. */
  readonly imports: readonly SyscallSymbol[];
}

interface ManagedInstance {
  /** 'idle': awaiting prepare. 'ready': prepared, or suspended at a syscall. */
  state: 'idle' | 'ready';
  readonly instance: Instance;
  readonly compiled: CompiledModule;
}

const OK = Object.freeze({ ok: true as const });
const fail = <E>(error: E): { readonly ok: false; readonly error: E } => ({ ok: false, error });

export class VirtManager implements VirtManagerBackend {
  readonly maxLiveInstances: number;
  private readonly moduleOptions: { backend?: BackendName; costModel: CostModel | CostModelName };
  private readonly modules = new Map<number, CompiledModule>();
  private readonly cache = new Map<string, CompiledModule>();
  private readonly instances = new Map<number, ManagedInstance>();
  // Ids come from counters, never from a free list, so the same calls always produce the same ids.
  private moduleCounter = 0;
  private instanceCounter = 0;

  constructor(options: VirtManagerOptions = {}) {
    const cap = options.maxLiveInstances ?? MAX_LIVE_INSTANCES;
    if (!Number.isInteger(cap) || cap < 0) throw new VirtMisuseError('bad-argument', `maxLiveInstances must be a non-negative integer, got ${cap}`);
    this.maxLiveInstances = cap;
    this.moduleOptions = { costModel: options.costModel ?? 'full-l2', ...(options.backend ? { backend: options.backend } : {}) };
  }

  /** Instances not yet destroyed (idle or ready). */
  get liveInstances(): number {
    return this.instances.size;
  }

  private nextId(counter: 'moduleCounter' | 'instanceCounter'): number {
    const id = this[counter];
    if (id > 0xffffffff) throw new VirtMisuseError('bad-argument', `${counter} ran past u32::MAX`);
    this[counter] = id + 1;
    return id;
  }

  compile(program: Uint8Array, identifier: Uint8Array | undefined): VirtResult<{ moduleId: ModuleId }, ModuleError> {
    let module: Module;
    try {
      module = Module.fromBytes(program, { ...this.moduleOptions, gasMetering: 'sync', format: 'polkavm' });
    } catch (e) {
      if (e instanceof ProgramParseError) return fail(ModuleError.InvalidImage);
      throw e;
    }
    const imports: SyscallSymbol[] = [];
    for (const symbol of module.blob.imports) {
      const s = SyscallSymbol.from(symbol);
      if (!s) return fail(ModuleError.InvalidImage);
      imports.push(s);
    }
    const exports = new Map<string, number>();
    for (const e of module.blob.exports) exports.set(byteKey(e.symbol), e.pc);
    const compiled: CompiledModule = { module, exports, imports };
    const moduleId = this.nextId('moduleCounter') as ModuleId;
    if (identifier !== undefined) this.cache.set(byteKey(identifier), compiled);
    this.modules.set(moduleId, compiled);
    return { ok: true, moduleId };
  }

  lookup(identifier: Uint8Array): VirtResult<{ moduleId: ModuleId }, ModuleError> {
    const compiled = this.cache.get(byteKey(identifier));
    if (!compiled) return fail(ModuleError.NotCached);
    const moduleId = this.nextId('moduleCounter') as ModuleId;
    this.modules.set(moduleId, compiled);
    return { ok: true, moduleId };
  }

  instantiate(moduleId: ModuleId): VirtResult<{ instanceId: InstanceId }, InstantiateError> {
    // The cap is checked before the id, as sc-virtualization does.
    if (this.instances.size >= this.maxLiveInstances) return fail(InstantiateError.TooManyInstances);
    const compiled = this.modules.get(moduleId);
    if (!compiled) return fail(InstantiateError.InvalidModule);
    let instance;
    try {
      instance = compiled.module.instantiate();
    } catch (e) {
      // The guest's declared memory cannot be provided (or exceeds the limit): the image cannot run.
      if (e instanceof RuntimeError && e.kind === 'out-of-memory') return fail(InstantiateError.InvalidImage);
      throw e;
    }
    const instanceId = this.nextId('instanceCounter') as InstanceId;
    this.instances.set(instanceId, { state: 'idle', instance, compiled });
    return { ok: true, instanceId };
  }

  prepare(instanceId: InstanceId, exportSymbol: Uint8Array): VirtResult<object, ExecError> {
    const managed = this.instances.get(instanceId);
    if (!managed || managed.state !== 'idle') return fail(ExecError.InvalidInstance);
    const pc = managed.compiled.exports.get(byteKey(exportSymbol));
    if (pc === undefined) return fail(ExecError.InvalidImage);
    // polkavm prepare_call_untyped: registers cleared, SP at the stack top, RA = 0xFFFF0000. Memory stays.
    managed.instance.prepareCall(pc);
    managed.state = 'ready';
    return OK;
  }

  run(instanceId: InstanceId, gasLeft: bigint, a0: bigint): VirtResult<{ status: ExecStatus; buffer: ExecBuffer }, ExecError> {
    checkI64(gasLeft, 'gasLeft');
    checkU64(a0, 'a0');
    const managed = this.instances.get(instanceId);
    if (!managed || managed.state !== 'ready') return fail(ExecError.InvalidInstance);
    const instance = managed.instance;
    instance.setReg(Reg.A0, a0);
    instance.setGas(gasLeft);
    const interrupt = instance.run();
    switch (interrupt.kind) {
      case 'finished': {
        managed.state = 'idle';
        const buffer = emptyExecBuffer();
        buffer.gasLeft = instance.gas();
        return { ok: true, status: ExecStatus.Finished, buffer };
      }
      case 'trap':
        managed.state = 'idle';
        return fail(ExecError.Trap);
      case 'not-enough-gas':
        managed.state = 'idle';
        return fail(ExecError.OutOfGas);
      case 'ecalli': {
        const symbol = managed.compiled.imports[interrupt.index];
        if (!symbol) {
          managed.state = 'idle';
          return fail(ExecError.InvalidImage);
        }
        const buffer: ExecBuffer = {
          gasLeft: instance.gas(),
          syscallSymbol: symbol.bytes,
          a0: instance.reg(Reg.A0),
          a1: instance.reg(Reg.A1),
          a2: instance.reg(Reg.A2),
          a3: instance.reg(Reg.A3),
          a4: instance.reg(Reg.A4),
          a5: instance.reg(Reg.A5),
        };
        return { ok: true, status: ExecStatus.Syscall, buffer };
      }
      case 'step':
      case 'segfault':
      case 'budget':
        // Modules here have no step tracing, no dynamic paging and no budgets; polkavm's backend panics too.
        throw new VirtMisuseError('unexpected-interrupt', `instance ${instanceId} stopped with '${interrupt.kind}', which virtualization never enables`);
    }
  }

  destroy(instanceId: InstanceId): VirtResult<object, DestroyError> {
    const managed = this.instances.get(instanceId);
    if (!managed) return fail(DestroyError.InvalidInstance);
    this.instances.delete(instanceId);
    // Back to the module's pool: the next instantiate of this module reuses its memory, reset.
    managed.instance.release();
    return OK;
  }

  private readyInstance(instanceId: InstanceId): Instance | undefined {
    const managed = this.instances.get(instanceId);
    return managed?.state === 'ready' ? managed.instance : undefined;
  }

  readMemory(instanceId: InstanceId, offset: number, dest: Uint8Array): VirtResult<object, MemoryError> {
    checkU32(offset, 'offset');
    const instance = this.readyInstance(instanceId);
    if (!instance) return fail(MemoryError.InvalidInstance);
    try {
      dest.set(instance.readMemory(offset, dest.length));
    } catch (e) {
      if (e instanceof MemoryAccessError) return fail(MemoryError.OutOfBounds);
      throw e;
    }
    return OK;
  }

  writeMemory(instanceId: InstanceId, offset: number, src: Uint8Array): VirtResult<object, MemoryError> {
    checkU32(offset, 'offset');
    const instance = this.readyInstance(instanceId);
    if (!instance) return fail(MemoryError.InvalidInstance);
    try {
      instance.writeMemory(offset, src);
    } catch (e) {
      if (e instanceof MemoryAccessError) return fail(MemoryError.OutOfBounds);
      throw e;
    }
    return OK;
  }
}
