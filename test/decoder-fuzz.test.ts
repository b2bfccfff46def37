// Seeded mutation fuzzing of the parsers and the decoder on real blobs: whatever the bytes, the only thing
// that may escape is a ProgramParseError, and the decoder's work stays linear in the input size.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlob, parseJamProgram, parseJamService, type ProgramBlob } from '../src/decoder/blob.ts';
import { decodeProgram, type DecodeStats } from '../src/decoder/code.ts';
import { formatInstruction } from '../src/decoder/disasm.ts';
import { ProgramParseError } from '../src/decoder/errors.ts';
import { Isa } from '../src/decoder/isa.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

const MUTATIONS = 100_000;
const MAX_SEED_SIZE = 8 * 1024;
// Steps per input byte the decoder may take: each byte is at most one instruction plus one implicit trap,
// and the bitmask and pc tables are walked a constant number of times.
const STEPS_PER_BYTE = 6;
const STEPS_CONSTANT = 256;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Seed {
  name: string;
  format: 'polkavm' | 'jam-program' | 'jam-service';
  bytes: Uint8Array;
  /** Where each section (id byte) starts, for reordering; polkavm only. */
  sections: { offset: number; end: number }[];
}

function loadSeeds(): Seed[] {
  const seeds: Seed[] = [];
  for (const dir of readdirSync(sharedPath('blobs'), { withFileTypes: true })) {
    if (!dir.isDirectory()) continue;
    for (const f of readdirSync(sharedPath('blobs', dir.name))) {
      if (!f.endsWith('.polkavm')) continue;
      const bytes = new Uint8Array(readFileSync(sharedPath('blobs', dir.name, f)));
      if (bytes.length >= MAX_SEED_SIZE) continue;
      const blob = parseBlob(bytes);
      const sections = blob.sections.map((s, i) => ({ offset: s.offset, end: blob.sections[i + 1]?.offset ?? bytes.length - 1 }));
      seeds.push({ name: `${dir.name}/${f}`, format: 'polkavm', bytes, sections });
      const code = blob.sections.find((s) => s.id === 6)!;
      const start = code.offset + 1 + (code.length < 0x80 ? 1 : code.length < 0x4000 ? 2 : 3);
      const payload = bytes.subarray(start, start + code.length);
      if (seeds.length % 4 === 0) seeds.push({ name: `${dir.name}/${f} (jam-program)`, format: 'jam-program', bytes: payload.slice(), sections: [] });
      if (seeds.length % 7 === 0) seeds.push({ name: `${dir.name}/${f} (jam-service)`, format: 'jam-service', bytes: jamService(blob, payload), sections: [] });
    }
  }
  return seeds;
}

function le(value: number, width: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < width; i++) out.push(Math.floor(value / 2 ** (8 * i)) & 0xff);
  return out;
}

/** Wraps a code payload as a JAM service blob (metadata, standard program header, ro, rw, code). */
function jamService(blob: ProgramBlob, payload: Uint8Array): Uint8Array {
  return Uint8Array.from([
    3,
    1,
    2,
    3,
    ...le(blob.roData.length, 3),
    ...le(blob.rwData.length, 3),
    ...le(0, 2),
    ...le(blob.stackSize & 0xffffff, 3),
    ...blob.roData,
    ...blob.rwData,
    ...le(payload.length, 4),
    ...payload,
  ]);
}

const BAD_VARINTS = [[0xf8, 0, 0, 0, 0, 0], [0xff], [0xf0, 0xff, 0xff, 0xff, 0xff], [0xef, 0xff, 0xff, 0xff], [0xc0], [0xf7, 0xff, 0xff, 0xff, 0xff]];

function cat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function mutate(seed: Seed, rnd: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(rnd() * n);
  let b: Uint8Array = seed.bytes.slice();
  let moved = false;
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds; r++) {
    switch (pick(8)) {
      case 0: // bit flips
      case 1: {
        const flips = 1 + pick(8);
        for (let i = 0; i < flips && b.length > 0; i++) b[pick(b.length)]! ^= 1 << pick(8);
        break;
      }
      case 2: // truncation
        b = b.subarray(0, pick(b.length + 1));
        moved = true;
        break;
      case 3: {
        // a bad or huge varint over (or in front of) whatever was there
        const at = pick(b.length + 1);
        const v = Uint8Array.from(BAD_VARINTS[pick(BAD_VARINTS.length)]!);
        b = cat(b.subarray(0, at), v, b.subarray(rnd() < 0.5 ? at + v.length : at));
        moved = true;
        break;
      }
      case 4: {
        // random bytes inserted or removed
        const at = pick(b.length + 1);
        if (rnd() < 0.5) b = cat(b.subarray(0, at), b.subarray(at + 1 + pick(4)));
        else b = cat(b.subarray(0, at), Uint8Array.from({ length: 1 + pick(4) }, () => pick(256)), b.subarray(at));
        moved = true;
        break;
      }
      case 5: {
        // reorder two sections (or duplicate one)
        if (seed.sections.length < 2 || moved) break;
        const si = seed.sections[pick(seed.sections.length)]!;
        const sj = seed.sections[pick(seed.sections.length)]!;
        const [first, second] = si.offset <= sj.offset ? [si, sj] : [sj, si];
        if (first === second) b = cat(b.subarray(0, first.end), b.subarray(first.offset, first.end), b.subarray(first.end));
        else
          b = cat(
            b.subarray(0, first.offset),
            b.subarray(second.offset, second.end),
            b.subarray(first.end, second.offset),
            b.subarray(first.offset, first.end),
            b.subarray(second.end),
          );
        moved = true;
        break;
      }
      case 6: // a byte set to an extreme
        if (b.length > 0) b[pick(b.length)] = [0x00, 0x7f, 0x80, 0xff][pick(4)]!;
        break;
      case 7: // code/bitmask tail damage: the last bytes are the bitmask in every format
        for (let i = 0; i < 1 + pick(3) && b.length > 0; i++) b[b.length - 1 - pick(Math.min(16, b.length))] = pick(256);
        break;
    }
  }
  // Keep the container's length field right most of the time, so mutations reach past the header check.
  if (seed.format === 'polkavm' && b.length >= 13 && rnd() < 0.9) b.set(le(b.length, 8), 5);
  return b;
}

function parse(format: Seed['format'], bytes: Uint8Array): ProgramBlob {
  if (format === 'polkavm') return parseBlob(bytes);
  return format === 'jam-service' ? parseJamService(bytes, Isa.JamV1) : parseJamProgram(bytes, Isa.Latest64);
}

describe.skipIf(!HAVE_SHARED)('decoder mutation fuzzing', () => {
  it(`${MUTATIONS} seeded mutations: only ProgramParseError escapes, work is linear in the input`, () => {
    const seeds = loadSeeds();
    expect(seeds.length).toBeGreaterThan(200);
    const rnd = mulberry32(0x5eed_2025);
    const outcomes = { ok: 0, parseError: 0, decodeError: 0 };
    let maxStepsPerByte = 0;
    for (let n = 0; n < MUTATIONS; n++) {
      const seed = seeds[Math.floor(rnd() * seeds.length)]!;
      const bytes = mutate(seed, rnd);
      let blob: ProgramBlob;
      try {
        blob = parse(seed.format, bytes);
      } catch (e) {
        if (!(e instanceof ProgramParseError)) throw new Error(`mutation #${n} of ${seed.name}: parse threw ${String(e)}`, { cause: e });
        if (!(e.offset >= 0 && e.offset <= bytes.length)) throw new Error(`mutation #${n} of ${seed.name}: error offset ${e.offset} outside the input`);
        outcomes.parseError++;
        continue;
      }
      const stats: DecodeStats = { steps: 0 };
      try {
        const code = decodeProgram(blob, { stats });
        // Formatting must cope with whatever decoded; checking a sample keeps the run short.
        if (n % 16 === 0) for (let i = 0; i < code.count; i++) formatInstruction(code, i);
        outcomes.ok++;
      } catch (e) {
        if (!(e instanceof ProgramParseError)) throw new Error(`mutation #${n} of ${seed.name}: decode threw ${String(e)}`, { cause: e });
        outcomes.decodeError++;
      }
      if (stats.steps > STEPS_PER_BYTE * bytes.length + STEPS_CONSTANT)
        throw new Error(`mutation #${n} of ${seed.name}: ${stats.steps} decode steps for ${bytes.length} bytes`);
      maxStepsPerByte = Math.max(maxStepsPerByte, (stats.steps - STEPS_CONSTANT) / bytes.length);
    }
    // The mutations must reach every stage, or the test proves little.
    expect(outcomes.ok).toBeGreaterThan(MUTATIONS / 10);
    expect(outcomes.parseError).toBeGreaterThan(MUTATIONS / 10);
    expect(outcomes.decodeError).toBeGreaterThan(0);
    expect(maxStepsPerByte).toBeLessThanOrEqual(STEPS_PER_BYTE);
  });
});
