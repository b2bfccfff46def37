// The conformance machinery without a runtime: vector loaders (counts, schema checks, translation),
// and the runner's diffs against a scripted fake instance.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED, sharedPath } from './shared.ts';
import type { Interrupt } from '../src/machine/interrupt.ts';
import type { CaseAction, ConformanceCase, Expectation } from './vectors/case.ts';
import { JsonSyntaxError, parseJson } from './vectors/json.ts';
import { VectorFormatError } from './vectors/files.ts';
import { jamV04Case, jamV04Schema, loadJamV04 } from './vectors/jam-v04.ts';
import { jamGasModelCase, loadJamGasModel } from './vectors/jam-gas-model.ts';
import { loadPolkavmSpec, parseSpecImmediate, parseSpecSource, polkavmSpecDir } from './vectors/polkavm-spec.ts';
import { helloWorldCase } from './vectors/blobs.ts';
import { BLOCK_COST_SUITES, SUITES, selectSuites } from './vectors/suites.ts';
import { checkBlockCosts } from './vectors/block-costs.ts';
import { naiveCostModel } from '../src/gas/model.ts';
import { parseBlob } from '../src/decoder/blob.ts';
import { tinyBlob } from './vectors/vm.ts';
import { IGNORED } from './vectors/ignore.ts';
import { extractChunks, formatResult, runCase, type Vm, type VmInstance } from './vectors/runner.ts';

describe('parseJson', () => {
  const cases: [string, unknown][] = [
    ['[18446744073709519489, -9223372036854775808, 9007199254740991]', [18446744073709519489n, -9223372036854775808n, 9007199254740991]],
    ['{"a": [1, 2.5, true, null], "b": "x\\u0041\\n 12345678901234567890"}', { a: [1, 2.5, true, null], b: 'xA\n 12345678901234567890' }],
    ['[1234567890123456789.5, 1e300]', [1234567890123456789.5, 1e300]],
  ];
  it.each(cases)('%s', (text, value) => expect(parseJson(text)).toEqual(value));
  it.each(['[1,]', '[1] x', '"abc', '[12345678901234567890.5.]'])('rejects %s', (text) => expect(() => parseJson(text)).toThrow(JsonSyntaxError));
});

describe('parseSpecImmediate (pre:/post: values)', () => {
  const cases: [string, bigint | undefined][] = [
    ['1', 1n],
    ['-1', (1n << 64n) - 1n],
    ['-2147483648', 0xffffffff80000000n],
    ['-2147483649', undefined],
    ['0x8000000000000000', 0x8000000000000000n],
    ['0x20EF8', 0x20ef8n],
    ['0b101', 5n],
    ['18446744073709551615', (1n << 64n) - 1n],
    ['18446744073709551616', undefined],
    ['i64 -1', (1n << 64n) - 1n],
    ['x', undefined],
  ];
  it.each(cases)('%s', (text, value) => expect(parseSpecImmediate(text)).toBe(value));
});

describe('parseSpecSource', () => {
  const text = ['pre: a0 = -1', 'pre: gas = 5', 'pub @main:', '    trap', 'post: pc = @main[1]', 'step: map RW 0x30000..0x31000', 'step: write 0x30000 01 02', 'step: ra = 0xffff0000', 'step: run', ''].join('\n');
  it('blanks directive lines, keeping the line numbers', () => {
    const src = parseSpecSource(text);
    expect(src.assembly.split('\n')).toEqual(['', '', 'pub @main:', '    trap', '', '', '', '', '']);
    expect(src.pre.regs[7]).toBe((1n << 64n) - 1n);
    expect(src.pre.gas).toBe(5n);
    expect(src.post.pc).toEqual({ label: 'main', offset: 1 });
    expect(src.steps).toEqual([
      { kind: 'map', address: 0x30000, length: 0x1000, writable: true },
      { kind: 'write', address: 0x30000, bytes: Uint8Array.of(1, 2) },
      { kind: 'set-reg', reg: 0, value: 0xffff0000n },
      { kind: 'run' },
    ]);
  });
  it.each(['step: map RW 0x30001..0x31000', 'step: write 0x30000 123', 'step: r0 = 1', 'step: jump', 'pre: a9 = 1', 'pre: gas = x'])('rejects %s', (line) =>
    expect(() => parseSpecSource(line)).toThrow(/line 1/),
  );
});

describe.skipIf(!HAVE_SHARED)('vector loaders', () => {
  it.each(SUITES.map((s) => [s.name, s] as const))('%s loads every case', (_name, suite) => {
    const cases = suite.load();
    expect(cases.length).toBe(suite.expectedCount);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    for (const c of cases) {
      expect(c.suite).toBe(suite.name);
      expect(c.actions.some((a) => a.kind === 'run')).toBe(true);
    }
  });

  it.each(BLOCK_COST_SUITES.map((s) => [s.name, s] as const))('%s loads every program', (_name, suite) => {
    const cases = suite.load();
    expect(cases.length).toBe(suite.expectedCount);
    expect(cases.slice(-3).map((c) => [c.name, c.table.size > 1000])).toEqual([
      ['doom', true],
      ['pinky', true],
      ['prime-sieve', true],
    ]);
  });

  it('checkBlockCosts names each block that differs', () => {
    const c = BLOCK_COST_SUITES[0]!.load().find((x) => x.name === 'inst_fallthrough')!;
    expect(c.table).toEqual(new Map([[0, 2], [1, 2]]));
    expect(checkBlockCosts(c, naiveCostModel)).toEqual([
      { stop: -1, field: 'block@0', expected: '2', actual: '1' },
      { stop: -1, field: 'block@1', expected: '2', actual: '1' },
    ]);
    expect(checkBlockCosts({ ...c, table: new Map([[0, 1], [5, 1]]) }, naiveCostModel)).toEqual([
      { stop: -1, field: 'block@1', expected: '(no block)', actual: '1' },
      { stop: -1, field: 'block@5', expected: '1', actual: '(no block)' },
    ]);
  });

  it('selectSuites picks a suite family by its prefix', () => {
    expect(selectSuites('polkavm-spec').map((s) => s.name)).toEqual(['polkavm-spec/naive', 'polkavm-spec/full-l2']);
    expect(selectSuites('jam-v0.4').map((s) => s.name)).toEqual(['jam-v0.4']);
    expect(selectSuites('nope')).toEqual([]);
  });

  const runs = (c: ConformanceCase) => c.actions.filter((a): a is Extract<CaseAction, { kind: 'run' }> => a.kind === 'run');

  it('jam-v0.4: statuses translated, the page-fault cases carry their page address', () => {
    const cases = loadJamV04();
    const statuses = cases.map((c) => runs(c)[0]!.expect.status);
    expect(new Set(statuses)).toEqual(new Set(['finished', 'trap', 'segfault']));
    const faults = cases.map((c) => runs(c)[0]!.expect).filter((e) => e.status === 'segfault');
    expect(faults.length).toBe(9);
    for (const e of faults) expect(e.pageFaultAddress! % 4096).toBe(0);
    const storeU8 = cases.find((c) => c.name === 'inst_store_u8')!;
    expect(storeU8.actions[0]).toEqual({ kind: 'map', address: 0x20000, length: 4096, writable: true });
    expect(runs(storeU8)[0]!.expect.memory).toEqual([{ address: 0x20000, bytes: Uint8Array.of(0x78) }]);
  });

  const jamDir = sharedPath('vectors', 'jam-v0.4');
  const base = () => JSON.parse(readFileSync(`${jamDir}/inst_add_32.json`, 'utf8')) as Record<string, unknown>;
  const broken: [string, (v: Record<string, unknown>) => void, RegExp][] = [
    ['an unknown key', (v) => (v.extra = 1), /unexpected key "extra"/],
    ['a missing key', (v) => delete v['expected-gas'], /missing required "expected-gas"/],
    ['a byte out of range', (v) => ((v.program as number[])[0] = 256), /\$\.program\[0\]: 256 is above the maximum 255/],
    ['an unknown status', (v) => (v['expected-status'] = 'oops'), /expected-status/],
    ['12 registers', (v) => (v['initial-regs'] as number[]).pop(), /12 items, at least 13 required/],
  ];
  it.each(broken)('jam-v0.4 schema rejects %s', (_what, mutate, message) => {
    const v = base();
    mutate(v);
    const run = () => jamV04Case('x.json', JSON.stringify(v), jamV04Schema(jamDir));
    expect(run).toThrow(VectorFormatError);
    expect(run).toThrow(message);
  });

  it('jam-gas-model: multistep case keeps every stop, the table is the case own', () => {
    const cases = loadJamGasModel();
    const c = cases.find((x) => x.name === 'multistep_paging_in_the_middle_of_block')!;
    expect(runs(c).map((r) => [r.expect.status, r.expect.pc, r.expect.gas, r.expect.pageFaultAddress])).toEqual([
      ['segfault', 5, 9972n, 0x30000],
      ['segfault', 5, 9972n, 0x30000],
      ['segfault', 11, 9972n, 0x31000],
      ['finished', 21, 9972n, undefined],
    ]);
    expect(c.actions.map((a) => a.kind)).toEqual(['run', 'run', 'map', 'write', 'write', 'run', 'map', 'write', 'set-reg', 'run']);
    expect(c.costModel).toEqual({ kind: 'table', table: new Map([[0, 28]]) });
    expect(cases.filter((x) => runs(x).some((r) => r.expect.status === 'not-enough-gas')).map((x) => x.name)).toEqual(['gas_complex_2']);
  });

  it.each([
    ['an unknown step kind', (v: { steps: unknown[] }) => v.steps.unshift({ kind: 'jump' }), /alternatives/],
    ['a run without an assert', (v: { steps: unknown[] }) => v.steps.pop(), /not followed by an assert/],
  ])('jam-gas-model rejects %s', (_what, mutate, message) => {
    const v = JSON.parse(readFileSync(sharedPath('vectors', 'jam-gas-model', 'programs', 'gas_complex_1.json'), 'utf8'));
    mutate(v);
    expect(() => jamGasModelCase('x.json', JSON.stringify(v))).toThrow(message);
  });

  it('polkavm-spec: the post: lines agree with the expected full-l2 results', () => {
    const cases = loadPolkavmSpec('full-l2');
    let checked = 0;
    for (const c of cases) {
      const src = parseSpecSource(readFileSync(`${polkavmSpecDir()}/${c.file}`, 'utf8'));
      const final = runs(c).at(-1)!.expect;
      src.post.regs.forEach((v, r) => {
        if (v === undefined) return;
        expect([c.name, final.regs![r]]).toEqual([c.name, v]);
        checked++;
      });
      if (src.post.gas !== undefined) expect([c.name, final.gas]).toEqual([c.name, src.post.gas]);
      expect(c.actions[0]).toEqual({ kind: 'map-blob-regions' });
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('polkavm-spec: intermediate stops of a multistep case', () => {
    const c = loadPolkavmSpec('naive').find((x) => x.name === 'multistep_ecalli_in_the_middle_of_block')!;
    expect(runs(c).map((r) => [r.expect.status, r.expect.ecalli, r.expect.pc, r.expect.gas])).toEqual([
      ['ecalli', 3, 5, 9995n],
      ['ecalli', 4, 10, 9995n],
      ['finished', undefined, 12, 9995n],
    ]);
  });

  it('the ignore list names existing cases and says why', () => {
    const names = new Set(SUITES.flatMap((s) => s.load().map((c) => `${c.suite} ${c.name}`)));
    for (const e of IGNORED) {
      expect(e.reason.trim().length, `${e.suite} ${e.name}`).toBeGreaterThan(10);
      expect(names.has(`${e.suite} ${e.name}`), `${e.suite} ${e.name}`).toBe(true);
    }
  });
});

describe('tinyBlob (the backend probe)', () => {
  it('is a valid container holding one trap', () => {
    const blob = parseBlob(tinyBlob());
    expect([blob.isa, Array.from(blob.code), Array.from(blob.bitmask), blob.exports.length]).toEqual([2, [0], [1], 0]);
  });
});

describe('extractChunks', () => {
  const cases: [number[], [number, number[]][]][] = [
    [[0, 1, 2, 0, 0, 3], [[1, [1, 2]], [5, [3]]]],
    [[0, 0], []],
    [[7], [[0, [7]]]],
  ];
  it.each(cases)('%j', (bytes, chunks) =>
    expect(extractChunks(0x1000, Uint8Array.from(bytes))).toEqual(chunks.map(([a, b]) => ({ address: 0x1000 + a, bytes: Uint8Array.from(b) }))),
  );
});

/** One scripted stop of the fake machine: what run() returns and the state it leaves. */
interface ScriptedStop {
  interrupt: Interrupt;
  pc?: number;
  gas?: bigint;
  regs?: Record<number, bigint>;
  writes?: [number, number[]][];
}

/** A fake backend that plays back `script` and logs every call, to test the runner alone. */
function scriptedVm(script: ScriptedStop[], loadError?: Error): { vm: Vm; log: string[] } {
  const log: string[] = [];
  const vm: Vm = {
    backend: 'scripted',
    load: () => {
      if (loadError) throw loadError;
      return {
        instantiate: (): VmInstance => {
          const regs = new Array<bigint>(13).fill(0n);
          const memory = new Map<number, number>();
          let gas = 0n;
          let pc: number | undefined;
          let next = 0;
          return {
            reg: (i) => regs[i]!,
            setReg: (i, v) => {
              log.push(`setReg ${i} ${v}`);
              regs[i] = v;
            },
            gas: () => gas,
            setGas: (v) => {
              log.push(`setGas ${v}`);
              gas = v;
            },
            programCounter: () => pc,
            setNextProgramCounter: (v) => log.push(`setNextProgramCounter ${v}`),
            prepareCall: (name, args) => log.push(`prepareCall ${name} ${args.join(',')}`),
            run: () => {
              log.push('run');
              const s = script[next++];
              if (!s) throw new Error('script exhausted');
              pc = s.pc;
              if (s.gas !== undefined) gas = s.gas;
              for (const [r, v] of Object.entries(s.regs ?? {})) regs[Number(r)] = v;
              for (const [a, bytes] of s.writes ?? []) bytes.forEach((b, k) => memory.set(a + k, b));
              return s.interrupt;
            },
            readMemory: (address, length) => Uint8Array.from({ length }, (_, k) => memory.get(address + k) ?? 0),
            writeMemory: (address, bytes) => {
              log.push(`writeMemory 0x${address.toString(16)} ${bytes.join(',')}`);
              bytes.forEach((b, k) => memory.set(address + k, b));
            },
            mapPages: (address, length, writable) => log.push(`mapPages 0x${address.toString(16)} ${length} ${writable ? 'rw' : 'ro'}`),
          };
        },
      };
    },
  };
  return { vm, log };
}

const bareCase = (actions: CaseAction[], extra: Partial<ConformanceCase> = {}): ConformanceCase => ({
  suite: 'test',
  name: 'case',
  file: 'case.json',
  program: { kind: 'jam-program', bytes: Uint8Array.of(0, 0, 1, 0, 1), isa: 'Latest64' },
  dynamicPaging: true,
  gasMetering: 'sync',
  costModel: { kind: 'naive' },
  entry: { kind: 'jump', target: 0 },
  initialGas: 10000n,
  actions,
  ...extra,
});

const run = (expect: Expectation): CaseAction => ({ kind: 'run', expect });
const TRAP: Interrupt = { kind: 'trap' };
const segfault = (pageAddress: number): Interrupt => ({ kind: 'segfault', pageAddress, pageSize: 4096, isWriteProtected: false });

describe('runCase against a scripted machine', () => {
  it('passes when every stop matches, applying actions in order', () => {
    const { vm, log } = scriptedVm([
      { interrupt: segfault(0x30000), pc: 5, gas: 9972n },
      { interrupt: { kind: 'finished' }, pc: 21, gas: 9972n, regs: { 8: 1n }, writes: [[0x30001, [9]]] },
    ]);
    const c = bareCase([
      run({ status: 'segfault', pageFaultAddress: 0x30000, pc: 5, gas: 9972n }),
      { kind: 'map', address: 0x30000, length: 4096, writable: true },
      { kind: 'write', address: 0x30000, bytes: Uint8Array.of(1) },
      { kind: 'set-reg', reg: 0, value: 0xffff0000n },
      run({ status: 'finished', pc: 21, gas: 9972n, regs: [0xffff0000n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 1n], memory: [{ address: 0x30000, bytes: Uint8Array.of(1, 9) }] }),
    ]);
    const r = runCase(c, vm);
    expect(r.diffs).toEqual([]);
    expect(r.passed).toBe(true);
    expect(log).toEqual(['setNextProgramCounter 0', 'setGas 10000', 'run', 'mapPages 0x30000 4096 rw', 'writeMemory 0x30000 1', 'setReg 0 4294901760', 'run']);
  });

  it('names the stop and field that differ, and stops running after the first bad stop', () => {
    const { vm, log } = scriptedVm([
      { interrupt: segfault(0x30000), pc: 5, gas: 9972n },
      { interrupt: segfault(0x31000), pc: 11, gas: 9971n, regs: { 7: 5n } },
      { interrupt: { kind: 'finished' } },
    ]);
    const c = bareCase([
      run({ status: 'segfault', pageFaultAddress: 0x30000, pc: 5, gas: 9972n }),
      run({ status: 'segfault', pageFaultAddress: 0x31000, pc: 11, gas: 9972n, regs: [0n, 0n, 0n, 0n, 0n, 0n, 0n, 4n] }),
      run({ status: 'finished' }),
    ]);
    const r = runCase(c, vm);
    expect(r.diffs).toEqual([
      { stop: 1, field: 'gas', expected: '9972', actual: '9971' },
      { stop: 1, field: 'regs.a0', expected: '0x4', actual: '0x5' },
    ]);
    expect(log.filter((l) => l === 'run').length).toBe(2);
    expect(formatResult(r)).toEqual([
      'test case [scripted]: FAILED',
      '  stop 2 of 3: gas: expected 9972, actual 9971',
      '  stop 2 of 3: regs.a0: expected 0x4, actual 0x5',
    ]);
  });

  const statusCases: [string, Expectation, ScriptedStop, { field: string; expected: string; actual: string }[]][] = [
    ['a wrong status', { status: 'finished' }, { interrupt: TRAP, pc: 7 }, [{ field: 'status', expected: 'finished', actual: 'trap at pc 7' }]],
    [
      'a wrong page',
      { status: 'segfault', pageFaultAddress: 0x20000 },
      { interrupt: segfault(0x21000), pc: 0 },
      [{ field: 'pageFaultAddress', expected: '0x20000', actual: '0x21000' }],
    ],
    [
      'an unexpected ecalli',
      { status: 'trap' },
      { interrupt: { kind: 'ecalli', index: 3 }, pc: 2 },
      [
        { field: 'status', expected: 'trap', actual: 'ecalli(3) at pc 2' },
        { field: 'ecalli', expected: '(none)', actual: '3' },
      ],
    ],
    [
      'memory bytes',
      { status: 'trap', memory: [{ address: 0x20000, bytes: Uint8Array.of(1, 2) }] },
      { interrupt: TRAP, writes: [[0x20000, [1, 3, 0, 4]]] },
      [
        { field: 'memory[0x20001]', expected: '0x2', actual: '0x3' },
        { field: 'memory[0x20003]', expected: '0x0', actual: '0x4' },
      ],
    ],
  ];
  it.each(statusCases)('reports %s', (_what, expectation, stop, diffs) => {
    const { vm } = scriptedVm([stop]);
    const c = bareCase([{ kind: 'map', address: 0x20000, length: 4096, writable: true }, run(expectation)]);
    expect(runCase(c, vm).diffs).toEqual(diffs.map((d) => ({ stop: 0, ...d })));
  });

  it('reports a program that does not load as a setup difference', () => {
    const { vm } = scriptedVm([], new Error('bad bitmask'));
    const r = runCase(bareCase([run({ status: 'trap' })]), vm);
    expect(r.diffs).toEqual([{ stop: -1, field: 'load', expected: 'the program builds and instantiates', actual: 'Error: bad bitmask' }]);
    expect(formatResult(r)[1]).toBe('  setup: load: expected the program builds and instantiates, actual Error: bad bitmask');
  });

  it('reports a hint register when the status is wrong', () => {
    const { vm } = scriptedVm([{ interrupt: TRAP, regs: { 5: 4n } }]);
    const r = runCase(bareCase([run({ status: 'finished' })], { failureHint: { reg: 5, meaning: 'the failing test' } }), vm);
    expect(r.notes).toEqual(['s0 = 4 (the failing test)']);
  });

  it.skipIf(!HAVE_SHARED)('answers host calls by import symbol and compares 32-bit registers in 32 bits', () => {
    const { vm, log } = scriptedVm([
      { interrupt: { kind: 'ecalli', index: 0 } },
      { interrupt: { kind: 'finished' }, regs: { 7: 0xffffffff_00000067n } },
    ]);
    const r = runCase(helloWorldCase(), vm);
    expect(r.diffs).toEqual([]);
    expect(log).toEqual(['prepareCall add_numbers 1,2', 'setGas 1000000', 'run', 'setReg 7 100', 'run']);
  });

  it.skipIf(!HAVE_SHARED)('maps the blob regions where polkavm lays them out', () => {
    const c = loadPolkavmSpec('naive').find((x) => x.name === 'inst_load_i16')!;
    const { vm, log } = scriptedVm([{ interrupt: TRAP }]);
    const bytes = new Uint8Array(readFileSync(sharedPath('vectors', 'polkavm-spec', 'blobs', 'inst_load_i16.polkavm')));
    runCase(c, { ...vm, assemble: () => bytes });
    expect(log.slice(0, 3)).toEqual(['setNextProgramCounter 0', 'setGas 10000', 'setReg 0 0']);
    expect(log).toContain(`setReg 7 ${0xdeadbeef}`);
    expect(log.filter((l) => !l.startsWith('set'))).toEqual(['mapPages 0x20000 4096 rw', 'writeMemory 0x20000 129,130', 'run']);
  });
});
