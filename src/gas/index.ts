import { fullCostModel } from './full.ts';
import { naiveCostModel, type CostModel } from './model.ts';

export { naiveCostModel, tableCostModel, type CostModel } from './model.ts';
export { fullCostModel, fullBlockCost, LOAD_LATENCY, type CacheLevel } from './full.ts';
export { simpleCostModel, costTable, NAIVE_COST_TABLE, type CostTable } from './simple.ts';

/** The models a user can pick by name (CLI `--gas-model`, test fixtures). */
export const COST_MODEL_NAMES = ['naive', 'full-l1', 'full-l2', 'full-l3'] as const;
export type CostModelName = (typeof COST_MODEL_NAMES)[number];

export function isCostModelName(name: string): name is CostModelName {
  return (COST_MODEL_NAMES as readonly string[]).includes(name);
}

/** `naive` is polkavm's default; `full-l2` is what the JAM vectors and polkavm's spec cases use. */
export function costModelByName(name: CostModelName): CostModel {
  switch (name) {
    case 'naive':
      return naiveCostModel;
    case 'full-l1':
      return fullCostModel('l1');
    case 'full-l2':
      return fullCostModel('l2');
    case 'full-l3':
      return fullCostModel('l3');
    default:
      throw new TypeError(`unknown cost model: ${String(name)} (expected ${COST_MODEL_NAMES.join(', ')})`);
  }
}
