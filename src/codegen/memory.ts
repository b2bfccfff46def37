// Guest memory accesses in generated code. Standard memory: one subtraction and one unsigned compare
// against the region the access most likely hits (the stack when the base register is SP; the ro data
// for a load through a register that holds an ro data address, `roTableLoads`; rw data and heap
// otherwise; a constant address picks ro or rw data at compile time), DataView on that fast
// path, and the memory object's generic non-throwing accessor when the compare fails. Dynamic
// paging: always the generic accessor (pages can appear between any two runs).
//
// The code does not depend on the memory layout chosen at instantiation (stack size, aux/args size,
// page size, heap): the stack's address and size and the ro and rw sizes are locals read from the
// memory object at region entry, so one compilation serves every layout (ModuleId, cache.ts). Only
// the ro and rw data addresses are built in: the blob alone fixes them (layout.ts `buildMemoryMap`).

import type { MemoryMap } from '../machine/layout.ts';
import { Op, OP_NAMES, type OpId } from '../decoder/table.ts';
import type { CodegenProgram } from './program.ts';
import { Reg } from '../machine/state.ts';
import type { Expr, NodeFactory, Stmt } from './estree.ts';
import { Exit, exitCode } from './program.ts';
import { Local, N, type RegionBuilder } from './region.ts';

export type Width = 1 | 2 | 4 | 8;

const GETTERS: Record<string, string> = { u1: 'getUint8', s1: 'getInt8', u2: 'getUint16', s2: 'getInt16', u4: 'getUint32', s4: 'getInt32' };
const SETTERS: Record<number, string> = { 1: 'setUint8', 2: 'setUint16', 4: 'setInt32' };

interface FastRegion {
  view: string;
  /** The region's address as a constant (rw data), or undefined when a local holds it (the stack). */
  address: number | undefined;
  /** Largest valid offset for this width, as an expression. */
  limit: Expr;
  /** An 8-byte access: its offset stays a uint32 (`setOffset`). */
  wide: boolean;
}

/** The offset of the high word of an 8-byte access. The offset passed the region's bounds check, so
 * adding 4 stays below 2^32: `>>> 0` keeps it a uint32 for V8 (a plain `+ 4` types as a double). */
const highOffset = (f: NodeFactory, offset: Expr): Expr => f.bin('>>>', f.bin('+', offset, f.num(4)), f.num(0));

/** Per op, what `roTableLoads` needs to know of it. */
const Role = Object.freeze({ other: 0, writesR1: 1, indirectLoad: 2, indirectStore: 3 } as const);
const ROLES: Uint8Array = (() => {
  const out = new Uint8Array(256);
  const writesNothing = new Set(['trap', 'fallthrough', 'memset', 'unlikely', 'ecalli', 'jump', 'jump_indirect']);
  OP_NAMES.forEach((name, op) => {
    if (name.startsWith('load_indirect')) out[op] = Role.indirectLoad;
    else if (name.startsWith('store_indirect')) out[op] = Role.indirectStore;
    else if (!writesNothing.has(name) && !name.startsWith('store') && !name.startsWith('branch')) out[op] = Role.writesR1;
  });
  return out;
})();
/** The loads and stores that can hold an address (a slot written narrower no longer holds one). */
const wordWide = (op: OpId): boolean =>
  op === Op.store_indirect_u32 || op === Op.store_indirect_u64 || op === Op.load_indirect_i32 || op === Op.load_indirect_u32 || op === Op.load_indirect_u64;

const LOAD_IMM = Op.load_imm;
const CMOV_IMM = Op.cmov_if_zero_imm;
const CMOV_NOT_IMM = Op.cmov_if_not_zero_imm;
const roTableLoadsCache = new WeakMap<CodegenProgram, Uint8Array>();

/**
 * Per instruction: 1 for a load through a register that holds an ro data address, as one pass over
 * the code in order tells: a constant ro address (`load_imm`), moved or added to (a table's base plus
 * an index), kept in a stack slot (compiled code keeps a table's base in its frame and reloads it in
 * its loops). Registers are followed within a block, slots from a store to a load until SP changes.
 * Only a guess of where a load most likely goes (the code checks the region it picks, and the generic
 * accessor does the rest), so what it does not follow (host calls, conditional moves) it forgets.
 * Tables in ro data are read so (pinky: 3.0 M of its 51.6 M loads a run went to ro data, every one
 * through the generic accessor before this; the pass finds ~2.5 M of them).
 */
export function roTableLoads(p: CodegenProgram, roAddress: number, roSize: number): Uint8Array {
  const cached = roTableLoadsCache.get(p);
  if (cached) return cached;
  const { count, blockStart, op: ops, r1: r1s, r2: r2s, r3: r3s, imm1 } = p.code;
  const out = new Uint8Array(count);
  const slots = new Set<number>();
  const inRo = (address: number): boolean => address >>> 0 >= roAddress && (address >>> 0) - roAddress < roSize;
  let ro = 0;
  for (let i = 0; i < count; i++) {
    if (blockStart[i]) ro = 0;
    const op = ops[i]!;
    // Nothing followed: only a constant can start something (most of a program; the pass runs cold).
    if (ro === 0 && op !== LOAD_IMM && slots.size === 0 && op !== CMOV_IMM && op !== CMOV_NOT_IMM) continue;
    const r1 = r1s[i]!;
    const r2 = r2s[i]!;
    const imm = imm1[i]!;
    const role = ROLES[op]!;
    if (role === Role.indirectStore) {
      if (r2 === Reg.SP && wordWide(op) && ro & (1 << r1)) slots.add(imm);
      else if (r2 === Reg.SP) slots.delete(imm);
      continue;
    }
    if (op === Op.ecalli) ro = 0;
    else if (op === Op.memset) ro &= ~((1 << Reg.A0) | (1 << Reg.A2));
    if (role === Role.other) continue;
    let bit = 0;
    if (role === Role.indirectLoad) {
      if (r2 === Reg.SP) bit = wordWide(op) && slots.has(imm) ? 1 : 0;
      else if (ro & (1 << r2)) out[i] = 1;
    } else if (op === Op.load_imm) bit = inRo(imm) ? 1 : 0;
    else if (op === Op.move_reg || op === Op.add_imm_32 || op === Op.add_imm_64) bit = (ro >>> r2) & 1;
    else if (op === Op.add_32 || op === Op.add_64) bit = ((ro >>> r2) | (ro >>> r3s[i]!)) & 1;
    // A conditional move keeps one of two values: an ro address if either is one (a table chosen
    // over a pointer read from memory, pinky's dispatch).
    else if (op === Op.cmov_if_zero || op === Op.cmov_if_not_zero) bit = ((ro >>> r1) | (ro >>> r2)) & 1;
    else if (op === Op.cmov_if_zero_imm || op === Op.cmov_if_not_zero_imm) bit = ((ro >>> r1) & 1) | (inRo(imm) ? 1 : 0);
    ro = (ro & ~(1 << r1)) | (bit << r1);
    // Another frame: its slots are others.
    if (r1 === Reg.SP) slots.clear();
  }
  roTableLoadsCache.set(p, out);
  return out;
}

export class MemoryEmitter {
  private readonly b: RegionBuilder;
  /** The ro and rw data addresses (the blob fixes them, as the ro data's size that `roTableLoads`
   * reads); nothing else of the map is read. */
  private readonly roAddress: number;
  private readonly rwAddress: number;
  /** Per instruction: a load that most likely reads ro data (`roTableLoads`). */
  private readonly roLoads: Uint8Array;

  constructor(b: RegionBuilder, map: Pick<MemoryMap, 'roDataAddress' | 'roDataSize' | 'rwDataAddress'>) {
    this.b = b;
    this.roAddress = map.roDataAddress;
    this.rwAddress = map.rwDataAddress;
    this.roLoads = roTableLoads(b.p, map.roDataAddress, map.roDataSize);
  }

  private fastRegion(i: number, baseReg: number, width: number, store: boolean): FastRegion {
    const f = this.b.f;
    if (!store && this.roLoads[i] === 1) {
      this.b.uses(Local.ro);
      return { view: N.roView, address: this.roAddress, limit: f.bin('-', f.id(N.roSize), f.num(width)), wide: width === 8 };
    }
    if (baseReg === Reg.SP) {
      this.b.uses(Local.stack);
      return { view: N.stackView, address: undefined, limit: f.bin('-', f.id(N.stackSize), f.num(width)), wide: width === 8 };
    }
    this.b.uses(Local.rw);
    return { view: N.rwView, address: this.rwAddress, limit: f.bin('-', f.id(N.rwSize), f.num(width)), wide: width === 8 };
  }

  /** `t = offset of base + imm within the region`, as an int32 (the bounds check reads it unsigned):
   * written `>>> 0` here, V8 kept overflow checks on the sum and a sign check on the result before the
   * view's index (memory_32 ~10% slower; a loop of stack accesses 25% slower). The 8-byte accesses
   * keep the uint32 offset: with the int32 one memory_64 ran ~5% slower. */
  private setOffset(baseReg: number, imm: number, region: FastRegion): Stmt {
    const f = this.b.f;
    const sum =
      region.address === undefined
        ? f.bin('-', f.bin('+', this.b.reg(baseReg), f.num(imm)), f.id(N.stackLow))
        : f.bin('+', this.b.reg(baseReg), f.num(imm - region.address));
    return f.set(N.temp, f.bin(region.wide ? '>>>' : '|', sum, f.num(0)));
  }

  /** `t` (unsigned) leaves room for the access: the limit is the region's size less the width, a
   * signed int32 that is negative when the region is smaller than the access. */
  private inBounds(region: FastRegion): Expr {
    const f = this.b.f;
    return f.bin('<=', region.wide ? f.id(N.temp) : f.bin('>>>', f.id(N.temp), f.num(0)), region.limit);
  }

  /** Region for a constant address, or undefined when only the generic accessor can tell. The ro and
   * rw sizes are checked at run time (page size and heap change them); a constant stack address
   * (the stack moves with the layout) takes the generic accessor. */
  private constRegion(address: number, width: number, store: boolean): { view: string; offset: number; check?: Expr } | undefined {
    const f = this.b.f;
    if (!store && address >= this.roAddress && address < this.rwAddress) {
      const offset = address - this.roAddress;
      this.b.uses(Local.ro);
      return { view: N.roView, offset, check: f.bin('<=', f.num(offset), f.bin('-', f.id(N.roSize), f.num(width))) };
    }
    if (address >= this.rwAddress) {
      const offset = address - this.rwAddress;
      this.b.uses(Local.rw);
      return { view: N.rwView, offset, check: f.bin('<=', f.num(offset), f.bin('-', f.id(N.rwSize), f.num(width))) };
    }
    return undefined;
  }

  /**
   * A load of `width` bytes from `base + imm` (base -1: the constant address imm) into whatever
   * `assign` does with the loaded int32 (`signed` picks the sign extension of 1 and 2 byte loads;
   * 4 bytes come as int32). Faults exit at instruction `i`.
   */
  load32(i: number, baseReg: number, imm: number, width: 1 | 2 | 4, signed: boolean, assign: (value: Expr) => Stmt[]): Stmt[] {
    const b = this.b;
    const f = b.f;
    const getter = GETTERS[(signed || width === 4 ? 's' : 'u') + width]!;
    const address = (): Expr => (baseReg < 0 ? f.num(imm >>> 0) : f.bin('>>>', f.bin('+', b.reg(baseReg), f.num(imm)), f.num(0)));
    const fromGeneric = (v: Expr): Expr =>
      width === 4 ? f.bin('|', v, f.num(0)) : signed ? f.bin('>>', f.bin('<<', v, f.num(32 - 8 * width)), f.num(32 - 8 * width)) : v;
    // The generic accessor through `LD`, which throws FAULT on a fault: an expression, no exit here.
    const slowValue = (): Expr => {
      b.uses(Local.fault);
      return fromGeneric(f.call(f.id('LD'), [f.id(N.memory), address(), f.num(width), f.num(exitCode(Exit.fault, i))]));
    };
    if (b.options.dynamicPaging) return assign(slowValue());
    const getArgs = (offset: Expr): Expr[] => (width === 1 ? [offset] : [offset, f.bool(true)]);
    if (baseReg < 0) {
      const region = this.constRegion(imm >>> 0, width, false);
      if (!region) return assign(slowValue());
      const fast = f.method(region.view, getter, getArgs(f.num(region.offset)));
      return assign(region.check ? f.cond(region.check, fast, slowValue()) : fast);
    }
    const region = this.fastRegion(i, baseReg, width, false);
    return [
      this.setOffset(baseReg, imm, region),
      ...assign(f.cond(this.inBounds(region), f.method(region.view, getter, getArgs(f.id(N.temp))), slowValue())),
    ];
  }

  /** A store of the low `width` bytes of the int32 `value` (an expression free of side effects). */
  store32(i: number, baseReg: number, imm: number, width: 1 | 2 | 4, value: () => Expr): Stmt[] {
    const b = this.b;
    const f = b.f;
    const setter = SETTERS[width]!;
    const address = (): Expr => (baseReg < 0 ? f.num(imm >>> 0) : f.bin('>>>', f.bin('+', b.reg(baseReg), f.num(imm)), f.num(0)));
    const slow = (): Stmt[] => {
      b.uses(Local.fault);
      return [f.expr(f.call(f.id('ST'), [f.id(N.memory), address(), f.num(width), value(), f.num(0), f.num(exitCode(Exit.fault, i))]))];
    };
    if (b.options.dynamicPaging) return slow();
    const setArgs = (offset: Expr): Expr[] => (width === 1 ? [offset, value()] : [offset, value(), f.bool(true)]);
    if (baseReg < 0) {
      const region = this.constRegion(imm >>> 0, width, true);
      if (!region) return slow();
      const fast = [f.expr(f.method(region.view, setter, setArgs(f.num(region.offset))))];
      return region.check ? [f.if(region.check, fast, slow())] : fast;
    }
    const region = this.fastRegion(i, baseReg, width, true);
    return [
      this.setOffset(baseReg, imm, region),
      f.if(this.inBounds(region), [f.expr(f.method(region.view, setter, setArgs(f.id(N.temp))))], slow()),
    ];
  }

  /** An 8-byte load into `assign(lo, hi)` (int32 halves). */
  load64(i: number, baseReg: number, imm: number, assign: (lo: Expr, hi: Expr) => Stmt[]): Stmt[] {
    const b = this.b;
    const f = b.f;
    const address = (): Expr => (baseReg < 0 ? f.num(imm >>> 0) : f.bin('>>>', f.bin('+', b.reg(baseReg), f.num(imm)), f.num(0)));
    const slow = (): Stmt[] => {
      b.uses(Local.fault);
      return [
        f.expr(f.call(f.id('LD64'), [f.id(N.memory), address(), f.num(exitCode(Exit.fault, i))])),
        ...assign(f.bin('|', f.member(f.id(N.memory), 'lo'), f.num(0)), f.bin('|', f.member(f.id(N.memory), 'hi'), f.num(0))),
      ];
    };
    if (b.options.dynamicPaging) return slow();
    const get = (view: string, offset: () => Expr): Stmt[] =>
      assign(f.method(view, 'getInt32', [offset(), f.bool(true)]), f.method(view, 'getInt32', [highOffset(f, offset()), f.bool(true)]));
    if (baseReg < 0) {
      const region = this.constRegion(imm >>> 0, 8, false);
      if (!region) return slow();
      const fast = get(region.view, () => f.num(region.offset));
      return region.check ? [f.if(region.check, fast, slow())] : fast;
    }
    const region = this.fastRegion(i, baseReg, 8, false);
    return [
      this.setOffset(baseReg, imm, region),
      f.if(this.inBounds(region), get(region.view, () => f.id(N.temp)), slow()),
    ];
  }

  /** An 8-byte store of (lo, hi): side-effect-free int32 expressions. */
  store64(i: number, baseReg: number, imm: number, lo: () => Expr, hi: () => Expr): Stmt[] {
    const b = this.b;
    const f = b.f;
    const address = (): Expr => (baseReg < 0 ? f.num(imm >>> 0) : f.bin('>>>', f.bin('+', b.reg(baseReg), f.num(imm)), f.num(0)));
    const slow = (): Stmt[] => {
      b.uses(Local.fault);
      return [f.expr(f.call(f.id('ST'), [f.id(N.memory), address(), f.num(8), lo(), hi(), f.num(exitCode(Exit.fault, i))]))];
    };
    if (b.options.dynamicPaging) return slow();
    const set = (view: string, offset: () => Expr): Stmt[] => [
      f.expr(f.method(view, 'setInt32', [offset(), lo(), f.bool(true)])),
      f.expr(f.method(view, 'setInt32', [highOffset(f, offset()), hi(), f.bool(true)])),
    ];
    if (baseReg < 0) {
      const region = this.constRegion(imm >>> 0, 8, true);
      if (!region) return slow();
      const fast = set(region.view, () => f.num(region.offset));
      return region.check ? [f.if(region.check, fast, slow())] : fast;
    }
    const region = this.fastRegion(i, baseReg, 8, true);
    return [
      this.setOffset(baseReg, imm, region),
      f.if(this.inBounds(region), set(region.view, () => f.id(N.temp)), slow()),
    ];
  }
}
