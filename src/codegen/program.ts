// What the code generator derives from decoded code before emitting anything: static transfer
// targets, block lengths, the jump table as instruction indices, the partition into regions (one JS
// function each) and the entry labels (switch cases) inside each region.

import { END, INVALID, NO_FALLTHROUGH, OP_FLAGS, OP_FORMS, Op } from '../decoder/table.ts';
import type { DecodedCode } from '../decoder/code.ts';
import type { ModuleImage } from '../machine/state.ts';
import { blockLayout, staticJumpTargets, validJumpIndex } from '../machine/control.ts';
import { CopyPlan, DEFAULT_COPY_REGION_SIZE, type FunctionGraph } from './copies.ts';

/**
 * Why a region function returned. It returns an instruction index (>= 0) to continue in another
 * region, or `exitCode(kind, at)` < 0 for instruction `at`: one number, so an exit in generated code
 * is just `x = -N; break L;`.
 */
export const Exit = Object.freeze({
  /** A trap (also an invalid jump or branch target). */
  trap: 0,
  /** A memory fault; the instruction is retried on resume. `memory.fault` says what. */
  fault: 1,
  ecalli: 2,
  /** `jump_indirect` to 0xFFFF0000. */
  finished: 3,
  /** The block's instruction countdown (steps < 0 afterwards) or its gas (steps still >= 0) ran
   * short; whichever failed was taken off and must be given back. */
  blockEntry: 4,
  /** `memset` ran out of gas partway. */
  memsetGas: 5,
  /** The instruction must run on the fallback backend, and so must the rest of the run: a 32-bit
   * `memset` whose A0 or A2 would leave the sign-extended form compiled code keeps registers in. */
  handOver: 6,
  /** The region was not generated (the tiered backend generates hot regions only): the run leaves
   * compiled code at the block being entered, before its charge. Only region stubs return it. */
  uncompiled: 7,
  /** A call (a jump writing RA) past the state's `maxCallDepth`: final. */
  callDepth: 8,
  /** A block left out of its region's code because it had not run when the region was generated
   * (tiered, `RegionOptions.ranBlocks`): the run leaves compiled code there, before its charge, as
   * for `uncompiled`. */
  notRun: 9,
} as const);
export type ExitKind = (typeof Exit)[keyof typeof Exit];

export const exitCode = (kind: ExitKind, at: number): number => -(at * 16 + kind) - 1;
export const exitKind = (code: number): ExitKind => ((-code - 1) & 15) as ExitKind;
export const exitAt = (code: number): number => Math.floor((-code - 1) / 16);

export interface CodegenProgram {
  readonly code: DecodedCode;
  /** Static transfer per instruction as an instruction index, -1 where it traps (see the interpreter's rules). */
  readonly jumpIndex: Int32Array;
  /** Instruction index of the block containing each instruction. */
  readonly blockOf: Int32Array;
  /** At block starts: instructions in the block. */
  readonly blockLength: Uint32Array;
  readonly blockCosts: Uint32Array;
  /** Every block costs as much gas as it has instructions (the naive model): one countdown then
   * stands for both the gas and the instruction count. */
  readonly costIsLength: boolean;
  /** Per jump-table entry: the instruction index it leads to, or -1 when the target is not a valid jump target. */
  readonly jumpTableIndex: Int32Array;
  /** Per instruction: its region. */
  readonly regionOf: Int32Array;
  /** Per region: its instructions, in code order (whole blocks; not necessarily contiguous). */
  readonly regionMembers: readonly Uint32Array[];
  /** Per instruction: the case entering its block (with the block's charge), or -1 where no block starts
   * or the block has no case (`caseBlocks`: reached by a forward `break` inside its region only). */
  readonly blockLabel: Int32Array;
  /** Per instruction: a case right before it (no charge), or -1: resume points after `ecalli` and retry
   * points of instructions that can fault resumably. */
  readonly innerLabel: Int32Array;
  /** The functions each region holds copies of (copies.ts), absent from stored tables: those describe
   * the home blocks only, all the trampoline uses. */
  readonly copies?: CopyPlan;
}

export interface PartitionOptions {
  /** Largest number of instructions in one region function. */
  readonly regionSize: number;
  /** Largest number of instructions in a region with its copies (copies.ts; 0: no copies). */
  readonly copyRegionSize?: number;
}

/** Instructions whose fault or stop is resumed by retrying the instruction itself. */
function retriesItself(op: number, dynamicPaging: boolean): boolean {
  if (op === Op.sbrk || op === Op.memset) return true;
  if (!dynamicPaging) return false;
  const form = OP_FORMS[op];
  return op !== INVALID && op !== Op.jump_indirect && op !== Op.load_imm && (form === 'reg_imm' || form === 'imm_imm' || form === 'reg_imm_imm' || (form === 'reg_reg_imm' && isMemoryOp(op)));
}

const MEMORY_OPS = new Set<number>([
  Op.load_u8, Op.load_i8, Op.load_u16, Op.load_i16, Op.load_u32, Op.load_i32, Op.load_u64,
  Op.store_u8, Op.store_u16, Op.store_u32, Op.store_u64,
  Op.store_imm_u8, Op.store_imm_u16, Op.store_imm_u32, Op.store_imm_u64,
  Op.store_imm_indirect_u8, Op.store_imm_indirect_u16, Op.store_imm_indirect_u32, Op.store_imm_indirect_u64,
  Op.store_indirect_u8, Op.store_indirect_u16, Op.store_indirect_u32, Op.store_indirect_u64,
  Op.load_indirect_u8, Op.load_indirect_i8, Op.load_indirect_u16, Op.load_indirect_i16,
  Op.load_indirect_u32, Op.load_indirect_i32, Op.load_indirect_u64,
]);
export const isMemoryOp = (op: number): boolean => MEMORY_OPS.has(op);

export function analyse(image: ModuleImage, options: PartitionOptions): CodegenProgram {
  const code = image.code;
  const n = code.count;
  const jumpIndex = staticJumpTargets(code);
  const { blockOf, blockLength } = blockLayout(code);

  let costIsLength = true;
  for (let i = 0; i < n; i++) if (code.blockStart[i] && image.blockCosts[i] !== blockLength[i]) costIsLength = false;

  const jumpTableIndex = new Int32Array(code.jumpTable.length);
  for (let k = 0; k < code.jumpTable.length; k++) {
    jumpTableIndex[k] = validJumpIndex(code, code.jumpTable[k]!);
  }

  const { regionOf, regionCount, graph } = partition(code, jumpIndex, blockLength, options.regionSize);
  const members: number[][] = Array.from({ length: regionCount }, () => []);
  for (let i = 0; i < n; i++) members[regionOf[i]!]!.push(i);

  const innerPoint = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const afterEcalli = i > 0 && code.op[i - 1] === Op.ecalli && !code.blockStart[i];
    if (afterEcalli || retriesItself(code.op[i]!, image.dynamicPaging)) innerPoint[i] = 1;
  }
  const entries: number[] = [];
  for (const e of image.blob.exports) {
    const i = e.pc < code.indexOfPc.length ? code.indexOfPc[e.pc]! : -1;
    if (i >= 0 && code.blockStart[i]) entries.push(i);
  }
  const hasCase = caseBlocks(code, jumpIndex, jumpTableIndex, regionOf, members, innerPoint, entries);
  const blockLabel = new Int32Array(n).fill(-1);
  const innerLabel = new Int32Array(n).fill(-1);
  const labelCount = new Int32Array(regionCount);
  for (let r = 0; r < regionCount; r++) {
    let label = 0;
    for (const i of members[r]!) {
      if (hasCase[i]) blockLabel[i] = label++;
      if (innerPoint[i]) innerLabel[i] = label++;
    }
    labelCount[r] = label;
  }
  const regionMembers = members.map((m) => Uint32Array.from(m));
  const copyRegionSize = options.copyRegionSize ?? DEFAULT_COPY_REGION_SIZE;
  const copies =
    copyRegionSize > options.regionSize
      ? new CopyPlan({ code, jumpIndex, jumpTableIndex, blockLength, regionOf, regionMembers, labelCount, graph, copyRegionSize })
      : undefined;

  return {
    code,
    jumpIndex,
    blockOf,
    blockLength,
    blockCosts: image.blockCosts,
    costIsLength,
    jumpTableIndex,
    regionOf,
    regionMembers,
    blockLabel,
    innerLabel,
    ...(copies ? { copies } : {}),
  };
}

/**
 * Which blocks get a switch case of their own (`blockLabel`); the others are reached inside their
 * region only, by a forward `break` out of labeled blocks (generate.ts `structure`), which costs V8
 * no dispatch through the switch and keeps fewer values alive around the loop. A block needs a case
 * when control can arrive other than by a forward edge from earlier in the same run of code between
 * two cases (its segment): it begins its region, it is an export, it is a jump-table target (returns and indirect
 * jumps enter through the label table), another region transfers to it, or an edge reaches it from
 * itself or from later (loop heads). Making a block a case splits a segment, which can make a
 * forward edge over it need one too (found in one pass, below). Entering a block without a case from outside compiled code (the host's pc, a
 * re-entry after a countdown ran out) runs the fallback backend to the next block with one
 * (backend.ts), a forward path no longer than a region.
 */
function caseBlocks(code: DecodedCode, jumpIndex: Int32Array, jumpTableIndex: Int32Array, regionOf: Int32Array, members: number[][], innerPoint: Uint8Array, entries: readonly number[]): Uint8Array {
  const n = code.count;
  const hasCase = new Uint8Array(n);
  // Exports: every call from the host starts there.
  for (const i of entries) hasCase[i] = 1;
  for (let k = 0; k < jumpTableIndex.length; k++) if (jumpTableIndex[k]! >= 0) hasCase[jumpTableIndex[k]!] = 1;
  // Forward edges inside a region, by target (`firstIn`/`nextIn`: a list per target); the others
  // decide cases at once.
  const firstIn = new Int32Array(n).fill(-1);
  const nextIn = new Int32Array(2 * n);
  const edgeFrom = new Int32Array(2 * n);
  let edges = 0;
  const edge = (a: number, b: number): void => {
    if (b < 0 || b >= n) return;
    if (regionOf[a] !== regionOf[b] || b <= a) hasCase[b] = 1;
    else {
      edgeFrom[edges] = a;
      nextIn[edges] = firstIn[b]!;
      firstIn[b] = edges++;
    }
  };
  for (let i = 0; i < n; i++) {
    const flags = OP_FLAGS[code.op[i]!]!;
    if (i + 1 < n && code.blockStart[i + 1] && !(flags & NO_FALLTHROUGH)) edge(i, i + 1);
    if (flags & END && jumpIndex[i]! >= 0) edge(i, jumpIndex[i]!);
  }
  // A forward edge a -> b needs a case at b when a segment begins after a and at or before b: a case
  // or a resume point there, or the region's start. Only a case at b's own position can be added
  // by deciding b, so deciding each region's instructions in order, with the count of segment starts
  // so far, reaches in one pass the fixed point of adding cases until nothing changes.
  const startsThrough = new Int32Array(n);
  for (const list of members) {
    let starts = 0;
    for (let k = 0; k < list.length; k++) {
      const i = list[k]!;
      if (k === 0 && code.blockStart[i]) hasCase[i] = 1;
      if (!hasCase[i])
        for (let e = firstIn[i]!; e >= 0; e = nextIn[e]!) {
          if (innerPoint[i] || starts - startsThrough[edgeFrom[e]!]! > 0) {
            hasCase[i] = 1;
            break;
          }
        }
      if (hasCase[i] || innerPoint[i] || k === 0) starts++;
      startsThrough[i] = starts;
    }
  }
  return hasCase;
}

/**
 * Groups blocks into regions. Control transfers inside a region are a `continue` of its switch loop;
 * between regions they cost a spill and reload of the registers, so blocks that transfer to each
 * other should share a region. Guest functions are the connected components of direct transfers
 * (branches, jumps, fall-through, and a call's return point with its call); then each function is
 * packed together with the functions it calls, depth first, while the region stays under `size`
 * instructions. A function larger than `size` is cut into runs of whole blocks in code order.
 */
/** The instruction a `load_imm` (or a `load_imm64` of a 32-bit value) at `i` loads the jump-table
 * address of, or -1 when it loads something else. */
function loadedJumpTarget(code: DecodedCode, i: number): number {
  const op = code.op[i]!;
  if (op !== Op.load_imm && !(op === Op.load_imm64 && code.imm2[i] === 0)) return -1;
  const address = code.imm1[i]! >>> 0;
  const k = address / 2 - 1;
  if (address === 0 || (address & 1) !== 0 || k >= code.jumpTable.length) return -1;
  const pc = code.jumpTable[k]!;
  return pc < code.code.length && code.validJumpTarget[pc] === 1 ? code.indexOfPc[pc]! : -1;
}

interface Partition {
  readonly regionOf: Int32Array;
  readonly regionCount: number;
  readonly graph: FunctionGraph;
}

function partition(code: DecodedCode, jumpIndex: Int32Array, blockLength: Uint32Array, size: number): Partition {
  const n = code.count;
  // Union-find over block starts.
  const parent = new Int32Array(n);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]!]!;
      a = parent[a]!;
    }
    return a;
  };
  const union = (a: number, b: number): void => {
    a = find(a);
    b = find(b);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };
  let block = 0;
  const callees = new Map<number, number[]>();
  const calleeOf = (from: number): number[] => {
    let list = callees.get(from);
    if (list === undefined) callees.set(from, (list = []));
    return list;
  };
  // A loop, not \`fill\`: a builtin call per block (~35k in doom) cost more than the stores.
  const fillBlock = (array: Int32Array, value: number, b: number): void => {
    for (let k = b, end = b + blockLength[b]!; k < end; k++) array[k] = value;
  };
  // Where calls go (a first pass, by the same recognition as below).
  const isCallTarget = new Uint8Array(n);
  {
    let returnPoint = -1;
    for (let i = 0; i < n; i++) {
      const op = code.op[i]!;
      if (code.blockStart[i]) returnPoint = -1;
      const loaded = loadedJumpTarget(code, i);
      if (loaded >= 0) returnPoint = loaded;
      if ((op === Op.load_imm_and_jump || (op === Op.jump && returnPoint === i + 1)) && jumpIndex[i]! >= 0) isCallTarget[jumpIndex[i]!] = 1;
    }
  }
  let returnPoint = -1;
  let returnAddress = -1;
  // Calls through RA with a constant return address: where they are, what they call, where they return.
  const callAt: number[] = [];
  const callTarget: number[] = [];
  const callReturn: number[] = [];
  for (let i = 0; i < n; i++) {
    if (code.blockStart[i]) block = i;
    const op = code.op[i]!;
    const flags = OP_FLAGS[op]!;
    if (code.blockStart[i]) returnPoint = -1;
    // `ra = @back; jump @callee` with @back right after the jump is a call written out in two
    // instructions: remember the constant's target to recognise it at the jump.
    const loaded = loadedJumpTarget(code, i);
    if (loaded >= 0) {
      returnPoint = loaded;
      returnAddress = code.r1[i] === 0 ? code.imm1[i]! >>> 0 : -1;
    }
    if (!(flags & END)) continue;
    const target = jumpIndex[i]!;
    if (op === Op.load_imm_and_jump || (op === Op.jump && returnPoint === i + 1)) {
      // A call: the callee is another function; the return lands on the next block, ours.
      if (i + 1 < n) union(block, i + 1);
      if (target >= 0) {
        calleeOf(block).push(target);
        const address = op === Op.jump ? returnAddress : code.r1[i] === 0 ? code.imm1[i]! >>> 0 : -1;
        if (address >= 0) {
          callAt.push(i);
          callTarget.push(target);
          callReturn.push(address);
        }
      }
      continue;
    }
    if (op === Op.load_imm_and_jump_indirect && i + 1 < n) union(block, i + 1);
    if (target >= 0 && isCallTarget[target] && op === Op.jump) {
      // A jump to a function something calls is a tail call: the functions stay apart.
      calleeOf(block).push(target);
    } else if (target >= 0) union(block, target);
    if (!(flags & NO_FALLTHROUGH) && i + 1 < n) union(block, i + 1);
  }

  // Function sizes and their members in code order.
  const fnSize = new Map<number, number>();
  const fnBlocks = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    if (!code.blockStart[i]) continue;
    const root = find(i);
    fnSize.set(root, (fnSize.get(root) ?? 0) + blockLength[i]!);
    const list = fnBlocks.get(root);
    if (list) list.push(i);
    else fnBlocks.set(root, [i]);
  }
  const fnCallees = new Map<number, Set<number>>();
  for (const [from, targets] of callees) {
    const root = find(from);
    const set = fnCallees.get(root) ?? new Set<number>();
    for (const t of targets) if (find(t) !== root) set.add(find(t));
    fnCallees.set(root, set);
  }

  const regionOfFn = new Map<number, number>();
  const regionOf = new Int32Array(n);
  let regionCount = 0;
  const assignBlocks = (root: number, region: number): void => {
    for (const b of fnBlocks.get(root)!) fillBlock(regionOf, region, b);
  };
  for (const root of fnBlocks.keys()) {
    if (regionOfFn.has(root)) continue;
    const total = fnSize.get(root)!;
    if (total > size) {
      // Too large for one region: runs of whole blocks.
      const pieces = Math.ceil(total / size);
      const cut = Math.ceil(total / pieces);
      let used = 0;
      let region = regionCount++;
      for (const b of fnBlocks.get(root)!) {
        if (used > 0 && used + blockLength[b]! > cut) {
          region = regionCount++;
          used = 0;
        }
        fillBlock(regionOf, region, b);
        used += blockLength[b]!;
      }
      regionOfFn.set(root, region);
      continue;
    }
    const region = regionCount++;
    let used = 0;
    const stack = [root];
    while (stack.length) {
      const fn = stack.pop()!;
      if (regionOfFn.has(fn)) continue;
      const fnTotal = fnSize.get(fn)!;
      if (used + fnTotal > size) continue;
      regionOfFn.set(fn, region);
      assignBlocks(fn, region);
      used += fnTotal;
      for (const callee of fnCallees.get(fn) ?? []) if (!regionOfFn.has(callee)) stack.push(callee);
    }
  }

  const functionOf = new Int32Array(n);
  for (const [root, blocks] of fnBlocks) for (const b of blocks) fillBlock(functionOf, root, b);
  const calledFrom: number[][] = Array.from({ length: regionCount }, () => []);
  for (const [from, targets] of callees) for (const t of targets) calledFrom[regionOf[from]!]!.push(find(t));
  return {
    regionOf,
    regionCount,
    graph: { functionOf, size: fnSize, blocks: fnBlocks, callees: fnCallees, calledFrom, callAt, callTarget, callReturn },
  };
}
