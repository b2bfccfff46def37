// The recompiler: generated JS per region of guest code, run by the compiled backend.
export { compileToJs, DEFAULT_REGION_SIZE, type CodegenOptions, type CompiledJs, type LinkFunction } from './generate.ts';
export { createCompiledBackend, CompiledModule, CompiledInstance, linkRegions } from './backend.ts';
export { moduleId, compileCached, clearModuleCache, moduleCacheSize, providePrecompiled, codeGenerationCount } from './cache.ts';
