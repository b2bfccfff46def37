import { raise } from './errors.ts';
import { Isa, is64Bit } from './isa.ts';
import { Reader } from './reader.ts';

// Limits from polkavm abi.rs; inputs beyond them are rejected before any allocation.
export const VM_MAXIMUM_IMPORT_COUNT = 1024;
export const VM_MAXIMUM_JUMP_TABLE_ENTRIES = 16 * 1024 * 1024;
export const VM_MAXIMUM_CODE_SIZE = 32 * 1024 * 1024;

export const BLOB_MAGIC = [0x50, 0x56, 0x4d, 0x00] as const;

export const Section = Object.freeze({
  memoryConfig: 1,
  roData: 2,
  rwData: 3,
  imports: 4,
  exports: 5,
  codeAndJumpTable: 6,
  debugStrings: 128,
  debugLinePrograms: 129,
  debugLineProgramRanges: 130,
  endOfFile: 0,
} as const);

export interface Export {
  /** Code offset of the exported function. */
  readonly pc: number;
  /** The raw symbol bytes (usually UTF-8). */
  readonly symbol: Uint8Array;
  readonly name: string;
}

export interface SectionInfo {
  readonly id: number;
  /** Offset of the section id byte in the input. */
  readonly offset: number;
  /** Payload length in bytes. */
  readonly length: number;
}

/** A parsed program: everything in the container, code not yet decoded into instructions. */
export interface ProgramBlob {
  readonly isa: Isa;
  readonly is64Bit: boolean;
  /** What the input was: a `PVM\0` container, a bare JAM program, or a JAM service blob. */
  readonly format: 'polkavm' | 'jam-program' | 'jam-service';
  readonly roDataSize: number;
  readonly rwDataSize: number;
  readonly stackSize: number;
  readonly roData: Uint8Array;
  readonly rwData: Uint8Array;
  /** Import symbols in index order; `ecalli n` calls `imports[n]`. */
  readonly imports: readonly Uint8Array[];
  readonly exports: readonly Export[];
  readonly code: Uint8Array;
  readonly bitmask: Uint8Array;
  readonly jumpTable: Uint32Array;
  readonly jumpTableEntrySize: number;
  /** Offset of the first code byte in the input, for error locations. */
  readonly codeOffset: number;
  readonly debugStrings: Uint8Array;
  readonly debugLinePrograms: Uint8Array;
  readonly debugLineProgramRanges: Uint8Array;
  readonly sections: readonly SectionInfo[];
  /** JAM standard programs only: extra zeroed rw pages (`z` in the Gray Paper), else 0. */
  readonly extraRwPages: number;
  /** JAM service blobs only: the metadata prefix. */
  readonly metadata?: Uint8Array;
  /** The whole input. */
  readonly bytes: Uint8Array;
}

/** Decodes text from bytes; non-UTF-8 bytes are shown as `\xNN` so a name is always printable. */
export function symbolText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    let out = '';
    for (const b of bytes) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
    return out;
  }
}

interface CodeParts {
  code: Uint8Array;
  bitmask: Uint8Array;
  jumpTable: Uint32Array;
  jumpTableEntrySize: number;
  codeOffset: number;
}

/** Parses the code-and-jump-table payload (identical to the Gray Paper's "deblob" encoding). */
export function parseCodeAndJumpTable(bytes: Uint8Array, start: number, end: number): CodeParts {
  const r = new Reader(bytes, start, end);
  if (end <= start) raise('no-code', start, 'no code found');
  const countAt = r.position;
  const jumpTableEntryCount = r.varint('the jump table entry count');
  if (jumpTableEntryCount > VM_MAXIMUM_JUMP_TABLE_ENTRIES) raise('jump-table-too-long', countAt, 'the jump table section is too long');
  const sizeAt = r.position;
  const entrySize = r.byte('the jump table entry size');
  const lengthAt = r.position;
  const codeLength = r.varint('the code length');
  if (codeLength > VM_MAXIMUM_CODE_SIZE) raise('code-too-long', lengthAt, 'the code section is too long');
  if (entrySize > 4) raise('bad-jump-table-entry-size', sizeAt, `invalid jump table entry size ${entrySize}`);
  const tableBytes = r.slice(jumpTableEntryCount * entrySize, 'the jump table');
  const codeOffset = r.position;
  const code = r.slice(codeLength, 'the code');
  const bitmaskOffset = r.position;
  const bitmask = r.slice(r.remaining(), 'the bitmask');
  const expected = Math.ceil(codeLength / 8);
  if (bitmask.length !== expected)
    raise('bad-bitmask', bitmaskOffset, `the bitmask length (${bitmask.length}) doesn't match the code length (expects ${expected})`);
  if (codeLength % 8 !== 0) {
    const padding = bitmask[bitmask.length - 1]! >>> (codeLength % 8);
    if (padding !== 0) raise('bad-bitmask', bitmaskOffset + bitmask.length - 1, 'the bitmask is padded with non-zero bits');
  }
  // With 0-byte entries polkavm's table has no entries at all, whatever the count says (and a 16M count of
  // nothing must not cost a 64 MB allocation).
  const entries = entrySize === 0 ? 0 : jumpTableEntryCount;
  const jumpTable = new Uint32Array(entries);
  for (let i = 0, p = 0; i < entries; i++) {
    let v = 0;
    for (let k = entrySize - 1; k >= 0; k--) v = v * 256 + tableBytes[p + k]!;
    jumpTable[i] = v;
    p += entrySize;
  }
  return { code, bitmask, jumpTable, jumpTableEntrySize: entrySize, codeOffset };
}

/** Parses a `.polkavm` container (POLKAVM.md §1): header, sections in strict order, end marker. */
export function parseBlob(bytes: Uint8Array): ProgramBlob {
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== BLOB_MAGIC[i]) raise('bad-magic', Math.min(i, bytes.length), "blob doesn't start with the expected magic bytes (PVM\\0)");
  }
  const r = new Reader(bytes, 4);
  const version = r.byte('the blob version');
  if (version > 3) raise('unsupported-version', 4, `unsupported version: ${version}`);
  const isa = version as Isa;
  const lenBytes = r.slice(8, 'the blob length');
  let declared = 0;
  for (let k = 7; k >= 0; k--) declared = declared * 256 + lenBytes[k]!;
  if (declared !== bytes.length)
    raise('length-mismatch', 5, `blob size (${bytes.length}) doesn't match the blob length metadata (${declared})`);

  const sections: SectionInfo[] = [];
  let roDataSize = 0;
  let rwDataSize = 0;
  let stackSize = 0;
  let roData: Uint8Array = new Uint8Array(0);
  let rwData: Uint8Array = new Uint8Array(0);
  const imports: Uint8Array[] = [];
  const exports: Export[] = [];
  let codeParts: CodeParts | undefined;
  let debugStrings: Uint8Array = new Uint8Array(0);
  let debugLinePrograms: Uint8Array = new Uint8Array(0);
  let debugLineProgramRanges: Uint8Array = new Uint8Array(0);

  let sectionAt = r.position;
  let section = r.byte('a section id');
  const enter = (what: string): { start: number; end: number } => {
    const length = r.varint(`the length of ${what}`);
    const start = r.position;
    r.slice(length, what);
    sections.push({ id: section, offset: sectionAt, length });
    return { start, end: start + length };
  };
  const next = (): void => {
    sectionAt = r.position;
    section = r.byte('a section id');
  };

  if (section === Section.memoryConfig) {
    const { start, end } = enter('the memory config section');
    const s = new Reader(bytes, start, end);
    roDataSize = s.varint('ro_data_size');
    rwDataSize = s.varint('rw_data_size');
    stackSize = s.varint('stack_size');
    if (s.position !== end) raise('bad-section', s.position, 'the memory config section contains more data than expected');
    next();
  }
  if (section === Section.roData) {
    const { start, end } = enter('the ro data section');
    roData = bytes.subarray(start, end);
    next();
  }
  if (section === Section.rwData) {
    const { start, end } = enter('the rw data section');
    rwData = bytes.subarray(start, end);
    next();
  }
  if (section === Section.imports) {
    const { start, end } = enter('the imports section');
    const s = new Reader(bytes, start, end);
    const countAt = s.position;
    const count = s.varint('the import count');
    if (count > VM_MAXIMUM_IMPORT_COUNT) raise('too-many-imports', countAt, `too many imports (${count}, the limit is ${VM_MAXIMUM_IMPORT_COUNT})`);
    const offsetsAt = s.position;
    const offsets: number[] = [];
    for (let i = 0; i < count; i++) offsets.push(s.u32('the import offsets'));
    const symbols = bytes.subarray(s.position, end);
    for (let i = 0; i < count; i++) {
      const from = offsets[i]!;
      const to = i + 1 < count ? offsets[i + 1]! : symbols.length;
      if (from > to || to > symbols.length) raise('bad-import', offsetsAt + 4 * i, `import #${i} has an invalid symbol range ${from}..${to}`);
      imports.push(symbols.subarray(from, to));
    }
    next();
  }
  if (section === Section.exports) {
    const { start, end } = enter('the exports section');
    const s = new Reader(bytes, start, end);
    const count = s.varint('the export count');
    for (let i = 0; i < count; i++) {
      const pc = s.varint(`the pc of export #${i}`);
      const nameAt = s.position;
      const nameLength = s.varint(`the name length of export #${i}`);
      if (nameLength > s.remaining())
        raise('bad-export', nameAt, `the name of export #${i} (${nameLength} bytes) runs past the end of the exports section`);
      const symbol = s.slice(nameLength, `the name of export #${i}`);
      exports.push({ pc, symbol, name: symbolText(symbol) });
    }
    next();
  }
  if (section === Section.codeAndJumpTable) {
    const { start, end } = enter('the code section');
    codeParts = parseCodeAndJumpTable(bytes, start, end);
    next();
  }
  if (section === Section.debugStrings) {
    const { start, end } = enter('the debug strings section');
    debugStrings = bytes.subarray(start, end);
    next();
  }
  if (section === Section.debugLinePrograms) {
    const { start, end } = enter('the debug line programs section');
    debugLinePrograms = bytes.subarray(start, end);
    next();
  }
  if (section === Section.debugLineProgramRanges) {
    const { start, end } = enter('the debug line program ranges section');
    debugLineProgramRanges = bytes.subarray(start, end);
    next();
  }
  // Unknown optional sections (high bit set) are skipped, as polkavm does.
  while (section & 0x80) {
    enter(`optional section ${section}`);
    next();
  }
  if (section !== Section.endOfFile) raise('unexpected-section', sectionAt, `found unexpected section 0x${section.toString(16)}`);
  // Bytes after the end marker are accepted, as polkavm accepts them (the length field covers them).

  if (roData.length > roDataSize)
    raise('data-too-long', sections.find((s) => s.id === Section.roData)!.offset, 'size of the read-only data payload exceeds the declared size of the section');
  if (rwData.length > rwDataSize)
    raise('data-too-long', sections.find((s) => s.id === Section.rwData)!.offset, 'size of the read-write data payload exceeds the declared size of the section');
  if (!codeParts) raise('no-code', sectionAt, 'no code found');

  return {
    isa,
    is64Bit: is64Bit(isa),
    format: 'polkavm',
    roDataSize,
    rwDataSize,
    stackSize,
    roData,
    rwData,
    imports,
    exports,
    ...codeParts,
    debugStrings,
    debugLinePrograms,
    debugLineProgramRanges,
    sections,
    extraRwPages: 0,
    bytes,
  };
}

function bareProgram(bytes: Uint8Array, isa: Isa, format: ProgramBlob['format'], parts: CodeParts, extra: Partial<ProgramBlob>): ProgramBlob {
  return {
    isa,
    is64Bit: is64Bit(isa),
    format,
    roDataSize: 0,
    rwDataSize: 0,
    stackSize: 0,
    roData: new Uint8Array(0),
    rwData: new Uint8Array(0),
    imports: [],
    exports: [],
    ...parts,
    debugStrings: new Uint8Array(0),
    debugLinePrograms: new Uint8Array(0),
    debugLineProgramRanges: new Uint8Array(0),
    sections: [],
    extraRwPages: 0,
    bytes,
    ...extra,
  };
}

/** A bare JAM program: just the code-and-jump-table payload (as in the JAM test vectors). */
export function parseJamProgram(bytes: Uint8Array, isa: Isa = Isa.Latest64): ProgramBlob {
  return bareProgram(bytes, isa, 'jam-program', parseCodeAndJumpTable(bytes, 0, bytes.length), {});
}

/** Reads a Gray Paper fixed-width little-endian integer. */
function fixed(r: Reader, width: number, what: string): number {
  const s = r.slice(width, what);
  let v = 0;
  for (let k = width - 1; k >= 0; k--) v = v * 256 + s[k]!;
  return v;
}

/** Reads a Gray Paper "natural" (the JAM codec's variable-length integer, not polkavm's varint). */
export function readJamNatural(r: Reader, what: string): number {
  const at = r.position;
  const first = r.byte(what);
  if (first < 0x80) return first;
  let length = 0;
  while (length < 8 && first & (0x80 >>> length)) length++;
  const rest = r.slice(length, what);
  let v = 0;
  for (let k = length - 1; k >= 0; k--) v = v * 256 + rest[k]!;
  if (length === 8) {
    if (v > Number.MAX_SAFE_INTEGER) raise('bad-metadata', at, `${what} is too large`);
    return v;
  }
  return v + (first & (0xff >>> (length + 1))) * 2 ** (8 * length);
}

/**
 * A JAM service blob: a length-prefixed metadata blob, then the Gray Paper "standard program"
 * (E3 |ro|, E3 |rw|, E2 extra rw pages, E3 stack size, ro, rw, E4 |code|, code-and-jump-table).
 */
export function parseJamService(bytes: Uint8Array, isa: Isa = Isa.JamV1): ProgramBlob {
  const r = new Reader(bytes, 0);
  const metadataLength = readJamNatural(r, 'the metadata length');
  const metadata = r.slice(metadataLength, 'the metadata');
  const roLength = fixed(r, 3, 'the ro data length');
  const rwLength = fixed(r, 3, 'the rw data length');
  const extraRwPages = fixed(r, 2, 'the extra rw page count');
  const stackSize = fixed(r, 3, 'the stack size');
  const roData = r.slice(roLength, 'the ro data');
  const rwData = r.slice(rwLength, 'the rw data');
  const codeLength = fixed(r, 4, 'the code blob length');
  const start = r.position;
  r.slice(codeLength, 'the code blob');
  if (r.position !== bytes.length) raise('bad-section', r.position, `${bytes.length - r.position} trailing bytes after the code blob`);
  const parts = parseCodeAndJumpTable(bytes, start, start + codeLength);
  return bareProgram(bytes, isa, 'jam-service', parts, {
    roDataSize: roLength,
    rwDataSize: rwLength,
    stackSize,
    roData,
    rwData,
    extraRwPages,
    metadata,
  });
}
