// Kernels one after another in one process (as the bench runs them), to see whether an earlier
// workload changes a later one's speed. Usage: npx tsx bench/experiments/kernel-seq.ts alu_64 calls_64 ...
import { assemble } from '../../src/assembler/assemble.ts';
import { Module } from '../../src/runtime/index.ts';
import { loadKernels } from '../kernels/index.ts';

const kernels = loadKernels();
for (const arg of process.argv.slice(2)) {
  const [name, backend = 'compiled'] = arg.split(':') as [string, 'compiled' | 'tiered' | 'interpreter'];
  const kernel = kernels.find((k) => k.name === name)!;
  const module = Module.fromBytes(assemble(kernel.source), { backend, gasMetering: 'sync' });
  const argument = backend === 'interpreter' ? kernel.smallArgument : kernel.argument;
  const speeds: number[] = [];
  for (let k = 0; k < 6; k++) {
    const instance = module.instantiate();
    instance.prepareCall(kernel.entry, [BigInt(argument)]);
    instance.setGas(10n ** 12n);
    const c0 = process.cpuUsage();
    instance.run();
    const c = process.cpuUsage(c0);
    speeds.push(Number(10n ** 12n - instance.gas()) / ((c.user + c.system) / 1000) / 1e3);
  }
  console.log(`${name} ${backend}: ${speeds.map((s) => s.toFixed(0)).join(' ')} M/s`);
}
