// Internals for tests and tools; not a stable API.
export * from './decoder/index.ts';
