// The reference interpreter's own speed: pinky `initialize` (Latest32, 327.7 M instructions, sync gas,
// naive model) and the bench kernels at their small sizes (both ISAs), on the interpreter backend.
// Prints wall and CPU time (process.cpuUsage, user + system) per run: the machine is shared, so CPU
// time is the figure to compare; wall time shows how much the neighbours took.
//
//   npx tsx bench/experiments/interpreter-pinky.ts            # pinky once, every kernel 3 times
//   npx tsx bench/experiments/interpreter-pinky.ts kernels    # kernels only
//   npx tsx bench/experiments/interpreter-pinky.ts pinky 3    # pinky 3 times
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { assemble } from '../../src/assembler/index.ts';
import { parseIsaName } from '../../src/decoder/index.ts';
import { Module } from '../../src/runtime/index.ts';
import { sharedPath } from '../../test/shared.ts';
import { loadKernels } from '../kernels/index.ts';

const PINKY_INSTRUCTIONS = 327_668_972;

interface Sample {
  wallMs: number;
  cpuMs: number;
  instructions: number;
}

function timed(run: () => number): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const instructions = run();
  const wallMs = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wallMs, cpuMs: (c.user + c.system) / 1000, instructions };
}

function report(name: string, samples: Sample[]): void {
  const best = samples.reduce((a, b) => (b.cpuMs < a.cpuMs ? b : a));
  const mips = (s: Sample, ms: number): string => (s.instructions / ms / 1000).toFixed(1);
  console.log(
    `| ${name.padEnd(22)} | ${best.instructions.toLocaleString('en').padStart(12)} | ${best.wallMs.toFixed(0).padStart(7)} ms | ${best.cpuMs
      .toFixed(0)
      .padStart(7)} ms | ${mips(best, best.wallMs).padStart(6)} | ${mips(best, best.cpuMs).padStart(6)} |`,
  );
}

function pinky(): Sample {
  const module = Module.fromBytes(readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm')), {
    backend: 'interpreter',
    gasMetering: 'sync',
  });
  const instance = module.instantiate();
  instance.prepareCall('initialize');
  instance.setGas(1n << 40n);
  return timed(() => {
    const interrupt = instance.run();
    if (interrupt.kind !== 'finished') throw new Error(`pinky: ${interrupt.kind}`);
    const used = Number((1n << 40n) - instance.gas());
    if (used !== PINKY_INSTRUCTIONS) throw new Error(`pinky: ${used} instructions, expected ${PINKY_INSTRUCTIONS}`);
    return used;
  });
}

function kernel(name: string): Sample {
  const k = loadKernels().find((x) => x.name === name)!;
  const isa = parseIsaName(/^%isa\s*=\s*(\S+)/m.exec(k.source)![1]!)!;
  const module = Module.fromBytes(assemble(k.source, { isa }), { backend: 'interpreter', gasMetering: 'sync' });
  const instance = module.instantiate();
  const expected = k.expected(k.smallArgument);
  return timed(() => {
    instance.prepareCall(k.entry, [BigInt(k.smallArgument)]);
    instance.setGas(1n << 50n);
    const interrupt = instance.run();
    if (interrupt.kind !== 'finished') throw new Error(`${name}: ${interrupt.kind}`);
    if (instance.reg(7) !== expected) throw new Error(`${name}: a0 = ${instance.reg(7)}, expected ${expected}`);
    return Number((1n << 50n) - instance.gas());
  });
}

const what = process.argv[2] ?? 'all';
const times = Number(process.argv[3] ?? (what === 'pinky' ? 1 : 3));
console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('| workload               | instructions |    wall    |    CPU     | M/s wall | M/s CPU |');
console.log('|---|---|---|---|---|---|');
if (what === 'all' || what === 'pinky') report('pinky initialize', Array.from({ length: what === 'pinky' ? times : 1 }, pinky));
if (what === 'all' || what === 'kernels')
  for (const k of loadKernels()) report(`${k.name} (a0 = ${k.smallArgument})`, Array.from({ length: times }, () => kernel(k.name)));
console.log(`load average after: ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
