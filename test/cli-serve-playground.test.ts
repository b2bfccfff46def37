// pvm2js serve-playground and the static server under it: bad options are usage errors, only the
// mounted directories are served, `..` never leaves them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../src/cli/main.ts';
import { startStaticServer } from '../src/cli/static-server.ts';

async function runCli(argv: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((stderr += String(s)), true));
  try {
    return { code: await main(argv), stderr };
  } finally {
    err.mockRestore();
  }
}

describe('pvm2js serve-playground', () => {
  it.each([
    [['--port', 'x'], /--port 'x' is not a port number/],
    [['--port', '70000'], /--port '70000' is not a port number/],
    [['extra'], /unexpected argument 'extra'/],
    [['--bogus'], /bogus/],
  ])('%j is a usage error', async (argv, message) => {
    const r = await runCli(['serve-playground', ...argv]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^pvm2js serve-playground: /);
    expect(r.stderr).toMatch(message);
  });
});

describe('the static server', () => {
  it('serves mounted files with their type and headers, and nothing outside the mounts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pvm2js-static-'));
    writeFileSync(join(dir, 'index.html'), '<p>hi</p>');
    writeFileSync(join(dir, 'a.js'), 'export {}');
    const server = await startStaticServer({ mounts: { '/site/': dir }, headers: (path): Record<string, string> => (path.endsWith('.js') ? { 'x-test': 'yes' } : {}) });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const page = await fetch(`${server.url}/site/`);
      expect([page.status, page.headers.get('content-type'), await page.text()]).toEqual([200, 'text/html; charset=utf-8', '<p>hi</p>']);
      const script = await fetch(`${server.url}/site/a.js`);
      expect([script.headers.get('content-type'), script.headers.get('x-test')]).toEqual(['text/javascript; charset=utf-8', 'yes']);
      for (const path of ['/', '/site/missing.js', '/site/%2e%2e/%2e%2e/etc/passwd', '/site/..%2f..%2fetc%2fpasswd'])
        expect([path, (await fetch(server.url + path)).status]).toEqual([path, 404]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
