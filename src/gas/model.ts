import type { DecodedCode } from '../decoder/code.ts';

/**
 * A cost model turns decoded code into the gas charged at each basic block's entry. Costs are
 * computed once per module (at load or compile time), never while running.
 *
 * The result is indexed by instruction index: `costs[i]` is the cost of the block that starts at
 * instruction `i` (0 for instructions that do not start a block). Mid-block entry charges the cost
 * of the containing block (see `findStartOfBasicBlock`).
 */
export interface CostModel {
  readonly name: string;
  blockCosts(code: DecodedCode): Uint32Array;
}

/** polkavm's default `CostModelKind::Simple(naive)`: every instruction costs 1, implicit traps included. */
export const naiveCostModel: CostModel = {
  name: 'naive',
  blockCosts(code) {
    const n = code.count;
    const starts = code.blockStart;
    const costs = new Uint32Array(n);
    let start = 0;
    for (let i = 0; i < n; i++) {
      if (starts[i] === 1) start = i;
      costs[start]!++;
    }
    return costs;
  },
};

/**
 * A caller-supplied table, pc of a block start → cost (the `block-gas-costs` of the jam-gas-model
 * vectors). Blocks missing from the table cost 0: vectors list only the blocks they can reach.
 */
export function tableCostModel(table: ReadonlyMap<number, number> | Readonly<Record<string, number>>): CostModel {
  const lookup = table instanceof Map ? table : new Map(Object.entries(table).map(([k, v]) => [Number(k), v]));
  return {
    name: 'table',
    blockCosts(code) {
      const costs = new Uint32Array(code.count);
      for (let i = 0; i < code.count; i++) {
        if (!code.blockStart[i]) continue;
        const cost = lookup.get(code.pc[i]!);
        if (cost !== undefined) costs[i] = cost;
      }
      return costs;
    },
  };
}
