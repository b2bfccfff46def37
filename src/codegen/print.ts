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

import { SourceMapGenerator } from 'source-map';
import { TextWriter, type LineHook } from './emit-text.ts';
import type * as ES from 'estree';
import { hasDebugInfo, readSourceRegions, sourceFrameAt, type SourceFrame, type SourceRegion } from '../decoder/debug.ts';
import { ProgramParseError } from '../decoder/errors.ts';
import type { ModuleImage } from '../machine/state.ts';

const countLines = (text: string): number => {
  let n = 0;
  for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) n++;
  return n;
};

/** Collects the text of one generated program; every piece ends with a line end. */
export class Printer {
  private readonly parts: string[] = [];
  private readonly output: TextWriter;
  private readonly map: SourceMapSink | undefined;
  /** The line the next piece starts on (1-based), tracked only for the source map. */
  private line = 1;
  private readonly onLine: LineHook | undefined;

  /** `output`: the writer to print with (its text is taken after each `print`), or the bytes a new one starts with. */
  constructor(map: SourceMapSink | undefined, output?: TextWriter | number) {
    if (output instanceof TextWriter) output.clear();
    this.output = output instanceof TextWriter ? output : new TextWriter(output);
    this.map = map;
    if (map) this.onLine = (line, loc) => map.addMapping({ original: loc.start, generated: { line, column: 0 } });
  }

  /** Fixed text of the code generator (never from a blob). */
  text(text: string): void {
    this.parts.push(text);
    if (this.map) this.line += countLines(text);
  }

  /** Prints `node`; `mapped` false leaves its lines out of the source map (no guest code in them). */
  print(node: ES.Program, mapped = true): void {
    if (this.map) this.map.lineOffset = this.line - 1;
    this.output.program(node, mapped ? this.onLine : undefined);
    const text = this.output.take();
    if (text.length > 0 && text.charCodeAt(text.length - 1) !== 10) throw new Error('code generator: printed text does not end with a line end');
    this.parts.push(text);
    if (this.map) this.line += countLines(text);
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

/** A mapping as the printer reports it: the generated line start, the node's `loc.start` as `original`. */
interface PrintedMapping {
  readonly original: ES.Position;
  readonly generated: { readonly line: number; readonly column: number };
}

/** Takes the printer's mappings, translates guest pcs to origins and keeps one mapping per line and origin. */
export class SourceMapSink {
  /** The generated file's name (the map's `file`). */
  readonly file: string | undefined;
  /** Lines printed before the piece being printed now. */
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

  addMapping(mapping: PrintedMapping): void {
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
