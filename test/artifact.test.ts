// One compiled artifact per program: the ModuleId covers the code, not the memory layout nor gas
// metering, so PVQ queries whose args move the stack, metered or not, share one code generation and
// get the interpreter's results, gas and instruction counts.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { codeGenerationCount } from '../src/codegen/index.ts';
import { compileModule, Module, precompile, readPrecompiled, type CompiledModuleNamespace } from '../src/index.ts';
import { PvqExecutor, PvqModuleCache } from '../src/pvq/index.ts';
import { VirtManager } from '../src/virt/index.ts';
import { runMain, type CliResult } from './cli-capture.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm2js-artifact-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Sums its args' bytes through a stack slot and returns (length u32, sum u32) from the stack: its
 * stack accesses land at addresses that move with the args size (aux data sits above the stack). */
const SUM_ARGS = `%isa = latest32
%stack_size = 4096
pub @pvq:
  sp = sp - 16
  a2 = 0
  u32 [sp + 4] = a1
  u32 [sp] = a2
@loop:
  jump @done if a1 == 0
  a3 = u8 [a0]
  a2 = i32 [sp]
  a2 = a2 + a3
  u32 [sp] = a2
  a0 = a0 + 1
  a1 = a1 - 1
  jump @loop
@done:
  a2 = i32 [sp]
  u32 [sp + 8] = a2
  a0 = sp + 4
  a1 = 8
  ret
`;

/** A program no other test (nor an earlier case) compiles: the process-wide cache cannot hold it yet. */
let freshCount = 0;
const fresh = (source: string): Uint8Array =>
  assemble(`${source}pub @unused:\n  a0 = ${Math.floor(Math.random() * 1e9)}\n  a1 = ${freshCount++}\n  ret\n`);

const noHost = { hostCall: () => new Uint8Array() };
const argsOf = (length: number): Uint8Array => Uint8Array.from({ length }, (_, k) => (k * 7 + 3) & 0xff);
const expected = (args: Uint8Array): string => {
  const out = new DataView(new ArrayBuffer(8));
  out.setUint32(0, args.length, true);
  out.setUint32(4, args.reduce((a, b) => a + b, 0), true);
  return Buffer.from(out.buffer).toString('hex');
};

describe('one compiled artifact per program', () => {
  it('PVQ queries with 10 B, 5 KB and 20 KB of args, metered and unmetered, generate code once and match the interpreter', () => {
    const program = fresh(SUM_ARGS);
    const compiled = new PvqExecutor(noHost, { backend: 'compiled', moduleCache: new PvqModuleCache() });
    const reference = new PvqExecutor(noHost, { backend: 'interpreter', moduleCache: false });
    const before = codeGenerationCount();
    for (const length of [10, 5_000, 20_000])
      for (const gas of [undefined, 10_000_000n, 1_000n]) {
        const args = argsOf(length);
        const what = `${length} B, gas ${gas}`;
        const got = compiled.execute(program, args, gas);
        const want = reference.execute(program, args, gas);
        expect(got.ok, what).toBe(want.ok);
        if (got.ok && want.ok) {
          expect(Buffer.from(got.value).toString('hex'), what).toBe(expected(args));
          expect(Buffer.from(got.value).toString('hex'), what).toBe(Buffer.from(want.value).toString('hex'));
        } else if (!got.ok && !want.ok) expect(got.error.kind, what).toBe(want.error.kind);
        expect(got.gasRemaining, what).toBe(want.gasRemaining);
        expect(got.metrics.instructions, what).toBe(want.metrics.instructions);
        expect(got.metrics.gasUsed, what).toBe(want.metrics.gasUsed);
      }
    expect(codeGenerationCount() - before).toBe(1);
  });
});

const ADD = `%isa = latest64
pub @main:
  a0 = a0 + a1
  a0 = a0 + 1000
  ret
`;

const cli = (argv: string[]): Promise<CliResult> => runMain(argv);

let imports = 0;
const importModule = async (path: string): Promise<CompiledModuleNamespace> =>
  (await import(/* @vite-ignore */ `${pathToFileURL(path).href}?n=${imports++}`)) as CompiledModuleNamespace;

/** Writes `pvm2js compile`'s module for `bytes` (edited by `edit`) and returns its path. */
function writeModule(name: string, bytes: Uint8Array, edit: (text: string) => string = (t) => t): string {
  const path = join(dir, name);
  writeFileSync(path, edit(compileModule(bytes).code));
  return path;
}

describe('precompiled modules everywhere', () => {
  it('pvm2js run out.mjs runs the module without generating code, as the program itself runs', async () => {
    const bytes = fresh(ADD);
    const program = join(dir, 'add.polkavm');
    writeFileSync(program, bytes);
    const path = writeModule('add-run.mjs', bytes);
    const before = codeGenerationCount();
    for (const gas of [[], ['--gas', '100']]) {
      const fromModule = await cli(['run', path, 'main', '5', '7', '--json', ...gas]);
      expect(fromModule.code, fromModule.stderr).toBe(0);
      const out = JSON.parse(fromModule.stdout);
      // Its own code, from its stored tables, unless another backend is asked for.
      expect(out).toMatchObject({ status: 'finished', backend: 'compiled' });
      expect(out.regs[7]).toBe('1012');
      const fromProgram = JSON.parse((await cli(['run', program, 'main', '5', '7', '--json', '--backend', 'interpreter', ...gas])).stdout);
      expect({ ...out, timings: 0, backend: 0 }).toEqual({ ...fromProgram, timings: 0, backend: 0 });
      const onTiered = JSON.parse((await cli(['run', path, 'main', '5', '7', '--json', '--backend', 'tiered', ...gas])).stdout);
      expect({ ...onTiered, timings: 0 }).toEqual({ ...fromProgram, timings: 0, backend: 'tiered' });
    }
    // A module made for another cost model and dynamic paging runs with those, still its own code.
    const full = join(dir, 'add-full.mjs');
    writeFileSync(full, compileModule(bytes, { costModel: 'full-l2', dynamicPaging: true }).code);
    const fromFull = await cli(['run', full, 'main', '5', '7', '--json', '--gas', '100']);
    expect(fromFull.code, fromFull.stderr).toBe(0);
    expect(JSON.parse(fromFull.stdout).regs[7]).toBe('1012');
    expect(codeGenerationCount() - before).toBe(0);
  });

  it('pvm2js query out.mjs and PvqExecutor run a compiled module of a PVQ program without generating code', async () => {
    const bytes = fresh(SUM_ARGS);
    const path = writeModule('sum-args.mjs', bytes);
    const before = codeGenerationCount();
    const { code, stdout, stderr } = await cli(['query', path, '--args', '010203', '--json', '--backend', 'compiled']);
    expect(code, stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(stdout))).toContain(expected(Uint8Array.of(1, 2, 3)));
    const executor = new PvqExecutor(noHost, { backend: 'compiled', moduleCache: false });
    const outcome = executor.execute(await importModule(path), argsOf(300), 1_000_000n);
    expect(outcome.ok && Buffer.from(outcome.value).toString('hex')).toBe(expected(argsOf(300)));
    expect(codeGenerationCount() - before).toBe(0);
  });

  it('precompile(bytes) warms the cache: the first Module of those bytes generates nothing, metered or not, any layout', () => {
    const bytes = fresh(ADD);
    const before = codeGenerationCount();
    const id = precompile(bytes);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(codeGenerationCount() - before).toBe(1);
    for (const options of [{}, { gasMetering: 'sync' as const }, { auxDataSize: 0x5000, stackSize: 0x20000 }]) {
      const module = Module.fromBytes(bytes, { backend: 'compiled', ...options });
      const instance = module.instantiate();
      instance.prepareCall(module.exportPc('main')!, [1n, 2n]);
      if (options.gasMetering) instance.setGas(100n);
      expect(instance.run().kind).toBe('finished');
      expect(instance.reg(7)).toBe(1003n);
    }
    expect(codeGenerationCount() - before).toBe(1);
  });

  it('the virt front finds precompiled code by ModuleId (its cost model, full-l2, shapes the code)', async () => {
    const bytes = fresh(ADD);
    const path = join(dir, 'virt.mjs');
    writeFileSync(path, compileModule(bytes, { costModel: 'full-l2' }).code);
    readPrecompiled(await importModule(path));
    const before = codeGenerationCount();
    const manager = new VirtManager({ backend: 'compiled' });
    expect(manager.compile(bytes, undefined).ok).toBe(true);
    expect(codeGenerationCount() - before).toBe(0);
  });

  it('refuses a module from another version, with edited bytes, or that is not a pvm2js module: one line, exit 2', async () => {
    const bytes = fresh(ADD);
    const otherVersion = writeModule('version.mjs', bytes, (t) => t.replace(/export const compiler = "[^"]*";/, 'export const compiler = "0.0.1";'));
    const editedBytes = writeModule('edited.mjs', bytes, (t) => {
      const program = /export const program = "([^"]*)";/.exec(t)![1]!;
      const edited = Buffer.from(program, 'base64');
      edited[edited.length - 1] ^= 1;
      return t.replace(program, edited.toString('base64'));
    });
    const notOurs = join(dir, 'other.mjs');
    writeFileSync(notOurs, 'export const answer = 42;\n');
    const broken = join(dir, 'broken.mjs');
    writeFileSync(broken, 'export const = ;\n');
    const cases: [string, RegExp][] = [
      [otherVersion, /made by pvm2js 0\.0\.1; this is .*compile it again/],
      [editedBytes, /program bytes were edited/],
      [notOurs, /is not a pvm2js compiled module \(it does not export/],
      [broken, /is not a pvm2js compiled module \(importing it failed/],
    ];
    for (const [path, message] of cases)
      for (const command of [['run', path, 'main'], ['query', path, '--args', '00']]) {
        const { code, stdout, stderr } = await cli(command);
        expect(code, `${command.join(' ')}: ${stderr}`).toBe(2);
        expect(stdout).toBe('');
        expect(stderr.trimEnd().split('\n'), command.join(' ')).toHaveLength(1);
        expect(stderr).toMatch(message);
      }
    const edited = await importModule(editedBytes);
    expect(() => readPrecompiled(edited)).toThrow(/program bytes were edited/);
  });

  it('a compiled module runs under node --disallow-code-generation-from-strings (no new Function)', async () => {
    const path = writeModule('no-eval.mjs', fresh(ADD));
    const cliMain = new URL('../src/cli/main.ts', import.meta.url).pathname;
    const run = (input: string) =>
      promisify(execFile)(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', cliMain, 'run', input, 'main', '2', '3', '--json', '--backend', 'compiled']);
    const { stdout } = await run(path);
    expect(JSON.parse(stdout)).toMatchObject({ status: 'finished' });
    expect(JSON.parse(stdout).regs[7]).toBe('1005');
    // The same program as bytes needs code generated from text, which the flag forbids: it runs on the
    // interpreter instead, with one notice (issue 8 item 5), never an EvalError.
    const program = join(dir, 'no-eval.polkavm');
    writeFileSync(program, readPrecompiled(await importModule(path)).bytes);
    const fromBytes = await run(program);
    expect(JSON.parse(fromBytes.stdout).regs[7]).toBe('1005');
    expect(fromBytes.stderr).toMatch(/'compiled' backend runs on the interpreter instead/);
  }, 30_000);
});
