// asm → bytes → disasm (src/decoder/disasm.ts, polkavm's text) → asm must give the same code, bitmask
// and jump table: for every spec case, and for real programs from polkavm's linker.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { decodeProgram, isaFlagName, parseBlob, type ProgramBlob } from '../src/decoder/index.ts';
import { formatInstruction } from '../src/decoder/disasm.ts';
import { specCases } from './assembler-helpers.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

/** The blob as text: an %isa line, the jump table (which disassembly lines cannot show), then every instruction. */
function asText(blob: ProgramBlob): string {
  const code = decodeProgram(blob);
  const lines = [`%isa = ${isaFlagName(blob.isa)}`];
  if (blob.jumpTable.length > 0) lines.push(`%jump_table = ${[...blob.jumpTable].join(', ')}`);
  for (let i = 0; i < code.count; i++) if (!code.implicit[i]) lines.push(formatInstruction(code, i));
  return lines.join('\n');
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function expectSameCode(again: ProgramBlob, blob: ProgramBlob): void {
  expect(hex(again.code)).toBe(hex(blob.code));
  expect(hex(again.bitmask)).toBe(hex(blob.bitmask));
  expect(again.jumpTableEntrySize).toBe(blob.jumpTableEntrySize);
  expect([...again.jumpTable]).toEqual([...blob.jumpTable]);
}

describe.skipIf(!HAVE_SHARED)('round trip through disassembly: spec cases', () => {
  it.each(specCases())('$name', ({ text }) => {
    const blob = parseBlob(assemble(text, { isa: 'jam_v1' }));
    expectSameCode(parseBlob(assemble(asText(blob))), blob);
  });
});

// Small real programs (the big ones take seconds each; they pass too, except quake.polkavm, whose two
// unknown opcodes print as `invalid`, which has no encoding).
const realPrograms = HAVE_SHARED
  ? [
      ...['example-hello-world', 'reloc_add_sub_64', 'reloc_hi_lo_64'].map((n) => sharedPath('blobs', 'polkavm', `${n}.polkavm`)),
      ...readdirSync(sharedPath('blobs', 'riscv-tests'))
        .filter((f) => f.endsWith('.polkavm'))
        .sort()
        .map((f) => sharedPath('blobs', 'riscv-tests', f)),
    ]
  : [];

describe.skipIf(!HAVE_SHARED)('round trip through disassembly: programs from polkavm’s linker', () => {
  it('finds them', () => expect(realPrograms.length).toBe(183));
  it.each(realPrograms.map((path) => ({ name: path.split('/').pop()!, path })))('$name', ({ path }) => {
    const blob = parseBlob(new Uint8Array(readFileSync(path)));
    // Linker output uses cmov_if_not_zero, which polkavm's own assembler cannot express.
    expectSameCode(parseBlob(assemble(asText(blob), { exactCmov: true })), blob);
  });
});
