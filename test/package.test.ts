// The package as users get it: `npm pack` (which builds through `prepare`), the tarball installed into an
// empty project, then the CLI through npx, every entry point imported and a consumer type-checked.
// Packing and installing happen once, in beforeAll; each check then runs against that install.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
// Every entry point the package exports, as a consumer spells it (`pvm2js`, `pvm2js/virt`, ...).
const entryPoints = Object.keys(manifest.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? 'pvm2js' : `pvm2js/${key.slice(2)}`));

let project = '';
const run = (file: string, args: string[], timeout = 120_000): string =>
  execFileSync(file, args, { cwd: project, encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'] });

describe('the packed package, installed into an empty project', () => {
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), 'pvm2js-pack-'));
    const tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', project], { cwd: root, encoding: 'utf8', timeout: 300_000 })
      .trim()
      .split('\n')
      .at(-1)!;
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    run('npm', ['install', join(project, tarball), '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts'], 300_000);
  }, 600_000);
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it('exports more than the main entry (the list is read from package.json)', () => {
    expect(entryPoints).toContain('pvm2js');
  });

  it('npx pvm2js --help prints the commands', () => {
    const out = run('npx', ['--no-install', 'pvm2js', '--help']);
    for (const command of ['run', 'compile', 'disasm', 'demo']) expect(out).toMatch(new RegExp(`^ +${command} +\\S`, 'm'));
  });

  it('npx pvm2js demo runs the bundled example from the installed files', () => {
    const out = run('npx', ['--no-install', 'pvm2js', 'demo', '--limit', '1000']);
    expect(out).toContain('count_primes(1000) = 168  (plain JavaScript says 168: same)');
  });

  it('npx pvm2js serve-playground serves the page and its browser bundle on 127.0.0.1', async () => {
    // The installed bin itself (not through npx, whose shell would not pass SIGINT on).
    const child = spawn(process.execPath, [join(project, 'node_modules', '.bin', 'pvm2js'), 'serve-playground', '--port', '0'], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((done) => child.once('exit', done));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        let text = '';
        child.stdout.on('data', (chunk: Buffer) => {
          text += chunk;
          const match = /playground: (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(text);
          if (match) resolveUrl(match[1]!);
        });
        child.stderr.on('data', (chunk: Buffer) => (text += chunk));
        child.once('exit', (code) => reject(new Error(`serve-playground exited with ${code}: ${text}`)));
      });
      const page = await (await fetch(url)).text();
      expect(page).toContain('pvm2js playground');
      const script = /src="([^"]+playground\.js)"/.exec(page)![1]!;
      const bundle = await fetch(new URL(script, url));
      expect(bundle.status).toBe(200);
      expect((await bundle.text()).length).toBeGreaterThan(100_000);
      expect((await fetch(new URL('../../package.json', url))).status).toBe(404);
    } finally {
      child.kill('SIGINT');
      await exited;
    }
  });

  it.each(entryPoints)('import("%s") loads from the install and has exports', (entry) => {
    const out = run('node', ['--input-type=module', '-e', `const m = await import(${JSON.stringify(entry)}); console.log(Object.keys(m).length);`]);
    expect(Number(out.trim())).toBeGreaterThan(0);
  });

  it('a TypeScript consumer type-checks against the shipped declarations', () => {
    writeFileSync(
      join(project, 'consumer.ts'),
      [
        "import { assemble, Linker, Module } from 'pvm2js';",
        "const module = Module.fromBytes(assemble('pub @main:\\n a0 = 7\\n ret\\n'));",
        'const instance = new Linker().instantiate(module);',
        'instance.setGas(1_000n);',
        "const result = instance.call('main');",
        'const kind: string = result.interrupt.kind;',
        'const a0: bigint = result.a0;',
        'export { kind, a0 };',
        ...entryPoints.filter((e) => e !== 'pvm2js').map((e, i) => `import * as entry${i} from '${e}';\nexport const keys${i} = Object.keys(entry${i});`),
        // A misuse the declarations must reject, so the check cannot pass by typing everything as any.
        '// @ts-expect-error call takes an export name or pc, not an object',
        'instance.call({});',
      ].join('\n'),
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['consumer.ts'] }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    let output = '';
    try {
      output = run('node', [tsc, '-p', 'tsconfig.json']);
    } catch (e) {
      output = String((e as { stdout?: string }).stdout ?? e);
    }
    expect(output).toBe('');
  });
});
