// The printer (src/codegen/emit-text.ts) against astring, the general ESTree printer it replaced for
// speed: the text of every generated program, parsed with acorn and printed again by astring with the
// options codegen used, must come back byte for byte, so both print the same trees the same way.
import * as acorn from 'acorn';
import { generate } from 'astring';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileRegionJs, compileToJs } from '../src/codegen/index.ts';
import { Module } from '../src/runtime/index.ts';
import { generateCase } from './fuzz/generator.ts';
import { describeShared, sharedPath } from './shared.ts';

const astring = (code: string): string => generate(acorn.parse(code, { ecmaVersion: 2022, sourceType: 'script' }) as never, { indent: '', lineEnd: '\n' });

describe('the printer against astring', () => {
  it('200 fuzz programs, whole and one region alone: the same text', () => {
    for (let index = 0; index < 200; index++) {
      const c = generateCase(21, index);
      const module = Module.fromBytes(c.blob, { backend: 'interpreter', pageSize: c.pageSize, auxDataSize: c.auxDataSize, dynamicPaging: c.dynamicPaging, ...(c.gasMetering ? { gasMetering: c.gasMetering } : {}) });
      const { code, program } = compileToJs(module.image);
      expect(astring(code), `program ${index}`).toBe(code);
      const region = compileRegionJs(module.image, program, index % program.regionMembers.length);
      expect(astring(region), `program ${index}, one region`).toBe(region);
    }
  });
});

describeShared('the printer against astring on real blobs', () => {
  for (const blob of ['polkavm/bench-pinky.polkavm', 'polkavm/doom64.polkavm', 'revive/AddressPredictor.Oz.polkavm'])
    it(blob, () => {
      const module = Module.fromBytes(readFileSync(sharedPath('blobs', blob)), { backend: 'interpreter', gasMetering: 'sync' });
      const { code } = compileToJs(module.image);
      expect(astring(code) === code).toBe(true);
    });
});
