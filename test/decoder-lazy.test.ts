// Operands are decoded twice over: all at once when something first reads the operand arrays
// (codegen, tools), and one instruction at a time when the interpreter first enters a block
// (`instructionOperands`, from the code bytes). The two must agree on every instruction, and the
// interpreter's block-by-block words on what a pass over the whole program would give.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBlob } from '../src/decoder/blob.ts';
import { decodeCode, decodeProgram, instructionOperands, type DecodedCode } from '../src/decoder/code.ts';
import { Isa } from '../src/decoder/isa.ts';
import { prepareBlock, prepareProgram } from '../src/interpreter/program.ts';
import { staticJumpTargets } from '../src/machine/control.ts';
import { Module } from '../src/runtime/index.ts';
import { describeShared, sharedPath } from './shared.ts';

/** The first instruction where the two decodings differ, or undefined. */
function operandMismatch(code: DecodedCode): string | undefined {
  const out = new Int32Array(6);
  for (let i = 0; i < code.count; i++) {
    instructionOperands(code, i, out);
    const eager = [code.r1[i]!, code.r2[i]!, code.r3[i]!, code.imm1[i]!, code.imm2[i]!, code.target[i]! | 0];
    for (let k = 0; k < 6; k++) if (out[k] !== eager[k]) return `instruction ${i} (pc ${code.pc[i]}): field ${k} is ${out[k]} one at a time, ${eager[k]} all at once`;
  }
  return undefined;
}

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

describe('operands one at a time and all at once', () => {
  // Random code and bitmasks: every opcode, every skip length, gaps, implicit traps, code ends
  // that cut an instruction's arguments short (the zero-padded window).
  for (const [name, isa] of Object.entries(Isa)) {
    it(`agree on 2,000 random codes (${name})`, () => {
      const random = mulberry32(0x5eed + isa);
      for (let round = 0; round < 2000; round++) {
        const len = 1 + Math.floor(random() * 200);
        const code = Uint8Array.from({ length: len }, () => Math.floor(random() * 256));
        const bitmask = Uint8Array.from({ length: (len + 7) >> 3 }, () => Math.floor(random() * 256) & Math.floor(random() * 256));
        const decoded = decodeCode(isa, code, bitmask, new Uint32Array(0));
        expect(operandMismatch(decoded), `round ${round}`).toBeUndefined();
      }
    });
  }
});

describeShared('operands and interpreter words on the shared blobs', () => {
  const blobs: string[] = [];
  for (const dir of ['polkavm', 'revive', 'riscv-tests', 'pvq'])
    for (const name of readdirSync(sharedPath('blobs', dir)).filter((n) => n.endsWith('.polkavm'))) blobs.push(`${dir}/${name}`);

  it(`instructionOperands agrees with the operand arrays on ${blobs.length} programs`, () => {
    for (const name of blobs) expect(operandMismatch(decodeProgram(parseBlob(readFileSync(sharedPath('blobs', name))))), name).toBeUndefined();
  });

  it('the interpreter words filled block by block are those of a whole-program pass (doom, pinky, quake)', () => {
    for (const name of ['doom', 'bench-pinky', 'quake']) {
      const image = Module.fromBytes(readFileSync(sharedPath('blobs', 'polkavm', `${name}.polkavm`)), { backend: 'interpreter' }).image;
      const p = prepareProgram(image);
      const code = image.code;
      for (let i = 0; i < code.count; i++) if (code.blockStart[i] === 1) prepareBlock(p, i);
      const jumpIndex = staticJumpTargets(code);
      for (let i = 0; i < code.count; i++) {
        const words = [code.op[i]! | (code.r1[i]! << 8) | (code.r2[i]! << 12) | (code.r3[i]! << 16), code.imm1[i]!, code.imm2[i]!, jumpIndex[i]!];
        for (let k = 0; k < 4; k++) if (p.packed[4 * i + k] !== words[k]) expect.fail(`${name}: instruction ${i} word ${k}: ${p.packed[4 * i + k]} against ${words[k]}`);
      }
    }
  });
});
