// A kernel's runs interleaved with a plain-JS loop of eight independent int32 chains (bound by the
// core's throughput): when the kernel's warm speed drops by ~1.6x, does the plain loop drop with it?
// It does (bench/README.md, "Session 6"): the slow mode is the machine's, not the generated code's.
// Usage: node --no-use-osr --import tsx bench/experiments/calib.ts [kernel] [rounds]
// Prints kernel M/s / plain-loop M iterations/s per round.
import { cpuMs as cpu, kernelRuns } from './kernel-runs.ts';
const { run } = kernelRuns(process.argv[2]);
function calib(): number {
  // Eight independent chains: bound by the core's throughput, not by one chain's latency.
  let a = 1, b = 2, c = 3, d = 4, e = 5, f = 6, g = 7, h = 8, s = 0;
  const t0 = cpu();
  for (let i = 0; i < 30_000_000; i++) {
    a = (a + i) ^ (a << 3); b = (b + i) ^ (b >>> 2); c = (c - i) ^ (c << 5); d = (d + 7) ^ (d >>> 3);
    e = (e + i) ^ (e << 1); f = (f - 3) ^ (f >>> 1); g = (g + 9) ^ (g << 2); h = (h + i) ^ (h >>> 4);
  }
  s = a ^ b ^ c ^ d ^ e ^ f ^ g ^ h;
  const ms = cpu() - t0;
  if (s === 42) console.log('x');
  return 30_000 / ms;
}
const out: string[] = [];
for (let k = 0; k < Number(process.argv[3] ?? 12); k++) out.push(`${run().toFixed(0)}/${calib().toFixed(0)}`);
console.log(out.join(' '));
