// Shared machinery of a region function: its prologue and epilogue, block entry (instruction
// countdown and gas), control transfers and exits. The per-ISA instruction emitters (emit32.ts,
// emit64.ts) build on these.
//
// A region function `function rN(c, b)` runs the switch case `b` of its region and keeps going
// inside the region; it returns an instruction index (>= 0) to continue in another region, or an
// exit code (program.ts `exitCode`). Registers live in locals while it runs and are written
// back to `c.R` (an Int32Array over the instance's register file) when it returns.

import type * as ES from 'estree';
import type { Expr, NodeFactory, Stmt } from './estree.ts';
import type { RegionCopies } from './copies.ts';
import { Exit, exitCode, type CodegenProgram, type ExitKind } from './program.ts';

/** The fixed identifiers of generated code. */
export const N = Object.freeze({
  ctx: 'c',
  label: 'b',
  exit: 'x',
  temp: 't',
  value: 'v',
  /** A double temporary (inline 64-bit multiplication), apart from the int32 ones. */
  wide: 'w',
  /** The state's callDepth and maxCallDepth in locals while the region runs (stored back on exit). */
  depth: 'cd',
  maxDepth: 'cdMax',
  gas: 'gas',
  steps: 'steps',
  regs: 'R',
  memory: 'm',
  state: 's',
  rwView: 'rw',
  rwSize: 'rwEnd',
  stackView: 'st',
  /** The stack's low address (as an int32) and size, and the ro size: layout values read at region entry. */
  stackLow: 'stLo',
  stackSize: 'stEnd',
  roSize: 'roEnd',
  roView: 'ro',
  loop: 'L',
  jumpTable: 'JT',
  regionOf: 'REGION',
  blockLabel: 'LABEL',
} as const);

/**
 * Every identifier generated code may contain, the single list the parser check of generated code
 * (test/codegen-vocabulary.test.ts) holds the output to: the names above, the link function's env
 * tables and helpers, memory-map fields, the context's a0/a2 and DataView and Math members.
 * Numbered names are registers and their high halves (r0..r12, h0..h12), region functions (r<N>) and
 * the labels of case-less blocks (B<instruction>),
 * matched by CODEGEN_NUMBERED_IDENTIFIER.
 */
export const CODEGEN_IDENTIFIERS: ReadonlySet<string> = new Set([
  ...Object.values(N),
  ...[
    'link env H u hi lo load load64 store sbrk memset32 memset64 a0 a2 callDepth maxCallDepth',
    'FAULT LD ST LD64 e code',
    'rwSize rwView roSize roView stackAddress stackSize stackView',
    'getInt8 getUint8 getInt16 getUint16 getInt32 setUint8 setUint16 setInt32 Math imul clz32 floor',
    'divUnsigned32 divSigned32 remUnsigned32 remSigned32 divUnsigned64 divSigned64 remUnsigned64 remSigned64 mul64',
    'mulUpperSignedSigned32 mulUpperUnsignedUnsigned32 mulUpperSignedUnsigned32',
    'mulUpperSignedSigned64 mulUpperUnsignedUnsigned64 mulUpperSignedUnsigned64',
    'countSetBits32 countTrailingZeroBits32 countSetBits64 countTrailingZeroBits64 reverseByte32',
    'rotateLeft32 rotateRight32 rotl64 rotr64 shl64 shr64 sar64',
  ]
    .join(' ')
    .split(' '),
]);
export const CODEGEN_NUMBERED_IDENTIFIER = /^[rhB]\d+$/;

/** Register names, made once: a name built per use was a fresh string to hash in the factory's
 * identifier table at every register access. */
const REG_NAMES = Array.from({ length: 13 }, (_, k) => `r${k}`);
const HIGH_NAMES = Array.from({ length: 13 }, (_, k) => `h${k}`);

/** The label of the statement a forward `break` to the case-less block at instruction `i` leaves. */
export const blockName = (i: number): string => `B${i}`;

export interface RegionOptions {
  readonly metered: boolean;
  /** Count instructions per block (instruction budget, deadline, `instructionsExecuted`). */
  readonly countSteps: boolean;
  readonly dynamicPaging: boolean;
  /** Emit the copies the program plans for the region (copies.ts). */
  readonly copies: boolean;
  /**
   * Per instruction, how many times the block starting there has run (the interpreter's
   * `blockRuns`); when given, a block that ran fewer than `minBlockRuns` times is only an exit
   * (`Exit.notRun`), its instructions left out up to a resume point inside it. V8 optimises a region
   * function before its rarely run code has type feedback, and deoptimises the whole function when
   * that code runs (pinky's first run on tiered: ~40 deoptimisations of region functions, ~3-4 s of
   * optimising on the compiler thread, r7 optimised 7 times); an exit leaves the optimised function as
   * it is, and the tiered backend generates the region again, with those blocks, once they have run
   * enough.
   */
  readonly blockRuns?: Uint8Array;
  readonly minBlockRuns?: number;
}

const jumpTargetsCache = new WeakMap<CodegenProgram, [number, number][][]>();

/** Per region, its jump-table targets as (address, label), in table order: one pass over the table
 * for the whole program (a pass per region cost doom ~80 ms of compile time). */
function jumpTargetsByRegion(p: CodegenProgram): [number, number][][] {
  let all = jumpTargetsCache.get(p);
  if (all) return all;
  all = Array.from({ length: p.regionMembers.length }, () => []);
  const table = p.jumpTableIndex;
  for (let k = 0; k < table.length; k++) {
    const target = table[k]!;
    if (target >= 0) all[p.regionOf[target]!]!.push([2 * (k + 1), p.blockLabel[target]!]);
  }
  jumpTargetsCache.set(p, all);
  return all;
}

/** Groups of locals a region's prologue loads only when its code uses them (bits of `RegionBuilder.locals`):
 * each is a few property loads per region entry, and entries are frequent (one per ~25 instructions
 * on pinky). */
export const Local = Object.freeze({ gas: 1, rw: 2, stack: 4, ro: 8, fault: 16, callDepth: 32 } as const);

export class RegionBuilder {
  /** The `Local` groups the code uses. */
  locals = 0;

  uses(group: number): void {
    this.locals |= group;
  }

  readonly f: NodeFactory;
  readonly p: CodegenProgram;
  readonly region: number;
  readonly options: RegionOptions;
  /** Registers read / written in this region (bit k = register k). */
  readMask = 0;
  writeMask = 0;

  constructor(f: NodeFactory, p: CodegenProgram, region: number, options: RegionOptions) {
    this.f = f;
    this.p = p;
    this.region = region;
    this.options = options;
  }

  /** Register k (its low word on 64-bit ISAs), read. Reads and writes are tracked so the prologue
   * loads and the epilogue stores only the registers a region touches. */
  reg(k: number): ES.Identifier {
    this.readMask |= 1 << k;
    return (this.regIds[k] ??= this.f.id(REG_NAMES[k]!));
  }

  /** Register k's name, read (to fill a hole of a shape, NodeFactory.fill). */
  regName(k: number): string {
    this.readMask |= 1 << k;
    return REG_NAMES[k]!;
  }

  /** The high word of register k (64-bit ISAs). */
  regHi(k: number): ES.Identifier {
    this.readMask |= 1 << k;
    return (this.regIds[13 + k] ??= this.f.id(HIGH_NAMES[k]!));
  }

  setReg(k: number, value: Expr): Stmt {
    this.writeMask |= 1 << k;
    return this.f.expr(this.f.assign(this.reg(k), value));
  }

  setRegHi(k: number, value: Expr): Stmt {
    this.writeMask |= 1 << k;
    return this.f.expr(this.f.assign(this.regHi(k), value));
  }

  /** The register identifiers (low words, then high words), looked up in the factory once per region. */
  private readonly regIds: (ES.Identifier | undefined)[] = [];

  /** `x = exitCode(kind, at); break L;` */
  exit(kind: ExitKind, at: number): Stmt[] {
    const f = this.f;
    return [f.set(N.exit, f.num(exitCode(kind, at))), f.break(N.loop)];
  }

  /** Forward targets without a case, by the instructions that break to them (the emitter's
   * `structure` places the labeled blocks): target → the earliest source. */
  readonly breaks = new Map<number, number>();

  /** The block whose case begins the segment being emitted (-1 when a resume point begins it). */
  segmentHead = -1;
  /** Whether something in the segment jumped back to its head: the emitter then wraps the segment
   * in a loop labeled after the head, so the back edge is a `continue` of that loop. */
  loopsToHead = false;

  /** Whether the code being emitted is a copy (program.ts `RegionCopies`). */
  inCopy = false;

  /** The functions copied into this region, if any. */
  get copies(): RegionCopies | undefined {
    return this.options.copies ? this.p.copies?.of(this.region) : undefined;
  }

  /** Where the block starting at `target` is in this region: its case label, -1 for a block without
   * one, undefined when the region has neither the block nor a copy of it. */
  labelIn(target: number): number | undefined {
    if (this.p.regionOf[target] === this.region) return this.p.blockLabel[target]!;
    return this.copies?.label.get(target);
  }

  /** Goes to the block starting at instruction `target` (or traps at `at` when target is -1). */
  transfer(target: number, at: number): Stmt[] {
    const f = this.f;
    if (target < 0) return this.exit(Exit.trap, at);
    const label = this.labelIn(target);
    if (label !== undefined) {
      if (target === this.segmentHead && target <= at) {
        // A loop whose body has no case of its own: no dispatch through the switch per iteration.
        this.loopsToHead = true;
        return [f.continue(blockName(target))];
      }
      if (label >= 0) return [f.set(N.label, f.num(label)), f.continue(N.loop)];
      // A break reaches only blocks of its own segment, never across home and copied code.
      if (this.inCopy !== (this.p.regionOf[target] !== this.region)) return [f.set(N.exit, f.num(target)), f.break(N.loop)];
      const earliest = this.breaks.get(target);
      if (earliest === undefined || at < earliest) this.breaks.set(target, at);
      return [f.break(blockName(target))];
    }
    return [f.set(N.exit, f.num(target)), f.break(N.loop)];
  }

  /** An unconditional transfer: nothing at all when the target's case comes next in the switch. */
  goTo(target: number, at: number): Stmt[] {
    if (target === at + 1 && this.labelIn(target) !== undefined) return [];
    return this.transfer(target, at);
  }

  /** The jump-table addresses that lead into this region, with their switch labels. */
  regionJumpTargets(): [number, number][] {
    const home = jumpTargetsByRegion(this.p)[this.region]!;
    const copied = this.options.copies ? this.p.copies?.jumpTargets(this.region) : undefined;
    return copied && copied.length > 0 ? [...home, ...copied] : home;
  }

  /** The return points a return at instruction `i` most likely goes to: those of this region's
   * calls into i's function, as (address, label), when the region has them with a case. */
  returnTargets(i: number): [number, number][] {
    const plan = this.p.copies;
    const addresses = plan?.returnAddresses(this.region, plan.functionOf[i]!, this.options.copies);
    if (!addresses) return [];
    const out: [number, number][] = [];
    const table = this.p.jumpTableIndex;
    for (const address of addresses) {
      const target = table[address / 2 - 1];
      if (target === undefined || target < 0) continue;
      const label = this.labelIn(target);
      if (label !== undefined && label >= 0) out.push([address, label]);
    }
    return out;
  }

  /** Goes to the instruction index held in the local `v` (a valid block start, from the jump table). */
  transferDynamic(): Stmt[] {
    const f = this.f;
    return [
      f.if(f.bin('===', f.index(f.id(N.regionOf), f.id(N.value)), f.num(this.region)), [
        f.set(N.label, f.index(f.id(N.blockLabel), f.id(N.value))),
        f.continue(N.loop),
      ]),
      f.set(N.exit, f.id(N.value)),
      f.break(N.loop),
    ];
  }

  /** One countdown stands for both gas and the instruction count (metered, every block costs its
   * length): the trampoline starts it at the smaller of the two and tells them apart when it runs out. */
  get unifiedCounter(): boolean {
    return this.options.metered && this.p.costIsLength;
  }

  /** The charge at a block's entry: instruction countdown, then gas (polkavm checks in that order),
   * in one test whose failure exits with `Exit.blockEntry` (the trampoline tells which one failed). */
  blockEntry(i: number): Stmt[] {
    const f = this.f;
    const length = this.p.blockLength[i]!;
    const cost = this.p.blockCosts[i]!;
    const unified = this.unifiedCounter;
    const steps = this.options.countSteps || unified ? f.bin('<', f.assign(N.steps, f.num(length), '-='), f.num(0)) : undefined;
    let gas: Expr | undefined;
    if (this.options.metered && !unified && cost > 0) {
      this.uses(Local.gas);
      gas = f.bin('<', f.assign(N.gas, f.num(cost), '-='), f.num(0));
    }
    const test = steps !== undefined && gas !== undefined ? f.logical('||', steps, gas) : (steps ?? gas);
    return test === undefined ? [] : [f.if(test, this.exit(Exit.blockEntry, i))];
  }
}

