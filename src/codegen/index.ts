// The recompiler: generated JS per region of guest code, run by the compiled backend.
export { compileToJs, compileRegionJs, DEFAULT_REGION_SIZE, type CodegenOptions, type CompiledJs, type LinkFunction } from './generate.ts';
export { createCompiledBackend, CompiledModule, CompiledInstance, linkRegions, linkRegion, regionEnvironment, LEFT_COMPILED_CODE, REGION_STUB, type RegionFunction, type RegionEnvironment } from './backend.ts';
export { analyse, type CodegenProgram } from './program.ts';
export { codeGenerationAllowed } from './eval.ts';
export { moduleId, compileCached, clearModuleCache, moduleCacheSize, providePrecompiled, codeGenerationCount } from './cache.ts';
export { packTables, sealTables, unpackTables, loadStoredModule, encodeBase64, decodeBase64, StoredTablesError, STORED_TABLES_FORMAT, type StoredProgram } from './stored.ts';
