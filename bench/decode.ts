// Parse + decode + block analysis of doom.polkavm (1.09 MB), warm: the median of many runs after warm-up.
// Run: npx tsx bench/decode.ts [file] [--iterations N]
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseBlob } from '../src/decoder/blob.ts';
import { decodeProgram } from '../src/decoder/code.ts';
import { sharedPath } from '../test/shared.ts';

const args = process.argv.slice(2);
const iterArg = args.indexOf('--iterations');
const iterations = iterArg >= 0 ? Number(args[iterArg + 1]) : 30;
const file = args.find((a, i) => !a.startsWith('--') && (iterArg < 0 || i !== iterArg + 1)) ?? sharedPath('blobs', 'polkavm', 'doom.polkavm');
const bytes = new Uint8Array(readFileSync(file));

function once(): { ms: number; instructions: number; blocks: number } {
  const t0 = performance.now();
  const code = decodeProgram(parseBlob(bytes));
  return { ms: performance.now() - t0, instructions: code.count, blocks: code.blockCount };
}

const cold = once();
for (let i = 0; i < 5; i++) once();
const times: number[] = [];
for (let i = 0; i < iterations; i++) times.push(once().ms);
times.sort((a, b) => a - b);
const median = times[times.length >> 1]!;
console.log(`file:         ${file} (${bytes.length} bytes)`);
console.log(`instructions: ${cold.instructions}, basic blocks: ${cold.blocks}`);
console.log(`cold:         ${cold.ms.toFixed(1)} ms`);
console.log(`warm median:  ${median.toFixed(1)} ms over ${iterations} runs (min ${times[0]!.toFixed(1)}, max ${times.at(-1)!.toFixed(1)})`);
console.log(`machine:      ${cpus().length} x ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}`);
