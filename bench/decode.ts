// Parse + decode + block analysis (decodeProgram computes block starts and jump targets) of doom.polkavm
// (1.09 MB), warm: the median of many runs after warm-up. Wall time is reported next to the process CPU
// time of the same runs, because on a shared machine the wall time mostly measures the neighbours.
// Run: npx tsx bench/decode.ts [file] [--iterations N]
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { parseBlob } from '../src/decoder/blob.ts';
import { decodeProgram } from '../src/decoder/code.ts';
import { sharedPath } from '../test/shared.ts';

const args = process.argv.slice(2);
const iterArg = args.indexOf('--iterations');
const iterations = iterArg >= 0 ? Number(args[iterArg + 1]) : 50;
const file = args.find((a, i) => !a.startsWith('--') && (iterArg < 0 || i !== iterArg + 1)) ?? sharedPath('blobs', 'polkavm', 'doom.polkavm');
const bytes = new Uint8Array(readFileSync(file));

interface Run {
  wall: number;
  cpu: number;
  parse: number;
  instructions: number;
  blocks: number;
}

function once(): Run {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const blob = parseBlob(bytes);
  const t1 = performance.now();
  const code = decodeProgram(blob);
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  return { wall: t2 - t0, parse: t1 - t0, cpu: (cpu.user + cpu.system) / 1000, instructions: code.count, blocks: code.blockCount };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const cold = once();
for (let i = 0; i < 10; i++) once();
const runs: Run[] = [];
for (let i = 0; i < iterations; i++) runs.push(once());
const wall = runs.map((r) => r.wall);
console.log(`file:          ${file} (${bytes.length} bytes)`);
console.log(`instructions:  ${cold.instructions}, basic blocks: ${cold.blocks}`);
console.log(`cold:          ${cold.wall.toFixed(1)} ms`);
console.log(
  `warm median:   ${median(wall).toFixed(1)} ms wall (min ${Math.min(...wall).toFixed(1)}), ${median(runs.map((r) => r.cpu)).toFixed(1)} ms CPU, of which parse ${median(runs.map((r) => r.parse)).toFixed(2)} ms; ${iterations} runs`,
);
console.log(`machine:       ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, load average ${loadavg()[0]!.toFixed(1)}`);
