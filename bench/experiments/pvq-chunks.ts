// Per-chunk timing of many PVQ queries in one process (tiered vs compiled investigation).
import { ExtensionsExecutor, mockExtensions } from '../../src/pvq/index.ts';
import type { BackendName } from '../../src/runtime/index.ts';
import { benchState, pvqWorkload } from '../pvq.ts';

const [name, backend, countText, chunkText] = process.argv.slice(2) as [string, BackendName, string, string];
const count = Number(countText ?? 10000);
const chunk = Number(chunkText ?? 1000);
const workload = pvqWorkload(name);
const program = workload.program();
const executor = new ExtensionsExecutor(mockExtensions(benchState()), { backend });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const marks: string[] = [];
let last = t0;
for (let k = 0; k < count; k++) {
  const o = executor.execute(program, workload.args);
  if (!o.ok) throw new Error(JSON.stringify(o.error));
  if (k === 0 || k === 9 || k === 99 || (k + 1) % chunk === 0) {
    const now = performance.now();
    marks.push(`${k + 1}:${(now - last).toFixed(1)}`);
    last = now;
  }
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(`${name} ${backend} total ${wallMs.toFixed(0)} ms cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms | ${marks.join(' ')}`);
