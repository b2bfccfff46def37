// Shared by the assembler tests: decoded instructions as plain records, and the spec case texts.
import { readFileSync, readdirSync } from 'node:fs';
import { decodeProgram, parseBlob, OP_NAMES, type DecodedCode } from '../src/decoder/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

export interface Decoded {
  name: string;
  pc: number;
  r1: number;
  r2: number;
  r3: number;
  imm1: number;
  imm2: number;
  target: number;
}

export function decodedAt(code: DecodedCode, i: number): Decoded {
  return {
    name: OP_NAMES[code.op[i]!] ?? 'invalid',
    pc: code.pc[i]!,
    r1: code.r1[i]!,
    r2: code.r2[i]!,
    r3: code.r3[i]!,
    imm1: code.imm1[i]!,
    imm2: code.imm2[i]!,
    target: code.target[i]!,
  };
}

/** The instructions actually in the code (implicit traps left out). */
export function decodeAll(bytes: Uint8Array): Decoded[] {
  const code = decodeProgram(parseBlob(bytes));
  const out: Decoded[] = [];
  for (let i = 0; i < code.count; i++) if (!code.implicit[i]) out.push(decodedAt(code, i));
  return out;
}

export const SPEC_DIR = sharedPath('vectors', 'polkavm-spec');

/** The 257 spec cases: name, assembly text (pre/post/step lines blanked as spectool does), blob path. */
export function specCases(): { name: string; text: string; blob: string }[] {
  if (!HAVE_SHARED) return [];
  return readdirSync(SPEC_DIR)
    .filter((f) => f.endsWith('.txt'))
    .sort()
    .map((f) => ({
      name: f.slice(0, -4),
      text: readFileSync(`${SPEC_DIR}/${f}`, 'utf8')
        .split('\n')
        .map((l) => (/^(pre|post|step):/.test(l) ? '' : l))
        .join('\n'),
      blob: `${SPEC_DIR}/blobs/${f.slice(0, -4)}.polkavm`,
    }));
}
