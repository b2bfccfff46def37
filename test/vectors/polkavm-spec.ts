// polkavm-spec (polkavm tools/spectool/spec/src): assembly text with `pre:` / `post:` / `step:` lines,
// run as spectool runs them (JamV1, dynamic paging with ro data, rw data and stack mapped up front, sync
// gas), checked against the reference results in expected/ (one set per cost model, every stop).
import { basename, join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { sharedPath } from '../shared.ts';
import type { CaseAction, ConformanceCase, Expectation } from './case.ts';
import { REG_COUNT, translateJamStatus } from './case.ts';
import { readCheckedJson, listFiles } from './files.ts';
import { POLKAVM_SPEC_EXPECTED_SCHEMA } from './schemas.ts';
import type { JsonValue } from './json.ts';

export const POLKAVM_SPEC_SUITE = 'polkavm-spec';
export const SPEC_COST_MODELS = ['naive', 'full-l2'] as const;
export type SpecCostModel = (typeof SPEC_COST_MODELS)[number];

const ABI_REG_NAMES = ['ra', 'sp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;
const I32_MIN = -(1n << 31n);

export function polkavmSpecDir(): string {
  return sharedPath('vectors', 'polkavm-spec');
}

export class SpecSyntaxError extends Error {
  override readonly name = 'SpecSyntaxError';
}

/** An unsigned, `0x`, `0b` or decimal integer literal, as a bigint; undefined if it is none. */
function integerLiteral(text: string): bigint | undefined {
  if (/^0x[0-9a-fA-F]+$/.test(text) || /^0b[01]+$/.test(text) || /^-?[0-9]+$/.test(text)) {
    return text.startsWith('-') ? -BigInt(text.slice(1)) : BigInt(text);
  }
  return undefined;
}

/** A register value in `pre:` / `post:` lines (polkavm `parse_immediate` then `u64::from`). */
export function parseSpecImmediate(text: string): bigint | undefined {
  let t = text.trim();
  if (t.startsWith('i64 ')) t = t.slice(4).trim();
  const v = integerLiteral(t);
  if (v === undefined || v > U64_MAX) return undefined;
  // A negative decimal must fit i32 (larger negative values are rejected by the reference parser).
  if (v < 0n && (t.startsWith('0x') || t.startsWith('0b') || v < I32_MIN)) return undefined;
  return BigInt.asUintN(64, v);
}

/** A register value in `step:` lines (spectool `parse_u64`: any i64 or u64, two's complement). */
function parseStepU64(text: string): bigint | undefined {
  const v = integerLiteral(text.trim());
  if (v === undefined || v > U64_MAX || v < I64_MIN) return undefined;
  return BigInt.asUintN(64, v);
}

function parseU32(text: string): number | undefined {
  const v = integerLiteral(text.trim());
  return v === undefined || v < 0n || v > 0xffffffffn ? undefined : Number(v);
}

function parseReg(text: string, allowNumbered: boolean): number | undefined {
  const t = text.trim();
  const i = ABI_REG_NAMES.indexOf(t);
  if (i >= 0) return i;
  const m = allowNumbered ? /^r(1[0-2]|[0-9])$/.exec(t) : null;
  return m ? Number(m[1]) : undefined;
}

export interface PrePost {
  gas?: bigint;
  regs: (bigint | undefined)[];
  /** `post: pc = @label[n]`: the n-th instruction after the label. */
  pc?: { label: string; offset: number };
}

export type SpecStep =
  | { kind: 'run' }
  | { kind: 'map'; address: number; length: number; writable: boolean }
  | { kind: 'write'; address: number; bytes: Uint8Array }
  | { kind: 'set-reg'; reg: number; value: bigint };

export interface SpecSource {
  /** The text for the assembler: directive lines blanked, so line numbers stay the same. */
  readonly assembly: string;
  readonly pre: PrePost;
  readonly post: PrePost;
  /** As written; spectool runs once when there are none. */
  readonly steps: readonly SpecStep[];
}

function parsePrePost(line: string, into: PrePost, lineNo: number): void {
  const fail = (why: string): never => {
    throw new SpecSyntaxError(`line ${lineNo}: ${why}: '${line.trim()}'`);
  };
  const eq = line.indexOf('=');
  if (eq < 0) fail("no '=' found");
  const lhs = line.slice(0, eq).trim();
  const rhs = line.slice(eq + 1).trim();
  if (lhs === 'gas') {
    const v = integerLiteral(rhs);
    if (v === undefined || !/^-?[0-9]+$/.test(rhs) || v < I64_MIN || v > I64_MAX) fail('invalid gas');
    into.gas = v;
  } else if (lhs === 'pc') {
    const m = /^@\s*([^[\s]+)\s*\[([0-9]+)\]$/.exec(rhs);
    if (!m) fail("invalid pc, expected '@label[n]'");
    into.pc = { label: m![1]!, offset: Number(m![2]) };
  } else {
    const reg = parseReg(lhs, true) ?? fail('unknown register');
    into.regs[reg] = parseSpecImmediate(rhs) ?? fail('invalid value');
  }
}

function parseStep(line: string, lineNo: number): SpecStep {
  const t = line.trim();
  const fail = (): never => {
    throw new SpecSyntaxError(`line ${lineNo}: invalid step '${t}'`);
  };
  if (t === 'run') return { kind: 'run' };
  let m = /^map\s+(RO|RW)\s+(\S+)\.\.(\S+)$/.exec(t);
  if (m) {
    const start = parseU32(m[2]!) ?? fail();
    const end = parseU32(m[3]!) ?? fail();
    if (start % 4096 !== 0 || end % 4096 !== 0 || end < start) fail();
    return { kind: 'map', address: start, length: end - start, writable: m[1] === 'RW' };
  }
  m = /^write\s+(\S+)\s+(.+)$/.exec(t);
  if (m) {
    const address = parseU32(m[1]!) ?? fail();
    const hex = m[2]!.replace(/ /g, '');
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) fail();
    return { kind: 'write', address, bytes: Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16)) };
  }
  const eq = t.indexOf('=');
  if (eq >= 0) {
    const reg = parseReg(t.slice(0, eq), false);
    const value = parseStepU64(t.slice(eq + 1));
    if (reg !== undefined && value !== undefined) return { kind: 'set-reg', reg, value };
  }
  return fail();
}

export function parseSpecSource(text: string): SpecSource {
  const pre: PrePost = { regs: new Array(REG_COUNT).fill(undefined) };
  const post: PrePost = { regs: new Array(REG_COUNT).fill(undefined) };
  const steps: SpecStep[] = [];
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.at(-1) === '') lines.pop();
  const assembly = lines.map((line, i) => {
    if (line.startsWith('pre:')) parsePrePost(line.slice(4), pre, i + 1);
    else if (line.startsWith('post:')) parsePrePost(line.slice(5), post, i + 1);
    else if (line.startsWith('step:')) steps.push(parseStep(line.slice(5), i + 1));
    else return line;
    return '';
  });
  return { assembly: assembly.join('\n'), pre, post, steps };
}

interface SpecStop {
  status: string;
  pc: number | null;
  gas: number | bigint;
}
interface SpecResult extends SpecStop {
  pc: number;
  regs: string[];
  pageFaultAddress: number | null;
  steps: SpecStop[] | null;
}

/** "ecalli(3)" / "page-fault(0x30000)" / "halt" ... → the status part of an expectation. */
function stopStatus(word: string): Pick<Expectation, 'status' | 'ecalli' | 'pageFaultAddress'> {
  const m = /^(ecalli|page-fault)\((.+)\)$/.exec(word);
  if (!m) return { status: translateJamStatus(word) };
  return m[1] === 'ecalli' ? { status: 'ecalli', ecalli: Number(m[2]) } : { status: 'segfault', pageFaultAddress: Number(m[2]) };
}

function runExpectations(file: string, result: SpecResult, runCount: number): Expectation[] {
  const final: Expectation = {
    status: translateJamStatus(result.status),
    pc: result.pc,
    gas: BigInt(result.gas),
    regs: result.regs.map((r) => BigInt(r)),
    ...(result.pageFaultAddress !== null ? { pageFaultAddress: result.pageFaultAddress } : {}),
  };
  if (result.steps === null) {
    if (runCount !== 1) throw new Error(`${file}: ${runCount} runs but no intermediate stops in the expected results`);
    return [final];
  }
  if (result.steps.length !== runCount) throw new Error(`${file}: ${runCount} runs but ${result.steps.length} expected stops`);
  return result.steps.map((stop, i) => {
    const status = stopStatus(stop.status);
    if (i < runCount - 1) return { ...status, gas: BigInt(stop.gas), ...(stop.pc !== null ? { pc: stop.pc } : {}) };
    if (status.status !== final.status || BigInt(stop.gas) !== final.gas || status.pageFaultAddress !== final.pageFaultAddress)
      throw new Error(`${file}: the last expected stop disagrees with the final result`);
    return final;
  });
}

export function polkavmSpecCase(name: string, text: string, expected: JsonValue, costModel: SpecCostModel, referenceBlob?: string): ConformanceCase {
  const source = parseSpecSource(text);
  const steps: readonly SpecStep[] = source.steps.length > 0 ? source.steps : [{ kind: 'run' }];
  const runCount = steps.filter((s) => s.kind === 'run').length;
  const results = expected as unknown as Record<SpecCostModel, SpecResult> & { name: string };
  if (results.name !== name) throw new Error(`${name}.txt: the expected results are for "${results.name}"`);
  const result = results[costModel];
  const expectations = runExpectations(`${name}.txt`, result, runCount);
  let run = 0;
  const actions: CaseAction[] = [
    { kind: 'map-blob-regions' },
    ...steps.map((s): CaseAction => (s.kind === 'run' ? { kind: 'run', expect: expectations[run++]! } : s)),
  ];
  return {
    suite: `${POLKAVM_SPEC_SUITE}/${costModel}`,
    name,
    file: `${name}.txt`,
    program: { kind: 'assembly', text: source.assembly, isa: 'JamV1', ...(referenceBlob !== undefined ? { referenceBlob } : {}) },
    dynamicPaging: true,
    gasMetering: 'sync',
    costModel: costModel === 'naive' ? { kind: 'naive' } : { kind: 'named', name: costModel },
    entry: { kind: 'jump', target: 'main' },
    initialRegs: source.pre.regs.map((r) => r ?? 0n),
    initialGas: source.pre.gas ?? 10000n,
    actions,
  };
}

/** All 257 cases for one cost model. */
export function loadPolkavmSpec(costModel: SpecCostModel, dir = polkavmSpecDir()): ConformanceCase[] {
  return listFiles(dir, '.txt').map((path) => {
    const name = basename(path, '.txt');
    const expected = readCheckedJson(join(dir, 'expected', `${name}.json`), POLKAVM_SPEC_EXPECTED_SCHEMA);
    const blob = join(dir, 'blobs', `${name}.polkavm`);
    return polkavmSpecCase(name, readFileSync(path, 'utf8'), expected, costModel, existsSync(blob) ? blob : undefined);
  });
}
