// Copies of small guest functions inside the regions that call them. A transfer between region
// functions costs a call through the trampoline and a spill and reload of the registers (~10 ns,
// bench/README.md "Why not faster"); pinky made 13 M of them per run, most of them calls into and
// returns from functions living in another region. A region that holds a copy of its callee runs the
// call and the return as `continue`s of its own switch.
//
// A copy is never entered from outside its region: the trampoline, the host and every exit go to the
// home blocks (program.ts `regionOf`, `blockLabel`), so a stop inside a copy (a fault, a host call, a
// countdown that ran out) resumes at home, where the same instructions do the same thing. That keeps
// the stored tables of compiled modules (stored.ts) and the tiered backend unaware of copies.

import type { DecodedCode } from '../decoder/code.ts';
import { END, NO_FALLTHROUGH, OP_FLAGS } from '../decoder/table.ts';

/** Regions grow with copies up to this many instructions: V8 optimises a function up to about 60 KB of
 * bytecode, some 1,000 guest instructions at ~57 bytes each (bench/README.md). */
export const DEFAULT_COPY_REGION_SIZE = 1000;
/** Largest guest function copied: pinky's hot callees are 170-460 instructions. */
export const COPY_FUNCTION_SIZE = 460;

/** The guest functions (program.ts `partition`: connected components of direct transfers, calls and
 * tail calls apart) and the calls between them. */
export interface FunctionGraph {
  /** Per instruction: its function, named by its first block. */
  readonly functionOf: Int32Array;
  /** Instructions per function. */
  readonly size: ReadonlyMap<number, number>;
  /** Block starts per function, in code order. */
  readonly blocks: ReadonlyMap<number, readonly number[]>;
  /** The functions each function calls (or tail-calls). */
  readonly callees: ReadonlyMap<number, ReadonlySet<number>>;
  /** Per region: the functions its home code calls, in code order. */
  readonly calledFrom: readonly (readonly number[])[];
  /** Calls through RA with a constant return address, ascending by instruction: the call, its target
   * instruction, the return address. */
  readonly callAt: readonly number[];
  readonly callTarget: readonly number[];
  readonly callReturn: readonly number[];
}

/** What one region holds besides its home blocks. */
export interface RegionCopies {
  /** The copied instructions (whole blocks of whole functions), in code order. */
  readonly members: Uint32Array;
  /** Per copied block start: its case in the region's switch, or -1 when it has none (reached by a
   * forward `break` only). */
  readonly label: ReadonlyMap<number, number>;
}

interface CopyPlanInput {
  readonly code: DecodedCode;
  readonly jumpIndex: Int32Array;
  readonly jumpTableIndex: Int32Array;
  readonly blockLength: Uint32Array;
  readonly regionOf: Int32Array;
  readonly regionMembers: readonly Uint32Array[];
  /** Per region: the labels its home blocks use (copies number theirs from there). */
  readonly labelCount: Int32Array;
  readonly graph: FunctionGraph;
  readonly copyRegionSize: number;
}

/**
 * Which functions each region copies, decided per region when its code is generated (the tiered
 * backend generates few regions; a whole program pays for all): the functions its home code calls
 * that live elsewhere and fit, then the functions those call, in the order the calls appear, while
 * the region stays under `copyRegionSize` instructions.
 */
export class CopyPlan {
  private readonly input: CopyPlanInput;
  private readonly planned = new Map<number, RegionCopies | undefined>();
  private readonly returnsIn = new Map<number, Map<number, number[]>>();
  private jumpEntries: Map<number, number[]> | undefined;

  constructor(input: CopyPlanInput) {
    this.input = input;
  }

  get functionOf(): Int32Array {
    return this.input.graph.functionOf;
  }

  /** The copies region `region` holds, if any. */
  of(region: number): RegionCopies | undefined {
    if (this.planned.has(region)) return this.planned.get(region);
    const copies = this.plan(region);
    this.planned.set(region, copies);
    return copies;
  }

  /** The return addresses of the region's calls (home, and copied when `withCopies`) into function `fn`. */
  returnAddresses(region: number, fn: number, withCopies: boolean): readonly number[] | undefined {
    const key = withCopies ? region : -1 - region;
    let map = this.returnsIn.get(key);
    if (!map) {
      map = new Map();
      const { code, blockLength, regionMembers } = this.input;
      for (const i of regionMembers[region]!) if (code.blockStart[i]) this.addReturns(map, i, i + blockLength[i]!);
      if (withCopies) for (const i of this.of(region)?.members ?? []) if (code.blockStart[i]) this.addReturns(map, i, i + blockLength[i]!);
      this.returnsIn.set(key, map);
    }
    return map.get(fn);
  }

  /** The jump-table addresses of the copied blocks that have a case, with their labels. */
  jumpTargets(region: number): [number, number][] {
    const copies = this.of(region);
    if (!copies) return [];
    if (!this.jumpEntries) {
      this.jumpEntries = new Map();
      const table = this.input.jumpTableIndex;
      for (let k = 0; k < table.length; k++) {
        const target = table[k]!;
        if (target < 0) continue;
        const list = this.jumpEntries.get(target);
        if (list) list.push(k);
        else this.jumpEntries.set(target, [k]);
      }
    }
    const out: [number, number][] = [];
    for (const [i, label] of copies.label) {
      if (label < 0) continue;
      for (const k of this.jumpEntries.get(i) ?? []) out.push([2 * (k + 1), label]);
    }
    return out;
  }

  private addReturns(map: Map<number, number[]>, from: number, to: number): void {
    const { callAt, callTarget, callReturn, functionOf } = this.input.graph;
    // callAt ascends: the first call at or after `from`, by bisection.
    let lo = 0;
    let hi = callAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (callAt[mid]! < from) lo = mid + 1;
      else hi = mid;
    }
    for (let c = lo; c < callAt.length && callAt[c]! < to; c++) {
      const fn = functionOf[callTarget[c]!]!;
      const list = map.get(fn);
      if (!list) map.set(fn, [callReturn[c]!]);
      else if (!list.includes(callReturn[c]!)) list.push(callReturn[c]!);
    }
  }

  private plan(region: number): RegionCopies | undefined {
    const { code, graph, blockLength, regionOf, regionMembers, copyRegionSize } = this.input;
    let used = regionMembers[region]!.length;
    const taken = new Set<number>();
    const queue = graph.calledFrom[region]!.slice();
    for (let q = 0; q < queue.length; q++) {
      const fn = queue[q]!;
      const size = graph.size.get(fn)!;
      if (taken.has(fn) || size > COPY_FUNCTION_SIZE || used + size > copyRegionSize) continue;
      // A function with blocks at home here (a large one cut over several regions, or the region's
      // own) cannot be copied in: a region holds an instruction once.
      if (graph.blocks.get(fn)!.some((b) => regionOf[b] === region)) continue;
      taken.add(fn);
      used += size;
      for (const callee of graph.callees.get(fn) ?? []) queue.push(callee);
    }
    if (taken.size === 0) return undefined;
    const list: number[] = [];
    for (const fn of taken) for (const b of graph.blocks.get(fn)!) for (let i = b; i < b + blockLength[b]!; i++) list.push(i);
    list.sort((a, c) => a - c);
    const hasCase = this.cases(regionMembers[region]!, list);
    let label = this.input.labelCount[region]!;
    const labels = new Map<number, number>();
    for (const i of list) if (code.blockStart[i]) labels.set(i, hasCase.has(i) ? label++ : -1);
    return { members: Uint32Array.from(list), label: labels };
  }

  /**
   * Which copied blocks get a case, by the rule program.ts `caseBlocks` applies to home blocks: a
   * copied function's entry (calls come from elsewhere in the region), jump-table targets (returns into
   * the copy), and blocks reached other than by a forward edge within their segment. Copies have no
   * resume points: their stops resume at home.
   */
  private cases(home: Uint32Array, list: readonly number[]): Set<number> {
    const { code, jumpIndex, jumpTableIndex } = this.input;
    const position = new Map<number, number>();
    list.forEach((i, k) => position.set(i, k));
    const hasCase = new Set<number>();
    for (let k = 0; k < jumpTableIndex.length; k++) if (position.has(jumpTableIndex[k]!)) hasCase.add(jumpTableIndex[k]!);
    const from: number[] = [];
    const to: number[] = [];
    const reached = new Set<number>();
    const edge = (a: number, b: number): void => {
      const pb = position.get(b);
      if (pb === undefined) return;
      reached.add(b);
      if (pb <= position.get(a)!) hasCase.add(b);
      else {
        from.push(a);
        to.push(b);
      }
    };
    for (const i of list) {
      const flags = OP_FLAGS[code.op[i]!]!;
      if (i + 1 < code.count && code.blockStart[i + 1] && !(flags & NO_FALLTHROUGH)) edge(i, i + 1);
      if (flags & END && jumpIndex[i]! >= 0) edge(i, jumpIndex[i]!);
    }
    // The home code enters copies by calls and tail calls; a block nothing reaches is entered so too.
    for (const i of home) if (OP_FLAGS[code.op[i]!]! & END && position.has(jumpIndex[i]!)) hasCase.add(jumpIndex[i]!);
    for (const i of list) if (code.blockStart[i] && !reached.has(i)) hasCase.add(i);
    const segment = new Map<number, number>();
    for (;;) {
      let id = -1;
      for (let k = 0; k < list.length; k++) {
        const i = list[k]!;
        if (k === 0) hasCase.add(i);
        if (hasCase.has(i)) id = i;
        segment.set(i, id);
      }
      let changed = false;
      for (let e = 0; e < from.length; e++) {
        const b = to[e]!;
        if (!hasCase.has(b) && segment.get(from[e]!) !== segment.get(b)) {
          hasCase.add(b);
          changed = true;
        }
      }
      if (!changed) return hasCase;
    }
  }
}
