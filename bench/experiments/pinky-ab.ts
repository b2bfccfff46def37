// Pinky warm on the compiled backend with different codegen options, in one process, runs alternating
// between them: this 2-core machine drops to ~0.6x speed for seconds at a time (bench/README.md,
// "calls_64's two speeds"), which makes fresh-process pairs noisy; alternating runs share the slow
// stretches. Each option set is its own program text (its own region functions).
// Usage: npx tsx bench/experiments/pinky-ab.ts <runs> <options JSON>...
//   node --no-use-osr --import tsx bench/experiments/pinky-ab.ts 10 '{"regionSize":400}' '{"regionSize":700}'
import { readFileSync } from 'node:fs';
import { createCompiledBackend, type CodegenOptions } from '../../src/codegen/index.ts';
import { interpreterBackend } from '../../src/interpreter/index.ts';
import { registerBackend } from '../../src/runtime/backends.ts';
import { Module, type BackendName } from '../../src/runtime/index.ts';
import { sharedPath } from '../../test/shared.ts';

const runs = Number(process.argv[2] ?? 10);
const variants = process.argv.slice(3).map((text) => JSON.parse(text) as CodegenOptions);
if (variants.length === 0) throw new Error('usage: pinky-ab.ts <runs> <options JSON>...');
const bytes = readFileSync(sharedPath('blobs', 'polkavm', 'bench-pinky.polkavm'));
const modules = variants.map((options, k) => {
  registerBackend({ ...createCompiledBackend(interpreterBackend, options), name: `compiled-ab-${k}` });
  return Module.fromBytes(bytes, { backend: `compiled-ab-${k}` as BackendName, gasMetering: 'sync' });
});
const times = variants.map((): number[] => []);
for (let run = 0; run < runs; run++) {
  modules.forEach((module, k) => {
    const instance = module.instantiate();
    instance.prepareCall('initialize');
    instance.setGas(10_000_000_000n);
    const c0 = process.cpuUsage();
    instance.run();
    const c = process.cpuUsage(c0);
    if (instance.reg(2) !== 0x53b7d7fan) throw new Error(`variant ${k}: wrong result`);
    times[k]!.push(Math.round((c.user + c.system) / 1000));
  });
}
const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;
variants.forEach((options, k) => console.log(`${JSON.stringify(options)}: ${times[k]!.join(' ')} ms CPU | median of runs 4-${runs}: ${median(times[k]!.slice(3))}`));
