// Issue 5's static check: the cost our full model computes for every basic block equals the
// `block-gas-costs` entry of the jam-gas-model vectors (the 356 programs and the three integration
// programs doom, pinky and prime-sieve, which are not meant to be run). No backend is involved.
import { basename, join } from 'node:path';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../shared.ts';
import { Isa } from '../../src/decoder/isa.ts';
import { parseJamProgram } from '../../src/decoder/blob.ts';
import { decodeProgram } from '../../src/decoder/code.ts';
import type { CostModel } from '../../src/gas/model.ts';
import { bytesOf, checkedJson, listFiles } from './files.ts';
import { blockGasCosts, jamGasModelDir } from './jam-gas-model.ts';
import { JAM_GAS_MODEL_SCHEMA } from './schemas.ts';
import type { Schema } from './schema.ts';
import type { JsonValue } from './json.ts';
import type { Diff } from './runner.ts';

export interface BlockCostCase {
  readonly suite: string;
  readonly name: string;
  readonly file: string;
  /** A bare Latest64 code-and-jump-table payload. */
  readonly program: Uint8Array;
  /** pc of a block start → cost. */
  readonly table: ReadonlyMap<number, number>;
}

const INTEGRATION_SCHEMA: Schema = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    program: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } },
    'block-gas-costs': JAM_GAS_MODEL_SCHEMA.properties!['block-gas-costs']!,
  },
  required: ['name', 'program', 'block-gas-costs'],
  additionalProperties: false,
  $defs: JAM_GAS_MODEL_SCHEMA.$defs!,
};

export const BLOCK_COSTS_SUITE = 'jam-gas-model/block-costs';
export const INTEGRATION_NAMES = ['doom', 'pinky', 'prime-sieve'] as const;

function blockCostCase(file: string, text: string, schema: Schema): BlockCostCase {
  const v = checkedJson(file, text, schema) as { readonly [key: string]: JsonValue };
  return { suite: BLOCK_COSTS_SUITE, name: v.name as string, file, program: bytesOf(v.program!), table: blockGasCosts(v) };
}

/** 356 programs and 3 integration programs. */
export function loadBlockCostCases(): BlockCostCase[] {
  const integration = INTEGRATION_NAMES.map((n) => join(sharedPath('vectors', 'jam-gas-model', 'integration'), `${n}.json`));
  return [
    ...listFiles(jamGasModelDir(), '.json').map((path) => blockCostCase(basename(path), readFileSync(path, 'utf8'), JAM_GAS_MODEL_SCHEMA)),
    ...integration.map((path) => blockCostCase(basename(path), readFileSync(path, 'utf8'), INTEGRATION_SCHEMA)),
  ];
}

/** Every block whose computed cost differs from the table, and every block only one side has. */
export function checkBlockCosts(c: BlockCostCase, model: CostModel, limit = 6): Diff[] {
  const code = decodeProgram(parseJamProgram(c.program, Isa.Latest64));
  const costs = model.blockCosts(code);
  const computed = new Map<number, number>();
  for (let i = 0; i < code.count; i++) if (code.blockStart[i]) computed.set(code.pc[i]!, costs[i]!);
  const diffs: Diff[] = [];
  for (const pc of [...new Set([...c.table.keys(), ...computed.keys()])].sort((a, b) => a - b)) {
    const e = c.table.get(pc);
    const a = computed.get(pc);
    if (e !== a) diffs.push({ stop: -1, field: `block@${pc}`, expected: e === undefined ? '(no block)' : String(e), actual: a === undefined ? '(no block)' : String(a) });
  }
  if (diffs.length > limit) return [...diffs.slice(0, limit), { stop: -1, field: 'blocks', expected: '(as above)', actual: `${diffs.length - limit} more blocks differ` }];
  return diffs;
}
