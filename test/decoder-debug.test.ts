import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlob } from '../src/decoder/blob.ts';
import { decodeProgram } from '../src/decoder/code.ts';
import { hasDebugInfo, readSourceRegions, sourceFrameAt } from '../src/decoder/debug.ts';
import { ProgramParseError } from '../src/decoder/errors.ts';
import { describeShared, sharedPath } from './shared.ts';

describeShared('debug line programs', () => {
  const quake = parseBlob(new Uint8Array(readFileSync(sharedPath('blobs/polkavm/quake.polkavm'))));

  it('reads every region of quake.polkavm in pc order, inside the code', () => {
    expect(hasDebugInfo(quake)).toBe(true);
    const regions = readSourceRegions(quake);
    expect(regions.length).toBeGreaterThan(10_000);
    for (let i = 1; i < regions.length; i++) expect(regions[i]!.start).toBeGreaterThanOrEqual(regions[i - 1]!.start);
    for (const r of regions) {
      expect(r.end).toBeGreaterThan(r.start);
      expect(r.end).toBeLessThanOrEqual(quake.code.length);
    }
  });

  it('maps most instruction starts to a source file and line', () => {
    const regions = readSourceRegions(quake);
    const code = decodeProgram(quake);
    let withLine = 0;
    for (let i = 0; i < code.count; i++) {
      const f = sourceFrameAt(regions, code.pc[i]!);
      if (f?.path && f.line) withLine++;
    }
    expect(withLine / code.count).toBeGreaterThan(0.8);
    const first = sourceFrameAt(regions, 0)!;
    expect(first.path).toMatch(/crt1\.c$/);
    expect(first.functionName).toBe('_start_c');
  });

  it('gives nothing for blobs without debug sections', () => {
    const pinky = parseBlob(new Uint8Array(readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm'))));
    expect(hasDebugInfo(pinky)).toBe(false);
    expect(readSourceRegions(pinky)).toEqual([]);
  });

  it('rejects a corrupted line program with an offset inside the section', () => {
    const bytes = quake.bytes.slice();
    const at = quake.debugLinePrograms.byteOffset - quake.bytes.byteOffset;
    bytes[at] = 7; // unsupported version
    const corrupted = parseBlob(bytes);
    expect(() => readSourceRegions(corrupted)).toThrow(ProgramParseError);
    try {
      readSourceRegions(corrupted);
    } catch (e) {
      expect((e as ProgramParseError).offset).toBe(at);
      expect((e as ProgramParseError).message).toBe(
        `failed to parse program blob: the debug line programs section has an unsupported version 7 at offset 0x${at.toString(16)}`,
      );
    }
  });
});
