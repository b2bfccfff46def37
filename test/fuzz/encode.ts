// The fuzzer's own instruction encoder and blob writer, driven by the instruction table. It lays
// out blocks of generated instructions with label-relative jump targets (shortest immediates, found
// by shrinking until the layout is stable) and writes a `PVM\0` container around them.
import { writeVarint } from '../../src/decoder/reader.ts';
import { ENCODE_TABLES, type Isa } from '../../src/decoder/isa.ts';
import { OP_FORMS, OP_NAMES, type OpId } from '../../src/decoder/table.ts';

/** Where a jump, branch or jump-table entry points. */
export type TargetRef =
  /** The first instruction of a block (a valid jump target). */
  | { readonly kind: 'block'; readonly block: number }
  /** `delta` bytes after the start of instruction `inst` of `block` (a mid-block or mid-instruction pc). */
  | { readonly kind: 'inst'; readonly block: number; readonly inst: number; readonly delta: number }
  /** `delta` bytes after the end of the code. */
  | { readonly kind: 'end'; readonly delta: number }
  /** A fixed code offset. */
  | { readonly kind: 'pc'; readonly pc: number };

/** One instruction, with operands in the decoder's layout (src/decoder/code.ts). */
export interface GenInstruction {
  readonly op: OpId;
  readonly r1: number;
  readonly r2: number;
  readonly r3: number;
  readonly imm1: number;
  readonly imm2: number;
  readonly target?: TargetRef;
}

export interface Layout {
  readonly code: Uint8Array;
  readonly bitmask: Uint8Array;
  readonly jumpTable: Uint32Array;
  /** Code offset of every instruction, per block. */
  readonly pcs: readonly (readonly number[])[];
}

/** Bytes of the shortest immediate that sign-extends back to `value` (polkavm's simple varint). */
export function immLength(value: number): number {
  const v = value | 0;
  if (v === 0) return 0;
  if (v >= -0x80 && v < 0x80) return 1;
  if (v >= -0x8000 && v < 0x8000) return 2;
  if (v >= -0x800000 && v < 0x800000) return 3;
  return 4;
}

function putImm(out: number[], value: number, length: number): void {
  for (let k = 0; k < length; k++) out.push((value >>> (8 * k)) & 0xff);
}

/** Encodes one instruction at code offset `pc`; `target` is the resolved absolute target (offset forms). */
export function encodeInstruction(isa: Isa, inst: GenInstruction, pc: number, target: number, out: number[]): void {
  const opcode = ENCODE_TABLES[isa]![inst.op]!;
  if (opcode < 0) throw new Error(`fuzz generator bug: ${OP_NAMES[inst.op]} is not in ISA ${isa}`);
  out.push(opcode);
  const relative = (target - pc) | 0;
  const regs = (inst.r1 & 15) | ((inst.r2 & 15) << 4);
  switch (OP_FORMS[inst.op]) {
    case 'none':
      return;
    case 'imm':
      return putImm(out, inst.imm1, immLength(inst.imm1));
    case 'offset':
      return putImm(out, relative, immLength(relative));
    case 'imm_imm': {
      const l1 = immLength(inst.imm1);
      out.push(l1);
      putImm(out, inst.imm1, l1);
      return putImm(out, inst.imm2, immLength(inst.imm2));
    }
    case 'reg_imm':
      out.push(inst.r1 & 15);
      return putImm(out, inst.imm1, immLength(inst.imm1));
    case 'reg_imm_imm':
    case 'reg_imm_offset': {
      const l1 = immLength(inst.imm1);
      out.push((inst.r1 & 15) | (l1 << 4));
      putImm(out, inst.imm1, l1);
      const second = OP_FORMS[inst.op] === 'reg_imm_imm' ? inst.imm2 : relative;
      return putImm(out, second, immLength(second));
    }
    case 'reg_reg':
      out.push(regs);
      return;
    case 'reg_reg_imm':
      out.push(regs);
      return putImm(out, inst.imm1, immLength(inst.imm1));
    case 'reg_reg_offset':
      out.push(regs);
      return putImm(out, relative, immLength(relative));
    case 'reg_reg_reg':
      out.push((inst.r2 & 15) | ((inst.r3 & 15) << 4), inst.r1 & 15);
      return;
    case 'reg_reg_imm_imm': {
      const l1 = immLength(inst.imm1);
      out.push(regs, l1);
      putImm(out, inst.imm1, l1);
      return putImm(out, inst.imm2, immLength(inst.imm2));
    }
    case 'reg_imm64':
      out.push(inst.r1 & 15);
      putImm(out, inst.imm1, 4);
      return putImm(out, inst.imm2, 4);
  }
}

/**
 * Lays out the blocks in order. Jump offsets depend on the layout and the layout on the offsets'
 * lengths, so it starts from the longest encodings and re-encodes until no instruction changes
 * length (lengths only shrink, so this converges).
 */
export function layoutBlocks(isa: Isa, blocks: readonly (readonly GenInstruction[])[], jumpTable: readonly TargetRef[]): Layout {
  const flat = blocks.flat();
  const lengths = flat.map(() => 16);
  let pcs: number[][] = [];
  let codeLength = 0;
  const computePcs = (): void => {
    pcs = [];
    let pc = 0;
    let k = 0;
    for (const block of blocks) {
      const row: number[] = [];
      for (let i = 0; i < block.length; i++) {
        row.push(pc);
        pc += lengths[k++]!;
      }
      pcs.push(row);
    }
    codeLength = pc;
  };
  const resolve = (t: TargetRef | undefined): number => {
    if (t === undefined) return 0;
    switch (t.kind) {
      case 'block':
        return t.block < pcs.length && pcs[t.block]!.length > 0 ? pcs[t.block]![0]! : codeLength;
      case 'inst':
        return (pcs[t.block]![t.inst]! + t.delta) >>> 0;
      case 'end':
        return (codeLength + t.delta) >>> 0;
      case 'pc':
        return t.pc >>> 0;
    }
  };
  let bytes: number[] = [];
  for (let round = 0; ; round++) {
    computePcs();
    bytes = [];
    let changed = false;
    let k = 0;
    for (let b = 0; b < blocks.length; b++) {
      for (let i = 0; i < blocks[b]!.length; i++) {
        const inst = blocks[b]![i]!;
        const before = bytes.length;
        encodeInstruction(isa, inst, pcs[b]![i]!, resolve(inst.target), bytes);
        const length = bytes.length - before;
        if (length !== lengths[k]) {
          // Padding a shorter encoding keeps the layout; only shrinking is allowed to move pcs.
          if (length < lengths[k]!) {
            lengths[k] = length;
            changed = true;
          } else throw new Error('fuzz generator bug: an instruction grew during layout');
        }
        k++;
      }
    }
    if (!changed) break;
    if (round > 64) throw new Error('fuzz generator bug: layout does not converge');
  }
  const code = Uint8Array.from(bytes);
  const bitmask = new Uint8Array(Math.ceil(code.length / 8));
  for (const row of pcs) for (const pc of row) bitmask[pc >>> 3]! |= 1 << (pc & 7);
  return { code, bitmask, jumpTable: Uint32Array.from(jumpTable.map(resolve)), pcs };
}

export interface BlobParts {
  readonly isa: Isa;
  readonly roDataSize: number;
  readonly rwDataSize: number;
  readonly stackSize: number;
  readonly roData: Uint8Array;
  readonly rwData: Uint8Array;
  readonly code: Uint8Array;
  readonly bitmask: Uint8Array;
  readonly jumpTable: Uint32Array;
}

/** Writes a `PVM\0` container (POLKAVM.md §1): memory config, ro/rw data, code and jump table. */
export function writeBlob(parts: BlobParts): Uint8Array {
  const chunks: (number[] | Uint8Array)[] = [[0x50, 0x56, 0x4d, 0x00, parts.isa, 0, 0, 0, 0, 0, 0, 0, 0]];
  const section = (id: number, ...payload: (number[] | Uint8Array)[]): void => {
    const head = [id];
    writeVarint(
      payload.reduce((n, p) => n + p.length, 0),
      head,
    );
    chunks.push(head, ...payload);
  };
  if (parts.roDataSize || parts.rwDataSize || parts.stackSize) {
    const p: number[] = [];
    writeVarint(parts.roDataSize, p);
    writeVarint(parts.rwDataSize, p);
    writeVarint(parts.stackSize, p);
    section(1, p);
  }
  if (parts.roData.length) section(2, parts.roData);
  if (parts.rwData.length) section(3, parts.rwData);
  let max = 0;
  for (const t of parts.jumpTable) max = Math.max(max, t);
  const entrySize = parts.jumpTable.length === 0 ? 0 : max < 0x100 ? 1 : max < 0x10000 ? 2 : max < 0x1000000 ? 3 : 4;
  const p: number[] = [];
  writeVarint(parts.jumpTable.length, p);
  p.push(entrySize);
  writeVarint(parts.code.length, p);
  for (const t of parts.jumpTable) putImm(p, t, entrySize);
  section(6, p, parts.code, parts.bitmask);
  chunks.push([0]);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const blob = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    blob.set(c, at);
    at += c.length;
  }
  for (let k = 0, length = total; k < 8; k++, length = Math.floor(length / 256)) blob[5 + k] = length % 256;
  return blob;
}
