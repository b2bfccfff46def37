// Hand-made byte sequences for every operand form and the decoding corner cases of polkavm's iterator.
import { describe, expect, it } from 'vitest';
import { decodeCode, findStartOfBasicBlock, type DecodedCode } from '../src/decoder/code.ts';
import { ProgramParseError } from '../src/decoder/errors.ts';
import { Isa, opcodeByte } from '../src/decoder/isa.ts';
import { readVarint } from '../src/decoder/reader.ts';
import { INVALID, OP_NAMES, Op, type OpName } from '../src/decoder/table.ts';

/** An instruction: an op name (or a raw opcode byte) and its argument bytes; only the opcode gets a bitmask bit. */
type Ins = readonly [OpName | number, ...number[]];

function build(isa: Isa, program: readonly Ins[]): { code: Uint8Array; bitmask: Uint8Array } {
  const bytes: number[] = [];
  const starts: number[] = [];
  for (const [op, ...args] of program) {
    starts.push(bytes.length);
    const byte = typeof op === 'number' ? op : opcodeByte(isa, Op[op]);
    if (byte === undefined) throw new Error(`${String(op)} is not in ISA ${isa}`);
    bytes.push(byte, ...args);
  }
  const bitmask = new Uint8Array(Math.ceil(bytes.length / 8));
  for (const s of starts) bitmask[s >>> 3]! |= 1 << (s & 7);
  return { code: Uint8Array.from(bytes), bitmask };
}

function decode(isa: Isa, program: readonly Ins[], jumpTable: number[] = []): DecodedCode {
  const { code, bitmask } = build(isa, program);
  return decodeCode(isa, code, bitmask, Uint32Array.from(jumpTable));
}

interface Row {
  op: string;
  pc: number;
  nextPc: number;
  r1: number;
  r2: number;
  r3: number;
  imm1: number;
  imm2: number;
  target: number;
  implicit: number;
}

function row(d: DecodedCode, i: number): Row {
  return {
    op: d.op[i] === INVALID ? 'invalid' : OP_NAMES[d.op[i]!]!,
    pc: d.pc[i]!,
    nextPc: d.nextPc[i]!,
    r1: d.r1[i]!,
    r2: d.r2[i]!,
    r3: d.r3[i]!,
    imm1: d.imm1[i]!,
    imm2: d.imm2[i]!,
    target: d.target[i]!,
    implicit: d.implicit[i]!,
  };
}

interface Case {
  name: string;
  isa?: Isa;
  program: readonly Ins[];
  /** Expected fields of instruction #index (only the listed fields are compared). */
  expect: readonly (Partial<Row> & { index: number })[];
  count?: number;
}

const gap = (n: number): number[] => new Array<number>(n).fill(0);

const cases: Case[] = [
  // Registers: low nibble, values 13..15 clamp to 12 (a5).
  { name: 'reg_reg nibbles', program: [['move_reg', 0x35]], expect: [{ index: 0, op: 'move_reg', r1: 5, r2: 3 }] },
  { name: 'reg_reg clamps 13..15 to 12', program: [['move_reg', 0xdf]], expect: [{ index: 0, r1: 12, r2: 12 }] },
  { name: 'reg_imm clamps 14 and ignores the high nibble', program: [['load_imm', 0xae, 7]], expect: [{ index: 0, r1: 12, imm1: 7 }] },
  { name: 'reg_reg_reg: d from the second byte', program: [['add_32', 0x21, 0x03]], expect: [{ index: 0, r1: 3, r2: 1, r3: 2 }] },
  { name: "reg_reg_reg: the d byte's high nibble is ignored", program: [['add_32', 0x21, 0xf3]], expect: [{ index: 0, r1: 3, r2: 1, r3: 2 }] },
  { name: 'reg_reg_reg: d byte clamps', program: [['sub_64', 0x21, 0x0e]], expect: [{ index: 0, r1: 12 }] },
  // Immediates: 0..4 bytes, little-endian, sign-extended; a longer skip reads only 4 bytes.
  { name: 'imm: 0 bytes', program: [['load_imm', 0x07]], expect: [{ index: 0, imm1: 0 }] },
  { name: 'imm: 1 byte 0x7f', program: [['load_imm', 0x07, 0x7f]], expect: [{ index: 0, imm1: 0x7f }] },
  { name: 'imm: 1 byte 0x80 sign-extends', program: [['load_imm', 0x07, 0x80]], expect: [{ index: 0, imm1: -128 }] },
  { name: 'imm: 2 bytes sign-extend', program: [['load_imm', 0x07, 0x00, 0x80]], expect: [{ index: 0, imm1: -32768 }] },
  { name: 'imm: 3 bytes sign-extend', program: [['load_imm', 0x07, 0x34, 0x12, 0x80]], expect: [{ index: 0, imm1: (0xff801234 | 0) }] },
  { name: 'imm: 3 bytes positive', program: [['load_imm', 0x07, 0x34, 0x12, 0x7f]], expect: [{ index: 0, imm1: 0x7f1234 }] },
  { name: 'imm: 4 bytes', program: [['load_imm', 0x07, 0x78, 0x56, 0x34, 0x92]], expect: [{ index: 0, imm1: 0x92345678 | 0 }] },
  { name: 'imm: a 6-byte skip reads 4', program: [['load_imm', 0x07, 1, 2, 3, 4, 5]], expect: [{ index: 0, imm1: 0x04030201 }] },
  { name: 'ecalli 0xFF is 0xFFFFFFFF', program: [['ecalli', 0xff]], expect: [{ index: 0, op: 'ecalli', imm1: -1 }] },
  { name: 'ecalli with no bytes is 0', program: [['ecalli'], ['trap']], expect: [{ index: 0, imm1: 0 }] },
  // Two immediates: the first length from a 3-bit field capped at 4, the second from what the skip leaves.
  { name: 'imm_imm', program: [['store_imm_u8', 0x02, 0x34, 0x12, 0xff]], expect: [{ index: 0, imm1: 0x1234, imm2: -1 }] },
  { name: 'imm_imm: length byte uses 3 bits', program: [['store_imm_u16', 0xf9, 0x80, 5]], expect: [{ index: 0, imm1: -128, imm2: 5 }] },
  { name: 'imm_imm: first length capped at 4', program: [['store_imm_u32', 0x07, 1, 0, 0, 0, 2]], expect: [{ index: 0, imm1: 1, imm2: 2 }] },
  { name: 'imm_imm: first length beyond the skip', program: [['store_imm_u32', 0x04, 1], ['trap']], expect: [{ index: 0, imm1: 0x0001, imm2: 0 }] },
  { name: 'reg_imm_imm', program: [['store_imm_indirect_u32', 0x11, 0x10, 0xff, 0xff]], expect: [{ index: 0, r1: 1, imm1: 0x10, imm2: -1 }] },
  { name: 'reg_imm_imm: length nibble & 7, capped at 4', program: [['store_imm_indirect_u8', 0xd1, 8, 0, 0, 0, 9]], expect: [{ index: 0, r1: 1, imm1: 8, imm2: 9 }] },
  { name: 'reg_imm_offset: branch target is pc + imm', program: [['trap'], ['branch_eq_imm', 0x17, 5, 0xfd]], expect: [{ index: 1, op: 'branch_eq_imm', r1: 7, imm1: 5, target: 1 - 3 >>> 0 }] },
  { name: 'reg_imm_offset: load_imm_and_jump', program: [['load_imm_and_jump', 0x00, 0x40]], expect: [{ index: 0, r1: 0, imm1: 0, target: 0x40 }] },
  { name: 'reg_reg_imm', program: [['store_indirect_u32', 0x17, 0x08]], expect: [{ index: 0, r1: 7, r2: 1, imm1: 8 }] },
  { name: 'reg_reg_offset', program: [['fallthrough'], ['branch_not_eq', 0x98, 0x02]], expect: [{ index: 1, r1: 8, r2: 9, target: 3 }] },
  { name: 'reg_reg_imm_imm', program: [['load_imm_and_jump_indirect', 0x10, 0x01, 0x40, 0x08]], expect: [{ index: 0, r1: 0, r2: 1, imm1: 0x40, imm2: 8 }] },
  { name: 'offset: jump backwards wraps as u32', program: [['jump', 0xff]], expect: [{ index: 0, target: 0xffffffff }] },
  { name: 'offset: jump forward', program: [['jump', 0x05], ['trap']], expect: [{ index: 0, target: 5 }] },
  // load_imm64 always takes 8 bytes, even past its skip (they belong to the next instruction) or past the end.
  {
    name: 'load_imm64 reads 8 bytes whatever the skip',
    isa: Isa.Latest64,
    program: [['load_imm64', 0x07, 0x11, 0x22], ['trap'], ['trap'], ['load_imm', 0x01, 0x44]],
    expect: [{ index: 0, r1: 7, imm1: 0x2211, imm2: 0x00440133 }],
  },
  { name: 'load_imm64 at the end reads zeros', isa: Isa.Latest64, program: [['load_imm64', 0x02, 0xff, 0xff]], expect: [{ index: 0, r1: 2, imm1: 0xffff, imm2: 0 }] },
  // The argument window is zero-padded past the end of code.
  { name: 'reg_reg_reg at the very end reads zeros', program: [['add_32']], expect: [{ index: 0, r1: 0, r2: 0, r3: 0 }, { index: 1, op: 'invalid', pc: 1, implicit: 1 }] },
  // Skips: capped at 24; a longer gap means an implicit `invalid` after an instruction that can fall through.
  {
    name: 'skip 24 is still a normal instruction',
    program: [['load_imm', 0x07, ...gap(23)], ['trap'], ...Array<Ins>(8).fill(['trap'])],
    expect: [{ index: 0, nextPc: 25, imm1: 0 }, { index: 1, op: 'trap', pc: 25, implicit: 0 }],
    count: 10,
  },
  {
    name: 'skip capped at 24 inserts an implicit invalid (fast path)',
    program: [['load_imm', 0x07, 0x01, ...gap(28)], ...Array<Ins>(40).fill(['trap'])],
    expect: [
      { index: 0, nextPc: 25, imm1: 1 },
      { index: 1, op: 'invalid', pc: 25, nextPc: 31, implicit: 1 },
      { index: 2, op: 'trap', pc: 31, implicit: 0 },
    ],
  },
  {
    name: 'no implicit invalid after a long gap behind a terminator',
    program: [['jump', 0x00, ...gap(30)], ...Array<Ins>(40).fill(['trap'])],
    expect: [{ index: 0, nextPc: 25 }, { index: 1, op: 'trap', pc: 32, implicit: 0 }],
  },
  {
    name: 'long gap near the end (slow path)',
    program: [['load_imm', 0x07, ...gap(29)], ['trap']],
    expect: [{ index: 0, nextPc: 25 }, { index: 1, op: 'invalid', pc: 25, nextPc: 31, implicit: 1 }, { index: 2, op: 'trap', pc: 31 }],
    count: 3,
  },
  {
    // polkavm's slow path stops after three empty bitmask bytes when it starts on a byte boundary, so it
    // misses an instruction exactly 25 bytes on and inserts a trap before it; the fast path does not.
    name: 'slow-path quirk: gap of exactly 24 from a byte boundary',
    program: [['trap'], ...Array<Ins>(6).fill(['fallthrough']), ['load_imm', 0x07, ...gap(23)], ['fallthrough'], ['trap']],
    expect: [
      { index: 7, op: 'load_imm', pc: 7, nextPc: 32 },
      { index: 8, op: 'invalid', pc: 32, nextPc: 32, implicit: 1 },
      { index: 9, op: 'fallthrough', pc: 32, implicit: 0 },
    ],
    count: 11,
  },
  {
    name: 'same gap far from the end takes the fast path (no trap)',
    program: [['trap'], ...Array<Ins>(6).fill(['fallthrough']), ['load_imm', 0x07, ...gap(23)], ...Array<Ins>(40).fill(['fallthrough']), ['trap']],
    expect: [{ index: 7, nextPc: 32 }, { index: 8, op: 'fallthrough', pc: 32, implicit: 0 }],
  },
  // The end of code: an implicit trap after a last instruction that can fall through, none otherwise.
  { name: 'trap at code end after a fall-through', program: [['load_imm', 0x07, 1]], expect: [{ index: 1, op: 'invalid', pc: 3, nextPc: 4, implicit: 1 }], count: 2 },
  { name: 'no trap at code end after a jump', program: [['jump', 0]], expect: [{ index: 0, nextPc: 2 }], count: 1 },
  { name: 'a branch at the end falls through into a trap', program: [['branch_eq', 0x00, 0]], expect: [{ index: 1, op: 'invalid', pc: 3 }], count: 2 },
  // Unknown opcodes decode as `invalid` (not implicit) and the walk continues after their skip.
  { name: 'unknown opcode', program: [[0xff, 1, 2], ['trap']], expect: [{ index: 0, op: 'invalid', pc: 0, nextPc: 3, implicit: 0 }, { index: 1, op: 'trap' }] },
  // Opcode numbers per ISA.
  { name: 'byte 2 is memset in Latest64', isa: Isa.Latest64, program: [[2], ['trap']], expect: [{ index: 0, op: 'memset' }] },
  { name: 'byte 2 is unlikely in JamV1', isa: Isa.JamV1, program: [[2], ['trap']], expect: [{ index: 0, op: 'unlikely' }] },
  { name: 'byte 2 is unknown in ReviveV1', isa: Isa.ReviveV1, program: [[2], ['trap']], expect: [{ index: 0, op: 'invalid', implicit: 0 }] },
  { name: 'byte 101 is sbrk in Latest32', isa: Isa.Latest32, program: [[101, 0x10], ['trap']], expect: [{ index: 0, op: 'sbrk' }] },
  { name: 'byte 101 is count_set_bits_64 in JamV1', isa: Isa.JamV1, program: [[101, 0x10], ['trap']], expect: [{ index: 0, op: 'count_set_bits_64' }] },
  { name: 'byte 20 (load_imm64) is unknown in Latest32', isa: Isa.Latest32, program: [[20, 0], ['trap']], expect: [{ index: 0, op: 'invalid' }] },
];

describe('operand decoding', () => {
  for (const c of cases) {
    it(c.name, () => {
      const d = decode(c.isa ?? Isa.Latest64, c.program);
      for (const { index, ...fields } of c.expect) expect(row(d, index)).toMatchObject(fields);
      if (c.count !== undefined) expect(d.count).toBe(c.count);
    });
  }

  it('a program that does not start with an instruction begins with an implicit invalid', () => {
    const d = decodeCode(Isa.Latest64, Uint8Array.from([0x00, 0x00, 0x00]), Uint8Array.from([0b100]), new Uint32Array());
    expect([row(d, 0), row(d, 1)]).toMatchObject([
      { op: 'invalid', pc: 0, nextPc: 2, implicit: 1 },
      { op: 'trap', pc: 2, implicit: 0 },
    ]);
  });

  it('empty code is one invalid at 0 (as polkavm iterates it)', () => {
    const d = decodeCode(Isa.Latest64, new Uint8Array(0), new Uint8Array(0), new Uint32Array());
    expect(d.count).toBe(1);
    expect(row(d, 0)).toMatchObject({ op: 'invalid', pc: 0, nextPc: 0, implicit: 1 });
  });

  it('JamV1 programs with an unknown opcode are rejected with the code offset', () => {
    const { code, bitmask } = build(Isa.JamV1, [['trap'], [0xff]]);
    expect(() => decodeCode(Isa.JamV1, code, bitmask, new Uint32Array(), { rejectInvalid: true, codeOffset: 100 })).toThrow(
      expect.objectContaining({ kind: 'invalid-instruction', offset: 101 }) as unknown as ProgramParseError,
    );
  });
});

describe('jump target validity and blocks', () => {
  const targets = (d: DecodedCode): number[] => [...d.validJumpTarget].flatMap((v, pc) => (v ? [pc] : []));
  const cases: { name: string; program: readonly Ins[]; valid: number[]; blocks?: number }[] = [
    { name: 'pc 0 and after terminators', program: [['trap'], ['fallthrough'], ['jump', 0], ['load_imm', 0x07, 1], ['trap']], valid: [0, 1, 2, 4], blocks: 4 },
    { name: 'not after a non-terminator', program: [['load_imm', 0x07, 1], ['add_32', 0, 0], ['trap']], valid: [0], blocks: 1 },
    { name: 'after a branch', program: [['branch_eq_imm', 0x07, 0], ['trap']], valid: [0, 3] },
    { name: 'not after an unknown opcode', program: [['trap'], [0xff], ['trap']], valid: [0, 1] },
    { name: 'not in the middle of arguments', program: [['jump', 0], ['load_imm', 0x07, 1, 2], ['trap']], valid: [0, 2] },
    { name: 'not after a terminator more than 25 bytes back', program: [['jump', 0, ...gap(26)], ['trap'], ['trap']], valid: [0, 29] },
    { name: 'after a terminator exactly 25 bytes back', program: [['jump', 0, ...gap(23)], ['trap'], ['trap']], valid: [0, 25, 26] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = decode(Isa.Latest64, c.program);
      expect(targets(d)).toEqual(c.valid);
      if (c.blocks !== undefined) expect(d.blockCount).toBe(c.blocks);
      for (const pc of c.valid) expect(findStartOfBasicBlock(d, pc)).toBe(pc);
    });
  }

  it('indexOfPc maps every instruction start, -1 elsewhere', () => {
    const d = decode(Isa.Latest64, [['load_imm', 0x07, 1], ['trap']]);
    expect([...d.indexOfPc]).toEqual([0, -1, -1, 1, -1, -1]);
  });
});

describe('polkavm varint (container fields)', () => {
  const cases: { bytes: number[]; value?: number; length?: number; error?: string }[] = [
    { bytes: [0x00], value: 0, length: 1 },
    { bytes: [0x7f], value: 0x7f, length: 1 },
    { bytes: [0x80, 0x80], value: 0x80, length: 2 },
    { bytes: [0x80, 0x05], value: 5, length: 2 }, // non-canonical encodings are accepted
    { bytes: [0xbf, 0xff], value: 0x3fff, length: 2 },
    { bytes: [0xc1, 0x02, 0x03], value: 0x010302, length: 3 },
    { bytes: [0xef, 0xff, 0xff, 0xff], value: 0x0fffffff, length: 4 },
    { bytes: [0xf0, 0x01, 0x02, 0x03, 0x04], value: 0x04030201, length: 5 },
    // Quirk: with four continuation bytes the first byte's low bits are ORed in unshifted.
    { bytes: [0xf1, 0x00, 0x00, 0x00, 0x00], value: 1, length: 5 },
    { bytes: [0xf7, 0x00, 0x00, 0x00, 0x80], value: 0x80000007, length: 5 },
    { bytes: [0xf8, 0, 0, 0, 0, 0], error: 'bad-varint' },
    { bytes: [0xff, 0, 0, 0, 0, 0, 0, 0, 0], error: 'bad-varint' },
    { bytes: [0xc0, 0x01], error: 'bad-varint' },
    { bytes: [], error: 'unexpected-end' },
  ];
  for (const c of cases) {
    it(`${c.bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ') || '(empty)'}`, () => {
      const out = [0];
      const bytes = Uint8Array.from(c.bytes);
      if (c.error) {
        expect(() => readVarint(bytes, 0, bytes.length, out)).toThrow(expect.objectContaining({ kind: c.error, offset: 0 }) as unknown as Error);
      } else {
        expect(readVarint(bytes, 0, bytes.length, out)).toBe(c.value);
        expect(out[0]).toBe(c.length);
      }
    });
  }
});
