// The library as one browser ES module (dist/browser/pvm2js.js) for the playground and browser users.
// platform 'browser' makes esbuild refuse any Node built-in below src/cli, the floor the core promises.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleForBrowser(entry: string, outfile: string): Promise<void> {
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    conditions: ['typescript'],
    // source-map's lib/url.js reads the URL global and requires Node's 'url' only where there is none
    // (Node 8); its package.json#browser does not cover that file, so the require is left unresolved
    // and never runs in a browser.
    external: ['url'],
  });
}

/** dist/browser: the library, the playground's code, and the wasm its source-map reader loads. */
export async function bundleBrowserFiles(): Promise<void> {
  const out = join(root, 'dist', 'browser');
  await bundleForBrowser(join(root, 'src', 'index.ts'), join(out, 'pvm2js.js'));
  await bundleForBrowser(join(root, 'examples', 'web', 'main.ts'), join(out, 'playground.js'));
  mkdirSync(out, { recursive: true });
  copyFileSync(createRequire(import.meta.url).resolve('source-map/lib/mappings.wasm'), join(out, 'mappings.wasm'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await bundleBrowserFiles();
}
