// Runs one ConformanceCase on one backend and reports every way it differs from its expectations:
// which stop, which field, expected against actual. The vitest suites and `npm run conformance` both
// call `runCase`; neither knows anything about vector formats.
import { readFileSync } from 'node:fs';
import type { Interrupt } from '../../src/machine/interrupt.ts';
import { buildMemoryMap } from '../../src/machine/layout.ts';
import { parseBlob, symbolText, type ProgramBlob } from '../../src/decoder/blob.ts';
import type { CaseAction, ConformanceCase, CostModelSpec, Expectation, MemoryChunk } from './case.ts';
import { REG_COUNT } from './case.ts';

const REG_NAMES = ['ra', 'sp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'] as const;
const A0 = 7;
/** A host that keeps answering ecallis would otherwise never return. */
const MAX_HOST_REPLIES = 100_000;

/** What the runner needs from an instance; `runtime.ts` adapts the project's runtime to it. */
export interface VmInstance {
  reg(index: number): bigint;
  setReg(index: number, value: bigint): void;
  gas(): bigint;
  setGas(value: bigint): void;
  /** pc of the instruction that caused the last interrupt, or undefined. */
  programCounter(): number | undefined;
  setNextProgramCounter(pc: number): void;
  prepareCall(exportName: string, args: readonly bigint[]): void;
  run(): Interrupt;
  readMemory(address: number, length: number): Uint8Array;
  writeMemory(address: number, bytes: Uint8Array): void;
  mapPages(address: number, length: number, writable: boolean): void;
}

export interface VmLoadOptions {
  readonly format: 'polkavm' | 'jam-program';
  /** Only for 'jam-program'. */
  readonly isa?: string;
  readonly dynamicPaging: boolean;
  readonly readOnlyWrite?: 'segfault' | 'trap';
  readonly gasMetering: 'sync' | undefined;
  readonly costModel: CostModelSpec;
}

/** One backend of the runtime, plus the assembler the polkavm-spec cases need. */
export interface Vm {
  readonly backend: string;
  load(bytes: Uint8Array, options: VmLoadOptions): { instantiate(): VmInstance };
  /** undefined when src/assembler has no `assemble` yet. */
  readonly assemble?: (text: string, isa: string) => Uint8Array;
}

export interface Diff {
  /** Index of the run step (0-based); -1 before the first run (building the program, setting up). */
  readonly stop: number;
  readonly field: string;
  readonly expected: string;
  readonly actual: string;
}

export interface CaseResult {
  readonly suite: string;
  readonly name: string;
  readonly backend: string;
  readonly passed: boolean;
  readonly diffs: readonly Diff[];
  /** How many run steps the case has (for "stop 2 of 3"). */
  readonly stops: number;
  /** Facts that may explain a failure (assembler output against the reference blob, a register's meaning). */
  readonly notes: readonly string[];
  readonly ms: number;
}

const hex = (n: number): string => `0x${n.toString(16)}`;

export function describeInterrupt(i: Interrupt): string {
  switch (i.kind) {
    case 'ecalli':
      return `ecalli(${i.index})`;
    case 'segfault':
      return `segfault(${hex(i.pageAddress)})`;
    case 'budget':
      return `budget(${i.reason})`;
    default:
      return i.kind;
  }
}

/** Non-zero runs of `bytes` as chunks (what polkavm's spectool compares). */
export function extractChunks(base: number, bytes: Uint8Array): MemoryChunk[] {
  const out: MemoryChunk[] = [];
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] === 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < bytes.length && bytes[i] !== 0) i++;
    out.push({ address: base + start, bytes: bytes.slice(start, i) });
  }
  return out;
}

/** Byte-level differences between two chunk lists, as diffs naming the first few addresses. */
export function diffMemory(stop: number, expected: readonly MemoryChunk[], actual: readonly MemoryChunk[], limit = 4): Diff[] {
  const flatten = (chunks: readonly MemoryChunk[]) => {
    const m = new Map<number, number>();
    for (const c of chunks) c.bytes.forEach((b, k) => m.set(c.address + k, b));
    return m;
  };
  const e = flatten(expected);
  const a = flatten(actual);
  const addresses = [...new Set([...e.keys(), ...a.keys()])].sort((x, y) => x - y).filter((addr) => (e.get(addr) ?? 0) !== (a.get(addr) ?? 0));
  const diffs = addresses.slice(0, limit).map((addr) => ({
    stop,
    field: `memory[${hex(addr)}]`,
    expected: hex(e.get(addr) ?? 0),
    actual: hex(a.get(addr) ?? 0),
  }));
  if (addresses.length > limit) diffs.push({ stop, field: 'memory', expected: '(as above)', actual: `${addresses.length - limit} more bytes differ` });
  return diffs;
}

interface StopState {
  interrupt: Interrupt;
  pc: number | undefined;
  gas: bigint | undefined;
  regs: bigint[];
  memory: MemoryChunk[] | undefined;
  memoryError?: string;
}

/** Compares one stop against its expectation. Registers of 32-bit programs are compared in their low 32 bits. */
export function compareStop(stop: number, expect: Expectation, actual: StopState, is64Bit = true): Diff[] {
  const diffs: Diff[] = [];
  const push = (field: string, e: unknown, a: unknown): void => {
    if (String(e) !== String(a)) diffs.push({ stop, field, expected: String(e), actual: String(a) });
  };
  const i = actual.interrupt;
  push('status', expect.status, i.kind === expect.status ? i.kind : `${describeInterrupt(i)}${actual.pc !== undefined ? ` at pc ${actual.pc}` : ''}`);
  if (expect.ecalli !== undefined || i.kind === 'ecalli') push('ecalli', expect.ecalli ?? '(none)', i.kind === 'ecalli' ? i.index : '(none)');
  if (expect.pageFaultAddress !== undefined || i.kind === 'segfault')
    push('pageFaultAddress', expect.pageFaultAddress !== undefined ? hex(expect.pageFaultAddress) : '(none)', i.kind === 'segfault' ? hex(i.pageAddress) : '(none)');
  if (expect.pc !== undefined) push('pc', expect.pc, actual.pc ?? '(none)');
  if (expect.gas !== undefined) push('gas', expect.gas, actual.gas ?? '(no gas metering)');
  if (expect.regs) {
    const norm = (v: bigint) => (is64Bit ? v : BigInt.asUintN(32, v));
    for (let r = 0; r < REG_COUNT; r++) {
      const e = expect.regs[r];
      if (e === undefined) continue;
      const a = actual.regs[r]!;
      if (norm(e) !== norm(a)) diffs.push({ stop, field: `regs.${REG_NAMES[r]}`, expected: `0x${norm(e).toString(16)}`, actual: `0x${norm(a).toString(16)}` });
    }
  }
  if (expect.memory) {
    if (actual.memory) diffs.push(...diffMemory(stop, expect.memory, actual.memory));
    else diffs.push({ stop, field: 'memory', expected: `${expect.memory.length} chunks`, actual: `unreadable: ${actual.memoryError}` });
  }
  return diffs;
}

function loadProgram(c: ConformanceCase, vm: Vm): { bytes: Uint8Array; format: VmLoadOptions['format']; isa?: string } {
  const p = c.program;
  switch (p.kind) {
    case 'polkavm':
      return { bytes: p.bytes, format: 'polkavm' };
    case 'jam-program':
      return { bytes: p.bytes, format: 'jam-program', isa: p.isa };
    case 'assembly':
      if (!vm.assemble) throw new Error('src/assembler has no assemble() yet');
      return { bytes: vm.assemble(p.text, p.isa), format: 'polkavm' };
  }
}

/** Where assembled bytes first differ from the reference assembler's, or undefined if they are the same. */
function compareWithReference(bytes: Uint8Array, referencePath: string): string | undefined {
  const ref = new Uint8Array(readFileSync(referencePath));
  const n = Math.min(ref.length, bytes.length);
  for (let i = 0; i < n; i++) if (ref[i] !== bytes[i]) return `assembler output differs from the reference blob at byte ${i} (0x${bytes[i]!.toString(16)} vs 0x${ref[i]!.toString(16)})`;
  return ref.length === bytes.length ? undefined : `assembler output is ${bytes.length} bytes, the reference blob ${ref.length}`;
}

function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function runCase(c: ConformanceCase, vm: Vm): CaseResult {
  const started = performance.now();
  const diffs: Diff[] = [];
  const notes: string[] = [];
  const stops = c.actions.filter((a) => a.kind === 'run').length;
  const done = (): CaseResult => ({
    suite: c.suite,
    name: c.name,
    backend: vm.backend,
    passed: diffs.length === 0,
    diffs,
    stops,
    notes,
    ms: performance.now() - started,
  });

  let program: ReturnType<typeof loadProgram>;
  let blob: ProgramBlob | undefined;
  let instance: VmInstance;
  try {
    program = loadProgram(c, vm);
    if (c.program.kind === 'assembly' && c.program.referenceBlob) {
      const note = compareWithReference(program.bytes, c.program.referenceBlob);
      if (note) notes.push(note);
    }
    if (program.format === 'polkavm') blob = parseBlob(program.bytes);
    instance = vm
      .load(program.bytes, { format: program.format, ...(program.isa ? { isa: program.isa } : {}), dynamicPaging: c.dynamicPaging, ...(c.readOnlyWrite ? { readOnlyWrite: c.readOnlyWrite } : {}), gasMetering: c.gasMetering, costModel: c.costModel })
      .instantiate();
  } catch (error) {
    diffs.push({ stop: -1, field: 'load', expected: 'the program builds and instantiates', actual: errorText(error) });
    return done();
  }

  const mapped: { address: number; length: number }[] = [];
  let stop = -1;
  try {
    if (c.entry.kind === 'call') {
      instance.prepareCall(c.entry.export, c.entry.args);
    } else {
      const target = c.entry.target;
      let pc: number;
      if (typeof target === 'number') pc = target;
      else {
        const found = blob?.exports.find((e) => e.name === target);
        if (!found) throw new Error(`the program has no export "${target}"`);
        pc = found.pc;
      }
      instance.setNextProgramCounter(pc);
    }
    if (c.initialGas !== undefined) instance.setGas(c.initialGas);
    c.initialRegs?.forEach((v, r) => instance.setReg(r, v));

    const apply = (a: Exclude<CaseAction, { kind: 'run' }>): void => {
      switch (a.kind) {
        case 'map':
          instance.mapPages(a.address, a.length, a.writable);
          mapped.push({ address: a.address, length: a.length });
          break;
        case 'write':
          instance.writeMemory(a.address, a.bytes);
          break;
        case 'set-reg':
          instance.setReg(a.reg, a.value);
          break;
        case 'map-blob-regions': {
          if (!blob) throw new Error('map-blob-regions needs a .polkavm program');
          const map = buildMemoryMap({ roDataSize: blob.roDataSize, rwDataSize: blob.rwDataSize, stackSize: blob.stackSize });
          const regions = [
            { address: map.roDataAddress, length: map.roDataSize, writable: false, data: blob.roData },
            { address: map.rwDataAddress, length: map.rwDataSize, writable: true, data: blob.rwData },
            { address: map.stackAddressLow, length: map.stackSize, writable: true, data: new Uint8Array(0) },
          ];
          for (const r of regions) {
            if (r.length === 0) continue;
            apply({ kind: 'map', address: r.address, length: r.length, writable: r.writable });
            for (const chunk of extractChunks(r.address, r.data)) apply({ kind: 'write', address: chunk.address, bytes: chunk.bytes });
          }
          break;
        }
      }
    };

    for (const action of c.actions) {
      if (action.kind !== 'run') {
        apply(action);
        continue;
      }
      stop++;
      let interrupt = instance.run();
      for (let replies = 0; action.host && interrupt.kind === 'ecalli' && replies < MAX_HOST_REPLIES; replies++) {
        const symbol = blob?.imports[interrupt.index];
        const value = symbol ? action.host.byImport.get(symbolText(symbol)) : undefined;
        if (value === undefined) break;
        instance.setReg(A0, value);
        interrupt = instance.run();
      }
      const state: StopState = {
        interrupt,
        pc: instance.programCounter(),
        gas: c.gasMetering ? instance.gas() : undefined,
        regs: Array.from({ length: REG_COUNT }, (_, r) => instance.reg(r)),
        memory: undefined,
      };
      if (action.expect.memory) {
        try {
          state.memory = mapped.flatMap((m) => extractChunks(m.address, instance.readMemory(m.address, m.length)));
        } catch (error) {
          state.memoryError = errorText(error);
        }
      }
      const found = compareStop(stop, action.expect, state, blob ? blob.is64Bit : true);
      if (found.length > 0) {
        diffs.push(...found);
        if (c.failureHint && interrupt.kind !== action.expect.status)
          notes.push(`${REG_NAMES[c.failureHint.reg]} = ${state.regs[c.failureHint.reg]} (${c.failureHint.meaning})`);
        break;
      }
    }
  } catch (error) {
    diffs.push({ stop, field: 'exception', expected: 'no exception', actual: errorText(error) });
  }
  return done();
}

/** "stop 2 of 3: gas: expected 9998, actual 9997" lines for a failed case. */
export function formatResult(r: CaseResult, maxDiffs = 6): string[] {
  const head = `${r.suite} ${r.name} [${r.backend}]`;
  if (r.passed) return [`${head}: passed`];
  const where = (d: Diff) => (d.stop < 0 ? 'setup' : r.stops > 1 ? `stop ${d.stop + 1} of ${r.stops}` : 'stop');
  return [
    `${head}: FAILED`,
    ...r.diffs.slice(0, maxDiffs).map((d) => `  ${where(d)}: ${d.field}: expected ${d.expected}, actual ${d.actual}`),
    ...(r.diffs.length > maxDiffs ? [`  ... ${r.diffs.length - maxDiffs} more differences`] : []),
    ...r.notes.map((n) => `  note: ${n}`),
  ];
}
