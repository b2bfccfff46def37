// Does a kernel's steady speed change when its regions are deoptimised and compiled again (new code
// objects at new addresses) in the same process? Prints two timed runs per compilation, M/s.
// node --allow-natives-syntax --no-use-osr --import tsx bench/experiments/reopt.ts calls_64
import { assemble } from '../../src/assembler/assemble.ts';
import { Module } from '../../src/runtime/index.ts';
import { loadKernels } from '../kernels/index.ts';
const kernel = loadKernels().find((k) => k.name === (process.argv[2] ?? 'calls_64'))!;
const module = Module.fromBytes(assemble(kernel.source), { backend: 'compiled', gasMetering: 'sync' });
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1000; };
const run = () => {
  const instance = module.instantiate();
  instance.prepareCall(kernel.entry, [BigInt(kernel.argument)]);
  instance.setGas(10n ** 12n);
  const t0 = cpu();
  instance.run();
  const ms = cpu() - t0;
  return Number(10n ** 12n - instance.gas()) / ms / 1e3;
};
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
