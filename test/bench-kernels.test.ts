// The benchmark's kernels (bench/kernels) must compute what their plain-JS models say, on our
// interpreter and (64-bit) on anan-as, or the bench's "verified" column means nothing. Small
// arguments keep this fast; the bench itself checks the full sizes.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { parseIsaName } from '../src/decoder/index.ts';
import { Module } from '../src/runtime/index.ts';
import { loadKernels } from '../bench/kernels/index.ts';
import * as reference from '../bench/kernels/reference.ts';
import { prepareAnanAsCall, runAnanAs } from '../bench/peers/anan-as.ts';

const GAS = 1n << 40n;
const A0 = 7;

// The same kernels written the obvious way with BigInt: the fast models work on uint32 halves.
const M64 = (1n << 64n) - 1n;
function alu64BigInt(n: number): bigint {
  let x = 0x9e3779b97f4a7c15n;
  let acc = 0n;
  for (let i = 0; i < n; i++) {
    x ^= (x << 13n) & M64;
    x ^= x >> 7n;
    x ^= (x << 17n) & M64;
    acc = (acc * 0x5bd1e995n + x) & M64;
  }
  return acc;
}
function memory64BigInt(passes: number): bigint {
  const words = new BigUint64Array(8192);
  let carry = 0n;
  for (let pass = passes; pass > 0; pass--) {
    for (let i = 0; i < words.length; i++) {
      const v = BigInt.asUintN(64, words[i]! + carry);
      words[i] = v;
      carry = v ^ BigInt(pass);
    }
  }
  return carry;
}

const modelCases = [
  { name: 'alu64', fast: reference.alu64, naive: alu64BigInt, args: [0, 1, 2, 3, 1000, 54321] },
  { name: 'memory64', fast: reference.memory64, naive: memory64BigInt, args: [1, 2, 3, 17] },
] as const;

describe('bench kernel models', () => {
  for (const c of modelCases)
    for (const n of c.args)
      it(`${c.name}(${n}) matches the BigInt form`, () => {
        expect(c.fast(n)).toBe(c.naive(n));
      });
});

describe('bench kernels', () => {
  for (const kernel of loadKernels()) {
    const isa = parseIsaName(/^%isa\s*=\s*(\S+)/m.exec(kernel.source)?.[1] ?? '');
    it(`${kernel.name} declares its ISA`, () => expect(isa).toBeDefined());
    if (isa === undefined) continue;
    const bytes = assemble(kernel.source, { isa });
    // A memory pass alone is 49-98 K instructions.
    for (const n of kernel.family === 'memory' ? [1, 2] : [1, 2, 5]) {
      it(`${kernel.name}(${n}) on the interpreter`, () => {
        const instance = Module.fromBytes(bytes, { backend: 'interpreter', gasMetering: 'sync' }).instantiate();
        instance.prepareCall(kernel.entry, [BigInt(n)]);
        instance.setGas(GAS);
        expect(instance.run().kind).toBe('finished');
        expect(instance.reg(A0)).toBe(kernel.expected(n));
      });
      if (kernel.bits === 64)
        it(`${kernel.name}(${n}) on anan-as, with the interpreter's instruction count`, () => {
          const out = runAnanAs(prepareAnanAsCall(bytes, kernel.entry, [BigInt(n)]), GAS);
          expect(out.status).toBe('finished');
          expect(out.registers[A0]).toBe(kernel.expected(n));
          const instance = Module.fromBytes(bytes, { backend: 'interpreter', gasMetering: 'sync' }).instantiate();
          instance.prepareCall(kernel.entry, [BigInt(n)]);
          instance.setGas(GAS);
          instance.run();
          expect(GAS - out.gasLeft).toBe(GAS - instance.gas());
        });
    }
  }
});
