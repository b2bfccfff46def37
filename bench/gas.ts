// Block costs of a whole program under each cost model, against the time to parse and decode it
// (the budget: computing costs should take less than decoding). Each run decodes afresh, so the
// per-DecodedCode cache of the models never answers. Median of many runs after warm-up, in wall time
// and in CPU time of the process (steadier on a shared machine).
// Run: npx tsx bench/gas.ts [file] [--iterations N]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseBlob } from '../src/decoder/blob.ts';
import { decodeProgram } from '../src/decoder/code.ts';
import { COST_MODEL_NAMES, costModelByName } from '../src/gas/index.ts';
import { sharedPath } from '../test/shared.ts';

const args = process.argv.slice(2);
const iterArg = args.indexOf('--iterations');
const iterations = iterArg >= 0 ? Number(args[iterArg + 1]) : 20;
const file = args.find((a, i) => !a.startsWith('--') && (iterArg < 0 || i !== iterArg + 1)) ?? sharedPath('blobs', 'polkavm', 'doom.polkavm');
const bytes = new Uint8Array(readFileSync(file));

const names = ['decode', ...COST_MODEL_NAMES] as const;
const wall = new Map<string, number[]>(names.map((n) => [n, []]));
const cpu = new Map<string, number[]>(names.map((n) => [n, []]));
const cold = new Map<string, { wall: number; cpu: number }>();
let summary = '';

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Runs `f`, recording its wall and CPU time under `name`. */
function timed<T>(name: string, record: boolean, f: () => T): T {
  const w0 = performance.now();
  const c0 = cpuMs();
  const result = f();
  const c = cpuMs() - c0;
  const w = performance.now() - w0;
  if (!cold.has(name)) cold.set(name, { wall: w, cpu: c });
  if (record) {
    wall.get(name)!.push(w);
    cpu.get(name)!.push(c);
  }
  return result;
}

function once(record: boolean): void {
  const code = timed('decode', record, () => decodeProgram(parseBlob(bytes)));
  if (!summary) summary = `isa ${code.isa}, ${code.count} instructions, ${code.blockCount} blocks\n`;
  for (const name of COST_MODEL_NAMES) {
    const first = !cold.has(name);
    const costs = timed(name, record, () => costModelByName(name).blockCosts(code));
    if (first) {
      let total = 0;
      for (const c of costs) total += c;
      summary += `  ${name.padEnd(8)} sum of block costs ${total}\n`;
    }
  }
}

once(false);
for (let i = 0; i < 5; i++) once(false);
for (let i = 0; i < iterations; i++) once(true);

console.log(`file:    ${file} (${bytes.length} bytes)`);
console.log(summary.trimEnd());
const median = (t: number[]): string => t.sort((a, b) => a - b)[t.length >> 1]!.toFixed(1).padStart(6);
const least = (t: number[]): string => t.reduce((a, b) => Math.min(a, b)).toFixed(1);
console.log('         cold wall / CPU     warm median wall (min)   warm median CPU (min)');
for (const name of names) {
  const c = cold.get(name)!;
  const w = wall.get(name)!;
  const u = cpu.get(name)!;
  console.log(
    `${name.padEnd(8)} ${c.wall.toFixed(1).padStart(6)} / ${c.cpu.toFixed(1).padStart(6)} ms   ${median(w)} ms (${least(w)})${' '.repeat(9)}${median(u)} ms (${least(u)})`,
  );
}
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
