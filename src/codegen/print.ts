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

/**
 * astring appends piece by piece to one string: a rope of thousands of short strings per tree. Kept
 * until the end, the ropes of a whole program survive into the old generation and the garbage
 * collector took half the compile time; reading a character flattens a rope on the spot, so its
 * pieces die young. The check is real: pieces are joined line-aligned (the map counts lines).
 */
function flat(text: string): string {
  if (text.length > 0 && text.charCodeAt(text.length - 1) !== 10) throw new Error('code generator: printed text does not end with a line end');
  return text;
}

/** Collects the text of one generated program; every piece ends with a line end. */
export class Printer {
  private readonly parts: string[] = [];
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

  print(node: ES.Program): void {
    if (!this.map) {
      this.parts.push(flat(printJs(node as ES.Node, PRINT_OPTIONS)));
      return;
    }
    this.map.lineOffset = this.line - 1;
    const text = flat(printJs(node as ES.Node, { ...PRINT_OPTIONS, sourceMap: this.map as unknown as SourceMapGenerator }));
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
