// Stored tables: what the compiled backend's trampoline needs of a program, written into a compiled
// module (`pvm2js compile`, runtime/compiled.ts) so that loading it decodes nothing. Decoding doom
// (163k instructions) and analysing it costs ~60 ms and hashing its bytes for the ModuleId ~40 ms;
// reading these tables costs ~2 ms.
//
// What is stored (layout: `packTables`): per instruction its pc; per block its first instruction
// (blocks are contiguous runs of instructions in code order), its cost (unless every block costs its
// length) and switch label; the runs of instructions in one region; the implicit instructions, the
// inner labels (resume and retry points), the immediates of `ecalli` and the jump table as
// instruction indices. The rest of DecodedCode (opcodes, operands, jump-target validity: what the
// interpreter fallback needs for step tracing, a host moving the pc into a block or a hand-over) is
// decoded from the program's bytes the first time any of it is read, and then checked against the
// stored tables.
//
// Header: 'PVMT', a u32 checksum (Fletcher-style over 32-bit words, `checksum`) of everything after it plus the
// caller's extra bytes (the runtime adds the program, the options and the ModuleId), the table
// format and the compiler version. Pure code without Node built-ins: it runs in browsers too.

import { decodeProgram, type DecodedCode } from '../decoder/code.ts';
import type { ProgramBlob } from '../decoder/blob.ts';
import { Op } from '../decoder/table.ts';
import { staticJumpTargets } from '../machine/control.ts';
import type { Backend, BackendModule, ModuleImage } from '../machine/state.ts';
import { VERSION } from '../version.ts';
import { CompiledModule, regionEnvironment, type EntryLookups, type RegionFunction } from './backend.ts';
import type { LinkFunction } from './generate.ts';
import type { CodegenProgram } from './program.ts';

/** Bumped when the layout of the stored tables changes. */
export const STORED_TABLES_FORMAT = 3;
const MAGIC = [0x50, 0x56, 0x4d, 0x54]; // 'PVMT'
const FLAG_COST_IS_LENGTH = 1;
/** Labels as u32 rather than u16. */
const FLAG_WIDE = 2;

/** Stored tables that are not this compiler's, or not intact. */
export class StoredTablesError extends Error {
  override readonly name = 'StoredTablesError';
}

/** Bytes in a growing buffer; numbers little-endian. */
class Writer {
  private bytes = new Uint8Array(1 << 16);
  length = 0;
  private room(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + count));
    grown.set(this.bytes);
    this.bytes = grown;
  }
  byte(b: number): void {
    this.room(1);
    this.bytes[this.length++] = b;
  }
  u32(value: number): void {
    if (!(value >= 0 && value <= 0xffffffff && Number.isInteger(value))) throw new Error(`stored tables: ${value} is not a u32`);
    this.room(4);
    new DataView(this.bytes.buffer).setUint32(this.length, value, true);
    this.length += 4;
  }
  u16(value: number): void {
    this.room(2);
    new DataView(this.bytes.buffer).setUint16(this.length, value, true);
    this.length += 2;
  }
  /** Pads to a multiple of 4, so the next array can be read as a typed-array view. */
  align(): void {
    while (this.length % 4) this.byte(0);
  }
  done(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/**
 * Packs a program's tables; the checksum is left 0 for `sealTables`. Layout after the 8-byte header
 * and a u32-aligned preamble (format, compiler version): u32 flags, then the counts (instructions,
 * blocks, regions, region runs, jump table entries, inner labels, ecallis, implicit instructions);
 * per instruction its pc (u32); per block its first instruction (u32), its cost (u32, absent when
 * every block costs its length) and label + 1 (u16, u32 with the wide flag); the region runs
 * (first instruction, region), the inner labels (index, label) and the ecalli immediates (index,
 * value) as u32 pairs; the implicit instructions (u32 indices); the jump table as instruction
 * indices + 1. Fixed widths, so that loading is typed-array views, a pass over the blocks and one
 * `fill` per region run: the loader runs cold, in V8's interpreter, where a varint decoder took
 * ~25 ms for doom and a `fill` per block (34,842) ~3 ms.
 */
export function packTables(program: CodegenProgram): Uint8Array {
  const code = program.code;
  const n = code.count;
  const w = new Writer();
  for (const b of MAGIC) w.byte(b);
  w.u32(0);
  w.u32(STORED_TABLES_FORMAT);
  const version = new TextEncoder().encode(VERSION);
  w.u32(version.length);
  for (const b of version) w.byte(b);
  w.align();
  const regionCount = program.regionMembers.length;
  const starts: number[] = [];
  for (let i = 0; i < n; i++) if (code.blockStart[i]) starts.push(i);
  if (starts.length !== code.blockCount || (n > 0 && starts[0] !== 0)) throw new Error('stored tables: blocks are not contiguous runs from the first instruction');
  let maxLabel = 0;
  for (const i of starts) maxLabel = Math.max(maxLabel, program.blockLabel[i]! + 1);
  const wide = maxLabel > 0xffff;
  const inner: number[] = [];
  const ecalli: number[] = [];
  const implicit: number[] = [];
  // Regions are long runs of consecutive instructions (doom: 1,759 runs of 34,842 blocks).
  const runs: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i === 0 || program.regionOf[i] !== program.regionOf[i - 1]) runs.push(i, program.regionOf[i]!);
    if (program.innerLabel[i]! >= 0) inner.push(i, program.innerLabel[i]!);
    if (code.op[i] === Op.ecalli) ecalli.push(i, code.imm1[i]! >>> 0);
    if (code.implicit[i]) implicit.push(i);
  }
  w.u32((program.costIsLength ? FLAG_COST_IS_LENGTH : 0) | (wide ? FLAG_WIDE : 0));
  for (const count of [n, starts.length, regionCount, runs.length / 2, program.jumpTableIndex.length, inner.length / 2, ecalli.length / 2, implicit.length]) w.u32(count);
  for (let i = 0; i < n; i++) w.u32(code.pc[i]!);
  for (const i of starts) w.u32(i);
  if (!program.costIsLength) for (const i of starts) w.u32(program.blockCosts[i]!);
  const small = (value: number): void => (wide ? w.u32(value) : w.u16(value));
  // Label + 1: a block without a case of its own (program.ts `caseBlocks`) has label -1.
  for (const i of starts) small(program.blockLabel[i]! + 1);
  w.align();
  for (const v of [...runs, ...inner, ...ecalli, ...implicit]) w.u32(v);
  for (const index of program.jumpTableIndex) w.u32(index + 1);
  return w.done();
}

/** Writes the checksum of `tables` and `extra` into the header. */
export function sealTables(tables: Uint8Array, extra: readonly Uint8Array[]): Uint8Array {
  new DataView(tables.buffer, tables.byteOffset).setUint32(4, checksum(tables, extra), true);
  return tables;
}

/** A 32-bit checksum of `tables` after its header's checksum field, then of each `extra`: two running
 * sums over little-endian 32-bit words (Fletcher's). It finds edits and corruption, not forgeries:
 * whoever can edit a module can edit its code too. The loader runs it cold: the words go through
 * `sumWords` in slices, a small function V8 optimises after its first few calls, where one loop over
 * 0.5 M words waited in the interpreter for an on-stack replacement (compiled in the background, 12-30
 * ms on a busy 2-core machine) and then deoptimised at its tail loop. */
function checksum(tables: Uint8Array, extra: readonly Uint8Array[]): number {
  const sums = new Int32Array(2);
  sums[0] = 1;
  const add = (bytes: Uint8Array): void => {
    const aligned = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
    const w = new Int32Array(aligned.buffer, aligned.byteOffset, aligned.length >>> 2);
    const unrolled = w.length & ~3;
    for (let j = 0; j < unrolled; j += SLICE) sumWords(w, j, Math.min(unrolled, j + SLICE), sums);
    let a = sums[0]!;
    let b = sums[1]!;
    for (let j = unrolled; j < w.length; j++) {
      a = (a + w[j]!) | 0;
      b = (b + a) | 0;
    }
    for (let k = w.length * 4; k < bytes.length; k++) {
      a = (a + bytes[k]! + 1) | 0;
      b = (b + a) | 0;
    }
    a = (a + bytes.length) | 0;
    b = (b + a) | 0;
    sums[0] = a;
    sums[1] = b;
  };
  add(tables.subarray(8));
  for (const bytes of extra) add(bytes);
  return (Math.imul(sums[1]!, 0x9e3779b1) ^ sums[0]!) >>> 0;
}

/** Adds words [from, to) of `w` (a multiple of 4 of them) to the running sums (a, b) in `sums`. */
function sumWords(w: Int32Array, from: number, to: number, sums: Int32Array): void {
  let a = sums[0]!;
  let b = sums[1]!;
  for (let j = from; j < to; j += 4) {
    a = (a + w[j]!) | 0;
    b = (b + a) | 0;
    a = (a + w[j + 1]!) | 0;
    b = (b + a) | 0;
    a = (a + w[j + 2]!) | 0;
    b = (b + a) | 0;
    a = (a + w[j + 3]!) | 0;
    b = (b + a) | 0;
  }
  sums[0] = a;
  sums[1] = b;
}

/** The tables of a program, unpacked: what `CompiledModule` needs, and the module's block costs. */
export interface StoredProgram {
  readonly program: CodegenProgram;
  /** Per instruction: the cost of the block starting there (0 elsewhere), as `ModuleImage.blockCosts`. */
  readonly blockCosts: Uint32Array;
  /** The trampoline's look-ups, answered from the tables. */
  readonly lookups: EntryLookups;
}

/**
 * Reads tables written by `packTables` + `sealTables` for the program `blob`, checking the header,
 * the compiler version and the checksum over `extra` (the same bytes given to `sealTables`). Throws a
 * StoredTablesError naming what is wrong. `code` of the result decodes `blob` on first use of a field
 * the tables do not hold.
 */
export function unpackTables(tables: Uint8Array, blob: ProgramBlob, extra: readonly Uint8Array[]): StoredProgram {
  const bad = (what: string): never => {
    throw new StoredTablesError(`its stored tables ${what}`);
  };
  if (tables.length < 16 || MAGIC.some((b, k) => tables[k] !== b)) bad('are not pvm2js tables');
  // Typed-array views need the tables at a multiple of 4 in their buffer.
  if (tables.byteOffset % 4 !== 0) tables = tables.slice();
  const view = new DataView(tables.buffer, tables.byteOffset, tables.byteLength);
  const end = tables.length;
  let at = 8;
  const u32 = (): number => {
    if (at + 4 > end) bad('end early (corrupted)');
    const value = view.getUint32(at, true);
    at += 4;
    return value;
  };
  const format = u32();
  if (format !== STORED_TABLES_FORMAT) bad(`have format ${format}; this compiler reads format ${STORED_TABLES_FORMAT}: compile it again`);
  const versionLength = u32();
  if (at + versionLength > end) bad('end early (corrupted)');
  const version = new TextDecoder().decode(tables.subarray(at, at + versionLength));
  at = (at + versionLength + 3) & ~3;
  if (version !== VERSION) bad(`were made by pvm2js ${version}; this is ${VERSION}: compile it again`);
  const sum = view.getUint32(4, true);
  if (checksum(tables, extra) !== sum) bad('or its program, options or ModuleId were edited or corrupted (their checksum does not match): compile it again');

  const flags = u32();
  const costIsLength = (flags & FLAG_COST_IS_LENGTH) !== 0;
  const wide = (flags & FLAG_WIDE) !== 0;
  const n = u32();
  const blockCount = u32();
  const regionCount = u32();
  const runCount = u32();
  const jumpTableLength = u32();
  const innerCount = u32();
  const ecalliCount = u32();
  const implicitCount = u32();
  const codeLength = blob.code.length;
  if (jumpTableLength !== blob.jumpTable.length) bad(`have ${jumpTableLength} jump table entries, the program ${blob.jumpTable.length}`);
  // Arrays are sized by these counts: bound them by the program and the tables before allocating.
  if (n > codeLength + 2 || blockCount > n || (n > 0 && blockCount === 0) || regionCount > Math.max(n, 1) || runCount > n || (n > 0 && runCount === 0)) bad('have counts the program cannot have (corrupted)');
  const smallBytes = wide ? 4 : 2;
  const pad = (x: number): number => (x + 3) & ~3;
  const size = 4 * n + 4 * blockCount + (costIsLength ? 0 : 4 * blockCount) + pad(smallBytes * blockCount) + 8 * runCount + 8 * innerCount + 8 * ecalliCount + 4 * implicitCount + 4 * jumpTableLength;
  if (at + size !== end) bad(`are ${end} bytes, expected ${at + size} (corrupted)`);
  const buffer = tables.buffer;
  const base = tables.byteOffset;
  const array = <T>(make: (offset: number, length: number) => T, length: number, bytes: number): T => {
    const made = make(base + at, length);
    at += pad(bytes);
    return made;
  };
  const u32s = (length: number): Uint32Array => array((o, l) => new Uint32Array(buffer, o, l), length, 4 * length);
  const pc = u32s(n);
  const starts = u32s(blockCount);
  const costs = costIsLength ? undefined : u32s(blockCount);
  const labels = wide ? u32s(blockCount) : array((o, l) => new Uint16Array(buffer, o, l), blockCount, 2 * blockCount);
  const runs = u32s(2 * runCount);
  const inner = u32s(2 * innerCount);
  const ecalli = u32s(2 * ecalliCount);
  const implicitAt = u32s(implicitCount);
  const jumpTableIndex = new Int32Array(buffer, base + at, jumpTableLength).slice();

  if (n > 0 && pc[n - 1]! > codeLength + 1) bad('hold a pc past the code (corrupted)');
  // Loading mostly costs fresh pages (page faults, ~13 us each on the bench machine), so what is
  // built here is only what generated code reads at its dynamic jumps: `regionOf` and `blockLabel`
  // (its environment's REGION and LABEL). The trampoline looks the rest up in the tables themselves
  // (`lookups`): the per-pc and other per-instruction arrays (4.4 MB and 4 x 0.65 MB for doom) are
  // made on first read, by the interpreter fallback, tools or tests.
  const regionOf = new Int32Array(n);
  const blockLabel = new Int32Array(n).fill(-1);
  if (n > 0 && starts[0] !== 0) bad('hold blocks that do not cover the code (corrupted)');
  for (let k = 0; k < blockCount; k += SLICE) if (!spreadLabels(starts, labels, n, blockLabel, k, Math.min(blockCount, k + SLICE))) bad('hold blocks that do not cover the code (corrupted)');
  if (n > 0 && runs[0] !== 0) bad('hold regions that do not cover the code (corrupted)');
  for (let k = 0; k < runs.length; k += 2) {
    const e = k + 2 < runs.length ? runs[k + 2]! : n;
    if (e <= runs[k]! || e > n || runs[k + 1]! >= regionCount) bad('hold a region out of range (corrupted)');
    regionOf.fill(runs[k + 1]!, runs[k]!, e);
  }
  // Instruction indices in range and ascending, as the look-ups search them.
  const ascending = (values: Uint32Array, stride: number): boolean => {
    for (let k = 0; k < values.length; k += stride) if (values[k]! >= n || (k > 0 && values[k]! <= values[k - stride]!)) return false;
    return true;
  };
  if (!ascending(inner, 2) || !ascending(ecalli, 2) || !ascending(implicitAt, 1)) bad('hold an instruction index out of range (corrupted)');
  for (let k = 0; k < jumpTableLength; k++) {
    jumpTableIndex[k] = jumpTableIndex[k]! - 1;
    if (jumpTableIndex[k]! >= n) bad('hold a jump table entry out of range (corrupted)');
  }

  /** The block holding instruction `i` (0 <= i < n), by its index in `starts` (they ascend: checked above). */
  const blockAt = (i: number): number => {
    let lo = 0;
    let hi = blockCount - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= i) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const endOf = (k: number): number => (k + 1 < blockCount ? starts[k + 1]! : n);
  let blockStart: Uint8Array | undefined;
  const blockStartArray = (): Uint8Array => {
    if (!blockStart) {
      blockStart = new Uint8Array(n);
      for (let k = 0; k < blockCount; k++) blockStart[starts[k]!] = 1;
    }
    return blockStart;
  };
  let blockLength: Uint32Array | undefined;
  let blockCosts: Uint32Array | undefined;
  const code = lazyCode(blob, { count: n, blockCount, pc }, ecalli, implicitAt, codeLength, blockStartArray);
  let jumpIndex: Int32Array | undefined;
  let innerLabel: Int32Array | undefined;
  let regionMembers: Uint32Array[] | undefined;
  let blockOf: Int32Array | undefined;
  const program: CodegenProgram = {
    code,
    // Only code generation reads these: made on first use (from the decoded program).
    get jumpIndex(): Int32Array {
      return (jumpIndex ??= staticJumpTargets(code));
    },
    get regionMembers(): readonly Uint32Array[] {
      if (!regionMembers) {
        const members: number[][] = Array.from({ length: regionCount }, () => []);
        for (let k = 0; k < n; k++) members[regionOf[k]!]!.push(k);
        regionMembers = members.map((m) => Uint32Array.from(m));
      }
      return regionMembers;
    },
    // Read at final stops only (backend.ts `stopFinal`).
    get blockOf(): Int32Array {
      if (!blockOf) {
        blockOf = new Int32Array(n);
        for (let k = 0; k < blockCount; k++) blockOf.fill(starts[k]!, starts[k]!, k + 1 < blockCount ? starts[k + 1]! : n);
      }
      return blockOf;
    },
    // The trampoline reads `lookups` instead; code generation and tests read this.
    get innerLabel(): Int32Array {
      if (!innerLabel) {
        innerLabel = new Int32Array(n).fill(-1);
        for (let k = 0; k < inner.length; k += 2) innerLabel[inner[k]!] = inner[k + 1]!;
      }
      return innerLabel;
    },
    get blockLength(): Uint32Array {
      if (!blockLength) {
        blockLength = new Uint32Array(n);
        for (let k = 0; k < blockCount; k++) blockLength[starts[k]!] = endOf(k) - starts[k]!;
      }
      return blockLength;
    },
    get blockCosts(): Uint32Array {
      if (!blockCosts) {
        // Where every block costs its length the costs are the lengths: one array for both.
        if (!costs) blockCosts = this.blockLength;
        else {
          blockCosts = new Uint32Array(n);
          for (let k = 0; k < blockCount; k++) blockCosts[starts[k]!] = costs[k]!;
        }
      }
      return blockCosts;
    },
    costIsLength,
    jumpTableIndex,
    regionOf,
    blockLabel,
  };
  const lookups: EntryLookups = {
    blockStart: (i) => i >= 0 && i < n && starts[blockAt(i)] === i,
    blockLength: (i) => {
      const k = i >= 0 && i < n ? blockAt(i) : -1;
      return k >= 0 && starts[k] === i ? endOf(k) - i : 0;
    },
    blockCost: (i) => {
      const k = i >= 0 && i < n ? blockAt(i) : -1;
      if (k < 0 || starts[k] !== i) return 0;
      return costs ? costs[k]! : endOf(k) - i;
    },
    blockOf: (i) => starts[blockAt(i)]!,
    // The pcs do not descend: packTables writes them in code order, and the checksum says these are
    // its. Where an implicit trap shares its pc with the instruction after it, that one is the pc's
    // (as the decoder's indexOfPc: the last wins).
    indexOf: (at) => {
      let i = search(pc, 1, at);
      if (i >= 0) while (i + 1 < n && pc[i + 1] === at) i++;
      return i;
    },
    innerLabel: (i) => {
      const k = search(inner, 2, i);
      return k < 0 ? -1 : inner[k + 1]!;
    },
    implicit: (i) => search(implicitAt, 1, i) >= 0,
    ecalli: (i) => {
      const k = search(ecalli, 2, i);
      return k < 0 ? 0 : ecalli[k + 1]! | 0;
    },
  };
  return {
    program,
    get blockCosts(): Uint32Array {
      return program.blockCosts;
    },
    lookups,
  };
}

/** Loops over tables run in slices of this many elements (`sumWords`: V8 optimises a small function
 * called often sooner than it replaces a long loop on the stack). */
const SLICE = 1024;

/** The position in `values` of an element of every `stride` equal to `key`, or -1 (they do not descend). */
function search(values: Uint32Array, stride: number, key: number): number {
  let lo = 0;
  let hi = values.length / stride - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = values[mid * stride]!;
    if (value === key) return mid * stride;
    if (value < key) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** Writes the labels of blocks [from, to) into `blockLabel`; false where the blocks do not ascend within the code. */
function spreadLabels(starts: Uint32Array, labels: Uint16Array | Uint32Array, n: number, blockLabel: Int32Array, from: number, to: number): boolean {
  const count = starts.length;
  for (let k = from; k < to; k++) {
    const s = starts[k]!;
    const e = k + 1 < count ? starts[k + 1]! : n;
    if (e <= s || e > n) return false;
    blockLabel[s] = labels[k]! - 1;
  }
  return true;
}

/**
 * The compiled backend's module for an image made from stored tables and the module's own `link`
 * (what `createCompiledBackend().load` makes, without generating, evaluating or analysing anything).
 * Step tracing runs on the fallback, as there.
 */
export function loadStoredModule(image: ModuleImage, stored: StoredProgram, link: LinkFunction, fallback: Backend): BackendModule {
  if (image.stepTracing) return fallback.load(image);
  const program = stored.program;
  const regions = link(regionEnvironment(program, image.gasMetering !== undefined)) as RegionFunction[];
  return new CompiledModule(image, program, regions, fallback, true, undefined, stored.lookups);
}

type StoredCodeFields = Pick<DecodedCode, 'count' | 'blockCount' | 'pc'>;
const DECODED_ONLY = ['op', 'nextPc', 'r1', 'r2', 'r3', 'imm1', 'imm2', 'target', 'validJumpTarget', 'unknownCount'] as const;

/**
 * DecodedCode whose stored fields are at hand, whose other per-instruction arrays are made from the
 * tables on first read, and whose decoded-only fields decode the program on first read (the
 * compiled backend reads none of them: `EntryLookups`). The decode is checked against the tables.
 */
function lazyCode(blob: ProgramBlob, stored: StoredCodeFields, ecalli: Uint32Array, implicitAt: Uint32Array, codeLength: number, blockStart: () => Uint8Array): DecodedCode {
  let full: DecodedCode | undefined;
  let indexOfPc: Int32Array | undefined;
  let implicit: Uint8Array | undefined;
  const implicitArray = (): Uint8Array => {
    if (!implicit) {
      implicit = new Uint8Array(stored.count);
      for (let k = 0; k < implicitAt.length; k++) implicit[implicitAt[k]!] = 1;
    }
    return implicit;
  };
  const decode = (): DecodedCode => {
    if (full) return full;
    const decoded = decodeProgram(blob);
    const differs = (what: string): never => {
      throw new StoredTablesError(`its stored tables do not match its program (${what}): compile it again`);
    };
    if (decoded.count !== stored.count || decoded.blockCount !== stored.blockCount) differs('instruction or block count');
    const starts = blockStart();
    const implicitFlags = implicitArray();
    for (let i = 0; i < stored.count; i++)
      if (decoded.pc[i] !== stored.pc[i] || decoded.blockStart[i] !== starts[i] || decoded.implicit[i] !== implicitFlags[i]) differs(`instruction ${i}`);
    let k = 0;
    for (let i = 0; i < stored.count; i++) {
      if (decoded.op[i] !== Op.ecalli) continue;
      if (ecalli[k] !== i || (ecalli[k + 1]! | 0) !== decoded.imm1[i]) differs(`ecalli at instruction ${i}`);
      k += 2;
    }
    if (k !== ecalli.length) differs('ecalli count');
    return (full = decoded);
  };
  const code: Record<string, unknown> = {
    isa: blob.isa,
    is64Bit: blob.is64Bit,
    code: blob.code,
    bitmask: blob.bitmask,
    jumpTable: blob.jumpTable,
    ...stored,
  };
  for (const name of DECODED_ONLY) Object.defineProperty(code, name, { get: () => decode()[name], enumerable: true });
  Object.defineProperty(code, 'blockStart', { get: blockStart, enumerable: true });
  Object.defineProperty(code, 'implicit', { get: implicitArray, enumerable: true });
  // From the stored pcs, on first read (the interpreter fallback, tools): the trampoline searches them.
  Object.defineProperty(code, 'indexOfPc', {
    get: (): Int32Array => {
      if (!indexOfPc) {
        indexOfPc = new Int32Array(codeLength + 2).fill(-1);
        for (let i = 0; i < stored.count; i++) indexOfPc[stored.pc[i]!] = i;
      }
      return indexOfPc;
    },
    enumerable: true,
  });
  return code as unknown as DecodedCode;
}

// Base64. Decoding takes the engine's own decoder where there is one (`Uint8Array.fromBase64`, or
// Node's Buffer found on globalThis, not imported: ~0.5 ms for doom's 1.45 MB of text), else a lookup
// table over char codes (~8 ms cold for the same text; atob plus the copy out of its string ~5 ms).
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Int16Array(128).fill(-1);
for (let k = 0; k < 64; k++) DIGIT[ALPHABET.charCodeAt(k)] = k;

export function encodeBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 0x3000; // a multiple of 3: only the last chunk pads
  for (let k = 0; k < bytes.length; k += CHUNK) {
    const chunk = bytes.subarray(k, Math.min(bytes.length, k + CHUNK));
    let s = '';
    let j = 0;
    for (; j + 2 < chunk.length; j += 3) {
      const v = (chunk[j]! << 16) | (chunk[j + 1]! << 8) | chunk[j + 2]!;
      s += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + ALPHABET[(v >>> 6) & 63]! + ALPHABET[v & 63]!;
    }
    if (j < chunk.length) {
      const v = (chunk[j]! << 16) | ((chunk[j + 1] ?? 0) << 8);
      s += ALPHABET[v >>> 18]! + ALPHABET[(v >>> 12) & 63]! + (j + 1 < chunk.length ? ALPHABET[(v >>> 6) & 63]! : '=') + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Decodes `text` into exactly `length` bytes, or undefined. */
type NativeBase64 = (text: string, length: number) => Uint8Array | undefined;

/** Characters of base64 Node decodes per call (a multiple of 4). */
const NODE_BASE64_CHUNK = 1 << 16;

interface NodeBuffer {
  from(buffer: ArrayBuffer, offset: number, length: number): { write(text: string, offset: number, length: number, encoding: string): number };
}
const nativeBase64 = ((): NativeBase64 | undefined => {
  const fromBase64 = (Uint8Array as unknown as { fromBase64?: (text: string) => Uint8Array }).fromBase64;
  if (typeof fromBase64 === 'function')
    return (text, length) => {
      try {
        const bytes = fromBase64(text);
        return bytes.length === length ? bytes : undefined;
      } catch {
        return undefined;
      }
    };
  const buffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;
  if (!buffer || typeof buffer.from !== 'function') return undefined;
  // Into a plain Uint8Array of our own (a Buffer's slice() shares memory; small Buffers share a
  // pool), a slice of the text at a time: Node copies the text it decodes into a temporary buffer
  // first, and for doom's program in one piece that is 1.45 MB of fresh pages, ~4 ms of page faults
  // on the bench machine (~13 us each), against 16 pages reused by every slice. Node's decoder skips
  // characters outside the alphabet: a slice that gives fewer bytes than its length says has some.
  return (text, length) => {
    const out = new Uint8Array(length);
    const target = buffer.from(out.buffer, 0, length);
    for (let k = 0; k < text.length; k += NODE_BASE64_CHUNK) {
      const part = text.slice(k, k + NODE_BASE64_CHUNK);
      const at = (k / 4) * 3;
      const want = Math.min(length - at, (part.length / 4) * 3);
      if (target.write(part, at, want, 'base64') !== want) return undefined;
    }
    return out;
  };
})();

/** Decodes standard base64 (padded, no whitespace); undefined when `text` is not that. */
export function decodeBase64(text: string, native = true): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const length = (text.length / 4) * 3 - pad;
  if (native && nativeBase64) {
    const bytes = nativeBase64(text, length);
    if (bytes === undefined) return undefined;
    // Starting at a multiple of 4, for typed-array views of the tables.
    return bytes.byteOffset % 4 === 0 ? bytes : bytes.slice();
  }
  const out = new Uint8Array(length);
  const full = pad ? text.length - 4 : text.length;
  let o = 0;
  let bad = 0;
  for (let k = 0; k < full; k += 4) {
    const a = DIGIT[text.charCodeAt(k) & 127]!;
    const b = DIGIT[text.charCodeAt(k + 1) & 127]!;
    const c = DIGIT[text.charCodeAt(k + 2) & 127]!;
    const d = DIGIT[text.charCodeAt(k + 3) & 127]!;
    bad |= a | b | c | d | (text.charCodeAt(k) | text.charCodeAt(k + 1) | text.charCodeAt(k + 2) | text.charCodeAt(k + 3)) & ~127;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    out[o++] = v >>> 16;
    out[o++] = (v >>> 8) & 255;
    out[o++] = v & 255;
  }
  if (pad) {
    const a = DIGIT[text.charCodeAt(full) & 127]!;
    const b = DIGIT[text.charCodeAt(full + 1) & 127]!;
    const c = pad === 1 ? DIGIT[text.charCodeAt(full + 2) & 127]! : 0;
    bad |= a | b | c | (text.charCodeAt(full) | text.charCodeAt(full + 1) | text.charCodeAt(full + 2)) & ~127;
    const v = (a << 18) | (b << 12) | (c << 6);
    out[o++] = v >>> 16;
    if (pad === 1) out[o++] = (v >>> 8) & 255;
  }
  return bad < 0 || bad > 63 ? undefined : out;
}
