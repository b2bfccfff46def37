export * from './table.ts';
export * from './isa.ts';
export * from './errors.ts';
export * from './blob.ts';
export * from './code.ts';
export { readVarint, writeVarint } from './reader.ts';
export * from './debug.ts';
export * from './disasm.ts';
export * from './input.ts';
