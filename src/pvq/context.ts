// The extension side of the executor (pvq-extension's `Context` and `ExtensionsExecutor`): a
// registry of extensions behind a permission check, and an executor wired to it.

import type { CompiledModuleNamespace } from '../runtime/compiled.ts';
import { PvqExecutor, type PvqConfig, type PvqExecutorContext, type PvqOutcome } from './executor.ts';
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

  hostCall(extensionId: bigint, callData: Uint8Array): Uint8Array | ExtensionError {
    if (this.permission && !this.permission(extensionId, callData, this.invokeSource))
      return extensionError('permission', extensionId, `the permission controller refused a call from ${this.invokeSource}`, callData[0]);
    return this.registry.dispatch(extensionId, callData);
  }
}

export type ExtensionsExecutorOptions = PvqConfig & ExtensionsContextOptions;

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

  /** `program`: the bytes, or an imported pvm2js compiled module of them (PvqExecutor.execute). */
  execute(program: Uint8Array | CompiledModuleNamespace, args: Uint8Array, gasLimit?: bigint | number): PvqOutcome {
    return this.executor.execute(program, args, gasLimit);
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
