import { readFileSync } from 'node:fs';
import { assemble } from '../../src/assembler/assemble.ts';
import { compileToJs } from '../../src/codegen/index.ts';
import { Module } from '../../src/runtime/index.ts';
const name = process.argv[2];
const src = readFileSync(`/work/h-lead/bench/kernels/${name}.txt`, 'utf8');
const m = Module.fromBytes(assemble(src), { backend: 'interpreter', gasMetering: 'sync' });
console.log(compileToJs(m.image).code);
