// Shrinks a diverging program, keeping each step after which the two sides still diverge: drops
// whole blocks nothing points into, drops fuel checks, turns control transfers into `fallthrough`,
// and removes single instructions (never the set-up right before sbrk and memset). What is left is
// usually a handful of instructions.
import { END, Op, OP_FLAGS } from '../../src/decoder/table.ts';
import type { GenInstruction, TargetRef } from './build.ts';
import { materialize, type FuzzCase, type ProgramSpec } from './generator.ts';
import { runDifferential, type DiffResult, type Side } from './runner.ts';

type RefMap = (t: TargetRef) => TargetRef | undefined;

/** Rewrites every target reference of a spec; undefined if some reference has nowhere to go. */
function mapRefs(spec: ProgramSpec, blocks: readonly (readonly GenInstruction[])[], f: RefMap): ProgramSpec | undefined {
  const out: GenInstruction[][] = [];
  for (const block of blocks) {
    const row: GenInstruction[] = [];
    for (const it of block) {
      if (!it.target) {
        row.push(it);
        continue;
      }
      const t = f(it.target);
      if (!t) return undefined;
      row.push({ ...it, target: t });
    }
    out.push(row);
  }
  const jumpTable: TargetRef[] = [];
  for (const t of spec.jumpTable) {
    const m = f(t);
    if (!m) return undefined;
    jumpTable.push(m);
  }
  const entry = f(spec.entry);
  if (!entry) return undefined;
  const hostJumps: (TargetRef | undefined)[] = [];
  for (const t of spec.hostJumps) {
    const m = t && f(t);
    if (t && !m) return undefined;
    hostJumps.push(m);
  }
  return { ...spec, blocks: out, jumpTable, entry, hostJumps };
}

const inBlock = (t: TargetRef, b: number): boolean => (t.kind === 'block' || t.kind === 'inst') && t.block === b;

/** Without instruction `k` of block `b`. */
function withoutInstruction(spec: ProgramSpec, b: number, k: number): ProgramSpec | undefined {
  const block = spec.blocks[b]!;
  const it = block[k]!;
  if (OP_FLAGS[it.op]! & END || (spec.checked[b] && k < 2)) return undefined;
  const next = block[k + 1];
  if (next && (next.op === Op.sbrk || next.op === Op.memset)) return undefined;
  const blocks = spec.blocks.map((x, i) => (i === b ? x.filter((_, j) => j !== k) : x));
  return mapRefs(spec, blocks, (t) => {
    if (t.kind !== 'inst' || t.block !== b || t.inst < k) return t;
    return t.inst === k ? undefined : { ...t, inst: t.inst - 1 };
  });
}

/** With the control transfer at (b, k) replaced by `fallthrough` (fewer edges, same indices). */
function withFallthrough(spec: ProgramSpec, b: number, k: number): ProgramSpec | undefined {
  const it = spec.blocks[b]![k]!;
  if (!(OP_FLAGS[it.op]! & END) || it.op === Op.fallthrough || (spec.checked[b] && k < 2)) return undefined;
  const fallthrough: GenInstruction = { op: Op.fallthrough, r1: 0, r2: 0, r3: 0, imm1: 0, imm2: 0 };
  return { ...spec, blocks: spec.blocks.map((x, i) => (i === b ? x.map((y, j) => (j === k ? fallthrough : y)) : x)) };
}

/** Without block `b`, if nothing points into it. */
function withoutBlock(spec: ProgramSpec, b: number): ProgramSpec | undefined {
  if (spec.blocks.length <= 1) return undefined;
  const blocks = spec.blocks.filter((_, i) => i !== b);
  const shifted = mapRefs(spec, blocks, (t) => {
    if (inBlock(t, b)) return undefined;
    return (t.kind === 'block' || t.kind === 'inst') && t.block > b ? { ...t, block: t.block - 1 } : t;
  });
  return shifted && { ...shifted, checked: spec.checked.filter((_, i) => i !== b) };
}

/** Block `b` without its fuel check (materialize refuses it if a backward edge then burns no fuel). */
function withoutFuelCheck(spec: ProgramSpec, b: number): ProgramSpec | undefined {
  if (!spec.checked[b]) return undefined;
  const blocks = spec.blocks.map((x, i) => (i === b ? x.slice(2) : x));
  if (blocks[b]!.length === 0) return undefined;
  const shifted = mapRefs(spec, blocks, (t) => {
    if (t.kind !== 'inst' || t.block !== b) return t;
    return t.inst < 2 ? undefined : { ...t, inst: t.inst - 2 };
  });
  return shifted && { ...shifted, checked: spec.checked.map((c, i) => (i === b ? false : c)) };
}

/** With jump-table entry `k` pointing past the end of the code (the table keeps its indices). */
function withoutJumpTableEntry(spec: ProgramSpec, k: number): ProgramSpec | undefined {
  if (spec.jumpTable[k]!.kind === 'end') return undefined;
  return { ...spec, jumpTable: spec.jumpTable.map((t, i) => (i === k ? { kind: 'end', delta: 0 } : t)) };
}

/** Every one-step simplification of a spec, the biggest first. */
function* candidates(spec: ProgramSpec): Generator<ProgramSpec | undefined> {
  for (let k = spec.jumpTable.length - 1; k >= 0; k--) yield withoutJumpTableEntry(spec, k);
  for (let b = spec.blocks.length - 1; b >= 0; b--) yield withoutBlock(spec, b);
  for (let b = spec.blocks.length - 1; b >= 0; b--) yield withoutFuelCheck(spec, b);
  for (let b = spec.blocks.length - 1; b >= 0; b--)
    for (let k = spec.blocks[b]!.length - 1; k >= 0; k--) yield withoutInstruction(spec, b, k) ?? withFallthrough(spec, b, k);
}

export function reduceCase(c: FuzzCase, sideA: Side, sideB: Side, budget = 600): { case: FuzzCase; result: DiffResult } {
  let best = c;
  let bestResult = runDifferential(c, sideA, sideB);
  const field = bestResult.divergence?.field.replace(/ 0x.*$/, '');
  let tries = 0;
  for (let progress = true; progress && tries < budget; ) {
    progress = false;
    for (const spec of candidates(best)) {
      if (!spec) continue;
      if (++tries > budget) break;
      let candidate: FuzzCase;
      try {
        candidate = materialize(spec);
      } catch {
        continue;
      }
      const result = runDifferential(candidate, sideA, sideB);
      // Keep only the same kind of difference, so the shrinking does not wander off to another bug.
      if (result.divergence && result.divergence.field.replace(/ 0x.*$/, '') === field) {
        best = candidate;
        bestResult = result;
        progress = true;
        break;
      }
    }
  }
  return { case: best, result: bestResult };
}
