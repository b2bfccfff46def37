// Internals for tests and tools; not a stable API.
export * from './decoder/index.ts';
export * as assembler from './assembler/index.ts';
export * as machine from './machine/index.ts';
export * as interpreter from './interpreter/index.ts';
export * as runtime from './runtime/index.ts';
