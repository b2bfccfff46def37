// Module: a program decoded and prepared for one backend, with the options it was made with
// (polkavm `Module` + `ModuleConfig`). Options are normalised once, here.

import type { ProgramBlob } from '../decoder/blob.ts';
import { decodeProgram, type DecodedCode } from '../decoder/code.ts';
import { MissingIsaError, parseProgram, type InputFormat } from '../decoder/input.ts';
import { Isa, parseIsaName, type IsaName } from '../decoder/isa.ts';
import { costModelByName, isCostModelName, type CostModelName } from '../gas/index.ts';
import { naiveCostModel, type CostModel } from '../gas/model.ts';
import { buildMemoryMap, VM_MIN_PAGE_SIZE, type MemoryMap } from '../machine/layout.ts';
import type { BackendModule, GasMetering, ModuleImage } from '../machine/state.ts';
import { defaultBackendName, getBackend, hasBackend, type BackendName } from './backends.ts';
import { RuntimeError } from './errors.ts';
import { Instance } from './instance.ts';
import { noticeOnce, type Logger } from './logger.ts';
import { codeGenerationAllowed } from '../codegen/eval.ts';
import { hasPrecompiled, moduleId } from '../codegen/cache.ts';

export interface ModuleOptions {
  /** Default: 'tiered' (interpreter first, hot code compiled); 'compiled' compiles the whole program
   * before the first instruction; 'interpreter'. */
  backend?: BackendName;
  /** Default: none (gas is not metered). 'sync': out of gas is resumable; 'async': gas goes negative. */
  gasMetering?: GasMetering | undefined;
  /** Default: the naive model (1 per instruction), polkavm's default. A name, a CostModel, or a
   * per-block table via `tableCostModel` from src/gas. */
  costModel?: CostModel | CostModelName;
  /** Default 4096; a power of two from 4 KiB to 64 KiB. */
  pageSize?: number;
  /** Default 0: bytes of aux data (host-written, read-only for the guest) below 0xFFFF0000. */
  auxDataSize?: number;
  /** Default false. Memory starts empty; guest accesses to unmapped pages are segfaults. */
  dynamicPaging?: boolean;
  /** Default false. A `step` interrupt before every instruction. */
  stepTracing?: boolean;
  /** The ISA of a bare input (jam-program / jam-service); a `.polkavm` container names its own. */
  isa?: Isa | IsaName | string;
  /** Default: `polkavm` for inputs starting with `PVM\0`, else `jam-program`. */
  format?: InputFormat;
  /** Dynamic paging only. What a guest write to a mapped read-only page does: 'segfault' (default,
   * polkavm 0.35: a segfault with `isWriteProtected`) or 'trap' (the older polkavm behaviour the
   * jam-gas-model vectors were generated with). */
  readOnlyWrite?: 'segfault' | 'trap';
  /** Default unlimited (as polkavm): bytes of guest memory an instance may make accessible (ro + rw +
   * heap + stack + aux, page-aligned). Instantiating a module whose regions exceed it throws a
   * RuntimeError 'out-of-memory'; heap growth past it stops the run with budget('memory'); with
   * dynamic paging, mapping pages past it throws. Unlimited is safe against hostile size declarations:
   * regions are allocated as the engine's zeroed arrays, which the OS commits only when touched, and
   * never zeroed or copied wholesale past a few MiB (src/machine/memory.ts). */
  memoryLimit?: number;
  /** Default: the blob's declared stack size. Bytes of stack (rounded up to the page size), a u32. */
  stackSize?: number;
  /** Where notices go (a backend that cannot run here, and the one used instead); default: the
   * runtime's logger (`setLogger`), which writes console.warn. Each notice is given once per logger. */
  logger?: Logger;
}

/** Options after normalisation: every default filled in. */
export interface ResolvedModuleOptions {
  readonly backend: BackendName;
  readonly gasMetering: GasMetering | undefined;
  readonly costModel: CostModel;
  readonly pageSize: number;
  readonly auxDataSize: number;
  readonly dynamicPaging: boolean;
  readonly stepTracing: boolean;
  readonly memoryLimit: number;
  readonly readOnlyWrite: 'segfault' | 'trap';
  /** undefined: the blob's. */
  readonly stackSize: number | undefined;
  readonly logger: Logger | undefined;
}

function resolveIsa(isa: ModuleOptions['isa']): Isa | undefined {
  if (isa === undefined || typeof isa === 'number') return isa;
  const parsed = parseIsaName(isa);
  if (parsed === undefined) throw new RuntimeError('bad-option', `unknown ISA '${isa}'`);
  return parsed;
}

function resolveOptions(options: ModuleOptions): ResolvedModuleOptions {
  const backend = options.backend ?? defaultBackendName();
  if (typeof backend !== 'string' || !hasBackend(backend)) getBackend(String(backend));
  const gasMetering = options.gasMetering;
  if (gasMetering !== undefined && gasMetering !== 'sync' && gasMetering !== 'async')
    throw new RuntimeError('bad-option', `unknown gas metering '${String(gasMetering)}' (expected sync or async)`);
  let costModel: CostModel = naiveCostModel;
  if (typeof options.costModel === 'string') {
    if (!isCostModelName(options.costModel)) throw new RuntimeError('bad-option', `unknown cost model '${options.costModel}'`);
    costModel = costModelByName(options.costModel);
  } else if (options.costModel) costModel = options.costModel;
  const memoryLimit = options.memoryLimit ?? Infinity;
  if (!(memoryLimit >= 0)) throw new RuntimeError('bad-option', `memoryLimit must be a non-negative number`);
  const stackSize = options.stackSize;
  if (stackSize !== undefined && (!Number.isInteger(stackSize) || stackSize < 0 || stackSize > 0xffffffff))
    throw new RuntimeError('bad-option', `stackSize must be a u32, got ${stackSize}`);
  const readOnlyWrite = options.readOnlyWrite ?? 'segfault';
  if (readOnlyWrite !== 'segfault' && readOnlyWrite !== 'trap')
    throw new RuntimeError('bad-option', `unknown readOnlyWrite '${String(readOnlyWrite)}' (expected segfault or trap)`);
  return {
    readOnlyWrite,
    backend,
    gasMetering,
    costModel,
    pageSize: options.pageSize ?? VM_MIN_PAGE_SIZE,
    auxDataSize: options.auxDataSize ?? 0,
    dynamicPaging: options.dynamicPaging ?? false,
    stepTracing: options.stepTracing ?? false,
    memoryLimit,
    stackSize,
    logger: options.logger,
  };
}

/**
 * A program prepared without decoding it: a compiled module's stored tables (runtime/compiled.ts).
 * `code` decodes the program on first use of a field the tables do not hold.
 */
export interface PreparedProgram {
  readonly code: DecodedCode;
  /** Per instruction: the cost of the block starting there (0 elsewhere); read on first need. */
  readonly blockCosts: Uint32Array;
  /** The backend module for the image made from `code` and `blockCosts`. */
  readonly load: (image: ModuleImage) => BackendModule;
}

const EMPTY_COSTS = new Uint32Array(0);

/** Released instances a module keeps for reuse; more are left to the garbage collector. */
const POOL_SIZE = 4;

export class Module {
  readonly blob: ProgramBlob;
  readonly code: DecodedCode;
  readonly memoryMap: MemoryMap;
  readonly image: ModuleImage;
  readonly options: ResolvedModuleOptions;
  private readonly backendModule: BackendModule;
  private readonly exportPcs: ReadonlyMap<string, number>;
  private readonly pool: Instance[] = [];

  private constructor(blob: ProgramBlob, options: ModuleOptions, prepared?: PreparedProgram) {
    let resolved = resolveOptions(options);
    this.blob = blob;
    this.code = prepared ? prepared.code : decodeProgram(blob);
    this.memoryMap = buildMemoryMap({
      pageSize: resolved.pageSize,
      roDataSize: blob.roDataSize,
      rwDataSize: blob.rwDataSize + blob.extraRwPages * VM_MIN_PAGE_SIZE,
      stackSize: resolved.stackSize ?? blob.stackSize,
      auxDataSize: resolved.auxDataSize,
    });
    const image = {
      blob,
      code: this.code,
      memoryMap: this.memoryMap,
      gasMetering: resolved.gasMetering,
      blockCosts: prepared ? EMPTY_COSTS : resolved.costModel.blockCosts(this.code),
      dynamicPaging: resolved.dynamicPaging,
      stepTracing: resolved.stepTracing,
    };
    // Prepared costs are made on first read (the interpreter fallback): the compiled backend looks
    // them up in the stored tables.
    if (prepared) Object.defineProperty(image, 'blockCosts', { get: () => prepared.blockCosts, enumerable: true });
    this.image = image;
    // Prepared code is already evaluated (an imported module): it runs where eval is not allowed.
    if (!prepared) resolved = this.withRunnableBackend(resolved);
    this.options = resolved;
    const pcs = new Map<string, number>();
    for (const e of blob.exports) if (!pcs.has(e.name)) pcs.set(e.name, e.pc);
    this.exportPcs = pcs;
    this.backendModule = prepared ? prepared.load(this.image) : getBackend(resolved.backend).load(this.image);
  }

  /**
   * A Module over a program prepared without decoding (runtime/compiled.ts `loadCompiled`): its code
   * and block costs are the prepared ones, its backend module the prepared one. Runtime-internal.
   */
  static fromPrepared(blob: ProgramBlob, options: ModuleOptions, prepared: PreparedProgram): Module {
    return new Module(blob, options, prepared);
  }

  /**
   * The backend to use instead of one that generates code where code generation from strings is
   * forbidden (a CSP without 'unsafe-eval'): the interpreter, with a notice. Code already generated
   * for this program (an imported compiled module) needs no evaluation and is used as is.
   */
  private withRunnableBackend(resolved: ResolvedModuleOptions): ResolvedModuleOptions {
    const name = resolved.backend;
    if (name === 'interpreter' || !hasBackend('interpreter') || codeGenerationAllowed()) return resolved;
    if (name === 'compiled' && hasPrecompiled(moduleId(this.image))) return resolved;
    noticeOnce(
      'no-eval',
      `code generation from strings is not allowed here (a Content-Security-Policy without 'unsafe-eval', or node --disallow-code-generation-from-strings): the '${name}' backend runs on the interpreter instead`,
      resolved.logger,
    );
    return { ...resolved, backend: 'interpreter' };
  }

  /** Parses and prepares a program: a `.polkavm` blob, or a bare JAM program / service with `isa`. */
  static fromBytes(bytes: Uint8Array, options: ModuleOptions = {}): Module {
    const isa = resolveIsa(options.isa);
    let blob: ProgramBlob;
    try {
      blob = parseProgram(bytes, { ...(options.format ? { format: options.format } : {}), ...(isa !== undefined ? { isa } : {}) });
    } catch (e) {
      if (e instanceof MissingIsaError)
        throw new RuntimeError('bad-option', `the bytes do not start with "PVM\\0", so they are read as a bare ${options.format ?? 'jam-program'}, which names no instruction set: pass ModuleOptions.isa (e.g. { isa: 'jam_v1' })`);
      throw e;
    }
    return new Module(blob, options);
  }

  static fromBlob(blob: ProgramBlob, options: ModuleOptions = {}): Module {
    return new Module(blob, options);
  }

  get is64Bit(): boolean {
    return this.blob.is64Bit;
  }

  /** The code offset of an export, or undefined. */
  exportPc(name: string): number | undefined {
    return this.exportPcs.get(name);
  }

  exportNames(): string[] {
    return [...this.exportPcs.keys()];
  }

  /** The stack top: the default SP of a call (polkavm `default_sp`). */
  get defaultSp(): number {
    return this.memoryMap.stackAddressHigh;
  }

  /**
   * A new instance: fresh memory, registers cleared, no gas, nothing to run. Reuses an instance given
   * back with `Instance.release()` when there is one (reset to exactly that state). Throws a
   * RuntimeError 'out-of-memory' when the memory exceeds `memoryLimit` or cannot be allocated.
   */
  instantiate(): Instance {
    const reused = this.pool.pop();
    if (reused) {
      reused.reuse();
      return reused;
    }
    return new Instance(this, this.backendModule);
  }

  /** Called by `Instance.release()`. */
  /** Released instances waiting to be handed out again by `instantiate()`. */
  get pooledInstances(): number {
    return this.pool.length;
  }

  recycle(instance: Instance): void {
    if (this.pool.length < POOL_SIZE && !this.pool.includes(instance)) this.pool.push(instance);
  }
}
