// `pvm2js/virt` resolves as a package subpath (the way a user imports it) and carries the crate's names.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };

// sp-virtualization 0.4.0's item list (digest A.2), in JS spelling; types are checked by tsc, values here.
const CRATE_VALUES = [
  'Module', 'Instance', 'Execution', 'SyscallSymbol', 'MAX_SYSCALL_SYMBOL_LEN', 'LOG_TARGET',
  'CompileStatus', 'ExecStatus', 'ModuleError', 'InstantiateError', 'ExecError', 'MemoryError', 'DestroyError',
  'VirtManager', 'HostFunctions', 'withVirtManager', 'runTests', 'runLoop', 'makeHandler', 'GAS_MAX',
  'EXEC_BUFFER_SIZE', 'encodeExecBuffer', 'decodeExecBuffer',
  'decodeCompileResult', 'decodeModuleIdResult', 'decodeInstantiateResult', 'decodeRunResult', 'decodeUnitResult',
  'setLogger',
];

describe('pvm2js/virt', () => {
  it('is a subpath export with the same conditions as the root', () => {
    expect(pkg.exports['./virt']).toEqual({ typescript: './src/virt/api.ts', types: './dist/virt/api.d.ts', default: './dist/virt/api.js' });
    expect(Object.keys(pkg.exports['./virt'] as object)).toEqual(Object.keys(pkg.exports['.'] as object));
  });

  it('resolves by package name (Node, typescript condition) and exports the crate names', () => {
    // Node's own resolver, as a user's project sees the package: vitest would fall back to a stale dist/.
    const script = "const v = await import('pvm2js/virt'); console.log(JSON.stringify({ names: Object.keys(v), target: v.LOG_TARGET, exec: v.ExecError, ext: typeof v.HostFunctions === 'function' && typeof v.Module.fromBytes === 'function' }))";
    const run = spawnSync(process.execPath, ['--conditions=typescript', '--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(run.stderr).toBe('');
    const virt = JSON.parse(run.stdout) as { names: string[]; target: string; exec: object; ext: boolean };
    expect(CRATE_VALUES.filter((name) => !virt.names.includes(name))).toEqual([]);
    expect(virt.target).toBe('virtualization');
    expect(virt.exec).toEqual({ InvalidInstance: -1, InvalidImage: -2, OutOfGas: -3, Trap: -4 });
    expect(virt.ext).toBe(true);
  });
});
