// PVQ (PolkaVM Query): the query executor, extensions, built-in extension traits, a mock runtime, metadata.
export {
  PvqExecutor,
  PvqModuleCache,
  PvqProgram,
  PVQ_DEFAULT_CONFIG,
  PVQ_REFERENCE_CONFIG,
  resolvePvqConfig,
  type HostCallResult,
  type PvqConfig,
  type PvqExecutorConfig,
  type PvqLogger,
  type ResolvedPvqConfig,
  type PvqExecutorContext,
  type PvqMetrics,
  type PvqOutcome,
} from './executor.ts';
export {
  encodePvqResult,
  executorErrorName,
  referenceError,
  referenceErrorText,
  REFERENCE_ERRORS,
  type PvqError,
  type PvqErrorKind,
  type PvqExecutorErrorName,
  type ReferenceError,
  type RuntimeErrorDetail,
} from './errors.ts';
export {
  DispatchError,
  ExtensionRegistry,
  declareExtension,
  extensionId,
  implementExtension,
  type Extension,
  type ExtensionDecl,
  type ExtensionError,
  type ExtensionErrorKind,
  type ExtensionFunction,
  type FunctionDecl,
} from './extension.ts';
export { ExtensionsContext, ExtensionsExecutor, InvokeSource, PvqApi, type ExtensionsContextOptions, type ExtensionsExecutorOptions, type PermissionController } from './context.ts';
export {
  coreExtensionDecl,
  fungiblesExtensionDecl,
  swapExtensionDecl,
  type CoreTypes,
  type FungiblesRevision,
  type FungiblesTypes,
  type SwapRevision,
  type SwapTypes,
} from './builtins.ts';
export { MockRuntimeState, MockStateError, mockExtensions, testRunnerExtensions, MOCK_FUNGIBLES_TYPES, MOCK_SWAP_TYPES, MOCK_ASSET_INFO, type MockExtensionsOptions } from './mock.ts';
export {
  codecForType,
  decodeQueryResult,
  encodeExtensionsMetadata,
  encodeQueryArgs,
  entrypointOf,
  extensionsMetadata,
  parseProgramMetadata,
  toJsonValue,
  MetadataError,
  type ExtensionMetadata,
  type ExtensionsMetadata,
  type FunctionMetadata,
  type ProgramMetadata,
  type VariantValue,
} from './metadata.ts';
export { T, TypeRegistry, decodePrefix, type TypeDesc, type TypeShape, type PortableRegistry, type PortableType } from './types.ts';
