// One instruction → bytes, in polkavm's canonical serialization (program.rs `serialize_*`): every
// immediate in the shortest "simple varint" that sign-extends back to the same 32-bit value, jump
// targets relative to the instruction's own position.
import { ENCODE_TABLES, type Isa } from '../decoder/isa.ts';
import { OP_FORMS, OP_NAMES, type OpId } from '../decoder/table.ts';

/** Longest encoding: opcode, a register/length byte, and two 4-byte immediates... or load_imm64's 10. */
export const MAX_INSTRUCTION_LENGTH = 12;

/**
 * An instruction ready to be laid out. Operand fields follow the decoder's layout (src/decoder/code.ts):
 * r1/r2 are the low/high register nibbles, r3 the third register of reg_reg_reg (d = r1, s1 = r2,
 * s2 = r3), imm1/imm2 the immediates as i32 (load_imm64: low and high halves), `target` an absolute code
 * offset for the offset forms (filled in by the writer's layout).
 */
export interface EncodableInstruction {
  op: OpId;
  r1: number;
  r2: number;
  r3: number;
  imm1: number;
  imm2: number;
  target: number;
}

/** How many bytes polkavm's `write_simple_varint` uses for a value (0..4). */
export function simpleVarintLength(value: number): number {
  const v = value >>> 0;
  if (v === 0) return 0;
  if (v < 0x80) return 1;
  if (v < 0x8000) return 2;
  if (v < 0x800000) return 3;
  if (v < 0x80000000) return 4;
  if (v >= 0xffffff80) return 1;
  if (v >= 0xffff8000) return 2;
  if (v >= 0xff800000) return 3;
  return 4;
}

function putVarint(out: Uint8Array, at: number, value: number): number {
  const n = simpleVarintLength(value);
  for (let k = 0; k < n; k++) out[at + k] = (value >>> (8 * k)) & 0xff;
  return n;
}

/**
 * Writes `inst` at code offset `position` into `out` (at least MAX_INSTRUCTION_LENGTH bytes) and
 * returns its length. The caller guarantees the ISA has the instruction.
 */
export function encodeInstruction(isa: Isa, inst: EncodableInstruction, position: number, out: Uint8Array): number {
  const opcode = ENCODE_TABLES[isa]![inst.op]!;
  if (opcode < 0) throw new Error(`internal error: ${OP_NAMES[inst.op]} has no opcode in ISA ${isa}`);
  out[0] = opcode;
  const regs = (inst.r1 & 15) | ((inst.r2 & 15) << 4);
  const relative = (inst.target - position) | 0;
  switch (OP_FORMS[inst.op]) {
    case 'none':
      return 1;
    case 'imm':
      return 1 + putVarint(out, 1, inst.imm1);
    case 'offset':
      return 1 + putVarint(out, 1, relative);
    case 'imm_imm': {
      const l1 = putVarint(out, 2, inst.imm1);
      out[1] = l1;
      return 2 + l1 + putVarint(out, 2 + l1, inst.imm2);
    }
    case 'reg_imm':
      out[1] = inst.r1 & 15;
      return 2 + putVarint(out, 2, inst.imm1);
    case 'reg_imm_imm':
    case 'reg_imm_offset': {
      const l1 = putVarint(out, 2, inst.imm1);
      out[1] = (inst.r1 & 15) | (l1 << 4);
      const second = OP_FORMS[inst.op] === 'reg_imm_imm' ? inst.imm2 : relative;
      return 2 + l1 + putVarint(out, 2 + l1, second);
    }
    case 'reg_reg':
      out[1] = regs;
      return 2;
    case 'reg_reg_imm':
      out[1] = regs;
      return 2 + putVarint(out, 2, inst.imm1);
    case 'reg_reg_offset':
      out[1] = regs;
      return 2 + putVarint(out, 2, relative);
    case 'reg_reg_reg':
      // d is the third byte; the sources share the second (polkavm `serialize_reg_reg_reg`).
      out[1] = (inst.r2 & 15) | ((inst.r3 & 15) << 4);
      out[2] = inst.r1 & 15;
      return 3;
    case 'reg_reg_imm_imm': {
      out[1] = regs;
      const l1 = putVarint(out, 3, inst.imm1);
      out[2] = l1;
      return 3 + l1 + putVarint(out, 3 + l1, inst.imm2);
    }
    case 'reg_imm64':
      out[1] = inst.r1 & 15;
      for (let k = 0; k < 4; k++) {
        out[2 + k] = (inst.imm1 >>> (8 * k)) & 0xff;
        out[6 + k] = (inst.imm2 >>> (8 * k)) & 0xff;
      }
      return 10;
  }
}
