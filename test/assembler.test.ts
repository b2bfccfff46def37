import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AssemblyError, assemble, jumpTableEntrySize, simpleVarintLength, type AssemblyErrorKind } from '../src/assembler/index.ts';
import { parseBlob } from '../src/decoder/index.ts';
import { decodeAll, specCases, type Decoded } from './assembler-helpers.ts';
import { HAVE_SHARED } from './shared.ts';

const A0 = 7;
const A1 = 8;
const A2 = 9;

describe.skipIf(!HAVE_SHARED)('assembler: polkavm spec cases, byte for byte', () => {
  const cases = specCases();
  it('finds all 257 cases', () => expect(cases.length).toBe(257));
  it.each(cases)('$name', ({ text, blob }) => {
    expect(Buffer.from(assemble(text, { isa: 'jam_v1' })).toString('hex')).toBe(readFileSync(blob).toString('hex'));
  });
});

interface Case {
  name: string;
  text: string;
  isa?: string;
  exactCmov?: boolean;
  expect: Partial<Decoded>[];
}

// What polkavm's syntax means, quirks included (first pass: must match polkavm exactly).
const polkavmCases: Case[] = [
  { name: 'd = s if c != 0 is cmov_if_zero (polkavm quirk)', text: 'a0 = a1 if a2 != 0', expect: [{ name: 'cmov_if_zero', r1: A0, r2: A1, r3: A2 }] },
  { name: 'd = imm if c != 0 is cmov_if_zero_imm (polkavm quirk)', text: 'a0 = 5 if a2 != 0', expect: [{ name: 'cmov_if_zero_imm', r1: A0, r2: A2, imm1: 5 }] },
  { name: 'exactCmov fixes the quirk', text: 'a0 = a1 if a2 != 0\na0 = 5 if a2 != 0', exactCmov: true, expect: [{ name: 'cmov_if_not_zero' }, { name: 'cmov_if_not_zero_imm', imm1: 5 }] },
  { name: 'a u32 value that is not an i32 needs load_imm64', text: 'a0 = 0xffffffff', expect: [{ name: 'load_imm64', imm1: -1, imm2: 0 }] },
  { name: 'a sign-extended i32 is load_imm', text: 'a0 = 0xffffffff87654321', expect: [{ name: 'load_imm', imm1: 0x87654321 | 0 }] },
  { name: 'i64 forces load_imm64', text: 'a0 = i64 5', expect: [{ name: 'load_imm64', imm1: 5, imm2: 0 }] },
  {
    name: 'a label after a fall-through instruction gets a fallthrough',
    text: 'a0 = 1\n@l:\na0 = 2\njump @l',
    expect: [{ name: 'load_imm', pc: 0 }, { name: 'fallthrough', pc: 3 }, { name: 'load_imm', pc: 4 }, { name: 'jump', target: 4 }],
  },
  { name: '%no_fallthrough suppresses it', text: 'a0 = 1\n@l: %no_fallthrough\ntrap', expect: [{ name: 'load_imm' }, { name: 'trap' }] },
  { name: 'subtracting an immediate is add_imm', text: 'a0 = a1 - 5', expect: [{ name: 'add_imm_64', r1: A0, r2: A1, imm1: -5 }] },
  { name: 'imm - reg is negate_and_add_imm', text: 'i32 a0 = 5 - a1', expect: [{ name: 'negate_and_add_imm_32', r1: A0, r2: A1, imm1: 5 }] },
  { name: '<=u on registers swaps into >=u', text: '@l:\njump @l if a0 <=u a1', expect: [{ name: 'branch_greater_or_equal_unsigned', r1: A1, r2: A0, target: 0 }] },
  { name: 'imm <u reg reverses into reg >u imm', text: '@l:\njump @l if 5 <u a0', expect: [{ name: 'branch_greater_unsigned_imm', r1: A0, imm1: 5 }] },
  { name: 'reg >u reg is set_less_than_unsigned swapped', text: 'a0 = a1 >u a2', expect: [{ name: 'set_less_than_unsigned', r1: A0, r2: A2, r3: A1 }] },
  { name: 'a label address is (index + 1) * 2', text: 'a0 = @l\na1 = @l\n@l:\ntrap', expect: [{ name: 'load_imm', imm1: 2 }, { name: 'load_imm', imm1: 4 }, { name: 'fallthrough' }, { name: 'trap' }] },
  { name: 'tmp form allows dst == base', text: 'tmp = a0, a0 = 7, jump [tmp + 4]', expect: [{ name: 'load_imm_and_jump_indirect', r1: A0, r2: A0, imm1: 7, imm2: 4 }] },
  { name: 'ret and nop', text: 'nop\nret', expect: [{ name: 'move_reg', r1: 0, r2: 0 }, { name: 'jump_indirect', r1: 0, imm1: 0 }] },
  { name: 'r0..r12 names', text: 'r7 = r12 ^ r1', expect: [{ name: 'xor', r1: 7, r2: 12, r3: 1 }] },
];

// Extensions: text polkavm rejects, accepted here (second pass).
const extensionCases: Case[] = [
  { name: 'sbrk', text: 'a0 = sbrk a1', expect: [{ name: 'sbrk', r1: A0, r2: A1 }] },
  { name: 'memset (disassembler spelling)', text: '[a0..a0 + a2] = u8 a1\nmemset', expect: [{ name: 'memset' }, { name: 'memset' }] },
  {
    name: 'mul_upper_*',
    text: 'a0 = a1 mulh a2\na0 = a1 mulhu a2\na0 = a1 mulhsu a2',
    expect: [{ name: 'mul_upper_signed_signed', r1: A0, r2: A1, r3: A2 }, { name: 'mul_upper_unsigned_unsigned' }, { name: 'mul_upper_signed_unsigned' }],
  },
  { name: 'negation', text: 'a0 = -a1\ni32 a0 = -a1', expect: [{ name: 'negate_and_add_imm_64', r2: A1, imm1: 0 }, { name: 'negate_and_add_imm_32', imm1: 0 }] },
  { name: 'negative negate_and_add_imm', text: 'a0 = -5 - a1', expect: [{ name: 'negate_and_add_imm_64', r1: A0, r2: A1, imm1: -5 }] },
  {
    name: 'numeric jump and branch targets',
    text: 'trap\njump 0\njump 0 if a3 != 2\nra = 5, jump 0',
    expect: [{ name: 'trap' }, { name: 'jump', target: 0 }, { name: 'branch_not_eq_imm', r1: 10, imm1: 2, target: 0 }, { name: 'load_imm_and_jump', r1: 0, imm1: 5, target: 0 }],
  },
  { name: 'ecalli by import name', text: '%import foo\n%import bar\necalli bar\necalli 0x10', expect: [{ name: 'ecalli', imm1: 1 }, { name: 'ecalli', imm1: 16 }] },
  {
    name: 'data labels',
    text: '%ro_data @msg = 68 69\n%rw_data @buf = 00000000\na0 = @msg\na1 = @buf + 2\na2 = u8 [@msg + 1]\nu32 [@buf] = a0',
    expect: [
      { name: 'load_imm', imm1: 0x10000 },
      { name: 'load_imm', imm1: 0x30002 },
      { name: 'load_u8', r1: A2, imm1: 0x10001 },
      { name: 'store_u32', r1: A0, imm1: 0x30000 },
    ],
  },
  {
    name: 'negative immediates printed as 64-bit hex',
    text: 'a0 = u8 [a1 + 0xfffffffffffffff8]\na0 = 0xfffffffffffffffb if a1 == 0\njump [a0 + 0xfffffffffffffff8]',
    expect: [{ name: 'load_indirect_u8', imm1: -8 }, { name: 'cmov_if_zero_imm', imm1: -5 }, { name: 'jump_indirect', imm1: -8 }],
  },
  {
    name: '32-bit ISA: plain operators are the _32 instructions, u32 patterns are i32',
    isa: 'latest32',
    text: 'a0 = a1 + a2\na0 = 0xfffffffb\na0 = a1 + 0xfffffffb\na0 = clz a1\na0 = a1 - 5\nu16 [sp + 48] = 0xffffff00',
    expect: [
      { name: 'add_32' },
      { name: 'load_imm', imm1: -5 },
      { name: 'add_imm_32', imm1: -5 },
      { name: 'count_leading_zero_bits_32' },
      { name: 'add_imm_32', imm1: -5 },
      { name: 'store_imm_indirect_u16', r1: 1, imm1: 48, imm2: -256 },
    ],
  },
  { name: 'u8 store values as the linker emits them', text: 'u8 [0x20002] = 0xffffffffffffefa0', expect: [{ name: 'store_imm_u8', imm1: 0x20002, imm2: -4192 }] },
  { name: 'trailing comment', text: 'a0 = a1 // copy\n@l: // a label\njump @l // loop', expect: [{ name: 'move_reg' }, { name: 'fallthrough' }, { name: 'jump', target: 3 }] },
  { name: 'disassembly listing prefix', text: '       0: a0 = 1\n       3: trap', expect: [{ name: 'load_imm', imm1: 1 }, { name: 'trap' }] },
  {
    name: 'generic <name> <operands> form',
    text: '@l:\ncmov_if_not_zero a0, a1, a2\nload_imm64 a0, 5\nstore_imm_u8 0x20000, 0x1234\nbranch_eq a0, a1, @l\nrotate_right_imm_32 a0, a1, 0xffffffff',
    expect: [
      { name: 'cmov_if_not_zero', r1: A0, r2: A1, r3: A2 },
      { name: 'load_imm64', r1: A0, imm1: 5, imm2: 0 },
      { name: 'store_imm_u8', imm1: 0x20000, imm2: 0x1234 },
      { name: 'branch_eq', r1: A0, r2: A1, target: 0 },
      { name: 'rotate_right_imm_32', imm1: -1 },
    ],
  },
  { name: 'ISA aliases in %isa', text: '%isa = JamV1\na0 = a1 + a2', expect: [{ name: 'add_64' }] },
];

describe('assembler: meaning of each form', () => {
  it.each([...polkavmCases, ...extensionCases])('$name', (c) => {
    const got = decodeAll(assemble(c.text, { isa: c.isa ?? 'latest64', exactCmov: c.exactCmov }));
    expect(got.length).toBe(c.expect.length);
    c.expect.forEach((want, i) => expect(got[i]).toMatchObject(want));
  });
});

describe('assembler: program parts', () => {
  it('writes imports in declaration order, exports sorted by name, memory and data', () => {
    const blob = parseBlob(
      assemble(
        '%isa = latest32\n%import zeta\n%import alpha\n%ro_data_size = 10\n%rw_data = 0102\n%rw_data_size = 4\n%stack_size = 8192\npub @zz:\ntrap\npub @aa:\necalli zeta\ntrap',
      ),
    );
    expect(blob.isa).toBe(1);
    expect(blob.imports.map((s) => Buffer.from(s).toString())).toEqual(['zeta', 'alpha']);
    expect(blob.exports.map((e) => [e.name, e.pc])).toEqual([
      ['aa', 1],
      ['zz', 0],
    ]);
    expect([blob.roDataSize, blob.rwDataSize, blob.stackSize]).toEqual([10, 4, 8192]);
    expect([...blob.rwData]).toEqual([1, 2]);
  });

  it('exports the exact instruction after %no_fallthrough mid-block', () => {
    const blob = parseBlob(assemble('pub @main:\nunlikely\npub @mid: %no_fallthrough\ntrap', { isa: 'jam_v1' }));
    expect(blob.exports.map((e) => [e.name, e.pc])).toEqual([
      ['main', 0],
      ['mid', 1],
    ]);
  });

  it('explicit %jump_table entries precede later label addresses', () => {
    const bytes = assemble('%jump_table = 0, @l\na0 = @l\n@l:\ntrap', { isa: 'latest64' });
    const blob = parseBlob(bytes);
    expect([...blob.jumpTable]).toEqual([0, 4, 4]);
    expect(decodeAll(bytes)[0]).toMatchObject({ name: 'load_imm', imm1: 6 });
  });

  it('sizes jump table entries by their leading non-zero bytes (polkavm quirk)', () => {
    // One entry at offset 0x100: LE bytes 00 01 00 00 have no leading non-zero byte, so size 0.
    const bytes = assemble(`%jump_table = 0x100\n${'unlikely\n'.repeat(256)}trap`, { isa: 'latest64' });
    const section = bytes.indexOf(6, 13);
    expect([...bytes.subarray(section + 3, section + 5)]).toEqual([1, 0]);
  });
});

describe('writer primitives', () => {
  it.each([
    [0, 0],
    [1, 1],
    [0x7f, 1],
    [0x80, 2],
    [0x7fff, 2],
    [0x8000, 3],
    [0x7fffff, 3],
    [0x800000, 4],
    [-1, 1],
    [-128, 1],
    [-129, 2],
    [-32768, 2],
    [-32769, 3],
    [-(2 ** 23), 3],
    [-(2 ** 23) - 1, 4],
    [-(2 ** 31), 4],
  ])('simple varint of %i takes %i bytes', (value, length) => expect(simpleVarintLength(value)).toBe(length));

  it.each([
    [[], 0],
    [[0], 0],
    [[5], 1],
    [[0x100], 0],
    [[0x1ff], 2],
    [[0x10001], 1],
    [[0x123456], 3],
    [[0x12345678, 3], 4],
  ])('jump table entries %j take %i bytes each', (offsets, size) => expect(jumpTableEntrySize(offsets)).toBe(size));
});

interface ErrorCase {
  name: string;
  text: string;
  isa?: string | null;
  kind: AssemblyErrorKind;
  line: number;
  column: number;
  message: string;
}

const errorCases: ErrorCase[] = [
  { name: 'unparsable line', text: 'pub @main:\n  a0 = a1 +', kind: 'syntax', line: 2, column: 3, message: 'at line 2, column 3: cannot parse "a0 = a1 +"' },
  { name: 'undefined label', text: 'trap\n  jump @nowhere', kind: 'undefined-label', line: 2, column: 8, message: 'label is not defined: "nowhere"' },
  { name: 'undefined label address', text: 'a0 = @missing', kind: 'undefined-label', line: 1, column: 6, message: 'label is not defined: "missing"' },
  { name: 'duplicate label', text: '@a:\ntrap\n @a:', kind: 'duplicate-label', line: 3, column: 2, message: 'duplicate label "a"' },
  { name: 'bad size', text: '%ro_data_size = x', kind: 'directive', line: 1, column: 17, message: 'cannot parse the size' },
  { name: 'bad hex', text: '%rw_data = 123', kind: 'directive', line: 1, column: 12, message: 'cannot parse the hex bytes' },
  { name: 'unknown ISA', text: '%isa = x86', kind: 'directive', line: 1, column: 8, message: "unknown ISA 'x86'" },
  { name: 'unknown directive', text: 'trap\n%frobnicate 1', kind: 'directive', line: 2, column: 1, message: 'unknown directive' },
  { name: 'instruction missing from the ISA', text: 'a0 = u64 [a1]', isa: 'latest32', kind: 'unsupported-instruction', line: 1, column: 1, message: "'load_indirect_u64' is not available in the 'latest32'" },
  { name: 'sbrk is not in jam_v1', text: 'a0 = sbrk a1', isa: 'jam_v1', kind: 'unsupported-instruction', line: 1, column: 1, message: "'sbrk' is not available in the 'jam_v1'" },
  { name: 'no ISA', text: 'trap', isa: null, kind: 'no-isa', line: 0, column: 0, message: 'no ISA was declared' },
  { name: 'undeclared import', text: 'ecalli foo', kind: 'undefined-import', line: 1, column: 8, message: 'import is not declared: "foo"' },
  { name: 'i32 on a shared operation', text: 'i32 a0 = a1 & a2', kind: 'syntax', line: 1, column: 1, message: 'i32 not supported for operation' },
  { name: 'two immediates in a branch', text: '@a:\njump @a if 1 == 2', kind: 'syntax', line: 2, column: 1, message: 'both arguments cannot be immediates' },
  { name: 'invalid branch condition', text: '@a:\njump @a if a0 ~ 2', kind: 'syntax', line: 2, column: 1, message: 'invalid condition' },
  { name: 'dst == base needs the tmp form', text: 'a1 = 5, jump [a1]', kind: 'syntax', line: 1, column: 1, message: 'expected: "tmp = a1, a1 = 5, jump [tmp]"' },
  { name: 'division by an immediate', text: 'a0 = a1 /u 3', kind: 'syntax', line: 1, column: 1, message: 'division is not supported for immediates' },
  { name: 'label with nothing after it', text: 'jump @end\n@end:', kind: 'undefined-label', line: 1, column: 6, message: 'at the end of the code' },
];

describe('assembler errors: kind, line and column', () => {
  it.each(errorCases)('$name', (c) => {
    let error: unknown;
    try {
      assemble(c.text, c.isa === null ? {} : { isa: c.isa ?? 'latest64' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AssemblyError);
    const e = error as AssemblyError;
    expect({ kind: e.kind, line: e.line, column: e.column }).toEqual({ kind: c.kind, line: c.line, column: c.column });
    expect(e.message).toContain(c.message);
    if (c.line > 0) expect(e.message.startsWith(`at line ${c.line}, column ${c.column}: `)).toBe(true);
  });
});
