// The seed's `memory_profile` example: how much guest memory queries take, with enableDebugging's
// per-query memory tracking and its debug lines, and what maxMemory does at the limit.
// Run: npx tsx examples/pvq/memory-profile.ts   (exits non-zero if anything is off)
import { assemble } from '../../src/assembler/index.ts';
import { PvqExecutor, executorErrorName, type PvqExecutorContext } from '../../src/pvq/index.ts';

function fail(message: string): never {
  throw new Error(message);
}

// A guest that grows its heap by the u32 in its arguments (sbrk, as polkavm's LeakingAllocator
// does) and returns nothing; it declares an 8 KiB stack, as the pvq-sdk guests do.
const grow = assemble(`%isa = latest32
%stack_size = 8192
pub @pvq:
  a1 = i32 [a0]
  a0 = sbrk a1
  a1 = 0
  ret
`);
const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
const noExtensions: PvqExecutorContext = { hostCall: () => fail('this guest makes no host calls') };

// 1. Debug lines go through the logger the embedder passes (here: collected, then printed).
const lines: string[] = [];
const executor = new PvqExecutor(noExtensions, { enableDebugging: true, maxMemory: 4 * 1024 * 1024, logger: { debug: (m) => lines.push(m) } });

console.log('heap requested -> peak heap, memory usage (ro + rw + heap + stack + args, whole pages)');
let previous = 0;
for (const kib of [0, 1, 64, 512, 2048]) {
  const outcome = executor.execute(grow, u32(kib * 1024));
  if (!outcome.ok) fail(`${kib} KiB: ${outcome.error.message}`);
  const { peakHeapSize, memoryUsage } = outcome.metrics;
  console.log(`  ${String(kib).padStart(5)} KiB -> heap ${peakHeapSize} bytes, memory ${memoryUsage} bytes`);
  if (peakHeapSize !== kib * 1024) fail('peak heap should be what the guest asked for');
  if (memoryUsage === undefined || memoryUsage < previous) fail('memory usage should grow with the heap');
  previous = memoryUsage;
}
console.log('debug lines of the last query:');
for (const line of lines.slice(-2)) console.log(`  ${line}`);
if (!lines.at(-2)!.startsWith('Executing program with') || !lines.at(-1)!.startsWith('Memory usage:')) fail('missing debug lines');

// 2. At the limit: growing past maxMemory is an OutOfMemory value, and the executor goes on.
const over = executor.execute(grow, u32(8 * 1024 * 1024));
console.log(`8 MiB under a 4 MiB maxMemory: ${over.ok ? 'ok?!' : `${executorErrorName(over.error)}: ${over.error.message}`}`);
if (over.ok || over.error.kind !== 'out-of-memory') fail('expected out-of-memory');
const after = executor.execute(grow, u32(1024));
if (!after.ok || after.metrics.peakHeapSize !== 1024) fail('the executor should be usable after an out-of-memory query');

// 3. Without enableDebugging the metrics carry no memoryUsage (nothing is tracked or logged).
const quiet = new PvqExecutor(noExtensions).execute(grow, u32(1024));
if (quiet.metrics.memoryUsage !== undefined) fail('memoryUsage without enableDebugging');
console.log('ok');
