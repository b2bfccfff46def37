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
import type { Expr, HoleValue, NodeFactory, Stmt } from './estree.ts';
import { Exit, exitCode } from './program.ts';
import { Local, N, type RegionBuilder } from './region.ts';

export type Width = 1 | 2 | 4 | 8;

const GETTERS: Record<string, string> = { u1: 'getUint8', s1: 'getInt8', u2: 'getUint16', s2: 'getInt16', u4: 'getUint32', s4: 'getInt32' };
const SETTERS: Record<number, string> = { 1: 'setUint8', 2: 'setUint16', 4: 'setInt32' };
/** `NodeFactory.shared` keys of the offset computations, by view and whether the access is 8 bytes wide. */
const OFFSET_KEYS: Record<string, readonly [string, string]> = { [N.stackView]: ['t=st', 't=st8'], [N.rwView]: ['t=rw', 't=rw8'], [N.roView]: ['t=ro', 't=ro8'] };
/** Keys of the loads' values, by view and getter. */
const LOAD_KEYS: Record<string, Record<string, string>> = Object.fromEntries(
  [N.stackView, N.rwView, N.roView].map((view) => [view, Object.fromEntries(Object.values(GETTERS).map((getter) => [getter, `${view}=${getter}`]))]),
);
/** Keys of the generic stores, by width. */
const SLOW_STORE_KEYS: Record<number, string> = { 1: 'ST1', 2: 'ST2', 4: 'ST4' };

/** What fills a hole for `e`: a register's name or an integer, or undefined for anything else. */
function holeValue(e: Expr): HoleValue | undefined {
  if (e.type === 'Identifier') return e.name;
  if (e.type === 'Literal' && typeof e.value === 'number' && Number.isSafeInteger(e.value) && !Object.is(e.value, -0)) return e.value;
  return undefined;
}

/** `NodeFactory.shared` keys of the bounds tests, by the region's size local and the width. */
const IN_BOUNDS_KEYS: Record<string, Record<number, string>> = Object.fromEntries(
  [N.stackSize, N.rwSize, N.roSize].map((size) => [size, Object.fromEntries([1, 2, 4, 8].map((width) => [width, `t<=${size}-${width}`]))]),
);

interface FastRegion {
  readonly view: string;
  /** The local holding the region's size. */
  readonly size: string;
  /** The region's address as a constant (rw data), or undefined when a local holds it (the stack). */
  readonly address: number | undefined;
  /** The access's width; 8 bytes keep the offset a uint32 (`setOffset`). */
  readonly width: number;
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

/** The ops that can put an ro address into a register from a constant alone. */
const fromConstant = (op: OpId): boolean => op === Op.load_imm || op === Op.cmov_if_zero_imm || op === Op.cmov_if_not_zero_imm;
const roTableLoadsCache = new WeakMap<CodegenProgram, Uint8Array>();

/**
 * Per instruction: 1 for a load through a register that holds an ro data address, as one pass over
 * the code in order tells: a constant ro address (`load_imm`), moved or added to (a table's base plus
 * an index), kept in a stack slot (compiled code keeps a table's base in its frame and reloads it in
 * its loops), or picked by a conditional move. Registers are followed within a block, slots from a
 * store to a load until SP changes. Only a guess of where a load most likely goes (the code checks the
 * region it picks, and the generic accessor does the rest), so what it does not follow (host calls,
 * values read from memory other than those slots) it forgets. Tables in ro data are read so (pinky:
 * 3.04 M of its 51.6 M loads a run went to ro data, every one through the generic accessor before
 * this; 0.16 M still do).
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
    if (ro === 0 && slots.size === 0 && !fromConstant(op)) continue;
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
    if (!store && this.roLoads[i] === 1) {
      this.b.uses(Local.ro);
      return { view: N.roView, size: N.roSize, address: this.roAddress, width };
    }
    if (baseReg === Reg.SP) {
      this.b.uses(Local.stack);
      return { view: N.stackView, size: N.stackSize, address: undefined, width };
    }
    this.b.uses(Local.rw);
    return { view: N.rwView, size: N.rwSize, address: this.rwAddress, width };
  }

  /** `t = offset of base + imm within the region`, as an int32 (the bounds check reads it unsigned):
   * written `>>> 0` here, V8 kept overflow checks on the sum and a sign check on the result before the
   * view's index (memory_32 ~10% slower; a loop of stack accesses 25% slower). The 8-byte accesses
   * keep the uint32 offset: with the int32 one memory_64 ran ~5% slower. */
  private setOffset(baseReg: number, imm: number, region: FastRegion): Stmt {
    const f = this.b.f;
    const stack = region.address === undefined;
    const key = OFFSET_KEYS[region.view]![region.width === 8 ? 1 : 0]!;
    let shape = f.shared(key);
    if (shape === undefined) {
      const sum = stack ? f.bin('-', f.bin('+', f.hole(0), f.hole(1)), f.id(N.stackLow)) : f.bin('+', f.hole(0), f.hole(1));
      shape = f.share(key, f.bin(region.width === 8 ? '>>>' : '|', sum, f.num(0)));
    }
    return f.set(N.temp, f.fill(shape, [this.b.regName(baseReg), stack ? imm : imm - region.address]));
  }

  /** `t` (unsigned) leaves room for the access: the limit is the region's size less the width, a
   * signed int32 that is negative when the region is smaller than the access. */
  private inBounds(region: FastRegion): Expr {
    const f = this.b.f;
    const key = IN_BOUNDS_KEYS[region.size]![region.width]!;
    const shared = f.shared(key);
    if (shared !== undefined) return shared;
    const t = f.id(N.temp);
    return f.share(key, f.bin('<=', region.width === 8 ? t : f.bin('>>>', t, f.num(0)), f.bin('-', f.id(region.size), f.num(region.width))));
  }

  /** `view.method(t, …)`: the fast path of an access at the offset in `t`, the same text wherever the
   * method and (for stores) the value register are the same. */
  private atOffset(view: string, method: string, value: Expr | undefined, width: number): Expr {
    const f = this.b.f;
    const filled = value !== undefined && value.type === 'Literal' ? holeValue(value) : undefined;
    // A register has a shared call of its own; a number fills the call's one hole.
    const key = value === undefined ? view + method : value.type === 'Identifier' ? view + method + value.name : filled !== undefined ? view + method + '?' : undefined;
    const shared = key === undefined ? undefined : f.shared(key);
    if (shared !== undefined) return filled !== undefined ? f.fill(shared, [filled]) : shared;
    const args: Expr[] = [f.id(N.temp)];
    if (value !== undefined) args.push(filled !== undefined ? f.hole(0) : value);
    if (width > 1) args.push(f.bool(true));
    const call = f.method(view, method, args);
    if (key === undefined) return call;
    const shape = f.share(key, call);
    return filled !== undefined ? f.fill(shape, [filled]) : shape;
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

  /** The guest address `base + imm` (base -1: the constant imm) for the generic accessors. */
  private address(baseReg: number, imm: number): Expr {
    const f = this.b.f;
    return baseReg < 0 ? f.num(imm >>> 0) : f.bin('>>>', f.bin('+', this.b.reg(baseReg), f.num(imm)), f.num(0));
  }

  /** A load through the generic accessor `LD`, which throws FAULT on a fault: an expression, no exit here. */
  private slowLoad(i: number, baseReg: number, imm: number, width: 1 | 2 | 4, signed: boolean): Expr {
    this.b.uses(Local.fault);
    return this.loadCall(this.address(baseReg, imm), width, signed, this.b.f.num(exitCode(Exit.fault, i)));
  }

  private loadCall(address: Expr, width: 1 | 2 | 4, signed: boolean, exit: Expr): Expr {
    const f = this.b.f;
    const v = f.call(f.id('LD'), [f.id(N.memory), address, f.num(width), exit]);
    return width === 4 ? f.bin('|', v, f.num(0)) : signed ? f.bin('>>', f.bin('<<', v, f.num(32 - 8 * width)), f.num(32 - 8 * width)) : v;
  }

  /** A store through the generic accessor `ST`, which throws FAULT on a fault. */
  private slowStore(i: number, baseReg: number, imm: number, width: 1 | 2 | 4, value: Expr): Stmt[] {
    const b = this.b;
    const f = b.f;
    b.uses(Local.fault);
    return [f.expr(this.storeCall(this.address(baseReg, imm), width, value, f.num(exitCode(Exit.fault, i))))];
  }

  private storeCall(address: Expr, width: 1 | 2 | 4, value: Expr, exit: Expr): Expr {
    const f = this.b.f;
    return f.call(f.id('ST'), [f.id(N.memory), address, f.num(width), value, f.num(0), exit]);
  }

  /** `base + imm >>> 0` with the base and imm as holes 0 and 1 of a shape. */
  private holeAddress(): Expr {
    const f = this.b.f;
    return f.bin('>>>', f.bin('+', f.hole(0), f.hole(1)), f.num(0));
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
    if (b.options.dynamicPaging) return assign(this.slowLoad(i, baseReg, imm, width, signed));
    if (baseReg < 0) {
      const region = this.constRegion(imm >>> 0, width, false);
      if (!region) return assign(this.slowLoad(i, baseReg, imm, width, signed));
      const offset = f.num(region.offset);
      const fast = f.method(region.view, getter, width === 1 ? [offset] : [offset, f.bool(true)]);
      return assign(region.check ? f.cond(region.check, fast, this.slowLoad(i, baseReg, imm, width, signed)) : fast);
    }
    const region = this.fastRegion(i, baseReg, width, false);
    const setOffset = this.setOffset(baseReg, imm, region);
    // The whole value is one shape per view and getter: the base, imm and exit fill it.
    const key = LOAD_KEYS[region.view]![getter]!;
    const shape =
      f.shared(key) ??
      f.share(key, f.cond(this.inBounds(region), this.atOffset(region.view, getter, undefined, width), this.loadCall(this.holeAddress(), width, signed, f.hole(2))));
    b.uses(Local.fault);
    const statements = assign(f.fill(shape, [b.regName(baseReg), imm, exitCode(Exit.fault, i)]));
    statements.unshift(setOffset);
    return statements;
  }

  /** A store of the low `width` bytes of the int32 `value` (an expression free of side effects). */
  store32(i: number, baseReg: number, imm: number, width: 1 | 2 | 4, value: () => Expr): Stmt[] {
    const b = this.b;
    const f = b.f;
    const setter = SETTERS[width]!;
    // One node for both paths: the printer never reads an expression's location.
    const v = value();
    if (b.options.dynamicPaging) return this.slowStore(i, baseReg, imm, width, v);
    if (baseReg < 0) {
      const region = this.constRegion(imm >>> 0, width, true);
      if (!region) return this.slowStore(i, baseReg, imm, width, v);
      const offset = f.num(region.offset);
      const fast = [f.expr(f.method(region.view, setter, width === 1 ? [offset, v] : [offset, v, f.bool(true)]))];
      return region.check ? [f.if(region.check, fast, this.slowStore(i, baseReg, imm, width, v))] : fast;
    }
    const region = this.fastRegion(i, baseReg, width, true);
    const setOffset = this.setOffset(baseReg, imm, region);
    const fast = [f.expr(this.atOffset(region.view, setter, v, width))];
    const filled = holeValue(v);
    if (filled === undefined) return [setOffset, f.if(this.inBounds(region), fast, this.slowStore(i, baseReg, imm, width, v))];
    const key = SLOW_STORE_KEYS[width]!;
    const shape = f.shared(key) ?? f.share(key, this.storeCall(this.holeAddress(), width, f.hole(2), f.hole(3)));
    b.uses(Local.fault);
    return [setOffset, f.if(this.inBounds(region), fast, [f.expr(f.fill(shape, [b.regName(baseReg), imm, filled, exitCode(Exit.fault, i)]))])];
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
