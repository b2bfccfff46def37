// One kernel on one backend, a few timed runs in this process: for profiling a kernel's generated
// code with V8 flags (node --import tsx --trace-deopt bench/experiments/kernel-one.ts alu_64).
// Usage: npx tsx bench/experiments/kernel-one.ts <kernel> [compiled|tiered|interpreter] [runs]
import { assemble } from '../../src/assembler/assemble.ts';
import { Module } from '../../src/runtime/index.ts';
import { loadKernels } from '../kernels/index.ts';

const KERNELS = loadKernels();
const kernel = KERNELS.find((k) => k.name === process.argv[2]);
if (!kernel) throw new Error(`no kernel ${process.argv[2]}; one of ${KERNELS.map((k) => k.name).join(', ')}`);
const backend = (process.argv[3] ?? 'compiled') as 'compiled' | 'tiered' | 'interpreter';
const runs = Number(process.argv[4] ?? 5);
const module = Module.fromBytes(assemble(kernel.source), { backend, gasMetering: 'sync' });
const argument = backend === 'interpreter' ? kernel.smallArgument : kernel.argument;
for (let k = 0; k < runs; k++) {
  const instance = module.instantiate();
  instance.prepareCall(kernel.entry, [BigInt(argument)]);
  instance.setGas(10n ** 12n);
  const c0 = process.cpuUsage();
  const interrupt = instance.run();
  const c = process.cpuUsage(c0);
  const used = Number(10n ** 12n - instance.gas());
  const ok = interrupt.kind === 'finished' && instance.reg(7) === kernel.expected(argument);
  const ms = (c.user + c.system) / 1000;
  console.log(`${kernel.name} ${backend} run ${k}: ${ok ? 'ok' : 'WRONG'} ${(used / 1e6).toFixed(1)} M instr, ${ms.toFixed(0)} ms CPU = ${(used / ms / 1e3).toFixed(0)} M/s`);
}
if (process.env.STATUS) {
  const bm = (module as unknown as { backendModule: { regions: Function[] } }).backendModule;
  const st = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;
  console.log('status', bm.regions.map((f, r) => `r${r}:${st(f).toString(2)}`).join(' '));
}
