// Source maps of generated code: with debug line programs (quake.polkavm) a generated position inside
// the code of a pc maps to the file and line `sourceFrameAt` gives for it (innermost frame); without
// them, to the blob at line pc + 1. The code of instruction i is found through its block-entry exit,
// `x = <exitCode(blockEntry, i)>;`, a number only that instruction's code holds.
import { readFileSync } from 'node:fs';
import { posix } from 'node:path';
import fc from 'fast-check';
import { SourceMapConsumer, SourceMapGenerator } from 'source-map';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { compileToJs } from '../src/codegen/index.ts';
import { SourceMapSink } from '../src/codegen/print.ts';
import { Exit, exitCode } from '../src/codegen/program.ts';
import { readSourceRegions, sourceFrameAt } from '../src/decoder/debug.ts';
import type { ModuleImage } from '../src/machine/state.ts';
import { Module } from '../src/runtime/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

/** Line (1-based) of the block-entry exit of every block start, by instruction index. */
function blockEntryLines(code: string, image: ModuleImage): Map<number, number> {
  const lineOf = new Map<string, number>();
  let line = 1;
  for (const text of code.split('\n')) {
    if (text.startsWith('x = ')) lineOf.set(text, line);
    line++;
  }
  const lines = new Map<number, number>();
  for (let i = 0; i < image.code.count; i++) {
    if (!image.code.blockStart[i]) continue;
    const found = lineOf.get(`x = ${exitCode(Exit.blockEntry, i)};`);
    if (found !== undefined) lines.set(i, found);
  }
  return lines;
}

describe('source maps', () => {
  it('without debug info: the blob, line = pc + 1', async () => {
    const source = `pub @main:\n  a1 = 0\n@loop:\n  i32 a1 = a1 + a0\n  i32 a0 = a0 - 1\n  jump @loop if a0 != 0\n  ret\n`;
    const image = Module.fromBytes(assemble(source, { isa: 'latest32' }), { backend: 'interpreter', gasMetering: 'sync' }).image;
    const { code, map } = compileToJs(image, { sourceMap: true, sourceName: 'loop.polkavm', mapFile: 'loop.js' });
    const lines = blockEntryLines(code, image);
    expect(lines.size).toBe(image.code.blockCount);
    expect(JSON.parse(map!).file).toBe('loop.js');
    await SourceMapConsumer.with(map!, null, (consumer) => {
      for (const [i, line] of lines)
        expect(consumer.originalPositionFor({ line, column: 0 })).toMatchObject({ source: 'loop.polkavm', line: image.code.pc[i]! + 1, column: 0 });
    });
  });

  it.runIf(HAVE_SHARED)('quake.polkavm: the original file and line of the innermost frame', async () => {
    const module = Module.fromBytes(readFileSync(sharedPath('blobs', 'polkavm', 'quake.polkavm')), { backend: 'interpreter', gasMetering: 'sync' });
    const image = module.image;
    const regions = readSourceRegions(module.blob);
    expect(regions.length).toBeGreaterThan(0);
    const { code, map } = compileToJs(image, { sourceMap: true, sourceName: 'quake.polkavm' });
    const lines = blockEntryLines(code, image);
    // Every 50th block start whose pc has a frame with a file and a line.
    const sample = [...lines].filter(([i]) => {
      const frame = sourceFrameAt(regions, image.code.pc[i]!);
      return frame?.path !== undefined && frame.line !== undefined;
    });
    expect(sample.length).toBeGreaterThan(1000);
    const checked = sample.filter((_, k) => k % 50 === 0);
    const sources = new Set<string>();
    await SourceMapConsumer.with(map!, null, (consumer) => {
      for (const [i, line] of checked) {
        const frame = sourceFrameAt(regions, image.code.pc[i]!)!;
        const original = consumer.originalPositionFor({ line, column: 0 });
        // The consumer normalises source paths (`a/./b` reads back as `a/b`).
        expect(original, `pc ${image.code.pc[i]}`).toMatchObject({ source: posix.normalize(frame.path!), line: frame.line, column: frame.column ? frame.column - 1 : 0 });
        sources.add(original.source!);
      }
    });
    // Quake is many files, not one.
    expect(sources.size).toBeGreaterThan(5);
  });

  // The sink writes the mappings itself; `source-map`'s generator, fed every line start it is given
  // (the generator drops a segment equal to the one before on its line), is the reference, byte for
  // byte: same segments, same deltas, same `sources` order. Lines ascend and skip, several line
  // starts share a line, pcs repeat, and a piece's line offset moves, as the printer drives it.
  const sameAsGenerator = (image: ModuleImage, name: string, regions: ReturnType<typeof readSourceRegions>) => {
    const pcs = Array.from(image.code.pc.subarray(0, image.code.count));
    // Mostly the next few instructions (neighbours share files and lines, not always columns), now
    // and then anywhere; a line start now and then begins a new piece.
    const event = fc.record({ skip: fc.nat(2), step: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.nat(pcs.length - 1) }), piece: fc.boolean() });
    fc.assert(
      fc.property(fc.nat(pcs.length - 1), fc.array(event, { maxLength: 1000 }), fc.constantFrom(undefined, 'out.js'), (start, events, file) => {
        const sink = new SourceMapSink(name, image, file);
        const reference = new SourceMapGenerator({ file, skipValidation: true });
        let line = 1;
        let at = start;
        for (const { skip, step, piece } of events) {
          at = (at + step) % pcs.length;
          const pc = pcs[at]!;
          if (piece) sink.lineOffset = line - 1;
          line += skip;
          sink.add(line - sink.lineOffset, pc);
          const frame = sourceFrameAt(regions, pc);
          const original =
            frame?.path !== undefined && frame.line !== undefined
              ? { source: frame.path, line: frame.line, column: frame.column ? frame.column - 1 : 0 }
              : { source: name, line: pc + 1, column: 0 };
          reference.addMapping({ generated: { line, column: 0 }, original: { line: original.line, column: original.column }, source: original.source });
        }
        expect(sink.toString()).toBe(reference.toString());
      }),
      { numRuns: 40 },
    );
  };

  it('writes what source-map\'s SourceMapGenerator writes (no debug info)', () => {
    const source = `pub @main:\n  a1 = 0\n@loop:\n  i32 a1 = a1 + a0\n  i32 a0 = a0 - 1\n  jump @loop if a0 != 0\n  ret\n`;
    const image = Module.fromBytes(assemble(source, { isa: 'latest32' }), { backend: 'interpreter', gasMetering: 'sync' }).image;
    sameAsGenerator(image, 'loop.polkavm', []);
  });

  it.runIf(HAVE_SHARED)('writes what source-map\'s SourceMapGenerator writes (quake.polkavm: original files)', () => {
    const module = Module.fromBytes(readFileSync(sharedPath('blobs', 'polkavm', 'quake.polkavm')), { backend: 'interpreter', gasMetering: 'sync' });
    sameAsGenerator(module.image, 'quake.polkavm', readSourceRegions(module.blob));
  });
});
