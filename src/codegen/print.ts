// Printing generated ESTree with astring, piece by piece, and the source map that goes with it.
//
// Source map positions. Every node carries the guest pc it implements as `loc.start.line = pc + 1`
// (estree.ts). The map turns that into:
// - the original source file, line and column of the innermost inlined frame (src/decoder/debug.ts)
//   when the blob has debug line programs and one covers the pc;
// - otherwise the blob itself: source = the blob's name, line = pc + 1 (source-map lines start at 1),
//   column 0.
// One mapping per generated line and origin is enough for a consumer (lookups stay within a line),
// so astring's mapping of every node is thinned to the first node of each line.

import { generate as printJs } from 'astring';
import { SourceMapGenerator } from 'source-map';
import type * as ES from 'estree';
import { hasDebugInfo, readSourceRegions, sourceFrameAt, type SourceFrame, type SourceRegion } from '../decoder/debug.ts';
import { ProgramParseError } from '../decoder/errors.ts';
import type { ModuleImage } from '../machine/state.ts';

/** No indentation (it was a third of the text) and one statement per line. */
const PRINT_OPTIONS = { indent: '', lineEnd: '\n' } as const;

const countLines = (text: string): number => {
  let n = 0;
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) n++;
  return n;
};

const ASCII = new TextDecoder();

/**
 * astring's output stream: the pieces it writes, copied byte by byte into one buffer and read back as
 * a string per printed tree. astring's default appends to a string, a rope of millions of short
 * pieces per program: the garbage collector and flattening the ropes took over half the compile time.
 * Generated code is ASCII (numbers and a fixed vocabulary), checked here; and each tree's text ends with
 * a line end, so pieces join line-aligned (the source map counts lines).
 */
class AsciiOutput {
  private buffer = new Uint8Array(1 << 20);
  private length = 0;

  write(piece: string): void {
    const n = piece.length;
    if (this.length + n > this.buffer.length) this.grow(n);
    const buffer = this.buffer;
    let at = this.length;
    for (let k = 0; k < n; k++) {
      const c = piece.charCodeAt(k);
      if (c > 0x7f) throw new Error(`code generator: non-ASCII character ${c} in generated code`);
      buffer[at++] = c;
    }
    this.length = at;
  }

  private grow(n: number): void {
    const larger = new Uint8Array(Math.max(2 * this.buffer.length, this.length + n));
    larger.set(this.buffer.subarray(0, this.length));
    this.buffer = larger;
  }

  /** The text written since the last call. */
  take(): string {
    const text = ASCII.decode(this.buffer.subarray(0, this.length));
    if (text.length > 0 && text.charCodeAt(text.length - 1) !== 10) throw new Error('code generator: printed text does not end with a line end');
    this.length = 0;
    return text;
  }
}

/** Collects the text of one generated program; every piece ends with a line end. */
export class Printer {
  private readonly parts: string[] = [];
  private readonly output = new AsciiOutput();
  private readonly map: SourceMapSink | undefined;
  /** The line the next piece starts on (1-based), tracked only for the source map. */
  private line = 1;

  constructor(map: SourceMapSink | undefined) {
    this.map = map;
  }

  /** Fixed text of the code generator (never from a blob). */
  text(text: string): void {
    this.parts.push(text);
    if (this.map) this.line += countLines(text);
  }

  /** Prints `node`; `mapped` false leaves its lines out of the source map (no guest code in them). */
  print(node: ES.Program, mapped = true): void {
    // astring's types want a Node stream; it only ever calls `write`.
    const output = this.output as never;
    if (!this.map) {
      printJs(node as ES.Node, { ...PRINT_OPTIONS, output });
      this.parts.push(this.output.take());
      return;
    }
    this.map.lineOffset = this.line - 1;
    printJs(node as ES.Node, mapped ? { ...PRINT_OPTIONS, output, sourceMap: this.map as unknown as SourceMapGenerator } : { ...PRINT_OPTIONS, output });
    const text = this.output.take();
    this.parts.push(text);
    this.line += countLines(text);
  }

  code(): string {
    return this.parts.join('');
  }
}

/** Where a guest pc comes from, as the source map says it. */
interface Origin {
  readonly source: string;
  readonly line: number;
  readonly column: number;
}

/** What astring hands to `addMapping`: its own state as `generated`, the node's `loc.start` as `original`. */
interface AstringMapping {
  readonly original: ES.Position;
  readonly generated: { readonly line: number; readonly column: number };
}

/** Takes astring's mappings, translates guest pcs to origins and keeps one mapping per line and origin. */
export class SourceMapSink {
  /** Read by astring as the mapping's source; unused here (each origin names its own). */
  readonly file: string | undefined;
  /** Lines printed before the piece astring is printing now. */
  lineOffset = 0;
  private readonly generator: SourceMapGenerator;
  private readonly blobName: string;
  private readonly regions: readonly SourceRegion[];
  private readonly frameOrigins = new Map<SourceFrame, Origin>();
  private lastPc = -1;
  private origin: Origin | undefined;
  private lastLine = 0;
  private lastOrigin: Origin | undefined;

  constructor(blobName: string, image: ModuleImage, file: string | undefined) {
    this.blobName = blobName;
    this.file = file;
    this.generator = new SourceMapGenerator({ file, skipValidation: true });
    this.regions = debugRegions(image);
  }

  private originOf(pc: number): Origin {
    const frame = this.regions.length ? sourceFrameAt(this.regions, pc) : undefined;
    if (frame?.path === undefined || frame.line === undefined) return { source: this.blobName, line: pc + 1, column: 0 };
    let origin = this.frameOrigins.get(frame);
    if (!origin) {
      origin = { source: frame.path, line: frame.line, column: frame.column ? frame.column - 1 : 0 };
      this.frameOrigins.set(frame, origin);
    }
    return origin;
  }

  addMapping(mapping: AstringMapping): void {
    const pc = mapping.original.line - 1;
    if (pc !== this.lastPc || this.origin === undefined) {
      this.lastPc = pc;
      this.origin = this.originOf(pc);
    }
    const line = mapping.generated.line + this.lineOffset;
    if (line === this.lastLine && this.origin === this.lastOrigin) return;
    this.lastLine = line;
    this.lastOrigin = this.origin;
    const o = this.origin;
    this.generator.addMapping({ generated: { line, column: mapping.generated.column }, original: { line: o.line, column: o.column }, source: o.source });
  }

  toString(): string {
    return this.generator.toString();
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
