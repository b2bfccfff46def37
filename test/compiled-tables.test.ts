// Compiled modules load from their stored tables (src/codegen/stored.ts) without decoding the program:
// the tables equal the analysis of the bytes, a module loaded from them behaves as the bytes do
// (interrupt, pc, gas, registers, instruction count) on real blobs and on every conformance vector a
// module can be written for, the interpreter fallback decodes the program only when it is needed, and
// modules whose tables are corrupted, edited or from another compiler are refused by name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyse, DEFAULT_REGION_SIZE } from '../src/codegen/index.ts';
import type { EntryLookups } from '../src/codegen/backend.ts';
import { decodeBase64, encodeBase64, packTables, sealTables, StoredTablesError, unpackTables } from '../src/codegen/stored.ts';
import { parseProgram } from '../src/decoder/input.ts';
import { Op } from '../src/decoder/table.ts';
import { isaName, parseIsaName } from '../src/decoder/isa.ts';
import { isCostModelName } from '../src/gas/index.ts';
import type { Interrupt } from '../src/machine/interrupt.ts';
import { compileModule, loadCompiled, Module, RuntimeError, type CompileModuleOptions, type CompiledModuleNamespace, type Instance } from '../src/index.ts';
import { VERSION } from '../src/version.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';
import { SUITES } from './vectors/suites.ts';
import { availability } from './vectors/vm.ts';
import { ignoredReason } from './vectors/ignore.ts';
import { formatResult, runCase, type Vm } from './vectors/runner.ts';

/** A compiled module's namespace without a file: its text with `export const x =` as `ns.x =` (tests only). */
function namespaceOf(code: string): CompiledModuleNamespace {
  const ns: Record<string, unknown> = {};
  new Function('ns', code.replace(/^export const (\w+) = /gm, 'ns.$1 = '))(ns);
  return ns as unknown as CompiledModuleNamespace;
}

const blob = (name: string): Uint8Array => new Uint8Array(readFileSync(sharedPath('blobs', 'polkavm', name)));

function refusal(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RuntimeError);
    return (e as Error).message;
  }
  throw new Error('not refused');
}

/** Runs `export` with host calls answered 0 until it stops otherwise or `budget` instructions ran. */
function runFor(instance: Instance, exportName: string, budget: number, gas: bigint): { stops: string[]; regs: bigint[]; gas: bigint; instructions: number; pc: number | undefined } {
  instance.prepareCall(exportName, []);
  instance.setGas(gas);
  instance.setInstructionBudget(budget);
  const stops: string[] = [];
  let interrupt: Interrupt;
  for (;;) {
    interrupt = instance.run();
    stops.push(interrupt.kind === 'ecalli' ? `ecalli ${interrupt.index}` : interrupt.kind);
    if (interrupt.kind !== 'ecalli') break;
    instance.setReg(7, 0n);
  }
  return { stops, regs: Array.from({ length: 13 }, (_, k) => instance.reg(k)), gas: instance.gas(), instructions: instance.metrics().instructions, pc: instance.programCounter() };
}

interface BlobCase {
  readonly name: string;
  readonly file: string;
  readonly entry: string;
  readonly budget: number;
  readonly options: CompileModuleOptions;
}

const BLOB_CASES: BlobCase[] = [
  { name: 'hello-world', file: 'example-hello-world.polkavm', entry: 'add_numbers', budget: 1000, options: { gasMetering: 'sync' } },
  { name: 'pinky, full-l2 costs, async gas', file: 'bench-pinky.polkavm', entry: 'initialize', budget: 300_000, options: { gasMetering: 'async', costModel: 'full-l2' } },
  { name: 'pinky, dynamic paging', file: 'bench-pinky.polkavm', entry: 'initialize', budget: 100_000, options: { gasMetering: 'sync', dynamicPaging: true } },
  { name: 'doom', file: 'doom.polkavm', entry: 'ext_initialize', budget: 200_000, options: { gasMetering: 'sync' } },
];

describe.skipIf(!HAVE_SHARED)('stored tables on real blobs', () => {
  for (const c of BLOB_CASES) {
    it(`${c.name}: the tables are the analysis of the bytes, and the module runs as the bytes do`, () => {
      const bytes = blob(c.file);
      const compiled = compileModule(bytes, c.options);
      const ns = namespaceOf(compiled.code);
      const module = loadCompiled(ns);
      const reference = Module.fromBytes(bytes, { backend: 'interpreter', gasMetering: c.options.gasMetering, costModel: c.options.costModel ?? 'naive', dynamicPaging: c.options.dynamicPaging ?? false });
      const expected = analyse(reference.image, { regionSize: DEFAULT_REGION_SIZE });
      const p = (module as unknown as { backendModule: { program: typeof expected } }).backendModule.program;
      for (const field of ['blockLength', 'blockCosts', 'costIsLength', 'jumpTableIndex', 'regionOf', 'blockLabel', 'innerLabel'] as const) expect(p[field], field).toEqual(expected[field]);
      for (const field of ['pc', 'indexOfPc', 'blockStart', 'implicit', 'count', 'blockCount'] as const) expect(p.code[field], field).toEqual(reference.code[field]);
      expect(module.image.blockCosts).toEqual(reference.image.blockCosts);
      // The trampoline's look-ups search the tables instead of reading those arrays: the same answers.
      const lookups = (module as unknown as { backendModule: { lookups: EntryLookups } }).backendModule.lookups;
      const pcs = Array.from({ length: reference.code.indexOfPc.length + 2 }, (_, k) => k - 1);
      expect(pcs.map((pc) => lookups.indexOf(pc))).toEqual(pcs.map((pc) => reference.code.indexOfPc[pc] ?? -1));
      expect(Int32Array.from(expected.innerLabel, (_, i) => lookups.innerLabel(i))).toEqual(expected.innerLabel);
      const each = <T>(f: (i: number) => T): T[] => Array.from({ length: reference.code.count }, (_, i) => f(i));
      expect(each((i) => lookups.blockStart(i))).toEqual(each((i) => reference.code.blockStart[i] === 1));
      expect(each((i) => lookups.blockLength(i))).toEqual(Array.from(expected.blockLength));
      expect(each((i) => lookups.blockCost(i))).toEqual(Array.from(reference.image.blockCosts));
      expect(each((i) => lookups.blockOf(i))).toEqual(Array.from(expected.blockOf));
      expect(each((i) => lookups.implicit(i))).toEqual(each((i) => reference.code.implicit[i] === 1));
      const ecallis = each((i) => i).filter((i) => reference.code.op[i] === Op.ecalli);
      expect(ecallis.map((i) => lookups.ecalli(i))).toEqual(ecallis.map((i) => reference.code.imm1[i]));
      // Running needs no decoding; reading blockOf (a final stop) does not either.
      const run = runFor(module.instantiate(), c.entry, c.budget, 1n << 40n);
      expect(p.blockOf).toEqual(expected.blockOf);
      expect(run).toEqual(runFor(reference.instantiate(), c.entry, c.budget, 1n << 40n));
      // The fallback's first use decodes the program: then every field is the decoder's.
      expect(p.code.op).toEqual(reference.code.op);
      expect(p.code.imm1).toEqual(reference.code.imm1);
      expect(p.code.validJumpTarget).toEqual(reference.code.validJumpTarget);
    });
  }

  it('the fallback: step tracing, and a host moving the pc into a block, give the interpreter`s results', () => {
    const bytes = blob('bench-pinky.polkavm');
    const ns = namespaceOf(compileModule(bytes, { gasMetering: 'sync' }).code);
    const reference = Module.fromBytes(bytes, { backend: 'interpreter', gasMetering: 'sync' });
    // Step tracing runs on the fallback throughout.
    const traced = loadCompiled(ns, { stepTracing: true }).instantiate();
    const tracedRef = Module.fromBytes(bytes, { backend: 'interpreter', gasMetering: 'sync', stepTracing: true }).instantiate();
    for (const instance of [traced, tracedRef]) {
      instance.prepareCall('initialize', []);
      instance.setGas(1n << 40n);
    }
    for (let k = 0; k < 500; k++) {
      const a = traced.run();
      expect(a).toEqual(tracedRef.run());
      expect(traced.programCounter()).toBe(tracedRef.programCounter());
    }
    // Entering mid-block: the second instruction of the export's first block.
    const module = loadCompiled(ns);
    const code = reference.code;
    const start = code.indexOfPc[reference.exportPc('initialize')!]!;
    const mid = code.pc[start + 1]!;
    expect(code.blockStart[start + 1]).toBe(0);
    const results = [module, reference].map((m) => {
      const instance = m.instantiate();
      instance.prepareCall('initialize', []);
      instance.setNextProgramCounter(mid);
      instance.setGas(1n << 40n);
      instance.setInstructionBudget(50_000);
      const interrupt = instance.run();
      return { interrupt, pc: instance.programCounter(), gas: instance.gas(), regs: Array.from({ length: 13 }, (_, k) => instance.reg(k)), n: instance.metrics().instructions };
    });
    expect(results[0]).toEqual(results[1]);
  });
});

describe('stored tables: refused when corrupted, edited or not this compiler`s', () => {
  const bytes = HAVE_SHARED ? blob('example-hello-world.polkavm') : new Uint8Array();
  const withTables = (ns: CompiledModuleNamespace, edit: (tables: Uint8Array) => Uint8Array): CompiledModuleNamespace => ({ ...ns, tables: encodeBase64(edit(decodeBase64(ns.tables)!.slice())) });
  const flip = (at: (t: Uint8Array) => number) => (t: Uint8Array): Uint8Array => {
    t[at(t)]! ^= 1;
    return t;
  };
  const cases: [string, (ns: CompiledModuleNamespace) => unknown, RegExp][] = [
    ['a flipped bit in the tables', (ns) => withTables(ns, flip((t) => t.length - 5)), /stored tables or its program, options or ModuleId were edited or corrupted/],
    ['a flipped bit in the checksum', (ns) => withTables(ns, flip(() => 5)), /edited or corrupted/],
    ['cut short', (ns) => withTables(ns, (t) => t.subarray(0, t.length - 4)), /edited or corrupted/],
    ['no tables magic', (ns) => withTables(ns, flip(() => 0)), /are not pvm2js tables/],
    ['another table format', (ns) => withTables(ns, flip(() => 8)), /have format \d+; this compiler reads format \d+: compile it again/],
    ['tables from another compiler version', (ns) => withTables(ns, (t) => (t[16] = '9'.charCodeAt(0), t)), /were made by pvm2js 9.*; this is .*: compile it again/],
    ['tables not base64', (ns) => ({ ...ns, tables: 'PVMT*' }), /tables are not base64/],
    ['no tables', (ns) => ({ ...ns, tables: undefined }), /no tables/],
    ['another module format', (ns) => ({ ...ns, format: 1 }), /format 1, expected 2/],
    ['another compiler', (ns) => ({ ...ns, compiler: '0.0.1' }), /made by pvm2js 0\.0\.1.*compile it again/],
    ['edited options', (ns) => ({ ...ns, options: { ...ns.options, gasMetering: 'async' } }), /edited or corrupted/],
    ['edited ModuleId', (ns) => ({ ...ns, moduleId: ns.moduleId.replace(/^./, (c) => (c === '0' ? '1' : '0')) }), /edited or corrupted/],
    ['edited program bytes (a byte of code)', (ns) => ({ ...ns, program: encodeBase64(bytes.map((b, k) => (k === parseProgram(bytes).code.byteOffset ? b ^ 1 : b))) }), /program bytes were edited/],
    ['tables of another program', (ns) => ({ ...ns, tables: namespaceOf(compileModule(blob('bench-pinky.polkavm')).code).tables }), /tables|edited/],
  ];
  it.skipIf(!HAVE_SHARED).each(cases)('%s', (_, edit, message) => {
    const ns = namespaceOf(compileModule(bytes, { gasMetering: 'sync' }).code);
    expect(refusal(() => loadCompiled(edit(ns)))).toMatch(message);
  });

  it.skipIf(!HAVE_SHARED)('the version in the tables is this compiler`s, and sealing covers the extra bytes', () => {
    const module = Module.fromBytes(bytes, { backend: 'interpreter' });
    const program = analyse(module.image, { regionSize: DEFAULT_REGION_SIZE });
    const tables = sealTables(packTables(program), [Uint8Array.of(1, 2, 3)]);
    expect(new TextDecoder().decode(tables.subarray(16, 16 + VERSION.length))).toBe(VERSION);
    const parsed = parseProgram(bytes);
    expect(unpackTables(tables, parsed, [Uint8Array.of(1, 2, 3)]).program.regionOf).toEqual(program.regionOf);
    expect(() => unpackTables(tables, parsed, [Uint8Array.of(1, 2, 4)])).toThrow(StoredTablesError);
  });
});

describe('base64', () => {
  const cases: Uint8Array[] = [new Uint8Array(), Uint8Array.of(0), Uint8Array.of(1, 2), Uint8Array.of(255, 254, 253), Uint8Array.from({ length: 70_000 }, (_, k) => (k * 7919) & 255)];
  it.each(cases.map((c) => [c.length, c] as const))('%d bytes round-trip, on the engine`s decoder and the table decoder', (_, bytes) => {
    const text = encodeBase64(bytes);
    expect(text).toBe(Buffer.from(bytes).toString('base64'));
    expect(decodeBase64(text)).toEqual(bytes);
    expect(decodeBase64(text, false)).toEqual(bytes);
  });
  it('refuses a bad character past the first slice of text Node decodes (NODE_BASE64_CHUNK)', () => {
    expect(decodeBase64(`${'QUJD'.repeat(20_000)}*QUJ`)).toBeUndefined();
  });
  it.each(['*', 'QQ', 'QQ=', 'QUJD*A==', 'QUJ\u00e9'])('refuses %j', (text) => {
    expect(decodeBase64(text)).toBeUndefined();
    expect(decodeBase64(text, false)).toBeUndefined();
  });
});

// Every conformance vector a compiled module can be written for (cost models by name; the per-case
// tables of jam-gas-model cannot be recorded in a module), through compileModule → loadCompiled.
const available = HAVE_SHARED ? await availability() : undefined;
describe.skipIf(!available)('conformance vectors from stored tables', () => {
  const assemble = available?.vms.find((v) => v.assemble)?.assemble;
  const precompiled: Vm = {
    backend: 'compiled',
    ...(assemble ? { assemble } : {}),
    load(bytes, options) {
      const costModel = options.costModel.kind === 'naive' ? 'naive' : options.costModel.kind === 'named' && isCostModelName(options.costModel.name) ? options.costModel.name : undefined;
      if (costModel === undefined) throw new Error('not expressible');
      const ns = namespaceOf(
        compileModule(bytes, {
          format: options.format,
          ...(options.isa !== undefined ? { isa: isaName(parseIsaName(options.isa)!) } : {}),
          gasMetering: options.gasMetering,
          costModel,
          dynamicPaging: options.dynamicPaging,
        }).code,
      );
      const module = loadCompiled(ns, options.readOnlyWrite ? { readOnlyWrite: options.readOnlyWrite } : {});
      // The trampoline's look-ups answer as the decoder's arrays, on every pc (these programs have the
      // decoder's corner cases: long gaps, implicit traps sharing a pc with the next instruction).
      const reference = Module.fromBytes(bytes, { backend: 'interpreter', format: options.format, ...(options.isa !== undefined ? { isa: options.isa } : {}) }).code;
      const lookups = (module as unknown as { backendModule: { lookups?: EntryLookups } }).backendModule.lookups;
      if (lookups) {
        for (let pc = -1; pc < reference.indexOfPc.length + 2; pc++)
          if (lookups.indexOf(pc) !== (reference.indexOfPc[pc] ?? -1)) throw new Error(`indexOf(${pc}) = ${lookups.indexOf(pc)}, the decoder's ${reference.indexOfPc[pc]}`);
        for (let i = 0; i < reference.count; i++)
          if (lookups.blockStart(i) !== (reference.blockStart[i] === 1) || lookups.implicit(i) !== (reference.implicit[i] === 1)) throw new Error(`block start or implicit at instruction ${i}`);
      }
      return { instantiate: () => adapt(module.instantiate()) };
    },
  };
  // Suites are read only with the shared data there (a vector read at collection time would fail the file).
  for (const suite of available ? SUITES : []) {
    if (suite.needsAssembler && !assemble) continue;
    const expressible = suite
      .load()
      .filter((c) => (c.costModel.kind === 'naive' || (c.costModel.kind === 'named' && isCostModelName(c.costModel.name))) && !ignoredReason(c.suite, c.name, 'compiled') && !c.slow);
    if (expressible.length === 0) continue;
    describe(suite.name, () => {
      for (const c of expressible) {
        it(c.name, () => {
          const result = runCase(c, precompiled);
          expect(result.passed, formatResult(result).join('\n')).toBe(true);
        });
      }
    });
  }
});

function adapt(instance: Instance): ReturnType<ReturnType<Vm['load']>['instantiate']> {
  return {
    reg: (i) => instance.reg(i),
    setReg: (i, v) => instance.setReg(i, v),
    gas: () => instance.gas(),
    setGas: (v) => instance.setGas(v),
    programCounter: () => {
      const pc = instance.programCounter();
      return typeof pc === 'number' && pc >= 0 ? pc : undefined;
    },
    setNextProgramCounter: (pc) => instance.setNextProgramCounter(pc),
    prepareCall: (name, args) => instance.prepareCall(name, args),
    run: () => instance.run(),
    readMemory: (address, length) => instance.readMemory(address, length),
    writeMemory: (address, bytes) => instance.writeMemory(address, bytes),
    mapPages: (address, length, writable) => instance.mapPages(address, length, { writable }),
  };
}
