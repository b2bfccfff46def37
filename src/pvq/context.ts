// The extension side of the executor (pvq-extension's `Context` and `ExtensionsExecutor`): a
// registry of extensions behind a permission check, and an executor wired to it.

import type { CompiledModuleNamespace } from '../runtime/compiled.ts';
import { encodePvqResult } from './errors.ts';
import { PvqExecutor, type PvqProgram, type HostCallResult, type PvqExecutorConfig, type PvqExecutorContext, type PvqOutcome } from './executor.ts';
import { ExtensionRegistry, extensionError, type Extension, type ExtensionError } from './extension.ts';
import { encodeExtensionsMetadata, extensionsMetadata, type ExtensionsMetadata } from './metadata.ts';

/** Who asked for the query; passed to the permission controller. */
export const InvokeSource = Object.freeze({ RuntimeAPI: 'RuntimeAPI', XCM: 'XCM', Extrinsic: 'Extrinsic', Runtime: 'Runtime' } as const);
export type InvokeSource = (typeof InvokeSource)[keyof typeof InvokeSource];

/** Decides each host call before it runs (reference `PermissionController::is_allowed`); false refuses it. */
export type PermissionController = (extensionId: bigint, callData: Uint8Array, source: InvokeSource) => boolean;

export interface ExtensionsContextOptions {
  /** Default `RuntimeAPI`. */
  invokeSource?: InvokeSource;
  /** Default: allow everything (the reference's `()` controller). */
  permission?: PermissionController;
}

/** Serves host calls from a registry, after the permission check. */
export class ExtensionsContext implements PvqExecutorContext {
  readonly registry: ExtensionRegistry;
  readonly invokeSource: InvokeSource;
  private readonly permission: PermissionController | undefined;

  constructor(registry: ExtensionRegistry, options: ExtensionsContextOptions = {}) {
    this.registry = registry;
    this.invokeSource = options.invokeSource ?? InvokeSource.RuntimeAPI;
    this.permission = options.permission;
  }

  hostCall(extensionId: bigint, callData: Uint8Array): HostCallResult | Promise<HostCallResult> {
    if (this.permission && !this.permission(extensionId, callData, this.invokeSource))
      return extensionError('permission', extensionId, `the permission controller refused a call from ${this.invokeSource}`, callData[0]);
    return this.registry.dispatch(extensionId, callData);
  }
}

export type ExtensionsExecutorOptions = PvqExecutorConfig & ExtensionsContextOptions;

/** A PvqExecutor over a set of extensions: what a runtime exposes as `execute_query` and `metadata`. */
export class ExtensionsExecutor {
  readonly registry: ExtensionRegistry;
  readonly context: ExtensionsContext;
  readonly executor: PvqExecutor;

  constructor(extensions: Iterable<Extension> | ExtensionRegistry, options: ExtensionsExecutorOptions = {}) {
    this.registry = extensions instanceof ExtensionRegistry ? extensions : new ExtensionRegistry(extensions);
    const { invokeSource, permission, ...config } = options;
    this.context = new ExtensionsContext(this.registry, { ...(invokeSource ? { invokeSource } : {}), ...(permission ? { permission } : {}) });
    this.executor = new PvqExecutor(this.context, config);
  }

  /** `program`: the bytes, a prepared PvqProgram, or an imported pvm2js compiled module of them (PvqExecutor.execute). */
  execute(program: Uint8Array | PvqProgram | CompiledModuleNamespace, args: Uint8Array, gasLimit?: bigint | number): PvqOutcome {
    return this.executor.execute(program, args, gasLimit);
  }

  /** As execute, for extensions that answer with Promises. */
  executeAsync(program: Uint8Array | PvqProgram, args: Uint8Array, gasLimit?: bigint | number): Promise<PvqOutcome> {
    return this.executor.executeAsync(program, args, gasLimit);
  }

  /** The extensions' metadata as JSON (serde's form of the reference's `Metadata`). */
  metadata(): ExtensionsMetadata {
    return extensionsMetadata(this.registry.extensions().map((e) => e.decl));
  }

  /** The same, SCALE-encoded, as `PvqApi_metadata` returns it. */
  encodedMetadata(): Uint8Array {
    return encodeExtensionsMetadata(this.metadata());
  }
}

/**
 * The runtime API a chain exposes (pvq-runtime-api `PvqApi`): `execute_query` and `metadata`, both
 * answering in SCALE exactly as the runtime encodes them. The metadata is encoded once.
 */
export class PvqApi {
  readonly extensions: ExtensionsExecutor;
  private encoded: Uint8Array | undefined;

  constructor(extensions: ExtensionsExecutor) {
    this.extensions = extensions;
  }

  /** `PvqResult` bytes: `00 ‖ Compact(len) ‖ result`, or `01 ‖ PvqError variant`. */
  executeQuery(program: Uint8Array | PvqProgram, args: Uint8Array, gasLimit?: bigint | number): Uint8Array {
    return encodePvqResult(this.extensions.execute(program, args, gasLimit));
  }

  /** As executeQuery, for extensions that answer with Promises. */
  async executeQueryAsync(program: Uint8Array | PvqProgram, args: Uint8Array, gasLimit?: bigint | number): Promise<Uint8Array> {
    return encodePvqResult(await this.extensions.executeAsync(program, args, gasLimit));
  }

  /** The SCALE `Metadata` of the extensions served (`PvqApi_metadata`). */
  metadata(): Uint8Array {
    return (this.encoded ??= this.extensions.encodedMetadata()).slice();
  }
}
