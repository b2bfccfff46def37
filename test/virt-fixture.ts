// The virt test fixture (examples/virt/fixture.pvmasm), assembled once, and what the gas cost model
// says its paths cost: the expectations of the gas cases are derived from src/gas, never typed in.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../src/assembler/index.ts';
import { Op } from '../src/decoder/table.ts';
import { Module } from '../src/runtime/index.ts';
import { BACKEND_NAMES, hasBackend, type BackendName } from '../src/runtime/index.ts';

export const FIXTURE_SOURCE = readFileSync(join(import.meta.dirname, '..', 'examples', 'virt', 'fixture.pvmasm'), 'utf8');
export const FIXTURE = assemble(FIXTURE_SOURCE);

/**
 * The backends that can load the (64-bit) fixture: the virt suites run once per backend. A backend
 * that is registered but refuses the fixture is listed in UNAVAILABLE_BACKENDS with its reason.
 */
export const VIRT_BACKENDS: BackendName[] = [];
export const UNAVAILABLE_BACKENDS: { backend: BackendName; reason: string }[] = [];
for (const backend of BACKEND_NAMES.filter(hasBackend)) {
  try {
    Module.fromBytes(FIXTURE, { backend, gasMetering: 'sync' });
    VIRT_BACKENDS.push(backend);
  } catch (e) {
    UNAVAILABLE_BACKENDS.push({ backend, reason: (e as Error).message });
  }
}

/** Per-block costs of the fixture under the cost model VirtManager uses by default (polkavm Full, L2 hit). */
const costed = Module.fromBytes(FIXTURE, { costModel: 'full-l2', gasMetering: 'sync', backend: 'interpreter' });
const code = costed.code;
const costs = costed.image.blockCosts;

function exportIndex(name: string): number {
  const pc = costed.exportPc(name);
  if (pc === undefined) throw new Error(`fixture has no export ${name}`);
  return code.indexOfPc[pc]!;
}

/** Block start indices from `from` on, in code order. */
function blocksFrom(from: number): number[] {
  const starts: number[] = [];
  for (let i = from; i < code.op.length; i++) if (code.blockStart[i]) starts.push(i);
  return starts;
}

/** Gas of a straight-line export: every block from its entry up to the one holding its first `ret`. */
export function straightLineGas(exportName: string): bigint {
  const from = exportIndex(exportName);
  let total = 0n;
  for (let i = from; i < code.op.length; i++) {
    total += BigInt(costs[i]!);
    if (code.op[i] === Op.jump_indirect) return total;
  }
  throw new Error(`export ${exportName} has no ret`);
}

/**
 * How many increment_counter calls `increment_forever` makes on `gas` before a block no longer fits:
 * its entry block, then a loop of two blocks (the one with the ecalli, then the jump back).
 */
export function incrementsBeforeOutOfGas(gas: bigint): bigint {
  const [entry, withEcalli, jumpBack] = blocksFrom(exportIndex('increment_forever')).map((i) => BigInt(costs[i]!));
  if (entry === undefined || withEcalli === undefined || jumpBack === undefined) throw new Error('increment_forever does not have the expected three blocks');
  let left = gas - entry;
  if (left < 0n) return 0n;
  let count = 0n;
  for (;;) {
    if (left < withEcalli) return count;
    left -= withEcalli;
    count++;
    if (left < jumpBack) return count;
    left -= jumpBack;
  }
}
