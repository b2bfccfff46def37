// A typed program builder for code that generates programs (tests, the differential fuzzer): one method
// per instruction of the table, operands typed by the instruction's operand form, and the same writer
// as the text assembler, so a built program is laid out exactly as polkavm would lay it out.
import { ENCODE_TABLES, isaFlagName, parseIsaName, type Isa } from '../decoder/isa.ts';
import { END, INSTRUCTIONS, Op, OP_FLAGS, OP_FORMS, type FormOf, type OperandForm, type OpName } from '../decoder/table.ts';
import { ProgramBuildError } from './errors.ts';
import { REG_NAMES, type RegName } from './numbers.ts';
import { writeProgram, type ProgramInstruction, type ProgramParts, type Target } from './writer.ts';

/** A register: its number (0..12) or ABI name. */
export type RegOperand = number | RegName;
/** A jump target: a label name given to `label()`, or an absolute code offset. */
export type TargetOperand = string | { pc: number };

/**
 * Operands per form. Field names follow the decoder's layout (src/decoder/code.ts): in reg_reg_imm,
 * `r1` is the low register nibble (the destination of loads and ALU ops, the source of stores, `d` of
 * cmov_*_imm) and `r2` the high one (base, source, condition); immediates are i32 (a u32 bit pattern is
 * accepted too).
 */
export interface FormOperands {
  none: Record<string, never>;
  imm: { imm: number };
  offset: { target: TargetOperand };
  imm_imm: { imm1: number; imm2: number };
  reg_imm: { reg: RegOperand; imm: number };
  reg_imm_imm: { reg: RegOperand; imm1: number; imm2: number };
  reg_imm_offset: { reg: RegOperand; imm: number; target: TargetOperand };
  reg_reg: { d: RegOperand; s: RegOperand };
  reg_reg_imm: { r1: RegOperand; r2: RegOperand; imm: number };
  reg_reg_offset: { s1: RegOperand; s2: RegOperand; target: TargetOperand };
  reg_reg_reg: { d: RegOperand; s1: RegOperand; s2: RegOperand };
  reg_reg_imm_imm: { r1: RegOperand; r2: RegOperand; imm1: number; imm2: number };
  /** Any 64-bit value, signed or unsigned. */
  reg_imm64: { reg: RegOperand; imm: bigint | number };
}
export type OperandsOf<K extends OpName> = FormOperands[FormOf<K>];

type InstructionMethods = {
  [K in OpName]: FormOf<K> extends 'none' ? (operands?: FormOperands['none']) => ProgramBuilder : (operands: OperandsOf<K>) => ProgramBuilder;
};

export interface LabelOptions {
  /**
   * Insert a `fallthrough` first when the previous instruction can fall into the label without ending
   * a block, as polkavm's assembler does; otherwise the label would not be a valid jump target.
   * Default true; false is the text assembler's `%no_fallthrough`.
   */
  fallthrough?: boolean;
}

function reg(value: RegOperand, what: string): number {
  const r = typeof value === 'string' ? (REG_NAMES as readonly string[]).indexOf(value) : value;
  if (!Number.isInteger(r) || r < 0 || r > 12) throw new ProgramBuildError('bad-operand', `${what}: not a register: ${String(value)}`);
  return r;
}

function imm32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < -(2 ** 31) || value >= 2 ** 32)
    throw new ProgramBuildError('bad-operand', `${what}: not a 32-bit immediate: ${value}`);
  return value | 0;
}

function imm64(value: bigint | number, what: string): [number, number] {
  const big = typeof value === 'bigint' ? value : Number.isSafeInteger(value) ? BigInt(value) : undefined;
  if (big === undefined || big < -(2n ** 63n) || big >= 2n ** 64n)
    throw new ProgramBuildError('bad-operand', `${what}: not a 64-bit immediate: ${String(value)}`);
  const u = BigInt.asUintN(64, big);
  return [Number(BigInt.asIntN(32, u)), Number(BigInt.asIntN(32, u >> 32n))];
}

type PendingTarget = { label: string } | { pc: number };

interface Pending extends ProgramInstruction {
  pendingTarget?: PendingTarget;
}

/**
 * Builds a `.polkavm` blob instruction by instruction:
 *
 * ```ts
 * const b = new ProgramBuilder('jam_v1');
 * b.export('main').label('loop');
 * b.add_imm_64({ r1: 'a0', r2: 'a0', imm: 1 }).branch_not_eq_imm({ reg: 'a0', imm: 10, target: 'loop' });
 * b.jump_indirect({ reg: 'ra', imm: 0 });
 * const bytes = b.build();
 * ```
 */
export class ProgramBuilder {
  readonly isa: Isa;
  private readonly code: Pending[] = [];
  private readonly labels = new Map<string, number>();
  private readonly exportList: { name: string; at: string | number }[] = [];
  private readonly importList: string[] = [];
  private readonly jumpTable: PendingTarget[] = [];
  private roDataSize = 0;
  private rwDataSize = 0;
  private stackSize = 0;
  private roBytes: Uint8Array = new Uint8Array(0);
  private rwBytes: Uint8Array = new Uint8Array(0);

  constructor(isa: Isa | string) {
    const parsed = typeof isa === 'string' ? parseIsaName(isa) : isa;
    if (parsed === undefined) throw new ProgramBuildError('bad-operand', `unknown ISA '${String(isa)}'`);
    this.isa = parsed;
  }

  /** Memory sizes (bytes) written to the MEMORY_CONFIG section; omitted fields keep their value. */
  memory(config: { roDataSize?: number; rwDataSize?: number; stackSize?: number }): this {
    if (config.roDataSize !== undefined) this.roDataSize = config.roDataSize >>> 0;
    if (config.rwDataSize !== undefined) this.rwDataSize = config.rwDataSize >>> 0;
    if (config.stackSize !== undefined) this.stackSize = config.stackSize >>> 0;
    return this;
  }

  /** Initial read-only data; raises the read-only size to cover it. */
  roData(bytes: Uint8Array): this {
    this.roBytes = bytes;
    this.roDataSize = Math.max(this.roDataSize, bytes.length);
    return this;
  }

  /** Initial read-write data; raises the read-write size to cover it. */
  rwData(bytes: Uint8Array): this {
    this.rwBytes = bytes;
    this.rwDataSize = Math.max(this.rwDataSize, bytes.length);
    return this;
  }

  /** Declares an import and returns its index, the `ecalli` immediate that calls it. */
  import(name: string): number {
    const existing = this.importList.indexOf(name);
    if (existing >= 0) return existing;
    this.importList.push(name);
    return this.importList.length - 1;
  }

  /** Exports `name` at a label, or (default) at the next instruction emitted. */
  export(name: string, label?: string): this {
    this.exportList.push({ name, at: label ?? this.code.length });
    return this;
  }

  /** Names the position of the next instruction. */
  label(name: string, options: LabelOptions = {}): this {
    if (this.labels.has(name)) throw new ProgramBuildError('duplicate-label', `duplicate label "${name}"`);
    const last = this.code[this.code.length - 1];
    if ((options.fallthrough ?? true) && last && !(OP_FLAGS[last.op]! & END)) this.emit('fallthrough');
    this.labels.set(name, this.code.length);
    return this;
  }

  /**
   * Adds a jump-table entry and returns the value `jump_indirect` needs to reach it: polkavm's
   * dynamic addresses are (index + 1) × 2.
   */
  jumpTableEntry(target: TargetOperand): number {
    this.jumpTable.push(typeof target === 'string' ? { label: target } : { pc: target.pc });
    return this.jumpTable.length * 2;
  }

  /** Number of instructions emitted so far. */
  get length(): number {
    return this.code.length;
  }

  emit<K extends OpName>(name: K, ...operands: FormOf<K> extends 'none' ? [FormOperands['none']?] : [OperandsOf<K>]): this {
    const op = Op[name];
    if (op === undefined) throw new ProgramBuildError('bad-operand', `unknown instruction '${String(name)}'`);
    if (ENCODE_TABLES[this.isa]![op]! < 0)
      throw new ProgramBuildError(
        'unsupported-instruction',
        `the instruction '${name}' is not available in the '${isaFlagName(this.isa)}' instruction set`,
      );
    this.code.push(toInstruction(op, name, OP_FORMS[op]!, (operands[0] ?? {}) as Record<string, unknown>));
    return this;
  }

  /** The parts the writer receives (labels resolved). */
  parts(): ProgramParts {
    const encoder = new TextEncoder();
    const resolve = (t: PendingTarget, what: string): Target => {
      if ('pc' in t) return { kind: 'pc', pc: t.pc >>> 0 };
      const index = this.labels.get(t.label);
      if (index === undefined) throw new ProgramBuildError('undefined-label', `${what}: label is not defined: "${t.label}"`);
      return { kind: 'instruction', index };
    };
    const instructions = this.code.map((p, i): ProgramInstruction => {
      const { pendingTarget, ...inst } = p;
      if (pendingTarget) inst.target = resolve(pendingTarget, `instruction #${i}`);
      return inst;
    });
    return {
      isa: this.isa,
      roDataSize: this.roDataSize,
      rwDataSize: this.rwDataSize,
      stackSize: this.stackSize,
      roData: this.roBytes,
      rwData: this.rwBytes,
      imports: this.importList.map((n) => encoder.encode(n)),
      exports: this.exportList.map((e) => ({
        symbol: encoder.encode(e.name),
        target: typeof e.at === 'string' ? resolve({ label: e.at }, `export "${e.name}"`) : { kind: 'instruction', index: e.at },
      })),
      instructions,
      jumpTable: this.jumpTable.map((t, i) => resolve(t, `jump table entry #${i}`)),
    };
  }

  build(): Uint8Array {
    return writeProgram(this.parts());
  }
}

// One method per instruction (`b.add_32({...})`), generated from the table so it cannot fall behind it.
export interface ProgramBuilder extends InstructionMethods {}
for (const row of INSTRUCTIONS) {
  Object.defineProperty(ProgramBuilder.prototype, row.name, {
    value: function (this: ProgramBuilder, operands?: Record<string, unknown>) {
      return (this.emit as (name: OpName, operands?: unknown) => ProgramBuilder)(row.name, operands);
    },
    writable: true,
    configurable: true,
  });
}

function toInstruction(op: number, name: string, form: OperandForm, o: Record<string, unknown>): Pending {
  const p: Pending = { op, r1: 0, r2: 0, r3: 0, imm1: 0, imm2: 0 };
  const r = (key: string) => reg(o[key] as RegOperand, `${name}.${key}`);
  const i = (key: string) => imm32(o[key] as number, `${name}.${key}`);
  const t = (): PendingTarget => {
    const target = o.target as TargetOperand | undefined;
    if (typeof target === 'string') return { label: target };
    if (target && typeof target === 'object' && Number.isInteger(target.pc)) return { pc: target.pc };
    throw new ProgramBuildError('bad-operand', `${name}.target: expected a label name or { pc }`);
  };
  switch (form) {
    case 'none':
      break;
    case 'imm':
      p.imm1 = i('imm');
      break;
    case 'offset':
      p.pendingTarget = t();
      break;
    case 'imm_imm':
      p.imm1 = i('imm1');
      p.imm2 = i('imm2');
      break;
    case 'reg_imm':
      p.r1 = r('reg');
      p.imm1 = i('imm');
      break;
    case 'reg_imm_imm':
      p.r1 = r('reg');
      p.imm1 = i('imm1');
      p.imm2 = i('imm2');
      break;
    case 'reg_imm_offset':
      p.r1 = r('reg');
      p.imm1 = i('imm');
      p.pendingTarget = t();
      break;
    case 'reg_reg':
      p.r1 = r('d');
      p.r2 = r('s');
      break;
    case 'reg_reg_imm':
      p.r1 = r('r1');
      p.r2 = r('r2');
      p.imm1 = i('imm');
      break;
    case 'reg_reg_offset':
      p.r1 = r('s1');
      p.r2 = r('s2');
      p.pendingTarget = t();
      break;
    case 'reg_reg_reg':
      p.r1 = r('d');
      p.r2 = r('s1');
      p.r3 = r('s2');
      break;
    case 'reg_reg_imm_imm':
      p.r1 = r('r1');
      p.r2 = r('r2');
      p.imm1 = i('imm1');
      p.imm2 = i('imm2');
      break;
    case 'reg_imm64':
      p.r1 = r('reg');
      [p.imm1, p.imm2] = imm64(o.imm as bigint | number, `${name}.imm`);
      break;
  }
  return p;
}
