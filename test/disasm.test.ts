// polkavm's instruction text: the five reference disassemblies line by line, every blob in ../shared, and the
// formatting rules (hex vs decimal, `i32` prefixes, aliases) on hand-made instructions.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlob, parseJamService } from '../src/decoder/blob.ts';
import { decodeCode, decodeProgram } from '../src/decoder/code.ts';
import { disassemble, disassemblySummary, formatInstruction, type FormatOptions } from '../src/decoder/disasm.ts';
import { Isa, opcodeByte } from '../src/decoder/isa.ts';
import { INSTRUCTIONS, INVALID, Op, type OpName } from '../src/decoder/table.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

/** Decodes one instruction from its argument bytes and formats it. */
function text(isa: Isa, name: OpName | number, args: number[], options?: FormatOptions): string {
  const byte = typeof name === 'number' ? name : opcodeByte(isa, Op[name])!;
  const code = Uint8Array.from([byte, ...args, 0]);
  const bitmask = new Uint8Array(Math.ceil(code.length / 8));
  bitmask[0]! |= 1;
  bitmask[(code.length - 1) >>> 3]! |= 1 << ((code.length - 1) & 7);
  return formatInstruction(decodeCode(isa, code, bitmask, new Uint32Array()), 0, options);
}

const L32 = Isa.Latest32;
const L64 = Isa.Latest64;
// Registers: ra 0, sp 1, t0 2, a0 7, a1 8, a2 9.
const cases: { isa: Isa; op: OpName | number; args: number[]; text: string; options?: FormatOptions }[] = [
  { isa: L32, op: 'add_32', args: [0x98, 0x07], text: 'a0 = a1 + a2' },
  { isa: L64, op: 'add_32', args: [0x98, 0x07], text: 'i32 a0 = a1 + a2' },
  { isa: L64, op: 'add_64', args: [0x98, 0x07], text: 'a0 = a1 + a2' },
  { isa: L64, op: 'add_32', args: [0x98, 0x07], text: 'i32 r7 = r8 + r9', options: { nonAbiRegNames: true } },
  { isa: L64, op: 'add_32', args: [0x98, 0x07], text: 'a0 = a1 + a2', options: { is64Bit: false } },
  { isa: L32, op: 'add_imm_32', args: [0x11, 0xf0], text: 'sp = sp - 16' },
  { isa: L64, op: 'add_imm_32', args: [0x11, 0xf0], text: 'i32 sp = sp - 16' },
  { isa: L64, op: 'add_imm_64', args: [0x11, 0x10], text: 'sp = sp + 0x10' },
  { isa: L32, op: 'add_imm_32', args: [0x11, 0x00, 0xf0], text: 'sp = sp + 0xfffff000' },
  { isa: L64, op: 'add_imm_64', args: [0x11, 0x00, 0xf0], text: 'sp = sp + 0xfffffffffffff000' },
  { isa: L64, op: 'add_imm_64', args: [0x11, 0xf0], text: 'sp = sp + 0xfffffffffffffff0', options: { unaliased: true } },
  { isa: L32, op: 'load_imm', args: [0x07], text: 'a0 = 0' },
  { isa: L32, op: 'load_imm', args: [0x07, 0xff], text: 'a0 = 0xffffffff' },
  { isa: L64, op: 'load_imm', args: [0x07, 0xff], text: 'a0 = 0xffffffffffffffff' },
  { isa: L64, op: 'load_imm64', args: [0x07, 0xf0, 0xde, 0xbc, 0x9a, 0x78, 0x56, 0x34, 0x12], text: 'a0 = 0x123456789abcdef0' },
  { isa: L64, op: 'load_imm64', args: [0x07, 0, 0, 0, 0, 0, 0, 0, 0], text: 'a0 = 0x0' },
  { isa: L64, op: 'load_imm64', args: [0x07, 0, 0, 0, 0, 1, 0, 0, 0], text: 'a0 = 0x100000000' },
  { isa: L32, op: 'jump_indirect', args: [0x00], text: 'ret' },
  { isa: L32, op: 'jump_indirect', args: [0x02], text: 'jump [t0]' },
  { isa: L32, op: 'jump_indirect', args: [0x02, 0x08], text: 'jump [t0 + 0x8]' },
  { isa: L32, op: 'jump_indirect', args: [0x00], text: 'jump [ra + 0]', options: { unaliased: true } },
  { isa: L32, op: 'ecalli', args: [0xff], text: 'ecalli 4294967295' },
  { isa: L32, op: 'ecalli', args: [0x03], text: 'ecalli 3' },
  { isa: L32, op: 'store_imm_indirect_u32', args: [0x11, 0x18], text: 'u32 [sp + 24] = 0' },
  { isa: L32, op: 'store_imm_indirect_u32', args: [0x11, 0xf8, 0x01], text: 'u32 [sp + -8] = 0x1' },
  { isa: L32, op: 'store_imm_u8', args: [0x01, 0x10, 0x05], text: 'u8 [0x10] = 0x5' },
  { isa: L32, op: 'store_indirect_u32', args: [0x17], text: 'u32 [sp] = a0' },
  { isa: L32, op: 'store_indirect_u32', args: [0x17, 0x04], text: 'u32 [sp + 0x4] = a0' },
  // polkavm prints the source of store_indirect_u8 with ABI names whatever the option says.
  { isa: L32, op: 'store_indirect_u8', args: [0x17], text: 'u8 [r1] = a0', options: { nonAbiRegNames: true } },
  { isa: L32, op: 'store_indirect_u16', args: [0x17], text: 'u16 [r1] = r7', options: { nonAbiRegNames: true } },
  { isa: L32, op: 'store_u32', args: [0x07, 0x20], text: 'u32 [0x20] = a0' },
  { isa: L32, op: 'load_indirect_u16', args: [0x77], text: 'a0 = u16 [a0 ]' },
  { isa: L32, op: 'load_indirect_i16', args: [0x77], text: 'a0 = i16 [a0]' },
  { isa: L32, op: 'load_indirect_i32', args: [0x17, 0x04], text: 'a0 = i32 [sp + 0x4]' },
  { isa: L64, op: 'load_indirect_u64', args: [0x17, 0xfc], text: 'a0 = u64 [sp + 0xfffffffffffffffc]' },
  { isa: L32, op: 'load_i32', args: [0x08, 0x08, 0x00, 0x02], text: 'a1 = i32 [0x20008]' },
  { isa: L32, op: 'branch_eq_imm', args: [0x17, 0xff, 0x0a], text: 'jump 10 if a0 == -1' },
  { isa: L32, op: 'branch_less_unsigned_imm', args: [0x17, 0x10, 0x0a], text: 'jump 10 if a0 <u 16' },
  { isa: L32, op: 'branch_greater_signed_imm', args: [0x07, 0x0a], text: 'jump 10 if a0 >s 0' },
  { isa: L32, op: 'branch_less_or_equal_unsigned_imm', args: [0x07, 0x0a], text: 'jump 10 if a0 <=u 0' },
  { isa: L32, op: 'branch_greater_or_equal_signed', args: [0x87, 0x0a], text: 'jump 10 if a0 >=s a1' },
  { isa: L32, op: 'branch_not_eq', args: [0x87, 0xfe], text: 'jump 4294967294 if a0 != a1' },
  { isa: L32, op: 'jump', args: [0x0a], text: 'jump 10' },
  { isa: L32, op: 'jump', args: [0x0a], text: 'jump @a', options: { jumpTarget: (pc) => `@${pc.toString(16)}` } },
  { isa: L32, op: 'load_imm_and_jump', args: [0x10, 0x04, 0x0a], text: 'ra = 4, jump 10' },
  { isa: L32, op: 'load_imm_and_jump_indirect', args: [0x20, 0x01, 0x04], text: 'ra = 4, jump [t0]' },
  { isa: L32, op: 'load_imm_and_jump_indirect', args: [0x20, 0x01, 0x04, 0x08], text: 'ra = 4, jump [t0 + 0x8]' },
  { isa: L32, op: 'load_imm_and_jump_indirect', args: [0x00, 0x01, 0x04], text: 'tmp = ra, ra = 4, jump [tmp]' },
  { isa: L32, op: 'load_imm_and_jump_indirect', args: [0x00, 0x01, 0x04, 0x08], text: 'tmp = ra, ra = 4, jump [tmp + 0x8]' },
  { isa: L32, op: 'rotate_right_imm_32', args: [0x87, 0x03], text: 'a0 = a1 >> 0x3' },
  { isa: L64, op: 'rotate_right_imm_32', args: [0x87, 0x03], text: 'i32 a0 = a1 >>r 0x3' },
  { isa: L32, op: 'rotate_right_imm_alt_32', args: [0x87, 0x03], text: 'a0 = 0x3 >> a1' },
  { isa: L64, op: 'rotate_right_imm_alt_64', args: [0x87, 0x03], text: 'a0 = 0x3 >>r a1' },
  { isa: L32, op: 'shift_logical_left_imm_alt_32', args: [0x87, 0x03], text: 'a0 = 0x3 << a1' },
  { isa: L64, op: 'shift_arithmetic_right_imm_alt_32', args: [0x87, 0x03], text: 'i32 a0 = 0x3 >>a a1' },
  { isa: L32, op: 'negate_and_add_imm_32', args: [0x87], text: 'a0 = -a1' },
  { isa: L64, op: 'negate_and_add_imm_32', args: [0x87, 0x05], text: 'i32 a0 = 0x5 - a1' },
  { isa: L32, op: 'cmov_if_zero_imm', args: [0x87, 0x05], text: 'a0 = 0x5 if a1 == 0' },
  { isa: L32, op: 'cmov_if_not_zero', args: [0x98, 0x07], text: 'a0 = a1 if a2 != 0' },
  { isa: L32, op: 'set_less_than_signed_imm', args: [0x87, 0x05], text: 'a0 = a1 <s 0x5' },
  { isa: L32, op: 'and_inverted', args: [0x98, 0x07], text: 'a0 = a1 & ~a2' },
  { isa: L32, op: 'xnor', args: [0x98, 0x07], text: 'a0 = ~(a1 ^ a2)' },
  { isa: L32, op: 'minimum_unsigned', args: [0x98, 0x07], text: 'a0 = minu(a1, a2)' },
  { isa: L32, op: 'mul_upper_signed_unsigned', args: [0x98, 0x07], text: 'a0 = a1 mulhsu a2' },
  { isa: L64, op: 'count_set_bits_32', args: [0x87], text: 'i32 a0 = cpop a1' },
  { isa: L64, op: 'count_set_bits_64', args: [0x87], text: 'a0 = cpop a1' },
  { isa: L64, op: 'sign_extend_16', args: [0x87], text: 'a0 = sext16 a1' },
  { isa: L32, op: 'sbrk', args: [0x87], text: 'a0 = sbrk a1' },
  { isa: L32, op: 'move_reg', args: [0x87], text: 'a0 = a1' },
  { isa: L64, op: 'memset', args: [], text: '[a0..a0 + a2] = u8 a1' },
  { isa: L64, op: 'fallthrough', args: [], text: 'fallthrough' },
  { isa: L64, op: 0xff, args: [], text: 'invalid' },
];

describe('formatInstruction', () => {
  for (const c of cases) {
    it(`${['ReviveV1', 'Latest32', 'Latest64', 'JamV1'][c.isa]} ${String(c.op)} ${c.args.join(',')} → ${c.text}`, () => {
      expect(text(c.isa, c.op, c.args, c.options)).toBe(c.text);
    });
  }

  it('formats every instruction of the table in every ISA that has it', () => {
    for (let isa = 0 as Isa; isa <= 3; isa++) {
      INSTRUCTIONS.forEach((row, id) => {
        const byte = opcodeByte(isa, id);
        if (byte === undefined) return;
        const t = text(isa, row.name, [0x21, 0x43, 0x65, 0x87, 0xa9, 0xcb, 0xed, 0x0f, 0x10]);
        expect(t, row.name).toMatch(/^[a-z0-9[\]]/);
        expect(t, row.name).not.toMatch(/undefined|NaN|invalid/);
      });
    }
  });
});

describe.skipIf(!HAVE_SHARED)('reference disassemblies (shared/vectors/disasm)', () => {
  const vectors: [string, string][] = [
    ['Flipper.Oz', 'revive/Flipper.Oz.polkavm'],
    ['bench-pinky', 'polkavm/bench-pinky.polkavm'],
    ['example-hello-world', 'polkavm/example-hello-world.polkavm'],
    ['files_guest-sum-balance', 'pvq/files_guest-sum-balance.polkavm'],
    ['rv64um_mulh', 'riscv-tests/rv64um_mulh.polkavm'],
  ];
  for (const [vector, blobPath] of vectors) {
    it(vector, () => {
      const expected = readFileSync(sharedPath('vectors', 'disasm', `${vector}.txt`), 'utf8').trimEnd().split('\n');
      const blob = parseBlob(new Uint8Array(readFileSync(sharedPath('blobs', blobPath))));
      const code = decodeProgram(blob);
      const lines = disassemble(code);
      const { head, tail } = disassemblySummary(blob, code);
      // Compare line by line so a failure names the first differing pc rather than dumping 11k lines.
      const got = [...head, ...lines, ...tail];
      expect(got.length).toBe(expected.length);
      for (let i = 0; i < expected.length; i++) if (got[i] !== expected[i]) expect(`line ${i + 1}: ${got[i]}`).toBe(`line ${i + 1}: ${expected[i]}`);
      expect(lines.length).toBe(expected.length - head.length - tail.length);
    });
  }
});

describe.skipIf(!HAVE_SHARED)('every blob in shared/blobs', () => {
  const programs: { path: string; jam: boolean }[] = [];
  if (HAVE_SHARED)
    for (const dir of readdirSync(sharedPath('blobs'), { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      for (const f of readdirSync(sharedPath('blobs', dir.name)))
        if (f.endsWith('.polkavm') || f.endsWith('.jam')) programs.push({ path: `${dir.name}/${f}`, jam: f.endsWith('.jam') });
    }

  it('finds the blobs', () => expect(programs.length).toBeGreaterThan(250));

  it('parses, decodes and disassembles each; real instructions = bitmask bits', () => {
    for (const { path, jam } of programs) {
      const bytes = new Uint8Array(readFileSync(sharedPath('blobs', path)));
      const blob = jam ? parseJamService(bytes, Isa.JamV1) : parseBlob(bytes);
      const code = decodeProgram(blob);
      const lines = disassemble(code);
      expect(lines.length, path).toBe(code.count);
      let bits = 0;
      for (let pc = 0; pc < blob.code.length; pc++) bits += (blob.bitmask[pc >>> 3]! >>> (pc & 7)) & 1;
      let real = 0;
      for (let i = 0; i < code.count; i++) real += code.implicit[i] ? 0 : 1;
      expect(real, path).toBe(bits);
      for (let i = 0; i < code.count; i++) if (code.op[i] === INVALID && !code.implicit[i]) expect(lines[i], path).toMatch(/: invalid$/);
      if (jam) expect(code.unknownCount, path).toBe(0);
    }
  });
});
