// `pvm2js compile` and compiled modules: the CLI's files and exit codes, the round trip compile →
// import → loadCompiled → run (hello-world through a host call, pinky `initialize` to its known
// registers), that loading runs the module's own code, and that bad modules are refused.
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { clearModuleCache, compileCached, compileToJs } from '../src/codegen/index.ts';
import { compileModule, Linker, loadCompiled, Module, RuntimeError, type CompiledModuleNamespace } from '../src/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

const dir = mkdtempSync(join(tmpdir(), 'pvm2js-compile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(['compile', ...argv]), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

let imports = 0;
/** Imports a written module (a fresh URL each time, so a rewritten file is read again). */
const importModule = async (path: string): Promise<CompiledModuleNamespace> =>
  (await import(/* @vite-ignore */ `${pathToFileURL(path).href}?n=${imports++}`)) as CompiledModuleNamespace;

const HELLO = sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm');
const PINKY = sharedPath('blobs', 'polkavm', 'bench-pinky.polkavm');

describe.skipIf(!HAVE_SHARED)('pvm2js compile', () => {
  it('writes a module and its map; the module runs hello-world through a host call', async () => {
    const out = join(dir, 'hello.mjs');
    const { code, stdout } = await cli([HELLO, '-o', out, '--source-map', '--json']);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout);
    expect(summary).toMatchObject({ output: out, map: `${out}.map`, isa: 'Latest32' });
    const text = readFileSync(out, 'utf8');
    expect(text.trimEnd().endsWith('//# sourceMappingURL=hello.mjs.map')).toBe(true);
    expect(JSON.parse(readFileSync(`${out}.map`, 'utf8'))).toMatchObject({ version: 3, file: 'hello.mjs', sources: ['example-hello-world.polkavm'] });

    const ns = await importModule(out);
    expect(ns.moduleId).toBe(summary.moduleId);
    expect(ns.guestExports).toEqual([{ name: 'add_numbers', pc: 0 }]);
    // The module's code is the code generator's text for the same program and options.
    const reference = Module.fromBytes(readFileSync(HELLO), { backend: 'interpreter' });
    expect(text.startsWith(`export const link = ${compileToJs(reference.image).code}`)).toBe(true);

    clearModuleCache();
    const module = loadCompiled(ns);
    // Loading took the module's own function instead of generating code.
    expect(compileCached(module.image).link).toBe(ns.link);
    const instance = new Linker().define('get_third_number', () => 100).instantiate(module);
    expect(instance.call('add_numbers', 1, 2)).toMatchObject({ interrupt: { kind: 'finished' }, a0: 103n });
    expect(instance.metrics().hostCalls).toBe(1);
  });

  it('pinky initialize from a compiled module (sync gas): the known registers and instruction count', async () => {
    const out = join(dir, 'pinky.mjs');
    expect((await cli([PINKY, '-o', out, '--gas-metering', 'sync'])).code).toBe(0);
    expect(existsSync(`${out}.map`)).toBe(false);
    const ns = await importModule(out);
    expect(ns.options).toEqual({ format: 'polkavm', isa: 'Latest32', gasMetering: 'sync', costModel: 'naive', dynamicPaging: false });
    clearModuleCache();
    const module = loadCompiled(ns);
    expect(compileCached(module.image).link).toBe(ns.link);
    const instance = module.instantiate();
    instance.prepareCall('initialize');
    const gas = 1n << 40n;
    instance.setGas(gas);
    expect(instance.run().kind).toBe('finished');
    expect(gas - instance.gas()).toBe(327_668_972n);
    const reg = (k: number): bigint => instance.reg(k);
    // T0 T1 T2 A2 A3 A4 A5 (../shared/blobs/README.md), and A0, A1, S0, S1 zero.
    expect([2, 3, 4, 9, 10, 11, 12].map(reg)).toEqual([0x53b7d7fan, 0x307ffn, 0x4009d340n, 0xc7e3n, 0xe000n, 0x10000n, 0x3bcn]);
    expect([5, 6, 7, 8].map(reg)).toEqual([0n, 0n, 0n, 0n]);
  });

  it('records the code-shaping options and loads with them (async gas, a full cost model, dynamic paging)', async () => {
    const out = join(dir, 'hello-options.mjs');
    expect((await cli([HELLO, '-o', out, '--gas-metering', 'async', '--cost-model', 'full-l1', '--dynamic-paging'])).code).toBe(0);
    const ns = await importModule(out);
    expect(ns.options).toEqual({ format: 'polkavm', isa: 'Latest32', gasMetering: 'async', costModel: 'full-l1', dynamicPaging: true });
    clearModuleCache();
    const module = loadCompiled(ns);
    expect(module.image).toMatchObject({ gasMetering: 'async', dynamicPaging: true });
    expect(compileCached(module.image).link).toBe(ns.link);
    // The recorded block costs are the cost model's.
    const costs: number[] = [];
    for (let i = 0; i < module.code.count; i++) if (module.code.blockStart[i]) costs.push(module.code.pc[i]!, module.image.blockCosts[i]!);
    expect(ns.blockCosts).toEqual(costs);
  });

  const usageCases: { name: string; argv: (out: string) => string[]; message: RegExp }[] = [
    { name: 'no output', argv: () => [HELLO], message: /-o <out\.mjs>/ },
    { name: 'no input', argv: (out) => ['-o', out], message: /expected <file>/ },
    { name: 'missing file', argv: (out) => [join(dir, 'nope.polkavm'), '-o', out], message: /no such file/ },
    { name: 'not a program', argv: (out) => [join(dir, 'garbage.polkavm'), '-o', out, '--format', 'polkavm'], message: /./ },
    { name: 'bad gas metering', argv: (out) => [HELLO, '-o', out, '--gas-metering', 'later'], message: /unknown gas metering/ },
    { name: 'bad cost model', argv: (out) => [HELLO, '-o', out, '--gas-metering', 'sync', '--cost-model', 'cheap'], message: /unknown cost model/ },
    { name: 'cost model without metering', argv: (out) => [HELLO, '-o', out, '--cost-model', 'full-l1'], message: /needs --gas-metering/ },
    { name: 'bad isa', argv: (out) => [HELLO, '-o', out, '--isa', 'x86'], message: /unknown ISA/ },
    { name: 'unwritable output', argv: () => [HELLO, '-o', join(dir, 'no-such-dir', 'x.mjs')], message: /cannot write/ },
  ];
  writeFileSync(join(dir, 'garbage.polkavm'), 'PVM\0 this is not a program');
  for (const c of usageCases)
    it(`exit code 2: ${c.name}`, async () => {
      const out = join(dir, `${c.name.replace(/\W/g, '-')}.mjs`);
      const { code, stderr } = await cli(c.argv(out));
      expect(code).toBe(2);
      expect(stderr).toMatch(c.message);
      expect(existsSync(out)).toBe(false);
    });

  it('loadCompiled refuses what is not a module of this compiler for its program', async () => {
    const compiled = compileModule(readFileSync(HELLO));
    const path = join(dir, 'refuse.mjs');
    writeFileSync(path, compiled.code);
    const ns = await importModule(path);
    const cases: [string, unknown, RegExp][] = [
      ['not an object', 42, /not a pvm2js compiled module/],
      ['another format', { ...ns, format: 1 }, /format 1, expected 2/],
      ['another compiler', { ...ns, compiler: '0.0.1' }, /compile it again/],
      ['no link', { ...ns, link: undefined }, /no link function/],
      ['bad options', { ...ns, options: { ...ns.options, gasMetering: 'later' } }, /malformed options/],
      // Options that change the code, recorded differently from what the code was made for.
      ['options do not match the code', { ...ns, options: { ...ns.options, costModel: 'full-l1' } }, /does not match/],
      ['program not base64', { ...ns, program: '*' }, /not base64/],
    ];
    for (const [what, value, message] of cases) {
      let error: unknown;
      try {
        loadCompiled(value);
      } catch (e) {
        error = e;
      }
      expect(error, what).toBeInstanceOf(RuntimeError);
      expect((error as RuntimeError).message, what).toMatch(message);
    }
  });
});
