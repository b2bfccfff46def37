// polkavm's full cost model on small blocks whose costs can be worked out by hand from the pipeline
// rules (4 decode slots per cycle, issue the cycle after decode, a result ready `latency` cycles after
// issue, retired in order the cycle after it is marked executed, cost = cycles - 3). Each case gives
// the reasoning; the jam-gas-model vectors (gas-vectors.test.ts) check the same model on 40k blocks.
import { describe, expect, it } from 'vitest';
import { encodeInstruction, MAX_INSTRUCTION_LENGTH } from '../src/assembler/encode.ts';
import { decodeCode, type DecodedCode } from '../src/decoder/code.ts';
import { ENCODE_TABLES, Isa } from '../src/decoder/isa.ts';
import { END, INVALID, Op, OP_FLAGS, OP_NAMES, type OpName } from '../src/decoder/table.ts';
import { INFO_DRAIN, OP_INFO } from '../src/gas/pipeline-costs.ts';
import { COST_MODEL_NAMES, costModelByName, fullBlockCost, fullCostModel, isCostModelName, naiveCostModel, type CostModelName } from '../src/gas/index.ts';

const A0 = 7;
const A1 = 8;
const A2 = 9;
const A3 = 10;
const A4 = 11;
const A5 = 12;

/** An instruction for `program`: operands as in DecodedCode; `to` = index of the target instruction or an absolute pc. */
type Inst =
  | { op: OpName; r1?: number; r2?: number; r3?: number; imm1?: number; imm2?: number; to?: number; toPc?: number }
  | { raw: number };

/** Lays the instructions out back to back (targets resolved until the lengths settle) and decodes them. */
function program(isa: Isa, insts: readonly Inst[]): DecodedCode {
  let pcs = insts.map(() => 0);
  for (let pass = 0; pass < 8; pass++) {
    const bytes: number[] = [];
    const starts: number[] = [];
    const buf = new Uint8Array(MAX_INSTRUCTION_LENGTH);
    for (const inst of insts) {
      starts.push(bytes.length);
      if ('raw' in inst) {
        bytes.push(inst.raw);
        continue;
      }
      const target = inst.to !== undefined ? pcs[inst.to]! : (inst.toPc ?? bytes.length);
      const length = encodeInstruction(
        isa,
        { op: Op[inst.op], r1: inst.r1 ?? 0, r2: inst.r2 ?? 0, r3: inst.r3 ?? 0, imm1: inst.imm1 ?? 0, imm2: inst.imm2 ?? 0, target },
        bytes.length,
        buf,
      );
      bytes.push(...buf.subarray(0, length));
    }
    if (starts.every((s, i) => s === pcs[i])) {
      const bitmask = new Uint8Array(Math.ceil(bytes.length / 8));
      for (const s of starts) bitmask[s >>> 3]! |= 1 << (s & 7);
      return decodeCode(isa, Uint8Array.from(bytes), bitmask, new Uint32Array(0));
    }
    pcs = starts;
  }
  throw new Error('layout did not settle');
}

/** The cost of the block starting at instruction 0. */
const firstBlockCost = (model: CostModelName, code: DecodedCode): number => costModelByName(model).blockCosts(code)[0]!;

interface Case {
  name: string;
  isa?: Isa;
  insts: Inst[];
  /** Expected cost of the first block per model. */
  expect: Partial<Record<CostModelName, number>>;
}

const trap: Inst = { op: 'trap' };
const loadU64 = (d: number, base: number): Inst => ({ op: 'load_indirect_u64', r1: d, r2: base });
const branchEqImm = (to: { to?: number; toPc?: number }): Inst => ({ op: 'branch_eq_imm', r1: A0, imm1: 0, ...to });

const cases: Case[] = [
  {
    // Decoded at cycle 0, issued at 1, ready at 3, executed at 3, retired at 4: 5 cycles - 3.
    name: 'trap alone',
    insts: [trap],
    expect: { naive: 1, 'full-l1': 2, 'full-l2': 2, 'full-l3': 2 },
  },
  {
    // POLKAVM.md §3 (measured on the reference): this loop costs 21 gas per iteration under full-l2.
    // add and add_imm issue at 1, the branch (waiting for a1) at 2 with a mispredicted latency of 20
    // (neither its fall-through nor its target is a trap): ready at 22, executed at 23, retired at 24.
    name: 'add; add_imm; branch back (mispredicted)',
    insts: [
      { op: 'add_64', r1: A0, r2: A0, r3: A1 },
      { op: 'add_imm_64', r1: A1, r2: A1, imm1: 1 },
      { op: 'branch_less_unsigned', r1: A1, r2: A2, to: 0 },
      { op: 'fallthrough' },
    ],
    expect: { naive: 3, 'full-l1': 21, 'full-l2': 21, 'full-l3': 21 },
  },
  {
    // The same loop followed by a trap: the branch is predicted (latency 1), retired at cycle 5.
    name: 'add; add_imm; branch back (predicted: falls through to a trap)',
    insts: [
      { op: 'add_64', r1: A0, r2: A0, r3: A1 },
      { op: 'add_imm_64', r1: A1, r2: A1, imm1: 1 },
      { op: 'branch_less_unsigned', r1: A1, r2: A2, to: 0 },
      trap,
    ],
    expect: { naive: 3, 'full-l2': 2 },
  },
  {
    // The load issues at 1 and is ready `latency` cycles later; the trap hides under it: latency + 3 cycles.
    name: 'load; trap costs the load latency',
    insts: [loadU64(A0, A1), trap],
    expect: { naive: 2, 'full-l1': 4, 'full-l2': 25, 'full-l3': 37 },
  },
  {
    // The second load waits for the first: two latencies back to back.
    name: 'dependent loads',
    insts: [loadU64(A0, A0), loadU64(A0, A0), trap],
    expect: { naive: 3, 'full-l1': 8, 'full-l2': 50, 'full-l3': 74 },
  },
  {
    // Without a terminator the block ends in the implicit trap at the end of the code.
    name: 'implicit trap at the end of the code',
    insts: [loadU64(A0, A1)],
    expect: { naive: 2, 'full-l2': 25 },
  },
  {
    // On a 32-bit ISA add_32 is a plain add (latency 1); see the Latest64 case below.
    name: 'dependent add_32 on Latest32',
    isa: Isa.Latest32,
    insts: [{ op: 'add_32', r1: A0, r2: A1, r3: A2 }, { op: 'add_32', r1: A0, r2: A0, r3: A2 }, trap],
    expect: { naive: 3, 'full-l2': 2 },
  },
  {
    // On a 64-bit ISA add_32 also sign-extends: latency 2 and one more decode slot (3 + 2 > 4, so the
    // second add decodes a cycle later); the chain finishes at cycle 6 and retires at 7.
    name: 'dependent add_32 on Latest64',
    insts: [{ op: 'add_32', r1: A0, r2: A1, r3: A2 }, { op: 'add_32', r1: A0, r2: A0, r3: A2 }, trap],
    expect: { naive: 3, 'full-l2': 4 },
  },
  {
    // Moves are renamed away but use the decoder: four of them fill cycle 0, so the trap decodes at 1.
    name: 'four register moves delay the trap by a cycle',
    insts: [
      { op: 'move_reg', r1: A0, r2: A1 },
      { op: 'move_reg', r1: A2, r2: A1 },
      { op: 'move_reg', r1: A3, r2: A1 },
      { op: 'move_reg', r1: A4, r2: A1 },
      trap,
    ],
    expect: { naive: 5, 'full-l2': 3 },
  },
  {
    // A division takes all 4 decode slots and 60 cycles; the trap decodes a cycle later.
    name: 'division',
    insts: [{ op: 'div_unsigned_64', r1: A0, r2: A1, r3: A2 }, trap],
    expect: { naive: 2, 'full-l2': 60 },
  },
  {
    // There is one divider: the second, independent division issues when the first is ready (cycle 61).
    name: 'two independent divisions share the divider',
    insts: [{ op: 'div_unsigned_64', r1: A0, r2: A1, r3: A2 }, { op: 'div_unsigned_64', r1: A3, r2: A4, r3: A5 }, trap],
    expect: { naive: 3, 'full-l2': 120 },
  },
  // A lone branch costs its latency: 1 when either side is `trap` or `unlikely`, else 20.
  { name: 'branch falling through to trap', insts: [branchEqImm({ to: 1 }), trap], expect: { 'full-l2': 1 } },
  { name: 'branch falling through to unlikely', insts: [branchEqImm({ to: 2 }), { op: 'unlikely' }, trap], expect: { 'full-l2': 1 } },
  { name: 'branch to a trap', insts: [branchEqImm({ to: 2 }), { op: 'fallthrough' }, trap], expect: { 'full-l2': 1 } },
  {
    name: 'branch to unlikely',
    insts: [branchEqImm({ to: 2 }), { op: 'fallthrough' }, { op: 'unlikely' }, trap],
    expect: { 'full-l2': 1 },
  },
  { name: 'branch with neither side a trap', insts: [branchEqImm({ to: 1 }), { op: 'fallthrough' }], expect: { 'full-l2': 20 } },
  { name: 'branch past the end of the code', insts: [branchEqImm({ toPc: 1000 }), { op: 'fallthrough' }], expect: { 'full-l2': 1 } },
  {
    // polkavm compares raw code bytes; on an ISA without `unlikely` it compares against 255, its
    // placeholder for an unassigned opcode, so an unknown opcode 255 counts as predicted there...
    name: 'ReviveV1: branch falling through to byte 255',
    isa: Isa.ReviveV1,
    insts: [branchEqImm({ to: 0 }), { raw: 255 }],
    expect: { 'full-l2': 1 },
  },
  {
    // ...and not on Latest64, where `unlikely` has its own opcode.
    name: 'Latest64: branch falling through to byte 255',
    insts: [branchEqImm({ to: 0 }), { raw: 255 }],
    expect: { 'full-l2': 20 },
  },
];

describe('full cost model: hand-checked blocks', () => {
  for (const c of cases) {
    for (const [model, cost] of Object.entries(c.expect) as [CostModelName, number][]) {
      it(`${c.name} (${model})`, () => {
        expect(firstBlockCost(model, program(c.isa ?? Isa.Latest64, c.insts))).toBe(cost);
      });
    }
  }
});

describe('full cost model: API', () => {
  const code = program(Isa.Latest64, [loadU64(A0, A1), trap, { op: 'add_64', r1: A0, r2: A0, r3: A1 }, { op: 'jump', to: 0 }]);

  it('charges block starts only, by instruction index', () => {
    const costs = fullCostModel('l2').blockCosts(code);
    expect(Array.from(costs)).toEqual([25, 0, 15, 0]);
  });

  it('costs a single block the same as the whole program', () => {
    const costs = fullCostModel('l3').blockCosts(code);
    expect([0, 2].map((i) => fullBlockCost(code, i, 'l3'))).toEqual([costs[0], costs[2]]);
    expect(() => fullBlockCost(code, 1, 'l3')).toThrow(/does not start a basic block/);
  });

  it('computes once per DecodedCode and model', () => {
    expect(fullCostModel('l2').blockCosts(code)).toBe(fullCostModel('l2').blockCosts(code));
    expect(fullCostModel('l1').blockCosts(code)).not.toBe(fullCostModel('l2').blockCosts(code));
  });

  it('names every model', () => {
    for (const name of COST_MODEL_NAMES) {
      expect(isCostModelName(name)).toBe(true);
      expect(costModelByName(name).name).toBe(name);
    }
    expect(costModelByName('naive')).toBe(naiveCostModel);
    expect(isCostModelName('full')).toBe(false);
    expect(() => costModelByName('full-l4' as CostModelName)).toThrow(/unknown cost model: full-l4/);
    expect(() => fullCostModel('l4' as 'l1')).toThrow(/unknown cache level/);
    expect(() => fullCostModel('toString' as 'l1')).toThrow(/unknown cache level/);
  });

  it('drains the pipeline exactly at the instruction table\'s block terminators', () => {
    const mismatched = [...OP_NAMES.keys(), INVALID].filter((id) => ((OP_INFO[id]! & INFO_DRAIN) !== 0) !== ((OP_FLAGS[id]! & END) !== 0));
    expect(mismatched.map((id) => OP_NAMES[id] ?? 'invalid')).toEqual([]);
  });

  it('has a pipeline class for every instruction of every ISA (every block costs at least 1)', () => {
    for (const isa of [Isa.ReviveV1, Isa.Latest32, Isa.Latest64, Isa.JamV1]) {
      const names = (OP_NAMES as readonly OpName[]).filter((name) => ENCODE_TABLES[isa]![Op[name]]! >= 0);
      const decoded = program(
        isa,
        names.map((name) => ({ op: name, r1: A0, r2: A1, r3: A2, to: 0 })),
      );
      const costs = fullCostModel('l3').blockCosts(decoded);
      let blocks = 0;
      for (let i = 0; i < decoded.count; i++) {
        if (!decoded.blockStart[i]) continue;
        blocks++;
        expect(costs[i]).toBeGreaterThanOrEqual(1);
      }
      expect(blocks).toBe(decoded.blockCount);
    }
  });
});
