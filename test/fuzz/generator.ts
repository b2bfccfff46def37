// Seeded generator of random valid programs for differential fuzzing. Every instruction it emits is
// picked from the instruction table (src/decoder/table.ts) by operand form and per-ISA availability,
// so a new table row is fuzzed without touching this file.
//
// Termination: either by construction (a "fuel" register, S0, is decremented at the start of every
// block that a backward edge or the jump table can reach, and no other instruction writes it), or,
// for programs without fuel, by a gas budget (sync out-of-gas is refilled a bounded number of times).
import { decodeProgram, type DecodedCode } from '../../src/decoder/code.ts';
import { parseBlob } from '../../src/decoder/blob.ts';
import { ENCODE_TABLES, Isa, ISA_NAMES, is64Bit } from '../../src/decoder/isa.ts';
import { INSTRUCTIONS, Op, OP_FORMS, OP_NAMES, type OpId, type OperandForm } from '../../src/decoder/table.ts';
import { assertFuelBounded, buildBlob, resolveTarget, type GenInstruction, type MemoryParts, type TargetRef } from './build.ts';
import { Rng } from './rng.ts';
import { buildMemoryMap, type MemoryMap } from '../../src/machine/layout.ts';

const VM_MAX_PAGE_SIZE = 0x10000;
const RETURN_TO_HOST = 0xffff0000;
const REG_COUNT = 13;
const FUEL_REG = 5; // s0
const alignUp = (v: number, a: number): number => Math.ceil(v / a) * a;

/** One generated program, as blocks of instructions, and how to run it. `(seed, index)` regenerates it. */
export interface ProgramSpec {
  readonly seed: number;
  readonly index: number;
  readonly isa: Isa;
  readonly blocks: readonly (readonly GenInstruction[])[];
  /** Per block: starts with a fuel check (S0 -= 1, exit when 0). */
  readonly checked: readonly boolean[];
  readonly jumpTable: readonly TargetRef[];
  readonly memory: MemoryParts;
  /** Module options: page size (4 KiB to 64 KiB) and aux data size. */
  readonly pageSize: number;
  readonly auxDataSize: number;
  /** Written by the host into the aux data region before the run. */
  readonly auxData: Uint8Array;
  readonly gasMetering: 'sync' | 'async' | undefined;
  /** Costs given to the block starts in order (cycled) through a caller-supplied cost table; undefined = naive. */
  readonly blockCosts: readonly number[] | undefined;
  readonly dynamicPaging: boolean;
  readonly entry: TargetRef;
  readonly regs: readonly bigint[];
  readonly gas: bigint;
  /** Gas given after each sync out-of-gas, in order; when exhausted the run stops there. */
  readonly refills: readonly bigint[];
  /** Initial S0 when termination is by construction; 0 when only gas bounds the run. */
  readonly fuel: number;
  /** Instruction budgets: the first set before the run, each next one after a `budget` interrupt. */
  readonly instructionBudgets: readonly number[];
  /** Seeds the host's answers to ecalli. */
  readonly hostSeed: number;
  /** After the n-th ecalli the host moves the pc here instead of resuming (undefined: resume). */
  readonly hostJumps: readonly (TargetRef | undefined)[];
}

/** A spec laid out as a blob. */
export interface FuzzCase extends ProgramSpec {
  readonly blob: Uint8Array;
  readonly code: DecodedCode;
  readonly memoryMap: MemoryMap;
  readonly hostJumpPcs: readonly (number | undefined)[];
  /** Block-start pc → cost; undefined = the naive model. */
  readonly costTable: ReadonlyMap<number, number> | undefined;
  readonly entryPc: number;
  /** Op ids emitted (for coverage accounting). */
  readonly emitted: readonly OpId[];
}

// Op groups, derived from the table by name and operand form.
const byForm = (form: OperandForm): OpId[] => INSTRUCTIONS.flatMap((r, i) => (r.form === form ? [i] : []));
const isMemoryName = (name: string): boolean => /^(load|store)_/.test(name) && name !== 'load_imm' && name !== 'load_imm64' && !name.startsWith('load_imm_and');
const BRANCH_IMM = byForm('reg_imm_offset').filter((op) => op !== Op.load_imm_and_jump);
const BRANCH_REG = byForm('reg_reg_offset');
const MEMORY = INSTRUCTIONS.flatMap((r, i) => (isMemoryName(r.name) ? [i] : []));
const SPECIAL = new Set<OpId>([Op.ecalli, Op.sbrk, Op.memset, Op.unlikely, Op.load_imm, Op.load_imm64, Op.move_reg]);
const ALU = INSTRUCTIONS.flatMap((r, i) =>
  (r.form === 'reg_reg' || r.form === 'reg_reg_imm' || r.form === 'reg_reg_reg') && !isMemoryName(r.name) && !SPECIAL.has(i) ? [i] : [],
);
const accessWidth = (op: OpId): number => {
  const m = /(\d+)$/.exec(OP_NAMES[op]!);
  return m ? Number(m[1]) / 8 : 1;
};
const isStore = (op: OpId): boolean => OP_NAMES[op]!.startsWith('store_');

const I32_INTERESTING = [
  0, 1, -1, 2, -2, 3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 65, 127, 128, 255, 256, -128, -129, 0x7fff, 0x8000, -0x8000, 0xffff, 0x10000,
  0x7fffffff, -0x80000000, 0x40000000, -0x40000000, 0x55555555, -0x55555556, 0x12345678,
];
const U64_INTERESTING: readonly bigint[] = [
  0n, 1n, 2n, 0xffff_ffff_ffff_ffffn, 0xffff_ffff_ffff_fffen, 0x8000_0000_0000_0000n, 0x7fff_ffff_ffff_ffffn, 0x8000_0000n, 0x7fff_ffffn,
  0xffff_ffffn, 0x1_0000_0000n, 0xffff_ffff_8000_0000n, 0xffff_ffff_7fff_ffffn, 0x1_0000_0001n, 31n, 32n, 63n, 64n, 0xffn, 0x80n,
  0xffffn, 0x8000n, 0xdead_beef_cafe_baben, 0x0123_4567_89ab_cdefn,
];

function interestingI32(rng: Rng): number {
  switch (rng.below(4)) {
    case 0:
      return rng.pick(I32_INTERESTING);
    case 1: {
      const k = rng.below(32);
      return ((1 << k) + rng.range(-1, 1)) | 0;
    }
    case 2:
      return rng.range(-40, 40);
    default:
      return rng.u32() | 0;
  }
}

function interestingU64(rng: Rng): bigint {
  switch (rng.below(5)) {
    case 0:
    case 1:
      return rng.pick(U64_INTERESTING);
    case 2: {
      const k = BigInt(rng.below(64));
      return ((1n << k) + BigInt(rng.range(-1, 1))) & 0xffff_ffff_ffff_ffffn;
    }
    case 3:
      return BigInt.asUintN(64, BigInt(interestingI32(rng)));
    default:
      return rng.u64();
  }
}

interface BlockPlan {
  /** Entered through a fuel check (S0 -= 1; exit when 0), so backward edges and the jump table may point here. */
  readonly checked: boolean;
  readonly instructions: GenInstruction[];
}

const inst = (op: OpId, f: Partial<Omit<GenInstruction, 'op'>> = {}): GenInstruction => ({
  op,
  r1: f.r1 ?? 0,
  r2: f.r2 ?? 0,
  r3: f.r3 ?? 0,
  imm1: f.imm1 ?? 0,
  imm2: f.imm2 ?? 0,
  ...(f.target ? { target: f.target } : {}),
});

/** How many times each op id was emitted, per ISA, across generated cases. */
export class Coverage {
  readonly counts: Uint32Array[] = ISA_NAMES.map(() => new Uint32Array(256));
  add(c: FuzzCase): void {
    const row = this.counts[c.isa]!;
    for (const op of c.emitted) row[op]!++;
  }
  /** Instructions available in `isa` that were never emitted. */
  missing(isa: Isa): string[] {
    return INSTRUCTIONS.flatMap((r, i) => (ENCODE_TABLES[isa]![i]! >= 0 && this.counts[isa]![i] === 0 ? [r.name] : []));
  }
}

export function generateCase(seed: number, index: number): FuzzCase {
  const rng = new Rng(seed, index);
  const isa = rng.pick([Isa.ReviveV1, Isa.Latest32, Isa.Latest64, Isa.JamV1] as const);
  const wide = is64Bit(isa);
  const has = (op: OpId): boolean => ENCODE_TABLES[isa]![op]! >= 0;
  const alu = ALU.filter(has);
  const memory = MEMORY.filter(has);
  const branchImm = BRANCH_IMM.filter(has);
  const branchReg = BRANCH_REG.filter(has);

  const gasMetering = rng.weighted({ none: 35, sync: 45, async: 20 });
  // Without gas nothing else bounds a loop, so those programs always carry fuel.
  const fuelMode = gasMetering === 'none' || rng.chance(0.5);
  const dynamicPaging = rng.chance(0.2);

  const pageSize = rng.chance(0.85) ? 0x1000 : rng.pick([0x2000, 0x4000, 0x10000]);
  const PAGE_SIZE = 0x1000;
  const roDataSize = rng.chance(0.3) ? 0 : rng.range(1, 3 * PAGE_SIZE);
  const rwDataSize = rng.chance(0.3) ? 0 : rng.range(1, 3 * PAGE_SIZE);
  const stackSize = rng.pick([0, PAGE_SIZE, 2 * PAGE_SIZE, rng.range(1, 3 * PAGE_SIZE)]);
  const auxDataSize = rng.chance(0.15) ? rng.range(1, 2 * PAGE_SIZE) : 0;
  const randomBytes = (n: number): Uint8Array => {
    const words = new Uint32Array(Math.ceil(n / 4));
    for (let i = 0; i < words.length; i++) words[i] = rng.u32();
    return new Uint8Array(words.buffer, 0, n);
  };
  const roData = randomBytes(rng.chance(0.5) ? rng.range(0, Math.min(roDataSize, 64)) : rng.range(0, roDataSize));
  const rwData = randomBytes(rng.chance(0.5) ? rng.range(0, Math.min(rwDataSize, 64)) : rng.range(0, rwDataSize));
  const map = buildMemoryMap({ pageSize, roDataSize, rwDataSize, stackSize, auxDataSize });
  const auxData = randomBytes(auxDataSize ? rng.range(0, map.auxDataSize) : 0);

  // Now and then a larger program, so that code generators that split programs into regions see several.
  const large = rng.chance(0.08);
  const blockCount = large ? rng.range(10, 60) : rng.range(1, 10);
  const exitBlock = blockCount; // the last block: `finished` or `trap`
  const plans: BlockPlan[] = [];
  // Block 0 is checked so that pc 0 (a valid target that a jump table may hold) never starts a free loop;
  // the exit block is where an empty tank leads, so it takes no fuel itself.
  for (let b = 0; b <= blockCount; b++) plans.push({ checked: fuelMode && b !== exitBlock && (b === 0 || rng.chance(0.4)), instructions: [] });
  const checkedBlocks = plans.flatMap((p, b) => (p.checked ? [b] : []));

  const jumpTableSize = rng.chance(0.2) ? 0 : rng.range(1, 8);
  const jumpTable: TargetRef[] = [];

  const writable = (): number => {
    for (;;) {
      const r = rng.below(REG_COUNT);
      if (!fuelMode || r !== FUEL_REG) return r;
    }
  };
  const anyReg = (): number => rng.below(REG_COUNT);

  // A pc that is not a valid jump target (so reaching it through a jump traps and cannot make a loop).
  const invalidTarget = (): TargetRef => {
    // A far pc with no zero byte: polkavm's jump-table entry size counts only the leading non-zero
    // bytes, so an entry like 0xDA900051 would be stored as 0x51 and could land on a real block.
    const far = [0, 8, 16, 24].reduce((pc, shift) => pc + rng.range(1, 255) * 2 ** shift, 0);
    const candidates: TargetRef[] = [{ kind: 'end', delta: rng.range(0, 3) }, { kind: 'pc', pc: far }];
    for (let b = 0; b <= blockCount; b++) {
      const insts = plans[b]!.instructions;
      // Instruction k > 0 follows a non-terminator, except right after a fuel check's branch (k == 2).
      for (let k = 1; k < insts.length; k++) if (!(plans[b]!.checked && k === 2)) candidates.push({ kind: 'inst', block: b, inst: k, delta: 0 });
      // One byte into an instruction that has operand bytes: no instruction starts there.
      const form = insts.length > 0 ? OP_FORMS[insts[0]!.op]! : 'none';
      if (form.startsWith('reg') || form === 'imm_imm') candidates.push({ kind: 'inst', block: b, inst: 0, delta: 1 });
    }
    return rng.pick(candidates);
  };
  // A valid target; backward edges only to checked blocks when fuel bounds the run.
  const validTarget = (from: number): TargetRef => {
    const options: number[] = [];
    for (let b = 0; b <= blockCount; b++) if (!fuelMode || b > from || plans[b]!.checked) options.push(b);
    if (options.length === 0) return invalidTarget();
    return { kind: 'block', block: rng.pick(options) };
  };
  const target = (from: number): TargetRef => (rng.chance(0.04) ? invalidTarget() : validTarget(from));


  // Addresses in and around every region, sized for an access of `width` bytes.
  // Mostly accesses that succeed (so runs get past their first memory access), otherwise addresses
  // in and around every region and its edges.
  const address = (width: number, store: boolean): number => {
    if (rng.chance(0.92)) {
      const regions: [number, number][] = [];
      if (!store && map.roDataSize >= width) regions.push([map.roDataAddress, map.roDataSize]);
      if (map.rwDataSize >= width) regions.push([map.rwDataAddress, map.rwDataSize]);
      // The heap right above the rw data: accessible only after sbrk has grown it.
      if (rng.chance(0.15)) regions.push([map.heapBase, 2 * map.pageSize]);
      const stack = map.stackAddressHigh - map.stackAddressLow;
      if (stack >= width) regions.push([map.stackAddressLow, stack], [map.stackAddressHigh - Math.min(stack, 256), Math.min(stack, 256)]);
      if (!store && map.auxDataSize >= width) regions.push([map.auxDataAddress, map.auxDataSize]);
      if (regions.length > 0) {
        const [base, size] = rng.pick(regions);
        return base + rng.below(size - width + 1);
      }
    }
    return edgeAddress(width);
  };
  const edgeAddress = (width: number): number => {
    const page = map.pageSize;
    const heapTop = map.heapBase + rng.range(0, 3) * page;
    const choice = rng.below(16);
    switch (choice) {
      case 0:
      case 1:
        return map.roDataAddress + rng.below(Math.max(1, map.roDataSize));
      case 2:
        return map.roDataAddress + map.roDataSize - rng.range(0, width);
      case 3:
      case 4:
        return map.rwDataAddress + rng.below(Math.max(1, map.rwDataSize));
      case 5:
        return map.rwDataAddress + map.rwDataSize - rng.range(0, width);
      case 6:
        return heapTop - rng.range(0, width + 2);
      case 7:
      case 8:
        return map.stackAddressLow + rng.below(Math.max(1, map.stackAddressHigh - map.stackAddressLow));
      case 9:
        return map.stackAddressHigh - rng.range(0, width + 1);
      case 10:
        return map.stackAddressLow - rng.range(0, width);
      case 11:
        return rng.pick([0, 1, 0x3fff, 0x4000, 0xffff, 0x10000 - width + 1]) + rng.range(0, 2);
      case 12:
        return (0x1_0000_0000 - rng.range(1, 8)) >>> 0;
      case 13:
        return map.auxDataSize ? map.auxDataAddress + map.auxDataSize - rng.range(0, width) : (RETURN_TO_HOST + rng.range(0, 64)) >>> 0;
      case 14:
        return map.roDataAddress + alignUp(map.roDataSize, VM_MAX_PAGE_SIZE) + rng.below(VM_MAX_PAGE_SIZE);
      default:
        return rng.u32();
    }
  };

  // Loads `value` into `reg` (sign-extended i32, or a full 64-bit constant on 64-bit ISAs).
  const setReg32 = (out: GenInstruction[], reg: number, value: number): void => {
    if (wide && rng.chance(0.2)) {
      // Upper bits that addressing must ignore.
      out.push(inst(Op.load_imm64, { r1: reg, imm1: value | 0, imm2: rng.u32() | 0 }));
    } else out.push(inst(Op.load_imm, { r1: reg, imm1: value | 0 }));
  };
  const setReg64 = (out: GenInstruction[], reg: number, value: bigint): void => {
    if (wide && BigInt.asIntN(64, value) !== BigInt(Number(BigInt.asIntN(32, value))))
      out.push(inst(Op.load_imm64, { r1: reg, imm1: Number(BigInt.asIntN(32, value)), imm2: Number(BigInt.asIntN(32, value >> 32n)) }));
    else out.push(inst(Op.load_imm, { r1: reg, imm1: Number(BigInt.asIntN(32, value)) }));
  };
  const maybeSeed = (out: GenInstruction[], reg: number, p: number): void => {
    if (reg !== FUEL_REG && rng.chance(p)) setReg64(out, reg, interestingU64(rng));
  };

  const emitMemory = (out: GenInstruction[], op: OpId): void => {
    const width = accessWidth(op);
    const a = address(width, isStore(op));
    const form = OP_FORMS[op];
    if (form === 'imm_imm') {
      out.push(inst(op, { imm1: a | 0, imm2: interestingI32(rng) }));
    } else if (form === 'reg_imm') {
      // load_* (dst, addr) / store_* (src, addr)
      const reg = isStore(op) ? anyReg() : writable();
      if (isStore(op)) maybeSeed(out, reg, 0.3);
      out.push(inst(op, { r1: reg, imm1: a | 0 }));
    } else if (form === 'reg_imm_imm') {
      // store_imm_indirect (base, offset, value)
      const base = rng.chance(0.8) ? writable() : anyReg();
      const offset = rng.chance(0.5) ? rng.range(-16, 16) : interestingI32(rng);
      if (base !== FUEL_REG && rng.chance(0.95)) setReg32(out, base, (a - offset) | 0);
      out.push(inst(op, { r1: base, imm1: offset, imm2: interestingI32(rng) }));
    } else {
      // load_indirect (dst=r1, base=r2, offset) / store_indirect (src=r1, base=r2, offset)
      const base = rng.chance(0.8) ? writable() : anyReg();
      const offset = rng.chance(0.5) ? rng.range(-16, 16) : interestingI32(rng);
      if (base !== FUEL_REG && rng.chance(0.95)) setReg32(out, base, (a - offset) | 0);
      const r1 = isStore(op) ? anyReg() : writable();
      if (isStore(op) && r1 !== base) maybeSeed(out, r1, 0.3);
      out.push(inst(op, { r1, r2: base, imm1: offset }));
    }
  };

  const emitAlu = (out: GenInstruction[], op: OpId): void => {
    const form = OP_FORMS[op];
    const d = writable();
    const s1 = anyReg();
    const s2 = anyReg();
    maybeSeed(out, s1, 0.3);
    if (form === 'reg_reg') out.push(inst(op, { r1: d, r2: s1 }));
    else if (form === 'reg_reg_imm') out.push(inst(op, { r1: d, r2: s1, imm1: interestingI32(rng) }));
    else {
      maybeSeed(out, s2, 0.3);
      out.push(inst(op, { r1: d, r2: s1, r3: s2 }));
    }
  };

  const emitBody = (out: GenInstruction[]): void => {
    const kind = rng.weighted({ alu: 50, imm: 8, memory: 26, move: 3, ecalli: 4, sbrk: has(Op.sbrk) ? 3 : 0, memset: has(Op.memset) ? 3 : 0, unlikely: has(Op.unlikely) ? 1 : 0 });
    switch (kind) {
      case 'alu':
        return emitAlu(out, rng.pick(alu));
      case 'imm':
        if (wide && rng.chance(0.4)) {
          const v = interestingU64(rng);
          out.push(inst(Op.load_imm64, { r1: writable(), imm1: Number(BigInt.asIntN(32, v)), imm2: Number(BigInt.asIntN(32, v >> 32n)) }));
        } else out.push(inst(Op.load_imm, { r1: writable(), imm1: interestingI32(rng) }));
        return;
      case 'memory':
        return emitMemory(out, rng.pick(memory));
      case 'move':
        out.push(inst(Op.move_reg, { r1: writable(), r2: anyReg() }));
        return;
      case 'ecalli':
        out.push(inst(Op.ecalli, { imm1: rng.chance(0.7) ? rng.range(0, 5) : interestingI32(rng) }));
        return;
      case 'sbrk': {
        // Sizes that succeed stay small (the heap is real memory); the rest must fail.
        const src = writable();
        const size = rng.pick([0n, 1n, 7n, 0x1000n, 0x1001n, 0x10000n, BigInt(rng.range(0, 0x4000)), 0xffff_ffffn, 0xffff_ffff_ffff_ffffn, 0x1_0000_0000n, 0x1_0000_0005n]);
        setReg64(out, src, size);
        out.push(inst(Op.sbrk, { r1: rng.chance(0.8) ? writable() : src, r2: src }));
        return;
      }
      case 'memset': {
        const a0 = 7, a1 = 8, a2 = 9;
        setReg32(out, a0, address(1, true));
        if (rng.chance(0.7)) setReg64(out, a1, interestingU64(rng));
        setReg64(out, a2, rng.chance(0.85) ? BigInt(rng.range(0, 300)) : interestingU64(rng) & (rng.chance(0.5) ? 0xffffn : 0xffff_ffffn));
        out.push(inst(Op.memset));
        return;
      }
      case 'unlikely':
        out.push(inst(Op.unlikely));
        return;
    }
  };

  // A jump-table address for jump_indirect: valid entries, the host exit, and every kind of bad one.
  const indirectAddress = (): number => {
    const choice = rng.below(20);
    if (jumpTableSize > 0 && choice < 13) return (rng.below(jumpTableSize) + 1) * 2;
    if (choice < 16) return RETURN_TO_HOST;
    return rng.pick([0, 1, 3, (jumpTableSize + 1) * 2, (jumpTableSize + 1) * 2 + 1, 0xffff0001, 0xffff0002, 0xffff0004, 0xfffffffe, rng.u32()]);
  };

  const emitTerminator = (out: GenInstruction[], from: number): void => {
    const kind = rng.weighted({ branchImm: 25, branchReg: 20, jump: 8, loadImmJump: 5, indirect: 9, loadImmJumpIndirect: 6, fallthrough: 10, trap: 2 });
    switch (kind) {
      case 'branchImm': {
        const r = anyReg();
        maybeSeed(out, r, 0.25);
        out.push(inst(rng.pick(branchImm), { r1: r, imm1: interestingI32(rng), target: target(from) }));
        return;
      }
      case 'branchReg': {
        const s1 = anyReg();
        const s2 = anyReg();
        maybeSeed(out, s1, 0.25);
        maybeSeed(out, s2, 0.25);
        out.push(inst(rng.pick(branchReg), { r1: s1, r2: s2, target: target(from) }));
        return;
      }
      case 'jump':
        out.push(inst(Op.jump, { target: target(from) }));
        return;
      case 'loadImmJump':
        out.push(inst(Op.load_imm_and_jump, { r1: writable(), imm1: interestingI32(rng), target: target(from) }));
        return;
      case 'indirect': {
        const base = writable();
        const offset = rng.chance(0.5) ? 0 : rng.range(-8, 8);
        if (rng.chance(0.9)) setReg32(out, base, (indirectAddress() - offset) | 0);
        out.push(inst(Op.jump_indirect, { r1: base, imm1: offset }));
        return;
      }
      case 'loadImmJumpIndirect': {
        const base = writable();
        const ra = rng.chance(0.3) ? base : writable();
        const offset = rng.chance(0.5) ? 0 : rng.range(-8, 8);
        if (rng.chance(0.9)) setReg32(out, base, (indirectAddress() - offset) | 0);
        out.push(inst(Op.load_imm_and_jump_indirect, { r1: ra, r2: base, imm1: interestingI32(rng), imm2: offset }));
        return;
      }
      case 'fallthrough':
        out.push(inst(Op.fallthrough));
        return;
      case 'trap':
        out.push(inst(Op.trap));
        return;
    }
  };

  // Fuel checks first, so that targets into the bodies below can see which indices follow them.
  for (let b = 0; b < blockCount; b++) {
    const out = plans[b]!.instructions;
    if (plans[b]!.checked) {
      out.push(inst(Op.add_imm_32, { r1: FUEL_REG, r2: FUEL_REG, imm1: -1 }));
      out.push(inst(Op.branch_eq_imm, { r1: FUEL_REG, imm1: 0, target: { kind: 'block', block: exitBlock } }));
    }
  }
  const exitReg = writable();
  if (rng.chance(0.8)) {
    plans[exitBlock]!.instructions.push(inst(Op.load_imm, { r1: exitReg, imm1: RETURN_TO_HOST | 0 }), inst(Op.jump_indirect, { r1: exitReg }));
  } else plans[exitBlock]!.instructions.push(inst(Op.trap));
  // Bodies: a fixed length per block is decided first so invalid targets can point into any block.
  const bodyLengths = plans.map((_, b) => (b === exitBlock ? 0 : rng.range(0, large ? 24 : 12)));
  for (let b = 0; b < blockCount; b++) {
    const out = plans[b]!.instructions;
    for (let k = 0; k < bodyLengths[b]!; k++) emitBody(out);
    // The last block may fall off the end of its body into the exit block or an implicit trap.
    if (b < blockCount - 1 || rng.chance(0.85)) emitTerminator(out, b);
    else out.push(inst(Op.fallthrough));
  }
  // Occasionally drop the exit block's terminator so the code ends in an implicit trap.
  if (plans[exitBlock]!.instructions.length === 1 && rng.chance(0.3)) plans[exitBlock]!.instructions.pop();
  if (plans[exitBlock]!.instructions.length === 0) plans[exitBlock]!.instructions.push(inst(Op.fallthrough));

  // Filled after the bodies (jumps refer to entries only by index) so bad entries can point anywhere.
  for (let k = 0; k < jumpTableSize; k++) {
    if (rng.chance(0.15)) jumpTable.push(invalidTarget());
    else if (fuelMode) jumpTable.push({ kind: 'block', block: rng.pick(checkedBlocks) });
    else jumpTable.push({ kind: 'block', block: rng.range(0, blockCount) });
  }
  // Entry: pc 0, a block start, any instruction (mid-block), or a pc where nothing starts. Entering
  // right at sbrk or memset would take whatever the registers hold as a size, so never there.
  const enterable: TargetRef[] = [];
  plans.forEach((p, b) =>
    p.instructions.forEach((it, k) => {
      if (it.op !== Op.sbrk && it.op !== Op.memset) enterable.push({ kind: 'inst', block: b, inst: k, delta: 0 });
    }),
  );
  const entryChoice = rng.below(20);
  const entry: TargetRef =
    entryChoice < 6
      ? { kind: 'pc', pc: 0 }
      : entryChoice < 10
        ? { kind: 'block', block: rng.below(blockCount + 1) }
        : entryChoice < 19
          ? rng.pick(enterable)
          : rng.pick<TargetRef>([{ kind: 'end', delta: rng.range(0, 1) }, invalidTarget()]);

  const regs: bigint[] = [];
  for (let r = 0; r < REG_COUNT; r++) regs.push(rng.chance(0.2) ? BigInt(rng.range(0, 8)) : interestingU64(rng));
  if (rng.chance(0.5)) regs[0] = BigInt(RETURN_TO_HOST);
  if (rng.chance(0.5)) regs[1] = BigInt(map.stackAddressHigh);
  // memset counts come from A2 when the entry skips the set-up; keep them bounded.
  regs[9] = regs[9]! & 0xffffn;
  const fuel = fuelMode ? (rng.chance(0.2) ? rng.range(50, 400) : rng.range(1, 48)) : 0;
  if (fuelMode) regs[FUEL_REG] = BigInt(fuel);

  const gasAmount = (): bigint => {
    switch (rng.weighted({ tiny: 30, small: 30, medium: 25, large: 10, huge: fuelMode ? 5 : 0 })) {
      case 'tiny':
        return BigInt(rng.range(0, 12));
      case 'small':
        return BigInt(rng.range(12, 200));
      case 'medium':
        return BigInt(rng.range(200, 5000));
      case 'large':
        return BigInt(rng.range(5000, 40000));
      default:
        return (1n << 63n) - 1n - BigInt(rng.range(0, 1000));
    }
  };
  const gas = gasMetering === 'none' ? 0n : gasAmount();
  const refills = gasMetering === 'sync' ? Array.from({ length: rng.range(0, 3) }, gasAmount) : [];

  // Free blocks are fine when fuel bounds the run; without fuel a zero-cost loop would never end.
  const blockCosts =
    gasMetering !== 'none' && rng.chance(0.3)
      ? Array.from({ length: 16 }, () =>
          rng.chance(0.9) ? rng.range(fuelMode ? 0 : 1, 6) : rng.pick([fuelMode ? 0 : 1, 100, 0xffff, 0x7fffffff, 0xffffffff]),
        )
      : undefined;

  // An instruction budget stops the run at a block edge; the host raises it a few times.
  // Now and then the host answers an ecalli by moving the pc elsewhere (charging the whole block there).
  const hostJumps = rng.chance(0.15) ? Array.from({ length: rng.range(1, 3) }, () => (rng.chance(0.6) ? rng.pick(enterable) : undefined)) : [];
  const instructionBudgets = rng.chance(0.15) ? Array.from({ length: rng.range(1, 4) }, () => (rng.chance(0.5) ? rng.range(0, 8) : rng.range(8, 300))) : [];

  return materialize({
    seed,
    index,
    isa,
    blocks: plans.map((p) => p.instructions),
    checked: plans.map((p) => p.checked),
    jumpTable,
    memory: { roDataSize, rwDataSize, stackSize, roData, rwData },
    pageSize,
    auxDataSize,
    auxData,
    gasMetering: gasMetering === 'none' ? undefined : gasMetering,
    blockCosts,
    dynamicPaging,
    entry,
    regs,
    gas,
    refills,
    fuel,
    instructionBudgets,
    hostSeed: rng.u32(),
    hostJumps,
  });
}

/** Lays out a program spec and decodes it back; also used by the reducer after removing instructions. */
export function materialize(spec: ProgramSpec): FuzzCase {
  const built = buildBlob(spec.isa, spec.blocks, spec.jumpTable, spec.memory);
  const code = decodeProgram(parseBlob(built.blob));
  if (spec.fuel > 0) {
    const checkedPcs = new Set(spec.checked.flatMap((checked, b) => (checked ? [built.pcs[b]![0]!] : [])));
    assertFuelBounded(code, checkedPcs, `${spec.seed}:${spec.index}`);
  }
  let costTable: Map<number, number> | undefined;
  if (spec.blockCosts) {
    costTable = new Map();
    for (let i = 0, n = 0; i < code.count; i++) if (code.blockStart[i]) costTable.set(code.pc[i]!, spec.blockCosts[n++ % spec.blockCosts.length]!);
  }
  const m = spec.memory;
  return {
    ...spec,
    blob: built.blob,
    code,
    memoryMap: buildMemoryMap({ pageSize: spec.pageSize, roDataSize: m.roDataSize, rwDataSize: m.rwDataSize, stackSize: m.stackSize, auxDataSize: spec.auxDataSize }),
    hostJumpPcs: spec.hostJumps.map((t) => (t ? resolveTarget(built, t) : undefined)),
    costTable,
    entryPc: resolveTarget(built, spec.entry),
    emitted: spec.blocks.flat().map((i) => i.op),
  };
}

/** The host's deterministic answer (A0) to the n-th ecalli of a run. */
export function hostAnswer(c: FuzzCase, n: number): bigint {
  return interestingU64(new Rng(c.hostSeed, n));
}
