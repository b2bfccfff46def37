// pinky `initialize` on a tiered backend in this (fresh) process: the first run, as a one-shot user
// sees it, and then warm runs. For trying tiering parameters against V8's tier-up.
// Usage: node --no-use-osr --import tsx bench/experiments/pinky-tiered.ts [regionSize] [runs] [threshold] [copiesAfter]
import { readFileSync } from 'node:fs';
import { registerBackend } from '../../src/runtime/backends.ts';
import { Module, type BackendName } from '../../src/runtime/index.ts';
import { createTieredBackend } from '../../src/tiered/index.ts';
import { sharedPath } from '../../test/shared.ts';

const regionSize = process.argv[2] ? Number(process.argv[2]) : undefined;
const runs = Number(process.argv[3] ?? 1);
const threshold = process.argv[4] ? Number(process.argv[4]) : undefined;
const copiesAfter = process.argv[5] ? Number(process.argv[5]) : undefined;
registerBackend(createTieredBackend({ name: 'tiered-experiment', ...(regionSize ? { regionSize } : {}), ...(threshold !== undefined ? { threshold } : {}), ...(copiesAfter !== undefined ? { copiesAfter } : {}) }));
const bytes = readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm'));
const w0 = performance.now();
const module = Module.fromBytes(bytes, { backend: 'tiered-experiment' as unknown as BackendName, gasMetering: 'sync' });
const times: string[] = [`load ${(performance.now() - w0).toFixed(0)}`];
for (let k = 0; k < runs; k++) {
  const instance = module.instantiate();
  instance.prepareCall('initialize');
  instance.setGas(10_000_000_000n);
  const t0 = performance.now();
  instance.run();
  if (10_000_000_000n - instance.gas() !== 327_668_972n) throw new Error('wrong gas');
  times.push((performance.now() - t0).toFixed(0));
}
console.log(`regionSize ${regionSize ?? 'default'} copiesAfter ${copiesAfter ?? 'default'}: ${times.join(' ')} ms`);
const tiered = (module as unknown as { backendModule: { generatedRegions: number; compiled?: { program: { regionMembers: unknown[]; code: { count: number } } } } }).backendModule;
console.log(`generated ${tiered.generatedRegions} times, ${tiered.compiled?.program.regionMembers.length ?? 0} regions, ${tiered.compiled?.program.code.count ?? 0} instructions`);
