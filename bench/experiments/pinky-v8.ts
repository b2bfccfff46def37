// What V8 does with pinky's generated code on a first run (issue 11's profile): TurboFan compilations
// of region functions and the compiler time they took, deoptimisations by reason and by region, and
// the generated text per guest instruction. Runs the CLI in a child process with V8's tracing flags.
// Usage: npm run build && npx tsx bench/experiments/pinky-v8.ts [compiled|tiered]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { compileToJs } from '../../src/codegen/index.ts';
import { Module } from '../../src/runtime/index.ts';
import { sharedPath } from '../../test/shared.ts';

const backend = process.argv[2] ?? 'compiled';
const blob = sharedPath('blobs', 'polkavm', 'bench-pinky.polkavm');
const cli = new URL('../../dist/cli/main.js', import.meta.url).pathname;
const run = spawnSync(process.execPath, ['--trace-opt', '--trace-deopt', cli, 'run', blob, 'initialize', '--gas', '2000000000', '--backend', backend, '--json'], {
  encoding: 'utf8',
  maxBuffer: 1 << 28,
});
const lines = (run.stdout + run.stderr).split('\n');
const regionCompiles = lines.filter((l) => /completed compiling .*JSFunction r\d+ .*TURBOFAN/.test(l));
const compilerMs = regionCompiles.reduce((sum, l) => {
  const m = /took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(l);
  return sum + (m ? Number(m[1]) + Number(m[2]) + Number(m[3]) : 0);
}, 0);
const deopts = lines.filter((l) => l.startsWith('[bailout (kind: deopt'));
const count = (keys: string[]): string =>
  [...keys.reduce((m, k) => m.set(k, (m.get(k) ?? 0) + 1), new Map<string, number>())]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 8)
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
const exec = /"execMs":([\d.]+)/.exec(run.stdout)?.[1];
console.log(`backend ${backend}: exec ${exec} ms (first run, fresh process)`);
console.log(`TurboFan compilations of region functions: ${regionCompiles.length}, ${compilerMs.toFixed(0)} ms of compiler time`);
console.log(`deopts: ${deopts.length}; by reason: ${count(deopts.map((l) => /reason: ([^)]*)/.exec(l)?.[1] ?? '?'))}`);
console.log(`deopts by function: ${count(deopts.map((l) => /JSFunction (\w+)/.exec(l)?.[1] ?? '?'))}`);
const image = Module.fromBytes(new Uint8Array(readFileSync(blob)), { backend: 'interpreter', gasMetering: 'sync' }).image;
const js = compileToJs(image);
console.log(`generated text: ${js.code.length} bytes for ${image.code.count} instructions = ${(js.code.length / image.code.count).toFixed(1)} bytes per guest instruction`);
