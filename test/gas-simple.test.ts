// polkavm's simple cost model: a caller-supplied cost per instruction, summed per block.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlob } from '../src/decoder/blob.ts';
import { decodeCode, decodeProgram } from '../src/decoder/code.ts';
import { ENCODE_TABLES, Isa } from '../src/decoder/isa.ts';
import { Op } from '../src/decoder/table.ts';
import { costTable, NAIVE_COST_TABLE, naiveCostModel, simpleCostModel, type CostTable } from '../src/gas/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

/** Code of one-byte instructions (argument-less ones, or unknown opcodes), every byte an instruction start. */
function oneByteCode(isa: Isa, bytes: number[]) {
  const bitmask = new Uint8Array(Math.ceil(bytes.length / 8));
  bytes.forEach((_, i) => (bitmask[i >>> 3]! |= 1 << (i & 7)));
  return decodeCode(isa, Uint8Array.from(bytes), bitmask, new Uint32Array(0));
}

const byte = (isa: Isa, name: keyof typeof Op): number => ENCODE_TABLES[isa]![Op[name]]!;

interface Case {
  name: string;
  table: Partial<CostTable>;
  code: number[];
  /** Cost per instruction index (0 where no block starts). */
  expect: number[];
}

const L64 = Isa.Latest64;
const cases: Case[] = [
  {
    name: 'sums each block through its terminator',
    table: { unlikely: 5, fallthrough: 7, trap: 11 },
    code: [byte(L64, 'unlikely'), byte(L64, 'unlikely'), byte(L64, 'fallthrough'), byte(L64, 'trap')],
    expect: [5 + 5 + 7, 0, 0, 11],
  },
  {
    name: 'an unknown opcode costs `invalid` and ends its block',
    table: { unlikely: 5, invalid: 100 },
    code: [byte(L64, 'unlikely'), 255, byte(L64, 'unlikely')],
    expect: [105, 0, 105, 0],
  },
  {
    name: 'the implicit trap at the end costs `invalid`',
    table: { memset: 3, invalid: 1000 },
    code: [byte(L64, 'memset')],
    expect: [1003, 0],
  },
  {
    name: 'costs wrap at 2^32 as polkavm u32 sums do',
    table: { unlikely: 0xffff_ffff, trap: 2 },
    code: [byte(L64, 'unlikely'), byte(L64, 'trap')],
    expect: [1, 0],
  },
];

describe('simple cost model', () => {
  for (const c of cases) {
    it(c.name, () => {
      const costs = simpleCostModel(costTable(c.table)).blockCosts(oneByteCode(L64, c.code));
      expect(Array.from(costs)).toEqual(c.expect);
    });
  }

  it('rejects a table with a bad cost', () => {
    expect(() => simpleCostModel(costTable({ trap: -1 }))).toThrow(/trap must be an integer/);
    expect(() => simpleCostModel(costTable({ add_64: 1.5 }))).toThrow(/add_64/);
    const missing = { ...NAIVE_COST_TABLE } as Record<string, number>;
    delete missing.invalid;
    expect(() => simpleCostModel(missing as unknown as CostTable)).toThrow(/invalid must be/);
  });

  it.skipIf(!HAVE_SHARED)('with the naive table equals the naive model on doom.polkavm', () => {
    const code = decodeProgram(parseBlob(new Uint8Array(readFileSync(sharedPath('blobs/polkavm/doom.polkavm')))));
    const naive = naiveCostModel.blockCosts(code);
    expect(simpleCostModel(NAIVE_COST_TABLE).blockCosts(code)).toEqual(naive);
    expect(naive.reduce((a, b) => a + b, 0)).toBe(code.count);
  });
});
