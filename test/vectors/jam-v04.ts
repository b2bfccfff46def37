// jam-v0.4 (w3f/jamtestvectors "PVM tests v0.4"): one run of a bare Latest64 program under dynamic
// paging with the case's page map, naive gas charged per block, sync metering.
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../shared.ts';
import type { ConformanceCase, Expectation, CaseAction } from './case.ts';
import { translateJamStatus } from './case.ts';
import { big, parseJson, type JsonValue } from './json.ts';
import { bytesOf, checkedJson, listFiles } from './files.ts';
import type { Schema } from './schema.ts';

type Obj = { readonly [key: string]: JsonValue };
type Chunk = { address: number; contents: number[] };

export const JAM_V04_SUITE = 'jam-v0.4';

export function jamV04Dir(): string {
  return sharedPath('vectors', 'jam-v0.4');
}

/** The vectors' own schema, read at run time (never copied into the repo). */
export function jamV04Schema(dir = jamV04Dir()): Schema {
  return parseJson(readFileSync(`${dir}/schema.json`, 'utf8')) as Schema;
}

export function jamV04Case(file: string, text: string, schema: Schema): ConformanceCase {
  const v = checkedJson(file, text, schema) as Obj;
  const chunks = (list: JsonValue) => (list as Chunk[]).map((c) => ({ address: c.address, bytes: Uint8Array.from(c.contents) }));
  const status = translateJamStatus(v['expected-status'] as string);
  const expect: Expectation = {
    status,
    pc: v['expected-pc'] as number,
    gas: big(v['expected-gas']!),
    regs: (v['expected-regs'] as JsonValue[]).map(big),
    memory: chunks(v['expected-memory']!),
    ...(v['expected-page-fault-address'] !== undefined ? { pageFaultAddress: v['expected-page-fault-address'] as number } : {}),
  };
  if ((status === 'segfault') !== (expect.pageFaultAddress !== undefined))
    throw new Error(`${file}: expected-page-fault-address must be given exactly when the status is page-fault`);
  const actions: CaseAction[] = [
    ...(v['initial-page-map'] as { address: number; length: number; 'is-writable': boolean }[]).map(
      (p): CaseAction => ({ kind: 'map', address: p.address, length: p.length, writable: p['is-writable'] }),
    ),
    ...chunks(v['initial-memory']!).map((c): CaseAction => ({ kind: 'write', ...c })),
    { kind: 'run', expect },
  ];
  return {
    suite: JAM_V04_SUITE,
    name: v.name as string,
    file,
    program: { kind: 'jam-program', bytes: bytesOf(v.program!), isa: 'Latest64' },
    dynamicPaging: true,
    gasMetering: 'sync',
    costModel: { kind: 'naive' },
    entry: { kind: 'jump', target: v['initial-pc'] as number },
    initialRegs: (v['initial-regs'] as JsonValue[]).map(big),
    initialGas: big(v['initial-gas']!),
    actions,
  };
}

/** All 307 cases: every *.json of the folder but schema.json. */
export function loadJamV04(dir = jamV04Dir()): ConformanceCase[] {
  const schema = jamV04Schema(dir);
  return listFiles(dir, '.json')
    .filter((path) => basename(path) !== 'schema.json')
    .map((path) => jamV04Case(basename(path), readFileSync(path, 'utf8'), schema));
}
