// The command line as a user meets it: every command given bad input says one clear line and exits 2;
// a reader that closes the pipe early ends the command quietly; host calls are named and can be
// answered per import or with code; progress appears only where it belongs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Progress } from '../src/cli/progress.ts';
import { formatRegister } from '../src/cli/commands/run.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';
import { runMain, type CliResult } from './cli-capture.ts';

const cli = (...argv: string[]): Promise<CliResult> => runMain(argv);

const dir = mkdtempSync(join(tmpdir(), 'pvm2js-cli-ux-'));
const file = (name: string, bytes: Uint8Array | string): string => {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
};
const HELLO = sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm');
const PINKY = sharedPath('blobs', 'polkavm', 'bench-pinky.polkavm');
const DOOM = sharedPath('blobs', 'polkavm', 'doom.polkavm');

describe('bad input: one line on stderr, exit 2, for every command', () => {
  let seed = 7;
  const random = Uint8Array.from({ length: 4096 }, () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff);
  const inputs: [string, () => string][] = [
    ['an empty file', () => file('empty.polkavm', new Uint8Array())],
    ['a directory', () => dir],
    ['a missing file', () => join(dir, 'missing.polkavm')],
    ['random bytes', () => file('random.bin', random)],
    ['a text file', () => file('notes.txt', '# not a program\n')],
    ['a truncated blob', () => file('truncated.polkavm', readFileSync(HELLO).subarray(0, 40))],
    ['an ES module that is not a pvm2js one', () => file('other.mjs', 'export const answer = 42;\n')],
  ];
  const commands: [string, (input: string) => string[]][] = [
    ['run', (input) => ['run', input, 'main']],
    ['compile', (input) => ['compile', input, '-o', join(dir, 'out.mjs')]],
    ['disasm', (input) => ['disasm', input]],
    ['info', (input) => ['info', input]],
    ['validate', (input) => ['validate', input]],
    ['query', (input) => ['query', input]],
    ['asm', (input) => ['asm', input, '-o', join(dir, 'out.polkavm')]],
  ];
  const rows = commands.flatMap(([command, argv]) => inputs.map(([what, input]) => [command, what, argv, input] as const));
  it.runIf(HAVE_SHARED).each(rows)('%s given %s', async (command, _what, argv, input) => {
    const r = await cli(...argv(input()));
    // validate reports a bad file on stdout, one line per file, and exits 1 (its documented contract).
    const expected = command === 'validate' ? [1, 2] : [2];
    expect(expected, r.stderr).toContain(r.code);
    const said = (r.stderr + (command === 'validate' ? r.stdout : '')).trimEnd();
    expect(said.split('\n')).toHaveLength(1);
    expect(said).not.toMatch(/\n\s+at |internal error|TypeError|SyntaxError/);
    expect(said.length).toBeGreaterThan(10);
  });
});

describe('messages that say what is wrong', () => {
  const cases: { name: string; argv: () => string[]; stderr: RegExp }[] = [
    { name: 'an empty file', argv: () => ['info', file('e.polkavm', new Uint8Array())], stderr: /is empty, not a program/ },
    { name: 'a README', argv: () => ['run', file('README.md', '# hi\n'), 'main'], stderr: /is a text file, not a program blob/ },
    { name: 'binary without the magic', argv: () => ['info', file('x.bin', Uint8Array.of(1, 2, 3, 0, 0xff))], stderr: /does not start with "PVM\\0".*--isa/ },
    { name: 'negative --gas', argv: () => ['run', HELLO, 'add_numbers', '--gas', '-5'], stderr: /--gas -5 is negative/ },
    { name: 'a huge count, repeated exactly', argv: () => ['query', sharedPath('blobs', 'pvq', 'files_guest-sum-balance.polkavm'), '--max-memory', '13727161095513821337'], stderr: /--max-memory 13727161095513821337 is more than/ },
    { name: 'a huge --max-instructions', argv: () => ['run', HELLO, 'add_numbers', '--max-instructions', '13727161095513821337'], stderr: /--max-instructions 13727161095513821337 is more than/ },
    { name: 'a blob given to asm', argv: () => ['asm', HELLO, '-o', join(dir, 'o.polkavm')], stderr: /is a program blob, not assembly text/ },
    { name: 'an unknown import in --ecalli-ret', argv: () => ['run', HELLO, 'add_numbers', '--ecalli-ret', 'get_thrd=1'], stderr: /imports no 'get_thrd' \(imports: get_third_number\)/ },
  ];
  it.runIf(HAVE_SHARED).each(cases)('$name', async ({ argv, stderr }) => {
    const r = await cli(...argv());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(stderr);
  });
});

describe.runIf(HAVE_SHARED)('host calls from the command line', () => {
  it('a stop at a host call names the import and hints at the answers', async () => {
    const r = await cli('run', HELLO, 'add_numbers', '1', '2');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ecalli: 0 \(get_third_number\)$/m);
    expect(r.stderr).toMatch(/--ecalli-ret get_third_number=<value>.*--host <file.mjs>/);
    const json = await cli('run', HELLO, 'add_numbers', '1', '2', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ status: 'ecalli', ecalli: 0, import: 'get_third_number' });
  });

  const answers: { name: string; argv: () => string[]; a0?: string; code: number; stderr?: RegExp }[] = [
    { name: 'per import', argv: () => ['--ecalli-ret', 'get_third_number=100'], a0: '103', code: 0 },
    { name: 'for every import', argv: () => ['--ecalli-ret', '7'], a0: '10', code: 0 },
    { name: 'per import wins over the bare form', argv: () => ['--ecalli-ret', '7', '--ecalli-ret', 'get_third_number=100'], a0: '103', code: 0 },
    { name: 'with code reading registers', argv: () => ['--host', file('host.mjs', 'export const get_third_number = (i) => i.reg(7) * 10n;\n')], a0: '13', code: 0 },
    { name: 'with code setting A0 itself', argv: () => ['--host', file('host2.mjs', 'export function get_third_number(i) { i.setReg(7, 40n); }\n')], a0: '43', code: 0 },
    { name: 'a host function returning a string', argv: () => ['--host', file('bad.mjs', "export const get_third_number = () => 'abc';\n")], code: 2, stderr: /'get_third_number' \(import #0\) returned "abc"/ },
    { name: 'a host function that throws', argv: () => ['--host', file('throws.mjs', "export const get_third_number = () => { throw new Error('no state'); };\n")], code: 2, stderr: /'get_third_number' .* threw at pc \d+: Error: no state/ },
    { name: 'a host module exporting an unknown name', argv: () => ['--host', file('unknown.mjs', 'export const get_3rd = () => 1n;\n')], code: 2, stderr: /exports 'get_3rd', which the program does not import/ },
  ];
  it.each(answers)('answered $name', async ({ argv, a0, code, stderr }) => {
    const r = await cli('run', HELLO, 'add_numbers', '1', '2', '--json', ...argv());
    expect(r.code, r.stderr).toBe(code);
    if (a0 !== undefined) expect(JSON.parse(r.stdout).regs[7]).toBe(a0);
    if (stderr) expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    if (stderr) expect(r.stderr).toMatch(stderr);
  });
});

describe('registers and progress', () => {
  it.each([
    [103n, false, '0x00000067 = 103'],
    [0xffffffffn, false, '0xffffffff = 4294967295 = -1'],
    [0xfffffffffffffffbn, true, '0xfffffffffffffffb = 18446744073709551611 = -5'],
    [0x80000000n, true, '0x0000000080000000 = 2147483648'],
  ])('register %s (64-bit: %s)', (value, is64, text) => expect(formatRegister(value, is64)).toBe(text));

  it('progress shows only on a terminal, after the delay, not with --quiet, and clears its line', () => {
    let t = 0;
    const lines: string[] = [];
    const make = (o: { isTTY: boolean; quiet?: boolean }) => new Progress({ ...o, delayMs: 1000, now: () => t, write: (s) => lines.push(s) });
    for (const p of [make({ isTTY: false }), make({ isTTY: true, quiet: true })]) {
      t = 5000;
      p.update(() => 'x');
      p.done();
      t = 0;
    }
    expect(lines).toEqual([]);
    const p = make({ isTTY: true });
    t = 500;
    p.update(() => 'early');
    t = 1500;
    p.update(() => 'working');
    t = 1550;
    p.update(() => 'too soon to redraw');
    p.done();
    expect(lines).toEqual(['\r\x1b[Kworking (1.5 s)', '\r\x1b[K']);
  });
});

/** Runs the CLI in a child process (real file descriptors), piping stdout into a reader that stops after `lines` lines. */
function pipeToHead(argv: string[], lines: number): Promise<{ code: number | null; head: string[]; stderr: string; ms: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('../src/cli/main.ts', import.meta.url).pathname, ...argv], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PVM2JS_PROGRESS: 'never' },
  });
  let buffered = '';
  let stderr = '';
  const head: string[] = [];
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.stdout.on('data', (d: Buffer) => {
    buffered += d.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    for (const line of parts) if (head.length < lines) head.push(line);
    // What `head -3` does: take its lines and close the pipe.
    if (head.length >= lines) child.stdout.destroy();
  });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, head, stderr, ms: performance.now() - started })));
}

describe.runIf(HAVE_SHARED)('a reader that closes the pipe early', () => {
  it('disasm doom | head -3: three lines, exit 0, no EPIPE stack', async () => {
    const r = await pipeToHead(['disasm', DOOM], 3);
    expect(r.head).toHaveLength(3);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }, 60_000);

  it('run pinky --trace | head -3: ends at once (pinky runs 327 M instructions), exit 0', async () => {
    const r = await pipeToHead(['run', PINKY, 'initialize', '--trace'], 3);
    expect(r.head[0]).toMatch(/^ +\d+: /);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.ms).toBeLessThan(30_000);
  }, 60_000);
});
