// npm run test:browser: the library bundled for the browser (esbuild), loaded in headless Chromium
// (Debian's chromium, driven by playwright-core) from a server on 127.0.0.1, checked on the real page:
// hello-world, pinky's registers, a PVQ query, the no-eval fallback under a CSP without 'unsafe-eval',
// and the playground (doom loaded, hello-world run, a screenshot in test-results/).
// Outside CI a machine without Chromium skips with a notice; under CI=true that is a failure.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { bundleBrowserFiles, bundleForBrowser } from '../../scripts/bundle-browser.ts';
import { startStaticServer } from '../../src/cli/static-server.ts';
import { HAVE_SHARED, SHARED } from '../shared.ts';

const root = resolve(import.meta.dirname, '..', '..');
const out = join(root, 'test-results', 'browser');
// CHROMIUM_PATH, when set, is the only browser tried.
const CHROMIUM_PATHS = process.env.CHROMIUM_PATH ? [process.env.CHROMIUM_PATH] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const PINKY_REGS = ['ra?', 'sp?', '0x53b7d7fa', '0x307ff', '0x4009d340', '0', '0', '0', '0', '0xc7e3', '0xe000', '0x10000', '0x3bc'];
const PINKY_GAS_USED = '327668972';

let failures = 0;
function check(name: string, ok: boolean, detail: string): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}: ${detail}`);
  if (!ok) failures++;
}

function skipOrFail(reason: string): never {
  if (process.env.CI) {
    console.error(`browser test: ${reason} (CI=true requires it)`);
    process.exit(1);
  }
  console.warn(`NOTICE: browser test skipped: ${reason}`);
  process.exit(0);
}

const executablePath = CHROMIUM_PATHS.find((p) => existsSync(p));
if (!executablePath) skipOrFail(`no Chromium at ${CHROMIUM_PATHS.join(', ')} (install it: apt-get install -y chromium, or set CHROMIUM_PATH)`);
if (!HAVE_SHARED) skipOrFail(`shared test data not found at ${SHARED} (set PVM2JS_SHARED)`);

mkdirSync(out, { recursive: true });
await bundleForBrowser(join(root, 'test', 'browser', 'checks.ts'), join(out, 'checks.js'));
await bundleBrowserFiles();
const page = (title: string) => `<!doctype html><meta charset="utf-8"><title>${title}</title><script type="module" src="/out/checks.js"></script>`;
writeFileSync(join(out, 'plain.html'), page('loading'));
writeFileSync(join(out, 'csp.html'), page('loading'));

const server = await startStaticServer({
  mounts: { '/': root, '/out/': out, '/blobs/': join(SHARED, 'blobs') },
  // The no-eval page: scripts only from this origin, no 'unsafe-eval', so `new Function` throws.
  headers: (path): Record<string, string> => (path === '/out/csp.html' ? { 'content-security-policy': "default-src 'self'; script-src 'self'" } : {}),
});
let browser: Browser | undefined;
try {
  browser = await chromium.launch({ executablePath, args: ['--no-sandbox'], headless: true });
  const open = async (path: string): Promise<Page> => {
    const p = await browser!.newPage();
    p.on('pageerror', (e) => check(`${path} page error`, false, e.message));
    await p.goto(server.url + path);
    await p.waitForFunction("document.title === 'ready'", undefined, { timeout: 30_000 });
    return p;
  };
  type Result<T> = { ok: true; value: T } | { ok: false; error: string };
  const run = async <T>(p: Page, name: string): Promise<T | undefined> => {
    const r = (await p.evaluate((n) => (globalThis as unknown as { runCheck(n: string): Promise<unknown> }).runCheck(n), name)) as Result<T>;
    if (!r.ok) check(name, false, r.error);
    return r.ok ? r.value : undefined;
  };

  const plain = await open('/out/plain.html');
  const evalPlain = await run<string | null>(plain, 'evalError');
  check('plain page allows new Function', evalPlain === null, `evalError ${evalPlain}`);
  type Hello = { interrupt: string; a0: string; notices: string[] };
  for (const backend of ['compiled', 'tiered', 'interpreter']) {
    const r = await run<Hello>(plain, `hello-world/${backend}`);
    if (r) check(`hello-world add_numbers(1, 2) [${backend}]`, r.interrupt === 'finished' && r.a0 === '103' && r.notices.length === 0, JSON.stringify(r));
  }
  type Pinky = { interrupt: string; regs: string[]; gasUsed: string; ms: number };
  const pinky = await run<Pinky>(plain, 'pinky/compiled');
  if (pinky) {
    const regsOk = PINKY_REGS.every((want, i) => want.endsWith('?') || BigInt(want) === BigInt(pinky.regs[i]!));
    check('bench-pinky initialize [compiled]', pinky.interrupt === 'finished' && regsOk && pinky.gasUsed === PINKY_GAS_USED, `${pinky.interrupt}, regs ${pinky.regs.map((r) => '0x' + BigInt(r).toString(16)).join(' ')}, gas used ${pinky.gasUsed}, ${pinky.ms} ms`);
  }
  const pvq = await run<{ ok: boolean; value: string }>(plain, 'pvq');
  if (pvq) check('PVQ sum_balance(21, [Alice, Bob])', pvq.ok && pvq.value === '1250000000', JSON.stringify(pvq));

  const csp = await open('/out/csp.html');
  const evalCsp = await run<string | null>(csp, 'evalError');
  check("CSP without 'unsafe-eval' forbids new Function", evalCsp === 'EvalError', `evalError ${evalCsp}`);
  for (const backend of ['compiled', 'tiered']) {
    const r = await run<Hello>(csp, `hello-world/${backend}`);
    if (r) check(`no-eval fallback [${backend}]`, r.interrupt === 'finished' && r.a0 === '103' && r.notices.some((n) => n.includes('runs on the interpreter')), JSON.stringify(r));
  }

  await playground(browser, server.url);
} finally {
  await browser?.close();
  await server.close();
}

async function playground(b: Browser, url: string): Promise<void> {
  if (!existsSync(join(root, 'examples', 'web', 'index.html'))) return check('playground', false, 'examples/web/index.html missing');
  const p = await b.newPage({ viewport: { width: 1400, height: 1000 } });
  p.on('pageerror', (e) => check('playground page error', false, e.message));
  await p.goto(`${url}/examples/web/`);
  await p.waitForSelector('#file');
  await p.setInputFiles('#file', join(SHARED, 'blobs', 'polkavm', 'doom.polkavm'));
  await p.waitForFunction("document.querySelector('#info')?.textContent?.includes('ext_initialize')", undefined, { timeout: 60_000 });
  const doomInfo = (await p.textContent('#info')) ?? '';
  const doomJs = Number(await p.getAttribute('#js', 'data-count'));
  await p.screenshot({ path: join(out, 'playground-doom.png') });
  check('playground loads doom', doomInfo.includes('exports') && doomJs > 1000, `info ${doomInfo.split('\n')[0]}; ${doomJs} JS lines`);
  await p.setInputFiles('#file', join(SHARED, 'blobs', 'polkavm', 'example-hello-world.polkavm'));
  await p.waitForFunction("document.querySelector('#info')?.textContent?.includes('add_numbers')");
  await p.selectOption('#export', 'add_numbers');
  await p.fill('#args', '1 2');
  await p.fill('#host', 'get_third_number=100');
  await p.fill('#gas', '100000');
  await p.click('#run');
  await p.waitForFunction("document.querySelector('#outcome')?.textContent?.includes('finished')");
  const outcome = (await p.textContent('#outcome')) ?? '';
  check('playground runs hello-world add_numbers 1 2', /^outcome:\s+finished/m.test(outcome) && /^a0\s+= 103\b/m.test(outcome) && /^gas used:\s+\d+/m.test(outcome), outcome.split('\n').filter((l) => /^(outcome|gas used|a0 )/.test(l)).join('; '));
  // A generated line links to its guest instruction: clicking it marks that instruction.
  // The gutter of a mapped line reads '<line> @<pc>'.
  await p.locator('#js .line').filter({ hasText: ' @' }).nth(3).click();
  const marked = await p.locator('#disasm .line.selected').count();
  check('playground: a JS line selects its guest instruction', marked === 1, `${marked} marked`);
  await p.screenshot({ path: join(out, 'playground.png'), fullPage: false });
  console.log(`screenshots: ${join(out, 'playground-doom.png')}, ${join(out, 'playground.png')}`);
}

if (failures > 0) {
  console.error(`browser test: ${failures} failed`);
  process.exit(1);
}
console.log('browser test: all passed');
