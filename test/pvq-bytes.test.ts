// The program-identity comparison (src/pvq/bytes.ts): the JS word loop every engine runs and the
// native compare Node lends it must both agree with a byte-by-byte reference, at any alignment;
// and the hex keys of the mock runtime, against polkadot-api's.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Binary } from '@polkadot-api/substrate-bindings';
import { hexOf, nativeCompare, sameBytes, sameBytesJs } from '../src/pvq/bytes.ts';

const naive = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

const native = nativeCompare();
const IMPLEMENTATIONS: [string, (a: Uint8Array, b: Uint8Array) => boolean][] = [
  ['JS word loop', sameBytesJs],
  ['native compare', (a, b) => a.length === b.length && native!(a, b) === 0],
  ['the one the executor uses', sameBytes],
];

/** `bytes` at byte offset `offset` of a larger buffer (unaligned views take the byte loop). */
const at = (bytes: Uint8Array, offset: number): Uint8Array => {
  const buffer = new Uint8Array(bytes.length + offset + 3).fill(0xa5);
  buffer.set(bytes, offset);
  return buffer.subarray(offset, offset + bytes.length);
};

describe('program byte comparison', () => {
  it('Node lends its native compare (globalThis.Buffer), so the executor does not run the JS loop here', () => {
    expect(native).toBeTypeOf('function');
    expect(sameBytes).not.toBe(sameBytesJs);
  });

  describe.each(IMPLEMENTATIONS)('%s', (_name, same) => {
    it('sees a flipped bit at every position of a 200-byte array, at every alignment of either side', () => {
      const base = Uint8Array.from({ length: 200 }, (_, i) => (i * 37 + 11) & 0xff);
      for (const [offA, offB] of [
        [0, 0],
        [1, 0],
        [0, 2],
        [3, 3],
        [4, 0],
      ] as const) {
        expect(same(at(base, offA), at(base, offB)), `equal ${offA}/${offB}`).toBe(true);
        for (let i = 0; i < base.length; i++) {
          const changed = base.slice();
          changed[i]! ^= 1 << (i & 7);
          expect(same(at(base, offA), at(changed, offB)), `byte ${i} at ${offA}/${offB}`).toBe(false);
          expect(same(at(changed, offA), at(base, offB)), `byte ${i} at ${offA}/${offB}, swapped`).toBe(false);
        }
      }
    });

    it('tells lengths apart, prefixes included, and takes empty arrays as equal', () => {
      const base = Uint8Array.from({ length: 64 }, (_, i) => i);
      expect(same(base, base.subarray(0, 63))).toBe(false);
      expect(same(base.subarray(0, 63), base)).toBe(false);
      expect(same(new Uint8Array(0), new Uint8Array(0))).toBe(true);
      expect(same(new Uint8Array(8), new Uint8Array(9))).toBe(false);
    });

    it('agrees with the byte-by-byte reference on random arrays, offsets and edits', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(7), fc.nat(7), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 3 }), (bytes, offA, offB, edits) => {
          const other = bytes.slice();
          for (const [pos, xor] of edits) if (other.length > 0) other[pos % other.length]! ^= xor;
          const a = at(bytes, offA);
          const b = at(other, offB);
          expect(same(a, b)).toBe(naive(a, b));
          expect(same(b, a)).toBe(naive(a, b));
        }),
        { numRuns: 500 },
      );
    });

    it('compares views of shared memory like any other', () => {
      const shared = new Uint8Array(new SharedArrayBuffer(40));
      shared.set(Uint8Array.from({ length: 40 }, (_, i) => i * 3));
      const copy = shared.slice();
      expect(same(shared, copy)).toBe(true);
      copy[39] = 0;
      expect(same(shared, copy)).toBe(false);
    });
  });
});

describe('hexOf: the mock runtime keys', () => {
  it('matches polkadot-api Binary.toHex on random arrays of any length, offset included', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(5), (bytes, offset) => {
        expect(hexOf(at(bytes, offset))).toBe(Binary.toHex(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('writes every byte value, and a key longer than the scratch buffer before and after it grows', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(hexOf(all)).toBe(Binary.toHex(all));
    expect(hexOf(all.subarray(0, 3))).toBe('0x000102');
    expect(hexOf(new Uint8Array(0))).toBe('0x');
    expect(hexOf(Uint8Array.of(0xab, 0xcd))).toBe('0xabcd');
    const long = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131) & 0xff);
    expect(hexOf(long)).toBe(Binary.toHex(long));
    expect(hexOf(long.subarray(0, 2048))).toBe(Binary.toHex(long.subarray(0, 2048)));
    expect(hexOf(Uint8Array.of(1))).toBe('0x01');
  });
});
