// Shrinks a diverging program: removes one instruction at a time (keeping every control transfer, the
// fuel checks and the set-up right before sbrk and memset) and keeps each removal after which the two
// sides still diverge. What is left is usually a handful of instructions.
import { END, Op, OP_FLAGS } from '../../src/decoder/table.ts';
import type { GenInstruction, TargetRef } from './build.ts';
import { materialize, type FuzzCase, type ProgramSpec } from './generator.ts';
import { runDifferential, type DiffResult, type Side } from './runner.ts';

function shiftRef(t: TargetRef, block: number, removed: number): TargetRef | undefined {
  if (t.kind !== 'inst' || t.block !== block) return t;
  if (t.inst === removed) return undefined;
  return t.inst > removed ? { ...t, inst: t.inst - 1 } : t;
}

/** The spec without instruction `k` of block `b`, or undefined if something points at it. */
function without(spec: ProgramSpec, b: number, k: number): ProgramSpec | undefined {
  const refs: TargetRef[] = [];
  const blocks: GenInstruction[][] = [];
  for (let i = 0; i < spec.blocks.length; i++) {
    const out: GenInstruction[] = [];
    for (let j = 0; j < spec.blocks[i]!.length; j++) {
      if (i === b && j === k) continue;
      const it = spec.blocks[i]![j]!;
      if (it.target) {
        const t = shiftRef(it.target, b, k);
        if (!t) return undefined;
        refs.push(t);
        out.push({ ...it, target: t });
      } else out.push(it);
    }
    blocks.push(out);
  }
  const jumpTable: TargetRef[] = [];
  for (const t of spec.jumpTable) {
    const s = shiftRef(t, b, k);
    if (!s) return undefined;
    jumpTable.push(s);
  }
  const entry = shiftRef(spec.entry, b, k);
  if (!entry) return undefined;
  const hostJumps: (TargetRef | undefined)[] = [];
  for (const t of spec.hostJumps) {
    const s = t && shiftRef(t, b, k);
    if (t && !s) return undefined;
    hostJumps.push(s);
  }
  return { ...spec, blocks, jumpTable, entry, hostJumps };
}

function removable(spec: ProgramSpec, b: number, k: number): boolean {
  const block = spec.blocks[b]!;
  const it = block[k]!;
  if (OP_FLAGS[it.op]! & END) return false;
  if (spec.checked[b] && k < 2) return false;
  const next = block[k + 1];
  return !(next && (next.op === Op.sbrk || next.op === Op.memset));
}

export function reduceCase(c: FuzzCase, sideA: Side, sideB: Side, budget = 400): { case: FuzzCase; result: DiffResult } {
  let best = c;
  let bestResult = runDifferential(c, sideA, sideB);
  let tries = 0;
  for (let progress = true; progress && tries < budget; ) {
    progress = false;
    for (let b = best.blocks.length - 1; b >= 0; b--) {
      for (let k = best.blocks[b]!.length - 1; k >= 0 && tries < budget; k--) {
        if (!removable(best, b, k)) continue;
        const spec = without(best, b, k);
        if (!spec) continue;
        tries++;
        let candidate: FuzzCase;
        try {
          candidate = materialize(spec);
        } catch {
          continue;
        }
        const result = runDifferential(candidate, sideA, sideB);
        if (result.divergence) {
          best = candidate;
          bestResult = result;
          progress = true;
        }
      }
    }
  }
  return { case: best, result: bestResult };
}
