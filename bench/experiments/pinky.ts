// Quick check of the speed goal: bench-pinky.polkavm `initialize` on a fresh instance, sync gas,
// naive model (327,668,972 instructions). Prints compile, first-run and repeated-run times.
// Usage: npx tsx bench/experiments/pinky.ts [compiled|interpreter] [runs]
import { readFileSync } from 'node:fs';
import { Module } from '../../src/runtime/index.ts';
import { sharedPath } from '../../test/shared.ts';

const backend = (process.argv[2] ?? 'compiled') as 'compiled' | 'interpreter';
const runs = Number(process.argv[3] ?? 3);
const bytes = readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm'));
const t0 = performance.now();
const module = Module.fromBytes(bytes, { backend, gasMetering: 'sync' });
console.log(`${backend}: module ${(performance.now() - t0).toFixed(1)} ms`);
for (let k = 0; k < runs; k++) {
  const instance = module.instantiate();
  instance.prepareCall('initialize');
  instance.setGas(10_000_000_000n);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const interrupt = instance.run();
  const wall = performance.now() - w0;
  const c = process.cpuUsage(c0);
  const used = 10_000_000_000n - instance.gas();
  const regs = Array.from({ length: 13 }, (_, r) => '0x' + instance.reg(r).toString(16));
  console.log(`run ${k}: ${interrupt.kind} gas used ${used} wall ${(wall / 1000).toFixed(3)} s cpu ${((c.user + c.system) / 1e6).toFixed(3)} s = ${(Number(used) / wall / 1000).toFixed(0)} M insn/s; regs ${regs.join(' ')}`);
}
