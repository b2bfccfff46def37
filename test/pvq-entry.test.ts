// The `pvm2js/pvq` entry point: a package.json subpath export with the same conditions as the root,
// giving the seed's and the reference crates' names.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

describe('pvm2js/pvq', () => {
  it('is exported with the typescript / types / default conditions, as the root is', () => {
    expect(Object.keys(pkg.exports['./pvq'])).toEqual(Object.keys(pkg.exports['.']));
    expect(pkg.exports['./pvq']).toEqual({ typescript: './src/pvq/index.ts', types: './dist/pvq/index.d.ts', default: './dist/pvq/index.js' });
  });

  it("gives the seed's names", async () => {
    // What the `typescript` condition resolves to (vitest's resolution of the package's own name may
    // reach a stale dist/; the built entry is checked by building, see ARCHITECTURE.md).
    const pvq = await import(new URL('../' + pkg.exports['./pvq'].typescript, import.meta.url).href);
    for (const name of ['PvqExecutor', 'ExtensionsExecutor', 'PvqApi', 'PVQ_DEFAULT_CONFIG', 'executorErrorName', 'declareExtension', 'implementExtension'])
      expect(typeof (pvq as Record<string, unknown>)[name], name).not.toBe('undefined');
    const root = await import('../src/index.ts');
    // The root keeps its aliases: the same classes.
    expect(root.PvqExecutor).toBe(pvq.PvqExecutor);
    expect(root.PvqApi).toBe(pvq.PvqApi);
  });
});
