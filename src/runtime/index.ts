// The runtime: modules, instances, the host-call loop, and the backend registry.
export { Module, type ModuleOptions, type ResolvedModuleOptions } from './module.ts';
export { Instance, ARG_REGS, type CallMetrics, type CallResult, type HostFunction } from './instance.ts';
export { Linker, type LinkerOptions } from './linker.ts';
export { RuntimeError, type RuntimeErrorKind } from './errors.ts';
export { setLogger, type Logger } from './logger.ts';
export { BACKEND_NAMES, registerBackend, hasBackend, getBackend, defaultBackendName, type BackendName } from './backends.ts';
export { compileModule, loadCompiled, precompile, readPrecompiled, isCompiledModule, COMPILED_MODULE_FORMAT, type PrecompileOptions, type PrecompiledProgram, type CompiledModuleNamespace, type CompiledModuleOptions, type CompileModuleOptions, type CompiledModuleText, type LoadCompiledOptions } from './compiled.ts';
export { tuneEngine, ENGINE_FLAGS, type EngineTuning } from './engine.ts';
