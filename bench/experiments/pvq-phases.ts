// Where the time of many PVQ queries goes, per phase: generation (tiered: TieredModule.book), the
// queries right after it (V8 warming the generated code up), and the steady state. Prints one line.
import { ExtensionsExecutor, mockExtensions } from '../../src/pvq/index.ts';
import type { BackendName } from '../../src/runtime/index.ts';
import { benchState, pvqWorkload } from '../pvq.ts';
import { TieredModule } from '../../src/tiered/index.ts';

const [name, backend, countText] = process.argv.slice(2) as [string, BackendName, string];
const count = Number(countText ?? 10000);
let genMs = 0;
let genCalls = 0;
const book = TieredModule.prototype.book;
TieredModule.prototype.book = function (this: TieredModule, index: number, ran: number, short: boolean): number {
  const t = book.call(this, index, ran, short);
  if (t > 0) (genMs += t), genCalls++;
  return t;
};
const onTouch = (TieredModule.prototype as unknown as { generateOnTouch?: (r: number) => number }).generateOnTouch;
if (onTouch)
  (TieredModule.prototype as unknown as { generateOnTouch: (r: number) => number }).generateOnTouch = function (this: TieredModule, region: number): number {
    const t = onTouch.call(this, region);
    if (t >= 0) (genMs += t), genCalls++;
    return t;
  };
const workload = pvqWorkload(name);
const program = workload.program();
const executor = new ExtensionsExecutor(mockExtensions(benchState()), { backend });
const times = new Float64Array(count);
const t0 = performance.now();
let last = t0;
for (let k = 0; k < count; k++) {
  const o = executor.execute(program, workload.args);
  if (!o.ok) throw new Error(JSON.stringify(o.error));
  const now = performance.now();
  times[k] = now - last;
  last = now;
}
const total = last - t0;
const sum = (a: number, b: number): number => { let s = 0; for (let k = a; k < Math.min(b, count); k++) s += times[k]!; return s; };
const sorted = Float64Array.from(times.subarray(count >> 1)).sort();
console.log(
  `${name} ${backend} total ${total.toFixed(0)} gen ${genMs.toFixed(0)} (${genCalls}) first ${times[0]!.toFixed(1)} q2-100 ${sum(1, 100).toFixed(0)} q101-1000 ${sum(100, 1000).toFixed(0)} q1001-3000 ${sum(1000, 3000).toFixed(0)} rest ${sum(3000, count).toFixed(0)} median-late ${(sorted[sorted.length >> 1]! * 1000).toFixed(1)}us`,
);
const module = (executor.executor as unknown as { lastLoad: { module: { backendModule: TieredModule } } }).lastLoad.module.backendModule;
if (module instanceof TieredModule) console.log(`generated regions ${module.generatedRegions}`);
