// polkavm's simple cost model (`CostModelKind::Simple(CostModel)`): a cost per instruction kind,
// summed over the block from its start through its terminator. With every cost 1 it is the naive
// model, polkavm's default.
import type { DecodedCode } from '../decoder/code.ts';
import { INVALID, OP_NAMES, type OpName } from '../decoder/table.ts';
import type { CostModel } from './model.ts';

/**
 * A cost per instruction, keyed by polkavm's instruction names, plus `invalid` for unknown opcodes
 * and implicit traps (polkavm's `CostModel` struct). Costs are u32.
 */
export type CostTable = { readonly [K in OpName | 'invalid']: number };

/** Every instruction costs 1 (polkavm `CostModel::naive()`). */
export const NAIVE_COST_TABLE: CostTable = Object.freeze(
  Object.fromEntries([...OP_NAMES, 'invalid'].map((name) => [name, 1])) as CostTable,
);

/** A full table from a partial one: the entries given, the rest from `base` (naive by default). */
export function costTable(overrides: Partial<CostTable>, base: CostTable = NAIVE_COST_TABLE): CostTable {
  return Object.freeze({ ...base, ...overrides });
}

/** Op id → cost, validating the table (a missing or out-of-range cost is a caller error). */
function costsByOp(table: CostTable): Uint32Array {
  const byOp = new Uint32Array(256);
  const check = (name: string): number => {
    const cost = (table as Readonly<Record<string, unknown>>)[name];
    if (typeof cost !== 'number' || !Number.isInteger(cost) || cost < 0 || cost > 0xffff_ffff)
      throw new RangeError(`cost table: ${name} must be an integer in 0..2^32-1, got ${String(cost)}`);
    return cost;
  };
  byOp.fill(check('invalid'));
  OP_NAMES.forEach((name, id) => (byOp[id] = check(name)));
  byOp[INVALID] = check('invalid');
  return byOp;
}

/**
 * polkavm's `CostModelKind::Simple` with a caller-supplied table: a block costs the sum of its
 * instructions' costs, wrapping at 2^32 as polkavm's u32 does.
 */
export function simpleCostModel(table: CostTable, name = 'simple'): CostModel {
  const byOp = costsByOp(table);
  return Object.freeze({
    name,
    blockCosts(code: DecodedCode): Uint32Array {
      const costs = new Uint32Array(code.count);
      const { op, blockStart, count } = code;
      let start = 0;
      for (let i = 0; i < count; i++) {
        if (blockStart[i]) start = i;
        costs[start] = costs[start]! + byOp[op[i]!]!;
      }
      return costs;
    },
  });
}
