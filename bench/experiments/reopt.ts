// Does a kernel's steady speed change when its regions are deoptimised and compiled again (new code
// objects at new addresses) in the same process? Prints two timed runs per compilation, M/s.
// node --allow-natives-syntax --no-use-osr --import tsx bench/experiments/reopt.ts calls_64
import { cpuMs as cpu, kernelRuns } from './kernel-runs.ts';
const { module, run } = kernelRuns(process.argv[2]);
const natives = (s: string) => new Function('f', s) as (f: unknown) => unknown;
const deopt = natives('%DeoptimizeFunction(f)');
const optNext = natives('%OptimizeFunctionOnNextCall(f)');
const status = natives('return %GetOptimizationStatus(f)') as (f: unknown) => number;
for (let k = 0; k < 4; k++) run();
const bm = (module as unknown as { backendModule: { regions: Function[] } }).backendModule;
const out: string[] = [];
for (let k = 0; k < Number(process.argv[3] ?? 10); k++) {
  const a = run(), b = run();
  out.push(`${a.toFixed(0)},${b.toFixed(0)}[${(status(bm.regions[0]) as number).toString(16)}]`);
  for (const f of bm.regions) { deopt(f); optNext(f); }
  run();
}
console.log(out.join(' '));
