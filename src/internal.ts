// Internals for tests and tools; not a stable API.
export * from './decoder/index.ts';
export * as assembler from './assembler/index.ts';
