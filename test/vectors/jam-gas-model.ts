// jam-gas-model/programs (koute/new-gas-cost-model): spectool's "steps" format, Latest64 numbers, gas
// from each case's own `block-gas-costs` table (or, once src/gas has it, from the full model itself).
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../shared.ts';
import type { CaseAction, ConformanceCase, CostModelSpec } from './case.ts';
import { translateJamStatus } from './case.ts';
import { big, type JsonValue } from './json.ts';
import { bytesOf, checkedJson, listFiles } from './files.ts';
import { JAM_GAS_MODEL_SCHEMA } from './schemas.ts';

type Obj = { readonly [key: string]: JsonValue };

export const JAM_GAS_MODEL_SUITE = 'jam-gas-model';

export function jamGasModelDir(): string {
  return sharedPath('vectors', 'jam-gas-model', 'programs');
}

/** The case's `block-gas-costs` as pc → cost. */
export function blockGasCosts(v: Obj): Map<number, number> {
  return new Map(Object.entries(v['block-gas-costs'] as Record<string, number>).map(([pc, cost]) => [Number(pc), cost]));
}

/**
 * `costModel`: 'table' runs with the case's own table; a model name (e.g. 'full-l2') computes the
 * costs with that model instead, which must give the same result.
 */
export function jamGasModelCase(file: string, text: string, costModel: 'table' | string = 'table'): ConformanceCase {
  const v = checkedJson(file, text, JAM_GAS_MODEL_SCHEMA) as Obj;
  const actions: CaseAction[] = [];
  const steps = v.steps as Obj[];
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i]!;
    switch (s.kind) {
      case 'map':
        actions.push({ kind: 'map', address: s.address as number, length: s.length as number, writable: s.is_writable as boolean });
        break;
      case 'write':
        actions.push({ kind: 'write', address: s.address as number, bytes: bytesOf(s.contents!) });
        break;
      case 'set-reg':
        actions.push({ kind: 'set-reg', reg: s.reg as number, value: big(s.value!) });
        break;
      case 'run': {
        // spectool writes an assert after every run; a run without one would check nothing.
        const a = steps[i + 1];
        if (a?.kind !== 'assert') throw new Error(`${file}: step ${i} (run) is not followed by an assert`);
        i++;
        const status = translateJamStatus(a.status as string);
        if ((status === 'segfault') !== (a.page_fault_address !== undefined))
          throw new Error(`${file}: step ${i}: page_fault_address must be given exactly when the status is page-fault`);
        if ((status === 'ecalli') !== (a.hostcall !== undefined)) throw new Error(`${file}: step ${i}: hostcall must be given exactly when the status is ecalli`);
        actions.push({
          kind: 'run',
          expect: {
            status,
            pc: a.pc as number,
            gas: big(a.gas!),
            regs: (a.regs as JsonValue[]).map(big),
            memory: (a.memory as { address: number; contents: number[] }[]).map((c) => ({ address: c.address, bytes: Uint8Array.from(c.contents) })),
            ...(a.page_fault_address !== undefined ? { pageFaultAddress: a.page_fault_address as number } : {}),
            ...(a.hostcall !== undefined ? { ecalli: a.hostcall as number } : {}),
          },
        });
        break;
      }
      case 'assert':
        throw new Error(`${file}: step ${i} is an assert that does not follow a run`);
      default:
        throw new Error(`${file}: step ${i} has unknown kind ${String(s.kind)}`);
    }
  }
  const model: CostModelSpec = costModel === 'table' ? { kind: 'table', table: blockGasCosts(v) } : { kind: 'named', name: costModel };
  return {
    suite: costModel === 'table' ? JAM_GAS_MODEL_SUITE : `${JAM_GAS_MODEL_SUITE}/${costModel}`,
    name: v.name as string,
    file,
    program: { kind: 'jam-program', bytes: bytesOf(v.program!), isa: 'Latest64' },
    dynamicPaging: true,
    // These vectors come from an older polkavm in which a write to a read-only page trapped; polkavm 0.35
    // reports a segfault (polkavm-spec/expected has the same programs that way). The runtime offers both.
    readOnlyWrite: 'trap',
    gasMetering: 'sync',
    costModel: model,
    entry: { kind: 'jump', target: v['initial-pc'] as number },
    // Registers start at zero; the steps set the others.
    initialRegs: new Array<bigint>(13).fill(0n),
    initialGas: big(v['initial-gas']!),
    actions,
  };
}

/** All 356 cases. */
export function loadJamGasModel(costModel: 'table' | string = 'table', dir = jamGasModelDir()): ConformanceCase[] {
  return listFiles(dir, '.json').map((path) => jamGasModelCase(basename(path), readFileSync(path, 'utf8'), costModel));
}
