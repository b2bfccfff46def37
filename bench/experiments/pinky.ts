// Quick check of the speed goal: bench-pinky.polkavm `initialize` on a fresh instance, sync gas,
// naive model (327,668,972 instructions). Prints compile, first-run and repeated-run times.
// Usage: npx tsx bench/experiments/pinky.ts [compiled|interpreter] [runs] [regionSize] [nocount]
import { readFileSync } from 'node:fs';
import { createCompiledBackend } from '../../src/codegen/index.ts';
import { interpreterBackend } from '../../src/interpreter/index.ts';
import { registerBackend } from '../../src/runtime/backends.ts';
import { Module } from '../../src/runtime/index.ts';
import { sharedPath } from '../../test/shared.ts';

const backend = (process.argv[2] ?? 'compiled') as 'compiled' | 'interpreter' | 'tiered';
const runs = Number(process.argv[3] ?? 3);
if (process.argv[4] !== undefined || process.argv[5] !== undefined) {
  const regionSize = process.argv[4] ? Number(process.argv[4]) : undefined;
  registerBackend(createCompiledBackend(interpreterBackend, { ...(regionSize ? { regionSize } : {}), countSteps: process.argv[5] !== 'nocount' }));
}
const bytes = readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm'));
const t0 = performance.now();
const module = Module.fromBytes(bytes, { backend, gasMetering: 'sync' });
console.log(`${backend}: module ${(performance.now() - t0).toFixed(1)} ms`);
let totalCpu = 0;
for (let k = 0; k < runs; k++) {
  const instance = module.instantiate();
  instance.prepareCall('initialize');
  instance.setGas(10_000_000_000n);
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const interrupt = instance.run();
  const wall = performance.now() - w0;
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  totalCpu += cpu;
  const used = 10_000_000_000n - instance.gas();
  const regs = Array.from({ length: 13 }, (_, r) => '0x' + instance.reg(r).toString(16));
  const ok = used === 327_668_972n && regs[2] === '0x53b7d7fa' && regs[9] === '0xc7e3';
  console.log(`run ${k}: ${interrupt.kind} ${ok ? 'ok' : 'WRONG ' + used + ' ' + regs.join(' ')} wall ${wall.toFixed(0)} ms cpu ${(cpu * 1000).toFixed(0)} ms = ${(Number(used) / cpu / 1e6).toFixed(0)} M insn/s (CPU)`);
}
console.log(`total cpu ${(totalCpu * 1000).toFixed(0)} ms`);
if (process.env.STATUS) {
  const regions = (module as unknown as { backendModule: { regions: Function[] } }).backendModule.regions;
  const st = (f: Function): number => new Function('f', 'return %GetOptimizationStatus(f)')(f);
  console.log('status', regions.map((f, r) => [r, st(f)] as const).filter(([, x]) => (x & (1 << 15)) && !(x & 16)).map(([r]) => `r${r}`).join(' '));
}
