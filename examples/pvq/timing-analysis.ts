// The seed's `timing_analysis` example: where a query's time goes. Per-query wall time on each
// backend, the first query (load + compile) against steady state, a plain byte array against a
// prepared PvqProgram, and what maxExecutionTime does with a guest that never ends.
// Run: npx tsx examples/pvq/timing-analysis.ts [iterations]   (exits non-zero if anything is off)
import { assemble } from '../../src/assembler/index.ts';
import { BACKEND_NAMES, hasBackend } from '../../src/runtime/index.ts';
import { PvqExecutor, PvqModuleCache, PvqProgram, executorErrorName, type PvqExecutorContext } from '../../src/pvq/index.ts';

function fail(message: string): never {
  throw new Error(message);
}
const iterations = Number(process.argv[2] ?? 2000);

// Sums 1..n in a loop: about 3n guest instructions, no host calls. Returns the u32 sum.
const sum = assemble(`%isa = latest32
%stack_size = 4096
pub @pvq:
  a1 = i32 [a0]
  a2 = 0
@loop:
  a2 = a2 + a1
  a1 = a1 - 1
  jump @loop if a1 != 0
  sp = sp - 4
  u32 [sp] = a2
  a0 = sp
  a1 = 4
  ret
`);
const spin = assemble(`%isa = latest32
pub @pvq:
@forever:
  jump @forever
`);
const u32 = (n: number) => Uint8Array.of(n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24);
const context: PvqExecutorContext = { hostCall: () => fail('no host calls here') };
const n = 1000;
const expected = (n * (n + 1)) / 2;

for (const backend of BACKEND_NAMES.filter(hasBackend)) {
  // Its own cache, so the first query really loads (and, on 'compiled', compiles) the program.
  const executor = new PvqExecutor(context, { backend, moduleCache: new PvqModuleCache() });
  const first = executor.execute(sum, u32(n));
  if (!first.ok || new DataView(first.value.buffer).getUint32(0, true) !== expected) fail(`${backend}: wrong sum`);
  const prepared = executor.prepare(sum);
  if (!(prepared instanceof PvqProgram)) fail(`${backend}: ${prepared.message}`);
  const time = (program: Uint8Array | PvqProgram): number => {
    const t0 = performance.now();
    for (let i = 0; i < iterations; i++) executor.execute(program, u32(n));
    return ((performance.now() - t0) * 1000) / iterations;
  };
  // Warm-up of both paths, so the optimizing compiler has settled before either is timed.
  time(prepared as PvqProgram);
  time(sum);
  const bytesUs = time(sum);
  const preparedUs = time(prepared as PvqProgram);
  const guestUs = executor.execute(prepared as PvqProgram, u32(n)).metrics.timeMs * 1000;
  console.log(
    `${backend.padEnd(12)} first query ${first.metrics.timeMs.toFixed(2)} ms (${first.metrics.instructions} instructions, module cached: ${first.metrics.moduleCached}); ` +
      `steady state ${bytesUs.toFixed(2)} µs/query with bytes, ${preparedUs.toFixed(2)} µs/query prepared (one query's own timing: ${guestUs.toFixed(2)} µs)`,
  );
  if (!(preparedUs > 0 && bytesUs > 0)) fail('no timing');
}

// maxExecutionTime stops a guest that never ends: a Timeout value, after about that long.
const executor = new PvqExecutor(context, { maxExecutionTime: 50 });
const t0 = performance.now();
const stopped = executor.execute(spin, u32(0));
const took = performance.now() - t0;
console.log(`a guest that never ends under maxExecutionTime 50 ms: ${stopped.ok ? 'ok?!' : `${executorErrorName(stopped.error)} after ${took.toFixed(0)} ms, ${stopped.metrics.instructions} instructions`}`);
if (stopped.ok || stopped.error.kind !== 'timeout' || took < 50 || took > 2000) fail('expected a timeout after about 50 ms');
console.log('ok');
