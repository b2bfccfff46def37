import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { main } from '../src/cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm2js-asm-'));
const source = join(dir, 'prog.txt');
writeFileSync(source, 'pub @main:\n  a0 = a1 + a2\n  ret\n');
const bad = join(dir, 'bad.txt');
writeFileSync(bad, 'pub @main:\n  a0 = a1 +\n');
const isa32 = join(dir, 'isa32.txt');
writeFileSync(isa32, '%isa = latest32\ntrap\n');

let stderr = '';
beforeEach(() => {
  stderr = '';
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

interface CliCase {
  name: string;
  args: string[];
  code: number;
  /** Expected output blob, assembled in-process from the same text. */
  output?: { path: string; text: string; isa: string };
  stderr?: string;
}

const out = (n: string) => join(dir, n);
const cases: CliCase[] = [
  { name: 'default ISA latest64', args: [source, '-o', out('a.polkavm')], code: 0, output: { path: out('a.polkavm'), text: readFileSync(source, 'utf8'), isa: 'latest64' } },
  { name: '--isa', args: [source, '--isa', 'jam_v1', '-o', out('b.polkavm')], code: 0, output: { path: out('b.polkavm'), text: readFileSync(source, 'utf8'), isa: 'jam_v1' } },
  { name: '%isa in the file wins over --isa', args: [isa32, '--isa', 'jam_v1', '-o', out('c.polkavm')], code: 0, output: { path: out('c.polkavm'), text: '%isa = latest32\ntrap\n', isa: 'latest32' } },
  { name: 'missing input file', args: [join(dir, 'nope.txt'), '-o', out('d.polkavm')], code: 2, stderr: 'no such file' },
  { name: 'missing -o', args: [source], code: 2, stderr: 'missing -o' },
  { name: 'unknown ISA', args: [source, '--isa', 'x86', '-o', out('e.polkavm')], code: 2, stderr: "unknown ISA 'x86'" },
  { name: 'unknown option', args: [source, '--frob', '-o', out('f.polkavm')], code: 2, stderr: "unknown option '--frob'" },
  { name: 'assembly error names file, line and column', args: [bad, '-o', out('g.polkavm')], code: 2, stderr: `${bad}: at line 2, column 3: cannot parse "a0 = a1 +"` },
];

describe('pvm2js asm', () => {
  it.each(cases)('$name', async (c) => {
    expect(await main(['asm', ...c.args])).toBe(c.code);
    if (c.output) expect(Buffer.from(readFileSync(c.output.path)).toString('hex')).toBe(Buffer.from(assemble(c.output.text, { isa: c.output.isa })).toString('hex'));
    if (c.stderr) expect(stderr).toContain(c.stderr);
  });
});
