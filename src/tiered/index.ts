// The tiered backend, after v86: a module starts on the interpreter at once (no code generation before
// the first instruction), finds its hot code by counting, generates JS for the hot regions only, and
// moves between the two tiers at block edges. Both tiers run on the one MachineState (registers, gas,
// budget, memory, pc), so a run may change tier any number of times and every outcome stays exact.
//
// Counting: the interpreter runs in slices of `slice` instructions (an instruction budget, which the
// interpreter checks at every block edge and which stops it exactly there, before the block's charge).
// At the end of a slice the instructions it ran are booked to the region of the block it stopped at; a
// region whose count reaches `threshold` is generated (codegen `compileRegionJs`, one region function
// at a time, linked into the module's table of region functions where it replaces a stub). The
// interpreter also counts how often each block ran (`blockRuns`, up to 255): a block that ran fewer
// than `minBlockRuns` times is left out of the generated code, an exit to the interpreter
// (`Exit.notRun`), and the region is generated again once such exits have run enough (`book`). A slice that ends at a
// block of a generated region enters compiled code (codegen `CompiledInstance`, the compiled backend's
// trampoline); compiled code leaves at a block of a region still a stub (LEFT_COMPILED_CODE), and at
// every stop the compiled backend has (host calls, faults, budget, gas, the end). After leaving it,
// slices are short for a while, so a call into cold code returns to compiled code soon.
//
// Runs that end before their slice (PVQ queries, host calls' round trips) count SHORT_RUN_DISCOUNT times
// less: they gain little from generated code and V8 takes hundreds of them to optimise it.
//
// The region analysis (`analyse`: partition into regions and labels, 60-70 ms for doom) and the ModuleId
// hash run at the first generation, not at load. Generated regions are shared by every module with the
// same ModuleId (a PVQ query makes a module per query). Generating is a host cost, not guest time: the
// time it takes is added to the deadline.

import {
  analyse,
  CompiledInstance,
  CompiledModule,
  compileRegionJs,
  DEFAULT_REGION_SIZE,
  LEFT_COMPILED_CODE,
  linkRegion,
  moduleId,
  REGION_STUB,
  regionEnvironment,
  type CodegenProgram,
  type RegionEnvironment,
  type RegionFunction,
} from '../codegen/index.ts';
import { blockLengthAt, InterpreterInstance, prepareProgram, type InterpreterProgram } from '../interpreter/index.ts';
import type { Interrupt } from '../machine/interrupt.ts';
import type { Backend, BackendInstance, BackendModule, MachineState, ModuleImage } from '../machine/state.ts';

export interface TieredOptions {
  /** The backend's name in the registry (default 'tiered'; tests register variants). */
  readonly name?: string;
  /** Interpreter instructions a region runs before it is generated (default 20,000). 0 generates a
   * region the first time a slice ends in it. A function is asked once per module (tests: random). */
  readonly threshold?: number | (() => number);
  /** Times a block must have run on the interpreter to be in its region's generated code (default
   * MIN_BLOCK_RUNS, at most 255; 0 generates every block). Asked once per module. */
  readonly minBlockRuns?: number | (() => number);
  /** A run that ends before its slice does counts its instructions divided by this (default
   * SHORT_RUN_DISCOUNT; 1 when `threshold` is given). */
  readonly shortRunDiscount?: number;
  /** Instructions per interpreter slice (default 4096); at least 1. */
  readonly slice?: number | (() => number);
  /** Instructions per slice right after leaving compiled code (default 64). */
  readonly shortSlice?: number;
  readonly regionSize?: number;
  /** Instructions run in compiled code after which regions are generated again with the copies of
   * their callees (default COPIES_AFTER; tests: 0 and random). Asked once per module. */
  readonly copiesAfter?: number | (() => number);
}

export const DEFAULT_THRESHOLD = 20_000;
/**
 * A block is in its region's generated code once it has run this many times on the interpreter;
 * until then it is an exit back to the interpreter (codegen `RegionOptions.blockRuns`), and the region
 * is generated again once such exits have booked `threshold` instructions to it (then 4 times as
 * many each time). Pinky's first run in one process, tiered: region functions deoptimised ~37 times
 * with every block in, ~17 with 32 runs and ~27 with 1; first run 1.57-1.67 s against 1.46-1.50 s
 * with 32, the CLI one-shot ~1.93 against ~1.81 s (loaded 2-core machine); later runs regenerate a
 * few regions still (second run ~650 against ~590 ms).
 */
export const MIN_BLOCK_RUNS = 32;
/** Instructions up to which a program, once any region of it is hot, has each region generated as soon as a run reaches it. */
const SMALL_PROGRAM = 16_384;
export const DEFAULT_SLICE = 4096;
/**
 * Instructions of runs that end before their slice does (a PVQ query, a host call's round trip) count
 * this many times less towards generating code. Such runs gain little from it: most of a PVQ query's
 * time is the host's (executor, host calls), and the generated code enters each region a few times per
 * run, so V8 runs it unoptimised (Ignition, several times slower than the interpreter) for hundreds
 * of runs before optimising it. Generating swap-info's code and getting it optimised cost as much as
 * ~17,000 queries on the interpreter save (bench/README.md: 10,000 queries, interpreter 215 ms,
 * compiled 335 ms); with this discount a 20,000-instruction threshold is reached after ~20 M
 * instructions of short runs (~11,000 swap-info queries, ~14,000 sum-balance ones), about where
 * generating pays: a host that keeps querying gets the code, one that queries less never pays for it.
 * Long runs (full slices, i.e. loops) count fully: a hot loop pays for its region at once.
 */
export const SHORT_RUN_DISCOUNT = 1024;
const DEFAULT_SHORT_SLICE = 64;
/** Short slices after leaving compiled code, before slices are long again. */
const SHORT_SLICES = 16;

/** Regions generated for one ModuleId, shared by the modules that have it. */
interface SharedRegions {
  readonly program: CodegenProgram;
  readonly env: RegionEnvironment;
  readonly regions: RegionFunction[];
  /** Regions generated so far (for tests and the bench). */
  generated: number;
  /** Instructions run in compiled code, by every module sharing these regions. */
  compiledInstructions: number;
  /** Regions are generated with their copies (codegen/copies.ts) from now on, and those generated
   * before without have been generated again. */
  withCopies: boolean;
  /** A small program that got hot: each of its regions is generated the first time a run reaches it. */
  onTouch: boolean;
  /** Per instruction: how many times the block starting there has run on the interpreter of a module
   * sharing these regions (the largest of their `blockRuns`, merged region by region as regions are
   * generated). Blocks that ran fewer than `minBlockRuns` times are left out of a region's code. */
  readonly blockRuns: Uint8Array;
  /** Per region: interpreter instructions booked to it since it was last generated, i.e. run from
   * blocks left out of its code; and how many make it be generated again (`book`). */
  readonly notRunHeat: Float64Array;
  readonly regenerateAt: Float64Array;
  /** Per region: the blocks its code leaves out (home and copied), as of its last generation. Other
   * regions' generations raise `blockRuns` for blocks they share (a copy's blocks are its home's), so
   * only this says what this region's code still lacks. */
  readonly leftOut: (Uint32Array | undefined)[];
}

const MAX_SHARED = 64;

/**
 * Regions are first generated without copies of their callees: larger functions cost V8 more to
 * optimise, and a one-shot run pays for it (pinky `initialize`, 328 M instructions, one fresh process:
 * 2.1-2.3 s without copies against 3.8 s with, on a loaded 2-core machine). Once the program has run
 * this many instructions in compiled code it is long-lived, and the regions that have copies are
 * generated again with them when compiled code is next entered (never at the end of a run, which
 * may be the last). Generating them again costs as much as warming up the first time: V8 starts the
 * new functions over (pinky's run after the switch 2.0-3.1 s, then ~430 ms a run against ~535 without
 * copies), so the switch pays after ~18 more runs. At 2^28 instructions it came after pinky's first
 * run, and a host running pinky 8 times in a process lost ~1.3 s overall; at 2^32 (~13 runs, ~7 s of
 * compiled code) the switch costs a long-lived program at most ~25% of what it has run by then.
 */
export const COPIES_AFTER = 2 ** 32;
const shared = new Map<string, SharedRegions>();

/** Forgets every generated region (tests; hosts that load many programs once). */
export function clearTieredCache(): void {
  shared.clear();
}

function sharedRegionsFor(image: ModuleImage, regionSize: number): SharedRegions {
  // The code is the same metered or not (the ModuleId does not say), but the helpers it is linked with
  // (memset's gas) are not.
  const id = `${moduleId(image, { regionSize })}/${image.gasMetering !== undefined ? 'metered' : 'unmetered'}`;
  const hit = shared.get(id);
  if (hit) return hit;
  const program = analyse(image, { regionSize });
  const entry: SharedRegions = {
    program,
    env: regionEnvironment(program, image.gasMetering !== undefined),
    regions: new Array<RegionFunction>(program.regionMembers.length).fill(REGION_STUB),
    generated: 0,
    compiledInstructions: 0,
    withCopies: false,
    onTouch: false,
    blockRuns: new Uint8Array(program.code.count),
    notRunHeat: new Float64Array(program.regionMembers.length),
    regenerateAt: new Float64Array(program.regionMembers.length),
    leftOut: new Array<Uint32Array | undefined>(program.regionMembers.length).fill(undefined),
  };
  shared.set(id, entry);
  if (shared.size > MAX_SHARED) shared.delete(shared.keys().next().value!);
  return entry;
}

const pick = (value: number | (() => number)): number => (typeof value === 'function' ? value() : value);

export class TieredModule implements BackendModule {
  readonly image: ModuleImage;
  readonly interpreter: InterpreterProgram;
  readonly threshold: number;
  readonly minBlockRuns: number;
  readonly shortRunDiscount: number;
  readonly slice: number;
  readonly shortSlice: number;
  readonly copiesAfter: number;
  private readonly regionSize: number;
  /** Made at the first generation. */
  private regions: SharedRegions | undefined;
  compiled: CompiledModule | undefined;
  /** Per region: interpreter instructions booked to it so far. */
  private heat: Float64Array | undefined;

  constructor(image: ModuleImage, options: TieredOptions) {
    this.image = image;
    this.interpreter = prepareProgram(image);
    this.threshold = Math.max(0, pick(options.threshold ?? DEFAULT_THRESHOLD));
    this.minBlockRuns = Math.min(255, Math.max(0, pick(options.minBlockRuns ?? MIN_BLOCK_RUNS)));
    // A forced threshold (tests) holds for short runs too, unless they are given their own discount.
    this.shortRunDiscount = Math.max(1, options.shortRunDiscount ?? (options.threshold === undefined ? SHORT_RUN_DISCOUNT : 1));
    this.slice = Math.max(1, pick(options.slice ?? DEFAULT_SLICE));
    this.shortSlice = Math.max(1, Math.min(this.slice, options.shortSlice ?? DEFAULT_SHORT_SLICE));
    this.regionSize = options.regionSize ?? DEFAULT_REGION_SIZE;
    this.copiesAfter = Math.max(0, pick(options.copiesAfter ?? COPIES_AFTER));
  }

  instantiate(state: MachineState): BackendInstance {
    return new TieredInstance(this, state);
  }

  /** Regions generated for this module's code so far (shared with other modules of the same ModuleId). */
  get generatedRegions(): number {
    return this.regions?.generated ?? 0;
  }

  /**
   * Books `ran` interpreter instructions to the region of instruction `index` (a block start) and
   * generates that region when it is hot. Returns the time spent generating (ms), a host cost.
   */
  book(index: number, ran: number, short: boolean, inRegion = -1): number {
    if (short) ran /= this.shortRunDiscount;
    let shared = this.regions;
    let started = -1;
    if (shared === undefined) {
      // No analysis before anything is hot enough to need it: until then the instructions are only summed.
      this.coldInstructions += ran;
      if (short) this.coldShortRuns += ran;
      if (this.coldInstructions < this.threshold) return 0;
      started = performance.now();
      shared = this.prepare();
      // Short runs book where they start, nearly always one entry: what they ran before the analysis is
      // that entry's heat, or they would need as long again after it.
      if (short) ran = this.coldShortRuns;
    }
    const region = inRegion >= 0 ? inRegion : shared.program.regionOf[index]!;
    if (shared.regions[region] !== REGION_STUB) {
      // Booked to a generated region: the interpreter ran blocks its code left out. Once they have run
      // enough, the region is generated again with them; each time it takes 4 times as long, as each
      // time V8 starts the new function over.
      shared.notRunHeat[region] += ran;
      if (shared.notRunHeat[region]! < shared.regenerateAt[region]!) return started < 0 ? 0 : performance.now() - started;
      if (started < 0) started = performance.now();
      shared.notRunHeat[region] = 0;
      // Slices that only passed through the region (they are booked where they end) add nothing to it.
      if (!this.ranMore(shared, region)) return performance.now() - started;
      shared.regenerateAt[region] = 4 * Math.max(shared.regenerateAt[region]!, 1);
      this.generate(shared, region);
      return performance.now() - started;
    }
    const heat = this.heat!;
    heat[region] = heat[region]! + ran;
    if (shared.regions[region] === REGION_STUB && heat[region]! >= this.threshold) {
      if (started < 0) started = performance.now();
      if (shared.program.code.count <= SMALL_PROGRAM && !shared.onTouch) {
        if (short) {
          // Made hot by short runs (PVQ queries): each region is generated the first time a run reaches
          // it (`generateOnTouch`), so no run goes back to the interpreter for long, yet code no run
          // reaches is never generated (the bench's queries reach 5 of sum-balance's 12 regions and 9 of
          // swap-info's 31; generating those took 50-70% of the time all did).
          shared.onTouch = true;
        } else {
          // Made hot by a loop (pinky): generated whole at once, as before short runs were told apart
          // (measured one-shot pinky 0.1-0.3 s slower region by region, loaded machine, 3 of 3 pairs).
          for (let r = 0; r < shared.regions.length; r++) if (shared.regions[r] === REGION_STUB) this.generate(shared, r);
        }
      }
      if (shared.regions[region] === REGION_STUB) this.generate(shared, region);
    }
    return started < 0 ? 0 : performance.now() - started;
  }

  private coldInstructions = 0;
  /** Of those, the (discounted) instructions of short runs. */
  private coldShortRuns = 0;

  /** Whether a block the region's code leaves out has now run often enough to be in it (on this
   * module's interpreter, or another's that shares the regions). */
  private ranMore(shared: SharedRegions, region: number): boolean {
    const mine = this.interpreter.blockRuns;
    const min = this.minBlockRuns;
    const left = shared.leftOut[region];
    if (left === undefined) return false;
    for (let k = 0; k < left.length; k++) if (mine[left[k]!]! >= min || shared.blockRuns[left[k]!]! >= min) return true;
    return false;
  }

  private generate(shared: SharedRegions, region: number): void {
    // What this module's interpreter ran in the region (and in the copies it holds) joins what others
    // ran; the blocks that still ran too few times are left out of the code (`leftOut`).
    const mine = this.interpreter.blockRuns;
    const runs = shared.blockRuns;
    const blockStart = shared.program.code.blockStart;
    const min = this.minBlockRuns;
    const left: number[] = [];
    const take = (members: Uint32Array): void => {
      for (let k = 0; k < members.length; k++) {
        const i = members[k]!;
        if (mine[i]! > runs[i]!) runs[i] = mine[i]!;
        if (blockStart[i] && runs[i]! < min) left.push(i);
      }
    };
    take(shared.program.regionMembers[region]!);
    const copies = shared.withCopies ? shared.program.copies?.of(region) : undefined;
    if (copies) take(copies.members);
    shared.leftOut[region] = left.length > 0 ? Uint32Array.from(left) : undefined;
    shared.regions[region] = linkRegion(compileRegionJs(this.image, shared.program, region, { copies: shared.withCopies, blockRuns: runs, minBlockRuns: this.minBlockRuns }), shared.env);
    shared.notRunHeat[region] = 0;
    if (shared.regenerateAt[region] === 0) shared.regenerateAt[region] = this.threshold;
    shared.generated++;
  }

  get generatesOnTouch(): boolean {
    return this.regions?.onTouch === true;
  }

  /** Generates region `region` if this is a small program that got hot (`book`) and the region is
   * still a stub. Returns the time spent generating (ms), a host cost, or -1 when it did not. */
  generateOnTouch(region: number): number {
    const shared = this.regions;
    if (shared === undefined || !shared.onTouch || shared.regions[region] !== REGION_STUB) return -1;
    const started = performance.now();
    this.generate(shared, region);
    return performance.now() - started;
  }

  /** Counts `ran` instructions run in compiled code. */
  ranCompiled(ran: number): void {
    const shared = this.regions;
    if (shared !== undefined && !shared.withCopies) shared.compiledInstructions += ran;
  }

  /** Past `copiesAfter` compiled instructions, generates the regions that have copies again with them.
   * Returns the time spent generating (ms), a host cost. */
  promote(): number {
    const shared = this.regions;
    if (shared === undefined || shared.withCopies || shared.compiledInstructions < this.copiesAfter) return 0;
    const started = performance.now();
    shared.withCopies = true;
    const plan = shared.program.copies;
    if (plan)
      for (let r = 0; r < shared.regions.length; r++) {
        // A region function being replaced may still be running further up the stack (a host call
        // that runs another instance): it goes on as it is, and both versions do the same thing.
        if (shared.regions[r] === REGION_STUB || plan.of(r) === undefined) continue;
        this.generate(shared, r);
      }
    return performance.now() - started;
  }

  private prepare(): SharedRegions {
    if (this.regions) return this.regions;
    const regions = sharedRegionsFor(this.image, this.regionSize);
    this.regions = regions;
    this.heat = new Float64Array(regions.regions.length);
    const program = this.interpreter;
    this.compiled = new CompiledModule(this.image, regions.program, regions.regions, undefined, true, {
      instantiate: (state) => new InterpreterInstance(program, state),
    });
    return regions;
  }
}

export class TieredInstance implements BackendInstance {
  readonly state: MachineState;
  private readonly module: TieredModule;
  private readonly interpreter: InterpreterInstance;
  private compiled: CompiledInstance | undefined;
  /** Short slices still to run after leaving compiled code. */
  private shortSlices = 0;
  /** The region whose code left out the block compiled code last left at (`Exit.notRun`), or -1. */
  private notRunRegion = -1;

  constructor(module: TieredModule, state: MachineState) {
    this.module = module;
    this.state = state;
    this.interpreter = new InterpreterInstance(module.interpreter, state);
  }

  /** The compiled tier can take over at the state's next pc: its region is generated, and the host
   * did not move the pc (an arbitrary entry is charged by the interpreter's rules). */
  private compiledAtNextPc(): CompiledInstance | undefined {
    const compiled = this.module.compiled;
    if (compiled === undefined) return undefined;
    const s = this.state;
    const code = compiled.program.code;
    const pc = s.nextPc;
    const index = pc >= 0 && pc < code.indexOfPc.length ? code.indexOfPc[pc]! : -1;
    if (index < 0) return undefined;
    // A fresh call (prepareCall) at a block start is charged by compiled code exactly as by the
    // interpreter; elsewhere (the host moved the pc into a block) the interpreter's rules apply.
    if (s.chargeOnEntry && (!code.blockStart[index] || code.implicit[index])) return undefined;
    const region = compiled.program.regionOf[index]!;
    if (compiled.regions[region] === REGION_STUB) {
      const hostTime = this.module.generateOnTouch(region);
      if (hostTime < 0) return undefined;
      if (s.deadline !== Infinity) s.deadline += hostTime;
    }
    return (this.compiled ??= compiled.instantiate(s) as CompiledInstance);
  }

  /** Whether the region of the state's next pc has not been generated. */
  private leftForStub(): boolean {
    const compiled = this.module.compiled!;
    const index = compiled.lookups.indexOf(this.state.nextPc);
    return index >= 0 && compiled.regions[compiled.program.regionOf[index]!] === REGION_STUB;
  }

  run(): Interrupt {
    const s = this.state;
    const module = this.module;
    const p = module.interpreter;
    for (;;) {
      const compiled = this.compiledAtNextPc();
      if (compiled !== undefined) {
        const hostTime = module.promote();
        if (s.deadline !== Infinity) s.deadline += hostTime;
        const before = s.instructionsExecuted;
        const interrupt = compiled.run();
        module.ranCompiled(s.instructionsExecuted - before);
        if (interrupt !== LEFT_COMPILED_CODE) return interrupt;
        this.notRunRegion = compiled.notRunRegion;
        compiled.notRunRegion = -1;
        // The region it left for is generated on the way back in (`compiledAtNextPc`); a block left out
        // of a generated region (`Exit.notRun`) runs on the interpreter first.
        if (module.generatesOnTouch && this.leftForStub()) continue;
        this.shortSlices = SHORT_SLICES;
      }
      const budget = s.instructionBudget;
      let slice = module.slice;
      // After compiled code left for a region not generated, the slice is booked where it started: the
      // cold region that hot code calls (or falls into), which is the next one to generate.
      let bookAt = -1;
      let bookIn = -1;
      if (this.shortSlices > 0) {
        if (this.shortSlices === SHORT_SLICES && !s.chargeOnEntry) {
          bookAt = p.code.indexOfPc[s.nextPc]!;
          // A block a region's copy left out heats that region, not the block's own.
          bookIn = this.notRunRegion;
        }
        this.notRunRegion = -1;
        this.shortSlices--;
        slice = module.shortSlice;
      }
      // A slice shorter than the block it starts at would stop before that block, having run nothing.
      let at = p.code.indexOfPc[s.nextPc] ?? -1;
      if (s.chargeOnEntry && at >= 0 && !p.code.blockStart[at]) at = -1;
      if (at >= 0 && blockLengthAt(p, at) > slice) slice = blockLengthAt(p, at);
      s.instructionBudget = Math.min(budget, slice);
      const before = s.instructionsExecuted;
      const interrupt = this.interpreter.run();
      const ran = s.instructionsExecuted - before;
      s.instructionBudget = budget - ran;
      if (interrupt.kind !== 'budget' || interrupt.reason !== 'instructions') {
        // A run that ends before its slice does (a short query, a host call's round trip) books what it
        // ran where it started: many short PVQ queries of one program heat its entry region like one long
        // run would (measured after the executor's per-query overhead went down: compiled 8.6 us against
        // the interpreter's 14.3 us for swap-info, so compiling what many queries run pays).
        if (at >= 0 && ran > 0) {
          const hostTime = module.book(bookAt >= 0 ? bookAt : at, ran, true, bookIn);
          if (s.deadline !== Infinity) s.deadline += hostTime;
        }
        return interrupt;
      }
      // The interpreter stopped at a block edge, before the block: for the slice, or for the host's budget.
      const index = p.code.indexOfPc[s.nextPc]!;
      if (s.instructionBudget < blockLengthAt(p, index)) return interrupt;
      const hostTime = module.book(bookAt >= 0 ? bookAt : index, ran, false, bookIn);
      if (s.deadline !== Infinity) s.deadline += hostTime;
    }
  }
}

/** The tiered backend; `options` are for tests and tuning. Step tracing runs on the interpreter. */
export function createTieredBackend(options: TieredOptions = {}): Backend {
  return {
    name: options.name ?? 'tiered',
    load(image: ModuleImage): BackendModule {
      if (image.stepTracing) return { instantiate: (state) => new InterpreterInstance(prepareProgram(image), state) };
      return new TieredModule(image, options);
    },
  };
}
