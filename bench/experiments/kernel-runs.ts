// One bench kernel loaded on the compiled backend, and a timed run of it, for the experiments that
// watch a kernel's warm speed inside one process (calib.ts, reopt.ts).
import { assemble } from '../../src/assembler/assemble.ts';
import { Module } from '../../src/runtime/index.ts';
import { loadKernels } from '../kernels/index.ts';

export const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** The named kernel (default calls_64), its module, and `run()`: one fresh instance's run in M instructions per CPU second. */
export function kernelRuns(name = 'calls_64'): { module: Module; run: () => number } {
  const kernel = loadKernels().find((k) => k.name === name);
  if (kernel === undefined) throw new Error(`no kernel named ${name}`);
  const module = Module.fromBytes(assemble(kernel.source), { backend: 'compiled', gasMetering: 'sync' });
  const gas = 10n ** 12n;
  const run = (): number => {
    const instance = module.instantiate();
    instance.prepareCall(kernel.entry, [BigInt(kernel.argument)]);
    instance.setGas(gas);
    const t0 = cpuMs();
    instance.run();
    return Number(gas - instance.gas()) / (cpuMs() - t0) / 1e3;
  };
  return { module, run };
}
