// One malformed input per ProgramParseError kind, with the exact message and byte offset.
import { describe, expect, it } from 'vitest';
import { parseBlob, parseJamProgram, parseJamService } from '../src/decoder/blob.ts';
import { decodeProgram } from '../src/decoder/code.ts';
import { ProgramParseError, type ProgramParseErrorKind } from '../src/decoder/errors.ts';
import { Isa } from '../src/decoder/isa.ts';

// A `.polkavm` container: magic, version, u64 length, sections (id, varint length < 128, payload), end marker.
// The header is 13 bytes, so the first section id is at 13, its length at 14 and its payload at 15.
function blob(sections: readonly (readonly [number, readonly number[]])[], options: { version?: number; end?: boolean } = {}): Uint8Array {
  const body: number[] = [];
  for (const [id, payload] of sections) body.push(id, payload.length, ...payload);
  if (options.end !== false) body.push(0);
  const length = 13 + body.length;
  return Uint8Array.from([0x50, 0x56, 0x4d, 0x00, options.version ?? 1, length & 0xff, length >>> 8, 0, 0, 0, 0, 0, 0, ...body]);
}

/** Code section payload: no jump table, one `trap`. */
const CODE = [0x00, 0x00, 0x01, 0x00, 0x01] as const;

interface Case {
  kind: ProgramParseErrorKind;
  name: string;
  parse: () => unknown;
  detail: string;
  offset: number;
}

const cases: Case[] = [
  { kind: 'bad-magic', name: 'wrong third byte', parse: () => parseBlob(Uint8Array.from([0x50, 0x56, 0x58, 0, 1])), detail: "blob doesn't start with the expected magic bytes (PVM\\0)", offset: 2 },
  { kind: 'bad-magic', name: 'empty input', parse: () => parseBlob(new Uint8Array(0)), detail: "blob doesn't start with the expected magic bytes (PVM\\0)", offset: 0 },
  { kind: 'unsupported-version', name: 'version 4', parse: () => parseBlob(blob([[6, CODE]], { version: 4 })), detail: 'unsupported version: 4', offset: 4 },
  {
    kind: 'length-mismatch',
    name: 'a trailing byte not covered by the length',
    parse: () => Uint8Array.from([...blob([[6, CODE]]), 0]),
    detail: "blob size (22) doesn't match the blob length metadata (21)",
    offset: 5,
  },
  {
    kind: 'unexpected-end',
    name: 'no end marker',
    parse: () => parseBlob(blob([[6, CODE]], { end: false })),
    detail: 'unexpected end of input while reading a section id: expected at least 1 bytes, found 0',
    offset: 20,
  },
  {
    kind: 'unexpected-end',
    name: 'section longer than the input',
    parse: () => {
      const b = blob([[6, CODE]]);
      b[14] = 9;
      return parseBlob(b);
    },
    detail: 'unexpected end of input while reading the code section: expected at least 9 bytes, found 6',
    offset: 15,
  },
  {
    kind: 'bad-varint',
    name: 'section length 0xF8',
    parse: () => parseBlob(Uint8Array.from([0x50, 0x56, 0x4d, 0, 1, 19, 0, 0, 0, 0, 0, 0, 0, 6, 0xf8, 0, 0, 0, 0])),
    detail: 'failed to parse a varint',
    offset: 14,
  },
  { kind: 'unexpected-section', name: 'section 7', parse: () => parseBlob(blob([[6, CODE], [7, []]])), detail: 'found unexpected section 0x7', offset: 20 },
  {
    kind: 'unexpected-section',
    name: 'sections out of order',
    parse: () => parseBlob(blob([[6, CODE], [1, [0, 0, 0]]])),
    detail: 'found unexpected section 0x1',
    offset: 20,
  },
  {
    kind: 'bad-section',
    name: 'memory config with a spare byte',
    parse: () => parseBlob(blob([[1, [0, 0, 0, 0]], [6, CODE]])),
    detail: 'the memory config section contains more data than expected',
    offset: 18,
  },
  {
    kind: 'bad-section',
    name: 'JAM service with trailing bytes',
    parse: () => parseJamService(Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, ...[5, 0, 0, 0], ...CODE, 0xaa]), Isa.JamV1),
    detail: '1 trailing bytes after the code blob',
    offset: 21,
  },
  {
    kind: 'too-many-imports',
    name: '1025 imports',
    parse: () => parseBlob(blob([[4, [0x84, 0x01]], [6, CODE]])),
    detail: 'too many imports (1025, the limit is 1024)',
    offset: 15,
  },
  {
    kind: 'bad-import',
    name: 'symbol offset past the symbols',
    parse: () => parseBlob(blob([[4, [1, 5, 0, 0, 0]], [6, CODE]])),
    detail: 'import #0 has an invalid symbol range 5..0',
    offset: 16,
  },
  {
    kind: 'bad-export',
    name: 'export name past the section',
    parse: () => parseBlob(blob([[5, [1, 0, 10, 0x61]], [6, CODE]])),
    detail: 'the name of export #0 (10 bytes) runs past the end of the exports section',
    offset: 17,
  },
  { kind: 'no-code', name: 'no code section', parse: () => parseBlob(blob([[1, [0, 0, 0]]])), detail: 'no code found', offset: 18 },
  { kind: 'no-code', name: 'empty code section', parse: () => parseBlob(blob([[6, []]])), detail: 'no code found', offset: 15 },
  {
    kind: 'code-too-long',
    name: 'code length 32 MiB + 1',
    parse: () => parseBlob(blob([[6, [0, 0, 0xe2, 0x01, 0x00, 0x00]]])),
    detail: 'the code section is too long',
    offset: 17,
  },
  {
    kind: 'jump-table-too-long',
    name: '16 Mi + 1 entries',
    parse: () => parseBlob(blob([[6, [0xe1, 0x01, 0x00, 0x00, 0, 1, 0, 1]]])),
    detail: 'the jump table section is too long',
    offset: 15,
  },
  {
    kind: 'bad-jump-table-entry-size',
    name: 'entry size 5',
    parse: () => parseBlob(blob([[6, [1, 5, 1, 0, 0, 0, 0, 0, 0, 1]]])),
    detail: 'invalid jump table entry size 5',
    offset: 16,
  },
  {
    kind: 'bad-bitmask',
    name: 'bitmask one byte too long',
    parse: () => parseBlob(blob([[6, [...CODE, 0]]])),
    detail: "the bitmask length (2) doesn't match the code length (expects 1)",
    offset: 19,
  },
  {
    kind: 'bad-bitmask',
    name: 'non-zero padding bits',
    parse: () => parseBlob(blob([[6, [0, 0, 1, 0, 0x03]]])),
    detail: 'the bitmask is padded with non-zero bits',
    offset: 19,
  },
  {
    kind: 'data-too-long',
    name: 'ro data payload beyond its declared size',
    parse: () => parseBlob(blob([[1, [1, 0, 0]], [2, [1, 2]], [6, CODE]])),
    detail: 'size of the read-only data payload exceeds the declared size of the section',
    offset: 18,
  },
  {
    kind: 'data-too-long',
    name: 'rw data payload beyond its declared size',
    parse: () => parseBlob(blob([[3, [1]], [6, CODE]])),
    detail: 'size of the read-write data payload exceeds the declared size of the section',
    offset: 13,
  },
  {
    kind: 'invalid-instruction',
    name: 'unknown opcode in a JamV1 blob',
    parse: () => decodeProgram(parseBlob(blob([[6, [0, 0, 2, 0, 0xff, 0b11]]], { version: 3 }))),
    detail: 'invalid instruction (opcode 255) at code offset 1',
    offset: 19,
  },
  {
    kind: 'bad-metadata',
    name: 'JAM natural beyond 2^53',
    parse: () => parseJamService(Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), Isa.JamV1),
    detail: 'the metadata length is too large',
    offset: 0,
  },
];

describe('ProgramParseError kinds', () => {
  for (const c of cases) {
    it(`${c.kind}: ${c.name}`, () => {
      let error: unknown;
      try {
        const result = c.parse();
        // A few cases build the bytes and leave the parse to here.
        if (result instanceof Uint8Array) parseBlob(result);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ProgramParseError);
      const e = error as ProgramParseError;
      expect({ kind: e.kind, offset: e.offset, detail: e.detail }).toEqual({ kind: c.kind, offset: c.offset, detail: c.detail });
      expect(e.message).toBe(`failed to parse program blob: ${c.detail} at offset 0x${c.offset.toString(16)}`);
    });
  }

  it('covers every kind', () => {
    const all: Record<ProgramParseErrorKind, true> = {
      'bad-magic': true,
      'unsupported-version': true,
      'length-mismatch': true,
      'unexpected-end': true,
      'bad-varint': true,
      'unexpected-section': true,
      'bad-section': true,
      'too-many-imports': true,
      'bad-import': true,
      'bad-export': true,
      'no-code': true,
      'code-too-long': true,
      'jump-table-too-long': true,
      'bad-jump-table-entry-size': true,
      'bad-bitmask': true,
      'data-too-long': true,
      'invalid-instruction': true,
      'bad-metadata': true,
    };
    expect(new Set(cases.map((c) => c.kind))).toEqual(new Set(Object.keys(all)));
  });

  it('a bare JAM program with a 0-byte entry size has no jump table, whatever the count', () => {
    const p = parseJamProgram(Uint8Array.from([0xe0, 0xff, 0xff, 0xff, 0, 1, 0, 1]), Isa.JamV1);
    expect(p.jumpTable.length).toBe(0);
  });
});
