// pvm2js query: output, exit codes and options; and the executable PVQ example.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { coreExtensionDecl } from '../src/pvq/index.ts';
import { GUESTS, HAVE_SHARED, SUM_BALANCE_ARGS, SWAP_INFO_ARGS, le } from './pvq-fixture.ts';
import { sharedPath } from './shared.ts';

const ROOT = join(import.meta.dirname, '..');
const STATE = join(ROOT, 'examples', 'pvq', 'state.json');
const dir = mkdtempSync(join(tmpdir(), 'pvm2js-query-'));
const badState = join(dir, 'bad-state.json');
writeFileSync(badState, JSON.stringify({ fungibles: { x: {} } }));
const notJson = join(dir, 'not.json');
writeFileSync(notJson, '{');

let stdout = '';
let stderr = '';
beforeEach(() => {
  stdout = '';
  stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
});
afterEach(() => vi.restoreAllMocks());

const blob = (name: keyof typeof GUESTS) => sharedPath('blobs', GUESTS[name].blob);
const meta = (name: keyof typeof GUESTS) => sharedPath('blobs', GUESTS[name].metadata);

interface CliCase {
  name: string;
  args: () => string[];
  code: number;
  /** --json cases: fields the report must have. */
  json?: Record<string, unknown>;
  stdout?: RegExp[];
  stderr?: RegExp;
}

// examples/pvq/state.json: Alice holds 1e9 of asset 21, Bob 2.5e8, supply 2e9.
const cases: CliCase[] = [
  {
    name: '--max-call-depth below what the guest nests: a runtime error, call-depth',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--state', STATE, '--max-call-depth', '1', '--json'],
    code: 1,
    json: { status: 'error', error: { kind: 'runtime', name: 'RuntimeError', detail: 'call-depth' } },
  },
  {
    name: '--no-jit --debug: the interpreter, debug lines on stderr, memoryUsage in the metrics',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--state', STATE, '--no-jit', '--debug', '--stack-size', '8192', '--json'],
    code: 0,
    json: { status: 'ok', result: '0x' + le(1_000_000_000n, 8), metrics: { memoryUsage: expect.any(Number) } },
    stderr: /debug: Executing program with 6554 bytes[\s\S]*debug: Memory usage: \d+ bytes \(heap \d+, stack 8192\)/,
  },
  {
    name: '--stack-size below what the guest declares: not a PVQ program for this executor',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--stack-size', '4096', '--json'],
    code: 2,
    json: { status: 'error', error: { kind: 'invalid-program', reason: 'stack-size' } },
  },
  {
    name: '--no-jit with --precompile contradict each other',
    args: () => [blob('sumBalance'), '--no-jit', '--precompile'],
    code: 2,
    stderr: /precompilePrograms needs enableJit/,
  },
  {
    name: 'sum-balance with the example state, decoded with the metadata',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--state', STATE, '--metadata', meta('sumBalance')],
    code: 0,
    stdout: [/entrypoint: +0 sum_balance/, new RegExp(`result: +0x${le(1_000_000_000n, 8)}`), /decoded: +"1000000000"/, /host calls: +1/],
  },
  {
    name: '--json, with a gas limit',
    args: () => [blob('sumBalance'), '--args', '0x' + SUM_BALANCE_ARGS, '--state', STATE, '--metadata', meta('sumBalance'), '--gas', '100000', '--json'],
    code: 0,
    json: { status: 'ok', result: '0x' + le(1_000_000_000n, 8), decoded: '1000000000', entrypoint: { index: 0, name: 'sum_balance' } },
  },
  {
    name: 'the test runner extensions',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--extensions', 'test-runner', '--json'],
    code: 0,
    json: { status: 'ok', result: '0x' + le(100, 8) },
  },
  {
    name: 'swap-info get_liquidity_pool',
    args: () => [blob('swapDemo'), '--args', SWAP_INFO_ARGS, '--state', STATE, '--metadata', meta('swapDemo'), '--json'],
    code: 0,
    json: { status: 'ok', decoded: ['10235709412325', '12117819770919'], entrypoint: { index: 2, name: 'entrypoint_get_liquidity_pool' } },
  },
  {
    name: 'too little gas: exit 1',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--gas', '100', '--json'],
    code: 1,
    json: { status: 'error', error: { kind: 'not-enough-gas', message: 'the query ran out of gas', reference: 'Not enough gas' } },
  },
  {
    name: 'an instruction budget: exit 1',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--max-instructions', '50'],
    code: 1,
    stdout: [/status: +error \(timeout\)/],
  },
  {
    name: '--allow refuses the others: exit 1',
    args: () => [blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--allow', coreExtensionDecl().id.toString(), '--json'],
    code: 1,
    json: { status: 'error', error: { kind: 'extension', extension: { kind: 'permission', extensionId: '4071833530116166512', fnIndex: 1 } } },
  },
  {
    name: 'a guest trap: exit 1',
    args: () => [blob('sumBalance'), '--args', '09'],
    code: 1,
    stdout: [/status: +error \(runtime: trap\)/, /reference: +Trap/],
  },
  { name: 'not a program at all: exit 2', args: () => [STATE, '--args', '00'], code: 2, stderr: /is a text file, not a program blob/ },
  { name: 'bad --args: exit 2', args: () => [blob('sumBalance'), '--args', 'xyz'], code: 2, stderr: /not an even number of hex digits/ },
  { name: 'bad --gas: exit 2', args: () => [blob('sumBalance'), '--gas', '1e6'], code: 2, stderr: /--gas '1e6' is not a number/ },
  { name: 'negative --gas: exit 2', args: () => [blob('sumBalance'), '--gas', '-5'], code: 2, stderr: /--gas -5 is negative/ },
  { name: 'a state that does not fit: exit 2', args: () => [blob('sumBalance'), '--args', '00', '--state', badState], code: 2, stderr: /not a decimal u32/ },
  { name: 'state that is not JSON: exit 2', args: () => [blob('sumBalance'), '--state', notJson], code: 2, stderr: /is not JSON/ },
  { name: 'a missing program: exit 2', args: () => [join(dir, 'none.polkavm')], code: 2, stderr: /no such file/ },
  { name: 'an unknown backend: exit 2', args: () => [blob('sumBalance'), '--backend', 'wasm'], code: 2, stderr: /backend 'wasm' is not available/ },
  { name: '--state with the test runner: exit 2', args: () => [blob('sumBalance'), '--extensions', 'test-runner', '--state', STATE], code: 2, stderr: /mock only/ },
];

describe.skipIf(!HAVE_SHARED)('pvm2js query', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_n, c) => {
    const code = await main(['query', ...c.args()]);
    expect({ code, stderr: c.stderr ? '' : stderr }).toEqual({ code: c.code, stderr: '' });
    if (c.stderr) expect(stderr).toMatch(c.stderr);
    if (c.json) expect(JSON.parse(stdout)).toMatchObject(c.json);
    for (const pattern of c.stdout ?? []) expect(stdout).toMatch(pattern);
  });

  it('reports metrics and remaining gas', async () => {
    expect(await main(['query', blob('sumBalance'), '--args', SUM_BALANCE_ARGS, '--state', STATE, '--gas', '100000', '--json'])).toBe(0);
    const report = JSON.parse(stdout);
    expect(BigInt(report.metrics.gasUsed)).toBe(BigInt(report.metrics.instructions));
    expect(BigInt(report.gasRemaining)).toBe(100000n - BigInt(report.metrics.gasUsed));
    expect(report.metrics.hostCalls).toBe(1);
  });

  it('Bob is in the example state too', async () => {
    expect(await main(['query', blob('sumBalance'), '--args', '00' + le(21, 4) + '04' + '8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48', '--state', STATE, '--json'])).toBe(0);
    expect(JSON.parse(stdout).result).toBe('0x' + le(250_000_000n, 8));
  });
});

describe('PVQ example', () => {
  it('examples/pvq/query.ts runs and checks itself', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/pvq/query.ts')], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr.replace(/^npm warn.*\n/gm, '')).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/balance\(21, Alice\) through the echo guest: 0x00ca9a3b00000000/);
    expect(run.stdout).toMatch(/an unknown extension: extension \(Host call error: UnsupportedExtension\)/);
    if (HAVE_SHARED) expect(run.stdout).toMatch(/decoded: 1250000000/);
    expect(run.stdout).toMatch(/^ok$/m);
  });
});
