// polkavm's full cost model (`CostModelKind::Full(CacheModel)`): each basic block is run through
// the pipeline simulator (pipeline.ts), fed with what each instruction asks of it (pipeline-costs.ts),
// and costs the cycles it takes. Blocks are walked the way polkavm's interpreter (`compile_block`)
// walks them: from a block start through its terminator, an implicit trap included.
import type { DecodedCode } from '../decoder/code.ts';
import type { CostModel } from './model.ts';
import { pipelineBlockCosts } from './pipeline.ts';

/** Which cache level loads hit (polkavm `CacheModel::L1Hit`/`L2Hit`/`L3Hit`). */
export type CacheLevel = 'l1' | 'l2' | 'l3';

/** Load latency in cycles per cache level (polkavm `CacheModel::memory_access_cost`). */
export const LOAD_LATENCY: Readonly<Record<CacheLevel, number>> = { l1: 4, l2: 25, l3: 37 };

/** The full-model cost of the one block starting at instruction `start` (which must start a block). */
export function fullBlockCost(code: DecodedCode, start: number, level: CacheLevel): number {
  if (!code.blockStart[start]) throw new RangeError(`instruction ${start} does not start a basic block`);
  const out = new Uint32Array(1);
  pipelineBlockCosts(code, LOAD_LATENCY[level], start, start + 1, out);
  return out[0]!;
}

/** Per-block costs of polkavm's full model for one cache level; see `fullCostModel`. */
function computeFullCosts(code: DecodedCode, loadLatency: number): Uint32Array {
  const costs = new Uint32Array(code.count);
  pipelineBlockCosts(code, loadLatency, 0, code.count, costs);
  return costs;
}

function makeFullCostModel(level: CacheLevel): CostModel {
  const loadLatency = LOAD_LATENCY[level];
  const cache = new WeakMap<DecodedCode, Uint32Array>();
  return Object.freeze({
    name: `full-${level}`,
    blockCosts(code: DecodedCode): Uint32Array {
      let costs = cache.get(code);
      if (costs === undefined) {
        costs = computeFullCosts(code, loadLatency);
        cache.set(code, costs);
      }
      return costs;
    },
  });
}

const FULL_MODELS: Readonly<Record<CacheLevel, CostModel>> = {
  l1: makeFullCostModel('l1'),
  l2: makeFullCostModel('l2'),
  l3: makeFullCostModel('l3'),
};

/**
 * polkavm's `CostModelKind::Full(CacheModel)` as its interpreter charges it, for every ISA (32-bit
 * operations cost more on 64-bit ISAs). One shared model per cache level; it computes a program's
 * costs once and returns the same array for the same DecodedCode afterwards, so callers must not
 * modify it.
 */
export function fullCostModel(level: CacheLevel): CostModel {
  if (!Object.hasOwn(FULL_MODELS, level)) throw new TypeError(`unknown cache level: ${String(level)} (expected l1, l2 or l3)`);
  return FULL_MODELS[level];
}
