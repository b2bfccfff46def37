// Printing generated ESTree piece by piece (emit-text.ts writes the text), and the source map that goes with it.
//
// Source map positions. Every node carries the guest pc it implements as `loc.start.line = pc + 1`
// (estree.ts). The map turns that into:
// - the original source file, line and column of the innermost inlined frame (src/decoder/debug.ts)
//   when the blob has debug line programs and one covers the pc;
// - otherwise the blob itself: source = the blob's name, line = pc + 1 (source-map lines start at 1),
//   column 0.
// One mapping per generated line and origin is enough for a consumer (lookups stay within a line):
// the printer reports the node that starts each line.

import { TextWriter, type LineHook } from './emit-text.ts';
import type * as ES from 'estree';
import { hasDebugInfo, readSourceRegions, sourceFrameAt, type SourceFrame, type SourceRegion } from '../decoder/debug.ts';
import { ProgramParseError } from '../decoder/errors.ts';
import type { ModuleImage } from '../machine/state.ts';

const ASCII = new TextDecoder();

/** Collects the text of one generated program in one writer: fixed text and printed pieces go into
 * the same buffer and come out as one string at the end (a string per region, joined, was ~10% of
 * doom's compile time and 13 MB that the garbage collector copied while the program was printed). */
export class Printer {
  private readonly output: TextWriter;
  private readonly onLine: LineHook | undefined;

  /** `output`: the writer to print with (cleared first), or the bytes a new one starts with. */
  constructor(map: SourceMapSink | undefined, output?: TextWriter | number) {
    if (output instanceof TextWriter) output.clear();
    this.output = output instanceof TextWriter ? output : new TextWriter(output);
    // The writer counts lines from the start of the program: the sink needs no offset.
    if (map) this.onLine = (line, loc) => map.add(line, loc.start.line - 1);
  }

  /** Fixed text of the code generator (never from a blob). */
  text(text: string): void {
    this.output.text(text);
  }

  /** Prints `node`; `mapped` false leaves its lines out of the source map (no guest code in them). */
  print(node: ES.Program, mapped = true): void {
    this.output.program(node, mapped ? this.onLine : undefined);
    if (!this.output.endsLine()) throw new Error('code generator: printed text does not end with a line end');
  }

  private taken: string | undefined;

  /** The whole text (taken from the writer once: nothing is printed after it). */
  code(): string {
    return (this.taken ??= this.output.take());
  }
}

/** Where a guest pc comes from, as the source map says it. */
interface Origin {
  readonly source: string;
  /** The index of `source` in the map's `sources`, -1 until a mapping first uses it. */
  sourceIndex: number;
  /** 0-based, as the map encodes lines. */
  readonly line: number;
  readonly column: number;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_CODES = Uint8Array.from(BASE64, (c) => c.charCodeAt(0));
const SEMICOLON = 59;
const COMMA = 44;

/**
 * Takes the printer's line starts, translates guest pcs to origins and writes the map's `mappings`
 * as it goes: base64 VLQ into one byte buffer, one segment per line and origin, generated column
 * always 0. `source-map`'s SourceMapGenerator made the same text (test/codegen-sourcemap.test.ts
 * compares them) but kept an object per mapping with validation, sorting and string keys: it more
 * than doubled doom's compile time.
 */
export class SourceMapSink {
  /** The generated file's name (the map's `file`). */
  readonly file: string | undefined;
  /** Lines printed before the piece being printed now. */
  lineOffset = 0;
  private readonly blobName: string;
  private readonly regions: readonly SourceRegion[];
  private readonly frameOrigins = new Map<SourceFrame, Origin>();
  private readonly sources: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private lastPc = -1;
  private origin: Origin | undefined;
  private buffer = new Uint8Array(1 << 16);
  private length = 0;
  /** The generated line (1-based) of the last segment written, and what it encoded: the fields are
   * deltas from the segment before. */
  private line = 1;
  private segments = 0;
  private previousSource = 0;
  private previousLine = 0;
  private previousColumn = 0;

  constructor(blobName: string, image: ModuleImage, file: string | undefined) {
    this.blobName = blobName;
    this.file = file;
    this.regions = debugRegions(image);
  }

  private originOf(pc: number): Origin {
    const frame = this.regions.length ? sourceFrameAt(this.regions, pc) : undefined;
    if (frame?.path === undefined || frame.line === undefined) return { source: this.blobName, sourceIndex: -1, line: pc, column: 0 };
    let origin = this.frameOrigins.get(frame);
    if (!origin) {
      origin = { source: frame.path, sourceIndex: -1, line: frame.line - 1, column: frame.column ? frame.column - 1 : 0 };
      this.frameOrigins.set(frame, origin);
    }
    return origin;
  }

  /** Generated line `line` of the piece being printed (1-based) starts with the code of guest `pc`. */
  add(line: number, pc: number): void {
    if (pc !== this.lastPc || this.origin === undefined) {
      this.lastPc = pc;
      this.origin = this.originOf(pc);
    }
    const o = this.origin;
    line += this.lineOffset;
    let source = o.sourceIndex;
    if (source < 0) {
      // Shared by every origin of the same file: `sources` lists each once, in order of first use.
      source = this.sourceIndex.get(o.source) ?? -1;
      if (source < 0) {
        source = this.sources.length;
        this.sources.push(o.source);
        this.sourceIndex.set(o.source, source);
      }
      o.sourceIndex = source;
    }
    if (this.segments > 0 && line === this.line) {
      // A second segment at column 0 of the same line is only worth writing for another origin.
      if (source === this.previousSource && o.line === this.previousLine && o.column === this.previousColumn) return;
      this.reserve(1);
      this.buffer[this.length++] = COMMA;
    } else if (line > this.line) {
      this.reserve(line - this.line);
      this.buffer.fill(SEMICOLON, this.length, this.length + line - this.line);
      this.length += line - this.line;
      this.line = line;
    }
    this.segments++;
    // Generated column 0, always: the first field is 0 after every line start and every comma.
    this.reserve(4 * 7);
    this.buffer[this.length++] = BASE64_CODES[0]!;
    this.vlq(source - this.previousSource);
    this.vlq(o.line - this.previousLine);
    this.vlq(o.column - this.previousColumn);
    this.previousSource = source;
    this.previousLine = o.line;
    this.previousColumn = o.column;
  }

  /** One signed value as base64 VLQ: the sign in the lowest bit, five bits per digit, low digits first. */
  private vlq(value: number): void {
    let rest = value < 0 ? (-value << 1) | 1 : value << 1;
    const buffer = this.buffer;
    let at = this.length;
    do {
      let digit = rest & 31;
      rest >>>= 5;
      if (rest > 0) digit |= 32;
      buffer[at++] = BASE64_CODES[digit]!;
    } while (rest > 0);
    this.length = at;
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    const larger = new Uint8Array(Math.max(2 * this.buffer.length, this.length + n));
    larger.set(this.buffer.subarray(0, this.length));
    this.buffer = larger;
  }

  /** The map as source map v3 JSON, with the keys in the order SourceMapGenerator wrote them. */
  toString(): string {
    const mappings = ASCII.decode(this.buffer.subarray(0, this.length));
    const file = this.file === undefined ? '' : `,"file":${JSON.stringify(this.file)}`;
    return `{"version":3,"sources":${JSON.stringify(this.sources)},"names":[],"mappings":"${mappings}"${file}}`;
  }
}

/** The blob's line programs; a malformed debug section only costs the map its original files. */
function debugRegions(image: ModuleImage): readonly SourceRegion[] {
  if (!hasDebugInfo(image.blob)) return [];
  try {
    return readSourceRegions(image.blob);
  } catch (error) {
    if (error instanceof ProgramParseError) return [];
    throw error;
  }
}
