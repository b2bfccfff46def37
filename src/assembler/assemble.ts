// polkavm assembly text → `.polkavm` blob (polkavm-common assembler.rs), byte-identical for every
// program polkavm's assembler accepts, plus additive extensions (see docs in src/assembler/README.md).
import { Isa, isaFlagName, parseIsaName, is64Bit, ENCODE_TABLES } from '../decoder/isa.ts';
import { END, OP_FLAGS, OP_NAMES, Op, type OpName } from '../decoder/table.ts';
import { AssemblyError, ProgramBuildError, type AssemblyErrorKind } from './errors.ts';
import { parseHexBytes, parseU32 } from './numbers.ts';
import { LineError, parseDataRef, parseInstructionLine, parseTarget, type ParsedInstruction, type TargetRef, type ValueRef } from './syntax.ts';
import { writeProgram, type ProgramExport, type ProgramInstruction, type ProgramParts, type Target } from './writer.ts';

export interface AssembleOptions {
  /**
   * The ISA, unless the text declares one with `%isa = ...`: as in polkavm, the directive wins (the
   * last one, if several). Without either, assembly fails with kind `no-isa`.
   */
  isa?: Isa | string;
  /**
   * Assemble `d = s if c != 0` to cmov_if_not_zero, as the text says. Default false: polkavm's
   * assembler turns it into cmov_if_zero (a polkavm bug, reproduced so that blobs stay byte-identical),
   * which breaks the disassemble → assemble round trip of every program using cmov_if_not_zero.
   */
  exactCmov?: boolean;
}

/** polkavm's exact `%isa` spellings; other aliases (parseIsaName) are an extension. */
const POLKAVM_ISA_NAMES: Readonly<Record<string, Isa>> = {
  revive_v1: Isa.ReviveV1,
  jam_v1: Isa.JamV1,
  latest32: Isa.Latest32,
  latest64: Isa.Latest64,
};

/** Guest address where read-only data starts (polkavm abi.rs: the bottom of the address space). */
export const RO_DATA_ADDRESS = 0x10000;
const MAX_PAGE = 0x10000;

/** Guest address of read-write data for a given read-only data size (polkavm `MemoryMapBuilder`). */
export function rwDataAddress(roDataSize: number): number {
  return RO_DATA_ADDRESS + Math.ceil(roDataSize / MAX_PAGE) * MAX_PAGE + MAX_PAGE;
}

interface Item {
  parsed: ParsedInstruction;
  line: number;
  column: number;
  raw: string;
}

interface LabelDef {
  block: number;
  line: number;
  column: number;
}

interface DataLabel {
  section: 'ro' | 'rw';
  offset: number;
  line: number;
  column: number;
}

type JumpTableEvent = { kind: 'entry'; target: TargetRef; line: number; column: number; raw: string } | { kind: 'label-address'; item: number };

/** Everything assembled text turns into, before the writer lays it out. */
export interface AssembledProgram {
  parts: ProgramParts;
  bytes: Uint8Array;
}

/** Assembles polkavm assembly text into a `.polkavm` blob. Throws AssemblyError. */
export function assemble(text: string, options: AssembleOptions = {}): Uint8Array {
  return assembleProgram(text, options).bytes;
}

export function assembleProgram(text: string, options: AssembleOptions = {}): AssembledProgram {
  return new Assembler(text, options).run();
}

function fail(kind: AssemblyErrorKind, line: number, column: number, detail: string): never {
  throw new AssemblyError(kind, line, column, detail);
}

const indentOf = (raw: string): number => raw.length - raw.trimStart().length + 1;

/** Removes a trailing `// comment` (an extension; polkavm only has whole-line comments). */
function stripTrailingComment(text: string): string | undefined {
  const at = text.indexOf('//');
  return at > 0 ? text.slice(0, at).trim() : undefined;
}

const LISTING_PREFIX = /^\d+:\s+/;

function alternativesOf(text: string): string[] {
  const out: string[] = [];
  const uncommented = stripTrailingComment(text);
  if (uncommented !== undefined) out.push(uncommented);
  for (const t of [text, ...out]) if (LISTING_PREFIX.test(t)) out.push(t.replace(LISTING_PREFIX, ''));
  return out;
}

class Assembler {
  private readonly lines: string[];
  private isa: Isa | undefined;
  private readonly exactCmov: boolean;
  private readonly items: Item[] = [];
  private readonly labels = new Map<string, LabelDef>();
  private readonly dataLabels = new Map<string, DataLabel>();
  private readonly exports = new Map<string, Target>();
  private readonly imports: string[] = [];
  private readonly jumpTableEvents: JumpTableEvent[] = [];
  private atBlockStart = true;
  private currentBlock = 0;
  private roDataSize = 0;
  private rwDataSize = 0;
  private stackSize = 0;
  private roData: Uint8Array = new Uint8Array(0);
  private rwData: Uint8Array = new Uint8Array(0);
  private roLabelled = false;
  private rwLabelled = false;

  constructor(text: string, options: AssembleOptions) {
    // Rust `str::lines`: split on \n, drop one trailing \r per line.
    this.exactCmov = options.exactCmov ?? false;
    this.lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    if (options.isa !== undefined) {
      const isa = typeof options.isa === 'string' ? parseIsaName(options.isa) : options.isa;
      if (isa === undefined) fail('directive', 0, 0, `unknown ISA '${String(options.isa)}' (expected revive_v1, latest32, latest64 or jam_v1)`);
      this.isa = isa;
    }
    // The last `%isa` decides how every line is read (32-bit spellings), so find it first.
    for (const raw of this.lines) {
      const line = raw.trim();
      const text = line.startsWith('%isa = ') ? line : (stripTrailingComment(line) ?? '');
      if (!text.startsWith('%isa = ')) continue;
      const isa = parseIsaName(text.slice(7).trim());
      if (isa !== undefined) this.isa = isa;
    }
  }

  run(): AssembledProgram {
    this.lines.forEach((raw, i) => this.line(raw, i + 1));
    return this.finish();
  }

  private line(raw: string, n: number): void {
    const text = raw.trim();
    if (text === '' || text.startsWith('//')) return;
    try {
      this.process(text, raw, n);
    } catch (e) {
      if (!(e instanceof AssemblyError)) throw e;
      // Extensions, tried only on lines polkavm rejects: a trailing `// comment`, and the
      // `{pc}: ` prefix of a disassembly listing line.
      for (const alternative of alternativesOf(text)) {
        try {
          this.process(alternative, raw, n);
          return;
        } catch (again) {
          if (!(again instanceof AssemblyError)) throw again;
        }
      }
      throw e;
    }
  }

  private process(text: string, raw: string, n: number): void {
    const column = indentOf(raw);
    if (text.startsWith('%')) return this.directive(text, raw, n, column);

    let labelText: string | undefined;
    let isExport = false;
    if (text.startsWith('pub @')) {
      labelText = text.slice(5);
      isExport = true;
    } else if (text.startsWith('@')) labelText = text.slice(1);
    if (labelText !== undefined) {
      let noFallthrough = false;
      if (labelText.endsWith('%no_fallthrough')) {
        noFallthrough = true;
        labelText = labelText.slice(0, -'%no_fallthrough'.length).trim();
      }
      if (labelText.endsWith(':')) return this.defineLabel(labelText.slice(0, -1), isExport, noFallthrough, raw, n);
    }

    this.emit(this.parseInstruction(text, raw, n, column), raw, n, column);
  }

  private defineLabel(label: string, isExport: boolean, noFallthrough: boolean, raw: string, n: number): void {
    // Falling into a label needs a block boundary; polkavm inserts `fallthrough` unless told not to.
    if (!this.atBlockStart && !noFallthrough) {
      this.items.push({ parsed: instOf('fallthrough'), line: n, column: indentOf(raw), raw });
      this.atBlockStart = true;
      this.currentBlock++;
    }
    const column = Math.max(1, raw.indexOf('@') + 1);
    if (this.labels.has(label) || this.dataLabels.has(label)) fail('duplicate-label', n, column, `duplicate label "${label}"`);
    this.labels.set(label, { block: this.currentBlock, line: n, column });
    if (isExport) {
      // Exported mid-block (after %no_fallthrough): polkavm exports that exact instruction.
      this.exports.set(
        label,
        this.atBlockStart ? { kind: 'block', index: this.currentBlock } : { kind: 'instruction', index: this.items.length },
      );
    }
  }

  private emit(parsed: ParsedInstruction, raw: string, n: number, column: number): void {
    if (parsed.labelAddress !== undefined) this.jumpTableEvents.push({ kind: 'label-address', item: this.items.length });
    this.items.push({ parsed, line: n, column, raw });
    this.atBlockStart = (OP_FLAGS[parsed.op]! & END) !== 0;
    if (this.atBlockStart) this.currentBlock++;
  }

  private parseInstruction(text: string, raw: string, n: number, column: number): ParsedInstruction {
    const isa = this.isa;
    const is32 = isa !== undefined && !is64Bit(isa);
    const available = (p: ParsedInstruction): boolean => isa === undefined || ENCODE_TABLES[isa]![p.op]! >= 0;
    let strict: ParsedInstruction | undefined;
    let strictError: LineError | undefined;
    try {
      strict = parseInstructionLine(text, { is32, relaxed: false, exactCmov: this.exactCmov });
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      strictError = e;
    }
    if (strict && available(strict)) return strict;
    let relaxed: ParsedInstruction | undefined;
    try {
      relaxed = parseInstructionLine(text, { is32, relaxed: true, exactCmov: this.exactCmov });
    } catch (e) {
      if (!(e instanceof LineError)) throw e;
      const error = strictError ?? e;
      if (!strict) fail(error.kind, n, column, error.message);
    }
    if (strictError && !relaxed) fail(strictError.kind, n, column, strictError.message);
    if (relaxed && !available(relaxed) && is32) relaxed = narrowTo32(relaxed, isa!);
    if (relaxed && available(relaxed)) return relaxed;
    const found = strict ?? relaxed;
    if (found)
      fail(
        'unsupported-instruction',
        n,
        column,
        `the instruction '${OP_NAMES[found.op]}' is not available in the '${isaFlagName(isa!)}' instruction set`,
      );
    return fail('syntax', n, column, `cannot parse "${text}"`);
  }

  private directive(text: string, raw: string, n: number, column: number): void {
    const sizes: readonly [string, 'roDataSize' | 'rwDataSize' | 'stackSize'][] = [
      ['%ro_data_size = ', 'roDataSize'],
      ['%rw_data_size = ', 'rwDataSize'],
      ['%stack_size = ', 'stackSize'],
    ];
    for (const [prefix, field] of sizes) {
      if (!text.startsWith(prefix)) continue;
      const size = parseU32(text.slice(prefix.length));
      if (size === undefined) fail('directive', n, column + prefix.length, `cannot parse the size in "${text}" (expected a decimal u32)`);
      this[field] = size;
      return;
    }
    for (const [prefix, section] of [
      ['%ro_data = ', 'ro'],
      ['%rw_data = ', 'rw'],
    ] as const) {
      if (!text.startsWith(prefix)) continue;
      const bytes = parseHexBytes(text.slice(prefix.length));
      if (bytes === undefined) fail('directive', n, column + prefix.length, `cannot parse the hex bytes in "${text}"`);
      if (section === 'ro' ? this.roLabelled : this.rwLabelled)
        fail('directive', n, column, `%${section}_data = would discard the data labels defined before it`);
      if (section === 'ro') this.roData = bytes;
      else this.rwData = bytes;
      return;
    }
    if (text.startsWith('%isa = ')) {
      const name = text.slice(7).trim();
      if (POLKAVM_ISA_NAMES[name] === undefined && parseIsaName(name) === undefined)
        fail('directive', n, column + 7, `unknown ISA '${name}' (expected revive_v1, latest32, latest64 or jam_v1)`);
      return;
    }

    // Extensions.
    const data = /^%(ro|rw)_data\s+@([^\s=]+)\s*=(.*)$/.exec(text);
    if (data) {
      const section = data[1] as 'ro' | 'rw';
      const name = data[2]!;
      const bytes = parseHexBytes(data[3]!);
      if (bytes === undefined) fail('directive', n, column, `cannot parse the hex bytes in "${text}"`);
      const at = Math.max(1, raw.indexOf('@') + 1);
      if (this.labels.has(name) || this.dataLabels.has(name)) fail('duplicate-label', n, at, `duplicate label "${name}"`);
      const old = section === 'ro' ? this.roData : this.rwData;
      const joined = new Uint8Array(old.length + bytes.length);
      joined.set(old);
      joined.set(bytes, old.length);
      this.dataLabels.set(name, { section, offset: old.length, line: n, column: at });
      if (section === 'ro') {
        this.roData = joined;
        this.roLabelled = true;
      } else {
        this.rwData = joined;
        this.rwLabelled = true;
      }
      return;
    }
    const imp = /^%import\s+(\S.*)$/.exec(text);
    if (imp) {
      const name = imp[1]!.trim();
      if (this.imports.includes(name)) fail('directive', n, column, `duplicate import "${name}"`);
      this.imports.push(name);
      return;
    }
    const table = /^%jump_table\s*=(.*)$/.exec(text);
    if (table) {
      const entries = table[1]!.trim() === '' ? [] : table[1]!.split(',');
      for (const entry of entries) {
        const target = parseTarget(entry);
        if (!target) fail('directive', n, column, `cannot parse the jump table entry "${entry.trim()}" (expected @label or a code offset)`);
        this.jumpTableEvents.push({ kind: 'entry', target, line: n, column: Math.max(1, raw.indexOf(entry.trim()) + 1), raw });
      }
      return;
    }
    fail('directive', n, column, `unknown directive "${text}"`);
  }

  private blockStarts(): number[] {
    const starts = [0];
    this.items.forEach((item, i) => {
      if (OP_FLAGS[item.parsed.op]! & END) starts.push(i + 1);
    });
    return starts;
  }

  private finish(): AssembledProgram {
    const starts = this.blockStarts();
    const count = this.items.length;
    const codeTarget = (name: string, line: number, column: number): Target => {
      const def = this.labels.get(name);
      if (!def) return fail('undefined-label', line, column, `label is not defined: "${name}"`);
      if (starts[def.block]! >= count)
        fail('undefined-label', line, column, `label "${name}" (line ${def.line}) is at the end of the code, with no instruction after it`);
      return { kind: 'block', index: def.block };
    };
    const labelColumn = (item: { raw: string; column: number }, name: string): number => {
      const at = item.raw.indexOf('@' + name);
      return at >= 0 ? at + 1 : item.column;
    };

    const roDataSize = this.roLabelled ? Math.max(this.roDataSize, this.roData.length) : this.roDataSize;
    const rwDataSize = this.rwLabelled ? Math.max(this.rwDataSize, this.rwData.length) : this.rwDataSize;
    const dataAddress = (name: string): number | undefined => {
      const d = this.dataLabels.get(name);
      if (!d) return undefined;
      return (d.section === 'ro' ? RO_DATA_ADDRESS : rwDataAddress(roDataSize)) + d.offset;
    };
    const refValue = (ref: ValueRef, item: Item): number => {
      if (ref.kind === 'import') {
        const index = this.imports.indexOf(ref.name);
        if (index < 0) fail('undefined-import', item.line, Math.max(1, item.raw.indexOf(ref.name) + 1), `import is not declared: "${ref.name}" (use %import ${ref.name})`);
        return index;
      }
      const address = dataAddress(ref.name);
      if (address === undefined) fail('undefined-label', item.line, labelColumn(item, ref.name), `data label is not defined: "${ref.name}"`);
      return (address + ref.addend) | 0;
    };

    // Jump table: explicit entries and `d = @label` in line order (polkavm: in instruction order).
    const jumpTable: Target[] = [];
    const labelAddressValue = new Map<number, number>();
    for (const event of this.jumpTableEvents) {
      if (event.kind === 'entry') {
        const t = event.target;
        jumpTable.push(t.kind === 'pc' ? t : codeTarget(t.name, event.line, labelColumn(event, t.name)));
        continue;
      }
      const item = this.items[event.item]!;
      const name = item.parsed.labelAddress!;
      if (this.labels.has(name)) {
        jumpTable.push(codeTarget(name, item.line, labelColumn(item, name)));
        labelAddressValue.set(event.item, jumpTable.length * 2);
        continue;
      }
      // Extension: `d = @data_label` (or `@data_label + n`) loads the data's address.
      const ref = parseDataRef('@' + name);
      const address = ref?.kind === 'data' ? dataAddress(ref.name) : undefined;
      if (address === undefined) return fail('undefined-label', item.line, labelColumn(item, name), `label is not defined: "${name}"`);
      const addend = ref?.kind === 'data' ? ref.addend : 0;
      labelAddressValue.set(event.item, (address + addend) | 0);
    }

    const instructions: ProgramInstruction[] = this.items.map((item, index) => {
      const p = item.parsed;
      const out: ProgramInstruction = { op: p.op, r1: p.r1, r2: p.r2, r3: p.r3, imm1: p.imm1, imm2: p.imm2 };
      if (p.target) out.target = p.target.kind === 'pc' ? p.target : codeTarget(p.target.name, item.line, labelColumn(item, p.target.name));
      if (p.imm1Ref) out.imm1 = refValue(p.imm1Ref, item);
      if (p.imm2Ref) out.imm2 = refValue(p.imm2Ref, item);
      const address = labelAddressValue.get(index);
      if (address !== undefined) out.imm1 = address;
      return out;
    });

    if (this.isa === undefined) fail('no-isa', 0, 0, 'no ISA was declared in the program (use %isa = ... or pass an ISA)');

    // polkavm keeps exports in a BTreeMap: sorted by the UTF-8 bytes of the name.
    const encoder = new TextEncoder();
    const exports: ProgramExport[] = [...this.exports.entries()]
      .map(([name, target]) => ({ symbol: encoder.encode(name), target }))
      .sort((a, b) => compareBytes(a.symbol, b.symbol));

    const parts: ProgramParts = {
      isa: this.isa,
      roDataSize,
      rwDataSize,
      stackSize: this.stackSize,
      roData: this.roData,
      rwData: this.rwData,
      imports: this.imports.map((name) => encoder.encode(name)),
      exports,
      instructions,
      jumpTable,
    };
    try {
      return { parts, bytes: writeProgram(parts) };
    } catch (e) {
      if (e instanceof ProgramBuildError) fail('unsupported-instruction', 0, 0, e.detail);
      throw e;
    }
  }
}

function instOf(op: OpName): ParsedInstruction {
  return { op: Op[op], r1: 0, r2: 0, r3: 0, imm1: 0, imm2: 0 };
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** On a 32-bit ISA, `x = y + z` means add_32: the `_64` instruction polkavm's syntax picks is absent there. */
function narrowTo32(p: ParsedInstruction, isa: Isa): ParsedInstruction {
  const name = OP_NAMES[p.op]!;
  if (!name.endsWith('_64')) return p;
  const narrow = (Op as Record<string, number>)[name.slice(0, -3) + '_32'];
  if (narrow === undefined || ENCODE_TABLES[isa]![narrow]! < 0) return p;
  return { ...p, op: narrow };
}
