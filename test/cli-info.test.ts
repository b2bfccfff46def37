// `pvm2js info | disasm | validate` end to end through the CLI entry: output, JSON keys and exit codes.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

afterEach(() => vi.restoreAllMocks());

const scratch = mkdtempSync(join(tmpdir(), 'pvm2js-cli-info-'));
const badBlob = join(scratch, 'bad.polkavm');
// A container whose code section declares 9 bytes but has 6: the error names offset 0xf.
writeFileSync(badBlob, Uint8Array.from([0x50, 0x56, 0x4d, 0, 1, 21, 0, 0, 0, 0, 0, 0, 0, 6, 9, 0, 0, 1, 0, 1, 0]));

describe.skipIf(!HAVE_SHARED)('pvm2js info', () => {
  // The five programs with a reference disassembly: the summary there is the expected info.
  const vectors: [string, string][] = [
    ['Flipper.Oz', 'revive/Flipper.Oz.polkavm'],
    ['bench-pinky', 'polkavm/bench-pinky.polkavm'],
    ['example-hello-world', 'polkavm/example-hello-world.polkavm'],
    ['files_guest-sum-balance', 'pvq/files_guest-sum-balance.polkavm'],
    ['rv64um_mulh', 'riscv-tests/rv64um_mulh.polkavm'],
  ];
  for (const [vector, blob] of vectors) {
    it(`--json agrees with the reference summary of ${vector}`, async () => {
      const reference = readFileSync(sharedPath('vectors', 'disasm', `${vector}.txt`), 'utf8').trimEnd().split('\n');
      const isa = /^isa: (\w+)/.exec(reference[0]!)![1];
      const sizes = /^ro_data_size: (\d+) .*rw_data_size: (\d+) .*stack_size: (\d+)$/.exec(reference[1]!)!;
      const code = /^code: (\d+) bytes, .*jump table entries: (\d+)$/.exec(reference[2]!)!;
      const imports = reference.flatMap((l) => /^import #\d+: '(.*)'$/.exec(l)?.slice(1) ?? []);
      const exports = reference.flatMap((l) => {
        const m = /^export @(\d+): '(.*)'$/.exec(l);
        return m ? [{ name: m[2], pc: Number(m[1]) }] : [];
      });
      const instructions = Number(/^instructions \(incl\. implicit\/invalid\): (\d+)/.exec(reference.at(-1)!)![1]);

      const { code: exit, stdout } = await cli('info', sharedPath('blobs', blob), '--json');
      expect(exit).toBe(0);
      const info = JSON.parse(stdout) as Record<string, unknown>;
      expect(Object.keys(info)).toEqual([
        'isa',
        'roDataSize',
        'rwDataSize',
        'stackSize',
        'codeSize',
        'imports',
        'exports',
        'instructions',
        'basicBlocks',
        'jumpTableEntries',
      ]);
      expect(info).toMatchObject({
        isa,
        roDataSize: Number(sizes[1]),
        rwDataSize: Number(sizes[2]),
        stackSize: Number(sizes[3]),
        codeSize: Number(code[1]),
        jumpTableEntries: Number(code[2]),
        imports,
        exports,
        instructions,
      });
      expect(info.basicBlocks).toBeGreaterThan(0);
      expect(info.basicBlocks).toBeLessThanOrEqual(instructions);
    });
  }

  it('counts the basic blocks of hello-world: one straight-line function', async () => {
    const { stdout } = await cli('info', sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm'), '--json');
    expect(JSON.parse(stdout)).toMatchObject({ basicBlocks: 1, instructions: 10 });
  });

  it('prints text by default', async () => {
    const { code, stdout } = await cli('info', sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm'));
    expect(code).toBe(0);
    expect(stdout).toMatch(/^isa: +Latest32 \(32-bit\)$/m);
    expect(stdout).toMatch(/^ {2}#0 get_third_number$/m);
    expect(stdout).toMatch(/^ {2}@0 add_numbers$/m);
  });

  it('a .jam file is a JAM service on the JAM instruction set, with no options', async () => {
    const jam = sharedPath('blobs', 'jam-service', 'test-service-92fb7ad7b423.jam');
    const detected = await cli('info', jam, '--json');
    expect(detected.code).toBe(0);
    const info = JSON.parse(detected.stdout) as { isa: string; instructions: number; imports: unknown[] };
    expect(info.isa).toBe('JamV1');
    expect(info.imports).toEqual([]);
    const withIsa = await cli('info', jam, '--json', '--isa', 'jam_v1');
    expect(JSON.parse(withIsa.stdout)).toEqual(info);
    const asProgram = await cli('info', jam, '--format', 'jam-program');
    expect(asProgram.code).toBe(2);
  });

  it('exit code 2 with the offset for a malformed blob', async () => {
    const { code, stdout, stderr } = await cli('info', badBlob);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'pvm2js info: failed to parse program blob: unexpected end of input while reading the code section: expected at least 9 bytes, found 6 at offset 0xf\n',
    );
  });

  it('exit code 2 for usage errors', async () => {
    for (const argv of [['info'], ['info', 'a', 'b'], ['info', '--isa', 'nope', badBlob], ['info', join(scratch, 'missing')], ['info', '--format', 'elf', badBlob]]) {
      const { code, stderr } = await cli(...argv);
      expect(code, argv.join(' ')).toBe(2);
      expect(stderr, argv.join(' ')).toMatch(/^pvm2js info: /);
    }
  });
});

describe.skipIf(!HAVE_SHARED)('pvm2js disasm', () => {
  it('prints the instruction lines of the reference disassembly; --summary adds its summary', async () => {
    const reference = readFileSync(sharedPath('vectors', 'disasm', 'example-hello-world.txt'), 'utf8');
    const blob = sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm');
    const plain = await cli('disasm', blob);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(
      reference
        .split('\n')
        .filter((l) => /^ {0,7}\d+: /.test(l))
        .join('\n') + '\n',
    );
    const summary = await cli('disasm', blob, '--summary');
    expect(summary.stdout).toBe(reference.endsWith('\n') ? reference : reference + '\n');
  });

  it('disassembles a JAM service with --isa jam_v1', async () => {
    const { code, stdout } = await cli('disasm', sharedPath('blobs', 'jam-service', 'jam-null-authorizer-40423f547214.jam'), '--isa', 'jam_v1');
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(1000);
    expect(lines.every((l) => /^ {0,7}\d+: \S/.test(l))).toBe(true);
  });

  it('--raw-regs names registers r0..r12', async () => {
    const { stdout } = await cli('disasm', sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm'), '--raw-regs');
    expect(stdout.split('\n')[0]).toBe('       0: r1 = r1 - 8');
  });
});

describe.skipIf(!HAVE_SHARED)('pvm2js validate', () => {
  it('reports each file and exits 2 if any fails', async () => {
    const good = sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm');
    const jam = sharedPath('blobs', 'jam-service', 'test-service-92fb7ad7b423.jam');
    const { code, stdout } = await cli('validate', good, badBlob, jam, '--isa', 'jam_v1');
    expect(code).toBe(2);
    expect(stdout.split('\n')).toEqual([
      `${good}: ok (Latest32, 10 instructions)`,
      `${badBlob}: failed to parse program blob: unexpected end of input while reading the code section: expected at least 9 bytes, found 6 at offset 0xf`,
      expect.stringMatching(new RegExp(`^${jam.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ok \\(JamV1, \\d+ instructions\\)$`)),
      '',
    ]);
  });

  it('exits 0 when all are good', async () => {
    const { code } = await cli('validate', sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm'), sharedPath('blobs', 'polkavm', 'test-blob.polkavm'));
    expect(code).toBe(0);
  });
});
