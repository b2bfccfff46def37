// The compiled backend: loads generated JS (generate.ts) and runs it through a small trampoline that
// turns region exits into the same state and Interrupts as the reference interpreter.
//
// Entering in the middle of a block where the generated code has no case (the host moved the pc
// there, or re-runs an instruction that trapped) is rare and is handed to a fallback backend (the
// interpreter, given by the runtime) up to the next block edge; step tracing runs on the fallback
// entirely. Both share the MachineState, so the hand-over is exact.

import { refillGas } from '../machine/gas.ts';
import { budget, ecalli, FINISHED, NOT_ENOUGH_GAS, TRAP, type Interrupt } from '../machine/interrupt.ts';
import { memset, MemsetStop } from '../machine/ops.ts';
import * as ops from '../machine/ops.ts';
import type { GuestMemory } from '../machine/memory.ts';
import { REG_COUNT, Resume, type Backend, type BackendInstance, type BackendModule, type MachineState, type ModuleImage } from '../machine/state.ts';
import { ENV_NAMES, type CodegenOptions, type CompiledJs } from './generate.ts';
import { Exit, exitAt, exitCode, exitKind, type CodegenProgram } from './program.ts';
import { compileCached } from './cache.ts';
import { pairHelpers, type HighWord } from './pairs.ts';

/** The per-instance object generated code sees as `c`. */
export interface RegionContext {
  /** The register file as int32 words: register k is [2k] (low) and [2k + 1] (high). */
  readonly R: Int32Array;
  readonly m: GuestMemory;
  readonly s: MachineState;
  /** Instructions left in the current countdown (with a unified counter: the smaller of those and the gas). */
  steps: number;
  /** `steps` when it was last settled (`settle`). */
  start: number;
  /** Instructions left in the countdown for the budget and the deadline, as of the last settling. */
  left: number;
  /** memset results. */
  a0: number;
  a2: number;
  /** High words passed back by 64-bit helpers. */
  hi: number;
}

class RegionContextRecord implements RegionContext {
  readonly R: Int32Array;
  readonly m: GuestMemory;
  readonly s: MachineState;
  // Doubles from the start (counts pass 2^31): a field that changes from small integer to double
  // changes the object's shape, and the region functions optimised for the old shape deoptimise.
  steps = UNLIMITED_STEPS;
  start = UNLIMITED_STEPS;
  left = UNLIMITED_STEPS;
  a0 = 0;
  a2 = 0;
  hi = 0;
  constructor(state: MachineState) {
    this.R = new Int32Array(state.regs32.buffer, state.regs32.byteOffset, REG_COUNT * 2);
    this.m = state.memory;
    this.s = state;
  }
}

export type RegionFunction = (c: RegionContext, label: number) => number;

/** `loop` returns this to have `runMetered` enter again from the state (a block without a case). */
const REENTER: Interrupt = Object.freeze({ kind: 'trap' }) as Interrupt;

/**
 * Books the instructions run since the countdown was last settled: counts, budget, and with a unified
 * counter (program.ts `costIsLength`) the gas, which then was not taken off block by block.
 */
function settle(c: RegionContext, unified: boolean): void {
  const executed = c.start - c.steps;
  const s = c.s;
  s.instructionsExecuted += executed;
  s.instructionBudget -= executed;
  if (unified) s.gas -= executed;
  c.left -= executed;
  c.start = c.steps;
}

/** Restarts a unified countdown at the smaller of the steps left and the gas. */
function restartUnified(c: RegionContext): void {
  c.steps = c.start = Math.max(0, Math.min(c.left, c.s.gas));
}

/** Runs a countdown this long between two looks at the clock when a deadline is set. */
const DEADLINE_STEPS = 1 << 20;
/**
 * The first countdowns of a module are short, so that region functions return to the trampoline and
 * are entered again early on. V8 collects type feedback only once a function has run a while
 * (lazy feedback allocation): a region whose first call runs a long loop has none for its
 * prologue, and its optimised code then deoptimises on the next call, leaving it on slower OSR code.
 */
const WARMUP_COUNTDOWNS = 64;
const WARMUP_STEPS = 1 << 13;
/**
 * Without budget or deadline, a region function still returns to the trampoline after this many
 * instructions. A function V8 deoptimised (a path it had never run) is then entered again soon, and
 * its next optimised code is compiled for the entry, not on-stack-replaced into a running loop: OSR
 * code was measured 1.8x slower on the 64-bit kernels (its loop values arrive tagged). A return costs
 * a few microseconds at most (a block without a case goes through the fallback), ~1% at this period.
 */
const PERIOD_STEPS = 1 << 17;
/** The countdown a fresh context starts with: larger than any countdown a run sets. */
const UNLIMITED_STEPS = 2 ** 52;
/** The gas an unmetered run charges: block costs are small integers, so 2^52 outlasts any run (and
 * stays exact in a double). */
const UNMETERED_GAS = 2 ** 52;

export type RegionEnvironment = Record<(typeof ENV_NAMES)[number], unknown>;

/** What region functions see besides their context: helpers and the program's tables. */
export function regionEnvironment(p: CodegenProgram, metered: boolean): RegionEnvironment {
  const unified = metered && p.costIsLength;
  const sbrk = (m: GuestMemory, size: number): number => {
    const top = m.sbrk(size >>> 0);
    if (top === undefined) return m.fault.kind === 'budget' ? -1 : 0;
    return top;
  };
  const memset32 = (c: RegionContext, address: number, value: number, count: number): number => {
    const a = address >>> 0;
    const o = count >>> 0;
    // A0 += written and A2 = the rest are 64-bit results: past bit 31 they are no longer
    // sign-extended 32-bit values, which int32 locals cannot hold.
    if (o > 0x7fffffff || (a <= 0x7fffffff && a + o > 0x7fffffff)) {
      c.a0 = address;
      c.a2 = count;
      return Exit.handOver;
    }
    if (unified) settle(c, true);
    const done = memset(c.m, c.s, a, value & 0xff, o, metered);
    if (unified) restartUnified(c);
    c.a0 = (a + done.written) | 0;
    c.a2 = (o - done.written) | 0;
    return done.stop === MemsetStop.done ? 0 : done.stop === MemsetStop.fault ? Exit.fault : Exit.memsetGas;
  };
  const H: HighWord = { hi: 0 };
  const memset64 = (c: RegionContext, a0: number, a0Hi: number, value: number, count: number): number => {
    const o = count >>> 0;
    if (unified) settle(c, true);
    const done = memset(c.m, c.s, a0 >>> 0, value & 0xff, o, metered);
    if (unified) restartUnified(c);
    // A0 += written, as a 64-bit addition; A2 = the rest, zero-extended.
    const lo = (a0 >>> 0) + done.written;
    c.a0 = lo | 0;
    c.hi = (a0Hi + (lo > 0xffffffff ? 1 : 0)) | 0;
    c.a2 = (o - done.written) | 0;
    return done.stop === MemsetStop.done ? 0 : done.stop === MemsetStop.fault ? Exit.fault : Exit.memsetGas;
  };
  // Memory slow paths in generated code: the generic accessors, throwing FAULT (caught by the region
  // function, which exits with FAULT.code) where the access faults.
  const FAULT = { code: 0 };
  const fault = (exit: number): never => {
    FAULT.code = exit;
    throw FAULT;
  };
  const LD = (m: GuestMemory, address: number, width: 1 | 2 | 4, exit: number): number => {
    const v = m.load(address, width);
    return v < 0 ? fault(exit) : v;
  };
  const LD64 = (m: GuestMemory, address: number, exit: number): void => {
    if (m.load64(address) < 0) fault(exit);
  };
  const ST = (m: GuestMemory, address: number, width: 1 | 2 | 4 | 8, lo: number, hi: number, exit: number): void => {
    if (!m.store(address, width, lo, hi)) fault(exit);
  };
  return {
    ...pairHelpers(H),
    H,
    FAULT,
    LD,
    LD64,
    ST,
    JT: p.jumpTableIndex,
    REGION: p.regionOf,
    LABEL: p.blockLabel,
    sbrk,
    memset32,
    memset64,
    divUnsigned32: ops.divUnsigned32,
    divSigned32: ops.divSigned32,
    remUnsigned32: ops.remUnsigned32,
    remSigned32: ops.remSigned32,
    mulUpperSignedSigned32: ops.mulUpperSignedSigned32,
    mulUpperUnsignedUnsigned32: ops.mulUpperUnsignedUnsigned32,
    mulUpperSignedUnsigned32: ops.mulUpperSignedUnsigned32,
    countSetBits32: ops.countSetBits32,
    countTrailingZeroBits32: ops.countTrailingZeroBits32,
    reverseByte32: ops.reverseByte32,
    rotateLeft32: ops.rotateLeft32,
    rotateRight32: ops.rotateRight32,
  };
}

/** Evaluates generated text into region functions. The text is built from numbers and fixed names only. */
export function linkRegions(js: CompiledJs, metered: boolean): RegionFunction[] {
  const link = (js.link ?? new Function(`return ${js.code}`)()) as (env: unknown) => RegionFunction[];
  return link(regionEnvironment(js.program, metered));
}

const linked = new WeakMap<CompiledJs, { metered?: RegionFunction[]; unmetered?: RegionFunction[] }>();

/**
 * The region functions of a compiled program, linked once per program text and metering and shared
 * by every module made from it. Evaluating the same text again would give V8 a second closure of the
 * same function (its compilation cache returns the same code): from the third one on it shares their
 * feedback and optimises without specialising to one closure's tables, measured at half the speed on
 * calls_64 (880 -> 500 M/s).
 */
export function linkedRegions(js: CompiledJs, metered: boolean): RegionFunction[] {
  let entry = linked.get(js);
  if (!entry) linked.set(js, (entry = {}));
  if (metered) return (entry.metered ??= linkRegions(js, true));
  return (entry.unmetered ??= linkRegions(js, false));
}

/** Evaluates one region's text (generate.ts `compileRegionJs`) in an environment shared by its module's regions. */
export function linkRegion(text: string, env: RegionEnvironment): RegionFunction {
  return (new Function(`return ${text}`)() as (env: RegionEnvironment) => RegionFunction)(env);
}

/**
 * What `CompiledInstance.run()` returns when the run reached a region that is not generated (a tiered
 * module's stub): the state stands at the start of that block, not yet charged, for the interpreter to
 * go on. Never returned to the runtime.
 */
export const LEFT_COMPILED_CODE: Interrupt = Object.freeze({ kind: 'budget', reason: 'instructions' });

/** The region function of a region not generated yet (tiered backend). */
export const REGION_STUB: RegionFunction = () => exitCode(Exit.uncompiled, 0);

/**
 * What the trampoline looks up at entries and exits, not at transfers between blocks (those read
 * only `regionOf` and `blockLabel`). A program read from stored tables (stored.ts) answers from its
 * compact tables, so that loading it need not build the per-pc and per-instruction arrays these
 * would otherwise read (4.4 MB and 4 x 0.65 MB for doom, all fresh pages).
 */
export interface EntryLookups {
  /** The instruction starting at code offset `pc`, or -1. */
  indexOf(pc: number): number;
  /** The label of the resume point inside a block at instruction `i` (`CodegenProgram.innerLabel`), or -1. */
  innerLabel(i: number): number;
  /** Whether a block starts at instruction `i` (`DecodedCode.blockStart`). */
  blockStart(i: number): boolean;
  /** The length of the block starting at instruction `i`, 0 where none starts (`CodegenProgram.blockLength`). */
  blockLength(i: number): number;
  /** The cost of the block starting at instruction `i` (`CodegenProgram.blockCosts`). */
  blockCost(i: number): number;
  /** The first instruction of the block holding instruction `i` (`CodegenProgram.blockOf`). */
  blockOf(i: number): number;
  /** Whether instruction `i` is implicit (`DecodedCode.implicit`). */
  implicit(i: number): boolean;
  /** The immediate of the `ecalli` at instruction `i` (`DecodedCode.imm1`). */
  ecalli(i: number): number;
}

/** The look-ups over a program's own arrays. */
export function arrayLookups(program: CodegenProgram): EntryLookups {
  const indexOfPc = program.code.indexOfPc;
  const { innerLabel, blockLength, blockCosts } = program;
  const blockStart = program.code.blockStart;
  return {
    indexOf: (pc) => (pc >= 0 && pc < indexOfPc.length ? indexOfPc[pc]! : -1),
    innerLabel: (i) => innerLabel[i]!,
    blockStart: (i) => blockStart[i] === 1,
    blockLength: (i) => blockLength[i]!,
    blockCost: (i) => blockCosts[i]!,
    // Read at final stops only, and made on first read.
    blockOf: (i) => program.blockOf[i]!,
    implicit: (i) => program.code.implicit[i] === 1,
    ecalli: (i) => program.code.imm1[i]!,
  };
}

export class CompiledModule implements BackendModule {
  readonly image: ModuleImage;
  readonly program: CodegenProgram;
  /** Per region: its function, or REGION_STUB where it is not generated (a tiered module fills them in). */
  readonly regions: RegionFunction[];
  readonly countSteps: boolean;
  /** Gas and steps share one countdown in generated code (naive costs). */
  readonly unified: boolean;
  readonly metered: boolean;
  /** Short countdowns still to hand out (WARMUP_COUNTDOWNS). */
  warmupCountdowns = WARMUP_COUNTDOWNS;
  readonly lookups: EntryLookups;
  private readonly fallbackBackend: Backend | undefined;
  private fallbackModule: BackendModule | undefined;

  /** `fallbackModule`: the fallback's module for this image when the caller has made it already. */
  constructor(
    image: ModuleImage,
    program: CodegenProgram,
    regions: RegionFunction[],
    fallback: Backend | undefined,
    countSteps: boolean,
    fallbackModule?: BackendModule,
    lookups: EntryLookups = arrayLookups(program),
  ) {
    this.image = image;
    this.lookups = lookups;
    this.countSteps = countSteps;
    this.program = program;
    this.fallbackBackend = fallback;
    this.fallbackModule = fallbackModule;
    this.metered = image.gasMetering !== undefined;
    this.regions = regions;
    this.unified = program.costIsLength;
  }

  /** The fallback's instance over the same state (made on first need). */
  fallbackFor(state: MachineState): BackendInstance | undefined {
    if (!this.fallbackBackend && !this.fallbackModule) return undefined;
    this.fallbackModule ??= this.fallbackBackend!.load(this.image);
    return this.fallbackModule.instantiate(state);
  }

  instantiate(state: MachineState): BackendInstance {
    return new CompiledInstance(this, state);
  }
}

export class CompiledInstance implements BackendInstance {
  readonly state: MachineState;
  /** The region whose code left out the block the last `LEFT_COMPILED_CODE` stopped at (`Exit.notRun`),
   * else -1: the tiered backend books what the interpreter runs there to that region. */
  notRunRegion = -1;
  private readonly module: CompiledModule;
  private readonly p: CodegenProgram;
  private readonly ctx: RegionContext;
  private fallback: BackendInstance | undefined;

  constructor(module: CompiledModule, state: MachineState) {
    this.module = module;
    this.p = module.program;
    this.state = state;
    this.ctx = new RegionContextRecord(state);
  }

  /** Records where the run stopped, as the interpreter does, and finishes the register file. */
  private stop(i: number, nextIndex: number, resume: Resume, interrupt: Interrupt): Interrupt {
    const s = this.state;
    const code = this.p.code;
    s.pc = code.pc[i]!;
    s.nextPc = nextIndex < 0 ? -1 : code.pc[nextIndex]!;
    s.resume = resume;
    if (!code.is64Bit) {
      // 32-bit registers are kept sign-extended: the high words follow the low ones.
      const R = this.ctx.R;
      for (let k = 0; k < REG_COUNT; k++) R[2 * k + 1] = R[2 * k]! >> 31;
    }
    return interrupt;
  }

  /** A stop with nothing to resume, partway through a block: the instructions from `i` to the block's
   * end, counted when the block was entered, did not run (as the interpreter counts). */
  private stopFinal(i: number, interrupt: Interrupt): Interrupt {
    const s = this.state;
    const lookups = this.module.lookups;
    const start = lookups.blockOf(i);
    const notRun = start + lookups.blockLength(start) - i;
    s.instructionsExecuted -= notRun;
    s.instructionBudget += notRun;
    return this.stop(i, -1, Resume.full, interrupt);
  }

  /** Runs the fallback backend up to the next block edge, or returns its own interrupt. */
  private runFallbackToBlockEdge(): Interrupt | undefined {
    this.fallback ??= this.module.fallbackFor(this.state);
    if (!this.fallback) throw new Error('compiled backend: an entry point without a compiled case needs a fallback backend');
    const s = this.state;
    const budgetLeft = s.instructionBudget;
    const before = s.instructionsExecuted;
    // The interpreter checks the budget first at every block edge: a zero budget stops it at the next
    // one. A budget that really runs out there is seen again by the compiled block's own countdown.
    s.instructionBudget = 0;
    const interrupt = this.fallback.run();
    s.instructionBudget = budgetLeft - (s.instructionsExecuted - before);
    if (interrupt.kind === 'budget' && interrupt.reason === 'instructions' && s.nextPc >= 0) return undefined;
    return interrupt;
  }

  /** The rest of this run on the fallback backend, from where the state says. */
  private runFallback(): Interrupt {
    this.fallback ??= this.module.fallbackFor(this.state);
    if (!this.fallback) throw new Error('compiled backend: this run needs a fallback backend');
    return this.fallback.run();
  }

  run(): Interrupt {
    if (this.module.metered) return this.runMetered();
    // Generated code always charges gas (one compilation for metered and unmetered modules): without
    // metering it charges a counter that cannot run out, and the guest-visible gas is put back.
    const s = this.state;
    const gas = s.gas;
    s.gas = UNMETERED_GAS;
    try {
      return this.runMetered();
    } finally {
      s.gas = gas;
    }
  }

  private runMetered(): Interrupt {
    for (;;) {
      const interrupt = this.enter();
      if (interrupt !== REENTER) return interrupt;
    }
  }

  /** Runs the fallback from the block at `index` (the state stopped at its start) block by block
   * until the next block is one with a case, or returns the fallback's own interrupt. The blocks in
   * between are reached only by forward edges inside one segment (program.ts `caseBlocks`). */
  private runFallbackToCase(index: number): Interrupt | undefined {
    this.fallback ??= this.module.fallbackFor(this.state);
    if (!this.fallback) throw new Error('compiled backend: a block without a case needs a fallback backend');
    const s = this.state;
    for (;;) {
      const budgetLeft = s.instructionBudget;
      const before = s.instructionsExecuted;
      const length = this.module.lookups.blockLength(index);
      // A budget of exactly the block: the fallback runs it and stops at the next block edge.
      s.instructionBudget = Math.min(budgetLeft, length);
      const interrupt = this.fallback.run();
      s.instructionBudget = budgetLeft - (s.instructionsExecuted - before);
      if (interrupt.kind !== 'budget' || interrupt.reason !== 'instructions' || budgetLeft < length || s.nextPc < 0) return interrupt;
      index = this.module.lookups.indexOf(s.nextPc);
      if (this.p.blockLabel[index]! >= 0) return undefined;
    }
  }

  private enter(): Interrupt {
    const s = this.state;
    const p = this.p;
    // A 32-bit register the host set to a value that is not sign-extended (or that memset made so)
    // needs the interpreter's pair loop.
    if (!p.code.is64Bit) {
      const R = this.ctx.R;
      for (let k = 0; k < REG_COUNT; k++) if (R[2 * k + 1] !== R[2 * k]! >> 31) return this.runFallback();
    }
    const code = p.code;
    const lookups = this.module.lookups;
    let pc = s.nextPc;
    let index = lookups.indexOf(pc);
    let label: number;
    let resume: Resume = s.resume;
    if (s.chargeOnEntry) {
      if (index < 0 || lookups.implicit(index)) {
        s.pc = pc;
        s.nextPc = -1;
        return TRAP;
      }
      if (lookups.blockStart(index)) {
        s.chargeOnEntry = false;
        s.resume = resume = Resume.full;
        s.pc = pc;
      } else {
        const stopped = this.runFallbackToBlockEdge();
        if (stopped) return stopped;
        pc = s.nextPc;
        index = lookups.indexOf(pc);
        resume = Resume.full;
      }
    } else if (index < 0) {
      s.pc = pc;
      s.nextPc = -1;
      return TRAP;
    }
    if (lookups.blockStart(index) && resume !== Resume.execute) label = p.blockLabel[index]!;
    else {
      label = lookups.innerLabel(index);
      if (label < 0) {
        const stopped = this.runFallbackToBlockEdge();
        if (stopped) return stopped;
        index = lookups.indexOf(s.nextPc);
        resume = Resume.full;
        label = p.blockLabel[index]!;
      }
    }
    if (label < 0) {
      const stopped = this.runFallbackToCase(index);
      if (stopped) return stopped;
      index = lookups.indexOf(s.nextPc);
      resume = Resume.full;
      label = p.blockLabel[index]!;
    }
    return this.loop(index, label, resume);
  }

  private countdown(index: number, resume: Resume): number {
    const s = this.state;
    let limit = s.deadline !== Infinity ? DEADLINE_STEPS : PERIOD_STEPS;
    if (this.module.warmupCountdowns > 0) {
      this.module.warmupCountdowns--;
      limit = Math.min(limit, WARMUP_STEPS);
    }
    let steps = Math.min(s.instructionBudget, limit);
    // Resuming after a sync out-of-gas skips the budget check, as the interpreter does.
    if (resume === Resume.afterStep && this.module.lookups.blockStart(index)) steps = Math.max(steps, this.module.lookups.blockLength(index));
    return Math.max(steps, 0);
  }

  private loop(index: number, label: number, resume: Resume): Interrupt {
    const s = this.state;
    const p = this.p;
    const ctx = this.ctx;
    const regions = this.module.regions;
    const regionOf = p.regionOf;
    const blockLabel = p.blockLabel;
    const lookups = this.module.lookups;
    const unified = this.module.unified;
    ctx.left = this.countdown(index, resume);
    if (unified) restartUnified(ctx);
    else ctx.steps = ctx.start = ctx.left;
    let i = index;
    for (;;) {
      const x = regions[regionOf[i]!]!(ctx, label);
      if (x >= 0) {
        i = x;
        label = blockLabel[x]!;
        continue;
      }
      const at = exitAt(x);
      const kind = exitKind(x);
      let stepsRanOut = false;
      if (kind === Exit.blockEntry) {
        // Give back what the failed test took: the countdown, or the gas (the countdown passed).
        const length = lookups.blockLength(at);
        if (unified) ctx.steps += length;
        else if (ctx.steps < 0) {
          ctx.steps += length;
          stepsRanOut = true;
        } else {
          s.gas += lookups.blockCost(at);
          if (this.module.countSteps) ctx.steps += length;
        }
      }
      settle(ctx, unified);
      switch (kind) {
        case Exit.trap:
          return this.stopFinal(at, TRAP);
        case Exit.callDepth:
          return this.stopFinal(at, budget('call-depth'));
        case Exit.fault:
          // A trap is final (polkavm `trap_impl`); a segfault or budget('memory') retries the instruction.
          if (ctx.m.fault.kind === 'trap') return this.stopFinal(at, TRAP);
          return this.stop(at, at, Resume.execute, ctx.m.fault);
        case Exit.handOver:
          this.stop(at, at, Resume.execute, TRAP);
          s.chargeOnEntry = false;
          return this.runFallback();
        case Exit.ecalli:
          return this.stop(at, at + 1, Resume.full, ecalli(lookups.ecalli(at)));
        case Exit.finished:
          return this.stop(at, -1, Resume.full, FINISHED);
        case Exit.blockEntry: {
          // With one countdown for both, the steps ran out if fewer are left than the block has.
          if (unified) stepsRanOut = ctx.left < lookups.blockLength(at);
          // The interpreter's order at a block edge: budget, deadline, gas.
          if (stepsRanOut) {
            if (s.instructionBudget < lookups.blockLength(at)) return this.stop(at, at, Resume.full, budget('instructions'));
            if (s.deadline !== Infinity && performance.now() >= s.deadline) return this.stop(at, at, Resume.full, budget('deadline'));
            // A new countdown starts in a new call of this function: the process runs without on-stack
            // replacement (engine.ts), so a call that ran a whole run would stay on unoptimised code
            // to its end (pinky's first run: 172 ms of this loop's own time in its first 20 M
            // instructions). Nothing of block `at` ran or was charged; it is entered again as any block.
            this.stop(at, at, Resume.full, TRAP);
            return REENTER;
          }
          const cost = lookups.blockCost(at);
          // Without gas metering the counter is never set: only a countdown can have stopped here.
          if (this.module.image.gasMetering !== undefined && s.gas < cost && !refillGas(s, cost)) {
            if (this.module.image.gasMetering === 'sync') return this.stop(at, at, Resume.afterStep, NOT_ENOUGH_GAS);
            s.gas -= cost;
            return this.stop(at, -1, Resume.full, NOT_ENOUGH_GAS);
          }
          if (unified) restartUnified(ctx);
          break;
        }
        case Exit.uncompiled:
          // Nothing of block `i` ran or was charged: the interpreter enters it as any block.
          return this.stop(i, i, Resume.full, LEFT_COMPILED_CODE);
        case Exit.notRun:
          // As `uncompiled`, at the block left out of its region, or of a copy in the region that
          // returned (its block belongs to another region, whose code may well have it).
          this.notRunRegion = regionOf[i]!;
          return this.stop(at, at, Resume.full, LEFT_COMPILED_CODE);
        case Exit.memsetGas:
          if (this.module.image.gasMetering === 'sync') return this.stop(at, at, Resume.execute, NOT_ENOUGH_GAS);
          return this.stopFinal(at, NOT_ENOUGH_GAS);
        default:
          throw new Error(`compiled backend: unknown exit ${x} at instruction ${at}`);
      }
      // Re-enter the same block (gas refilled or a new countdown); one without a case through the
      // fallback, from the state stopped at its start.
      i = at;
      label = blockLabel[at]!;
      if (label < 0) {
        this.stop(at, at, Resume.full, TRAP);
        return REENTER;
      }
    }
  }
}

/** The compiled backend, with an optional fallback backend for the rare entries compiled code has no case for. */
export function createCompiledBackend(fallback?: Backend, options: CodegenOptions = {}): Backend {
  return {
    name: 'compiled',
    load(image: ModuleImage): BackendModule {
      // Step tracing runs on the fallback.
      if (image.stepTracing) {
        if (!fallback) throw new Error('compiled backend: step tracing needs a fallback backend');
        return fallback.load(image);
      }
      const js = compileCached(image, options);
      return new CompiledModule(image, js.program, linkedRegions(js, image.gasMetering !== undefined), fallback, options.countSteps ?? true);
    },
  };
}
