// One compiled artifact per program: the ModuleId covers the code, not the memory layout nor gas
// metering, so PVQ queries whose args move the stack, metered or not, share one code generation and
// get the interpreter's results, gas and instruction counts.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { codeGenerationCount } from '../src/codegen/index.ts';
import { PvqExecutor, PvqModuleCache } from '../src/pvq/index.ts';

/** Sums its args' bytes through a stack slot and returns (length u32, sum u32) from the stack: its
 * stack accesses land at addresses that move with the args size (aux data sits above the stack). */
const SUM_ARGS = `%isa = latest32
pub @pvq:
  sp = sp - 16
  a2 = 0
  u32 [sp + 4] = a1
  u32 [sp] = a2
@loop:
  jump @done if a1 == 0
  a3 = u8 [a0]
  a2 = i32 [sp]
  a2 = a2 + a3
  u32 [sp] = a2
  a0 = a0 + 1
  a1 = a1 - 1
  jump @loop
@done:
  a2 = i32 [sp]
  u32 [sp + 8] = a2
  a0 = sp + 4
  a1 = 8
  ret
`;

const noHost = { hostCall: () => new Uint8Array() };
const argsOf = (length: number): Uint8Array => Uint8Array.from({ length }, (_, k) => (k * 7 + 3) & 0xff);
const expected = (args: Uint8Array): string => {
  const out = new DataView(new ArrayBuffer(8));
  out.setUint32(0, args.length, true);
  out.setUint32(4, args.reduce((a, b) => a + b, 0), true);
  return Buffer.from(out.buffer).toString('hex');
};

describe('one compiled artifact per program', () => {
  it('PVQ queries with 10 B, 5 KB and 20 KB of args, metered and unmetered, generate code once and match the interpreter', () => {
    // A program no other test compiles, so the process-wide cache cannot already hold it.
    const program = assemble(SUM_ARGS + `// ${Math.random()}\n`);
    const compiled = new PvqExecutor(noHost, { backend: 'compiled', moduleCache: new PvqModuleCache() });
    const reference = new PvqExecutor(noHost, { backend: 'interpreter', moduleCache: false });
    const before = codeGenerationCount();
    for (const length of [10, 5_000, 20_000])
      for (const gas of [undefined, 10_000_000n, 1_000n]) {
        const args = argsOf(length);
        const what = `${length} B, gas ${gas}`;
        const got = compiled.execute(program, args, gas);
        const want = reference.execute(program, args, gas);
        expect(got.ok, what).toBe(want.ok);
        if (got.ok && want.ok) {
          expect(Buffer.from(got.value).toString('hex'), what).toBe(expected(args));
          expect(Buffer.from(got.value).toString('hex'), what).toBe(Buffer.from(want.value).toString('hex'));
        } else if (!got.ok && !want.ok) expect(got.error.kind, what).toBe(want.error.kind);
        expect(got.gasRemaining, what).toBe(want.gasRemaining);
        expect(got.metrics.instructions, what).toBe(want.metrics.instructions);
        expect(got.metrics.gasUsed, what).toBe(want.metrics.gasUsed);
      }
    expect(codeGenerationCount() - before).toBe(1);
  });
});
