// Every conformance suite by name, with what it needs before it can run. The vitest suites and
// `npm run conformance` iterate this one list.
import type { ConformanceCase, CostModelSpec } from './case.ts';
import { loadJamV04, JAM_V04_SUITE } from './jam-v04.ts';
import { loadJamGasModel, JAM_GAS_MODEL_SUITE } from './jam-gas-model.ts';
import { loadPolkavmSpec, POLKAVM_SPEC_SUITE } from './polkavm-spec.ts';
import type { Availability } from './vm.ts';
import { BLOCK_COSTS_SUITE, loadBlockCostCases, type BlockCostCase } from './block-costs.ts';
import { loadRealPrograms, loadRiscvTests, REAL_PROGRAMS_SUITE, RISCV_TESTS_SUITE } from './blobs.ts';

export interface Suite {
  readonly name: string;
  /** A model that src/gas must provide, else the suite is skipped with a notice. */
  readonly costModel?: CostModelSpec;
  readonly needsAssembler?: boolean;
  /** The number of cases the vectors hold (the loaders are checked against it). */
  readonly expectedCount: number;
  readonly load: () => ConformanceCase[];
}

/** Loads once per process: cases are immutable, and the suites and the loader tests share them. */
function once(load: () => ConformanceCase[]): () => ConformanceCase[] {
  let cases: ConformanceCase[] | undefined;
  return () => (cases ??= load());
}

const FULL_L2: CostModelSpec = { kind: 'named', name: 'full-l2' };

export const SUITES: readonly Suite[] = [
  { name: JAM_V04_SUITE, expectedCount: 307, load: once(() => loadJamV04()) },
  { name: JAM_GAS_MODEL_SUITE, expectedCount: 356, load: once(() => loadJamGasModel('table')) },
  { name: `${JAM_GAS_MODEL_SUITE}/full-l2`, costModel: FULL_L2, expectedCount: 356, load: once(() => loadJamGasModel('full-l2')) },
  { name: `${POLKAVM_SPEC_SUITE}/naive`, needsAssembler: true, expectedCount: 257, load: once(() => loadPolkavmSpec('naive')) },
  { name: `${POLKAVM_SPEC_SUITE}/full-l2`, needsAssembler: true, costModel: FULL_L2, expectedCount: 257, load: once(() => loadPolkavmSpec('full-l2')) },
  { name: RISCV_TESTS_SUITE, expectedCount: 180, load: once(() => loadRiscvTests()) },
  { name: REAL_PROGRAMS_SUITE, expectedCount: 2, load: once(() => loadRealPrograms('naive')) },
  { name: `${REAL_PROGRAMS_SUITE}/full-l2`, costModel: FULL_L2, expectedCount: 1, load: once(() => loadRealPrograms('full-l2')) },
];

/** Suites whose name is `filter` or starts with `filter/` (so "polkavm-spec" selects both models). */
export function selectSuites(filter: string | undefined): Suite[] {
  if (filter === undefined) return [...SUITES];
  return SUITES.filter((s) => s.name === filter || s.name.startsWith(`${filter}/`));
}

/** Why `suite` cannot run on `backend` now, or undefined if it can. */
export function skipReason(suite: Suite, backend: string, availability: Availability): string | undefined {
  const vm = availability.vms.find((v) => v.backend === backend);
  if (!vm) return `backend '${backend}' is not available`;
  if (suite.needsAssembler && !vm.assemble) return 'src/assembler has no assemble() yet';
  if (suite.costModel && !availability.hasCostModel(suite.costModel)) return `src/gas has no ${JSON.stringify(suite.costModel.kind === 'named' ? suite.costModel.name : suite.costModel.kind)} cost model yet`;
  return undefined;
}

/** A backend-independent check of a cost model against the vectors' block tables (issue 5). */
export interface BlockCostSuite {
  readonly name: string;
  readonly costModel: CostModelSpec & { kind: 'named' };
  readonly expectedCount: number;
  readonly load: () => BlockCostCase[];
}

let blockCostCases: BlockCostCase[] | undefined;

export const BLOCK_COST_SUITES: readonly BlockCostSuite[] = [
  { name: BLOCK_COSTS_SUITE, costModel: { kind: 'named', name: 'full-l2' }, expectedCount: 356 + 3, load: () => (blockCostCases ??= loadBlockCostCases()) },
];

export function selectBlockCostSuites(filter: string | undefined): BlockCostSuite[] {
  if (filter === undefined) return [...BLOCK_COST_SUITES];
  return BLOCK_COST_SUITES.filter((s) => s.name === filter || s.name.startsWith(`${filter}/`));
}
