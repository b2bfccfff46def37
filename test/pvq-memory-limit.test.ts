import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { ExtensionsExecutor, testRunnerExtensions } from '../src/pvq/index.ts';
import { hasBackend } from '../src/runtime/backends.ts';

// A guest whose declared memory is over maxMemory fails as a value at instantiate, before it runs.
const guest = (rwBytes: number): Uint8Array =>
  assemble([`%rw_data_size = ${rwBytes}`, 'pub @pvq:', '    a0 = 0', '    a1 = 0', '    ret'].join('\n'), { isa: 'latest32' });

describe('PVQ maxMemory at instantiate', () => {
  for (const backend of ['interpreter', 'compiled'] as const) {
    it.skipIf(!hasBackend(backend))(`${backend}: a 64 MiB rw guest under the 16 MiB default is out-of-memory`, () => {
      const outcome = new ExtensionsExecutor(testRunnerExtensions(), { backend }).execute(guest(64 << 20), new Uint8Array(0));
      expect(outcome.ok).toBe(false);
      if (outcome.ok) return;
      expect(outcome.error.kind).toBe('out-of-memory');
    });
    it.skipIf(!hasBackend(backend))(`${backend}: the same guest runs with maxMemory raised`, () => {
      const outcome = new ExtensionsExecutor(testRunnerExtensions(), { backend, maxMemory: 128 << 20 }).execute(guest(64 << 20), new Uint8Array(0));
      expect(outcome.ok).toBe(true);
    });
  }
});
