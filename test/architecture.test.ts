// The folder tree is the architecture: imports only point down the floors listed in ARCHITECTURE.md.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = join(import.meta.dirname, '..', 'src');

const ALLOWED: Record<string, readonly string[]> = {
  decoder: [],
  machine: ['decoder'],
  gas: ['decoder'],
  assembler: ['decoder'],
  interpreter: ['decoder', 'machine', 'gas'],
  codegen: ['decoder', 'machine', 'gas'],
  tiered: ['decoder', 'machine', 'gas', 'interpreter', 'codegen'],
  runtime: ['decoder', 'machine', 'gas', 'interpreter', 'codegen', 'tiered', 'assembler'],
  virt: ['decoder', 'machine', 'gas', 'runtime'],
  pvq: ['decoder', 'machine', 'gas', 'runtime'],
  'pvq-pool': ['pvq'],
  cli: ['decoder', 'machine', 'gas', 'assembler', 'interpreter', 'codegen', 'tiered', 'runtime', 'virt', 'pvq'],
};
const ROOT_FILES = new Set(['version.ts']);
/** Node-only floors: the CLI, and the worker-thread pool (its own entry point, `pvm2js/pvq/pool`). */
const NODE_FOLDERS = ['cli', 'pvq-pool'];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const files = walk(SRC).filter((f) => relative(SRC, f).includes('/'));

describe('architecture', () => {
  it.each(files.map((f) => [relative(SRC, f), f]))('%s imports only lower floors', (_name, file) => {
    const folder = relative(SRC, file).split('/')[0]!;
    const allowed = ALLOWED[folder];
    expect(allowed, `folder src/${folder} is not listed in ARCHITECTURE.md / this test`).toBeDefined();
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
      const spec = m[1]!;
      if (spec.startsWith('node:')) {
        expect(NODE_FOLDERS, `${relative(SRC, file)} imports ${spec}: only src/cli and src/pvq-pool may use Node built-ins`).toContain(folder);
        continue;
      }
      if (!spec.startsWith('.')) continue;
      const target = relative(SRC, join(file, '..', spec));
      if (target.startsWith('..')) continue;
      const targetFolder = target.includes('/') ? target.split('/')[0]! : target;
      if (targetFolder === folder || ROOT_FILES.has(targetFolder)) continue;
      expect(allowed, `${relative(SRC, file)} imports ${spec} (src/${targetFolder})`).toContain(targetFolder);
    }
  });
});
