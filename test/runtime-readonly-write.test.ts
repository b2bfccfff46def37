import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import { Module } from '../src/runtime/index.ts';
import { hasBackend } from '../src/runtime/backends.ts';

// A guest write to a mapped read-only page under dynamic paging: polkavm 0.35 reports a segfault with
// isWriteProtected; the older polkavm behind the jam-gas-model vectors trapped. Both are selectable.
const program = assemble(['pub @main:', '    u8 [0x10000] = a0', '    trap'].join('\n'), { isa: 'jam_v1' });

describe('readOnlyWrite', () => {
  const cases = [
    { option: undefined, expected: { kind: 'segfault', pageAddress: 0x10000, pageSize: 4096, isWriteProtected: true } },
    { option: 'segfault' as const, expected: { kind: 'segfault', pageAddress: 0x10000, pageSize: 4096, isWriteProtected: true } },
    { option: 'trap' as const, expected: { kind: 'trap' } },
  ];
  for (const backend of ['interpreter', 'compiled'] as const) {
    it.skipIf(!hasBackend(backend)).each(cases)(`${backend}: readOnlyWrite=$option`, ({ option, expected }) => {
      const module = Module.fromBytes(program, { backend, dynamicPaging: true, ...(option ? { readOnlyWrite: option } : {}) });
      const instance = module.instantiate();
      instance.mapPages(0x10000, 4096, { writable: false });
      instance.setNextProgramCounter(0);
      expect(instance.run()).toEqual(expected);
      expect(instance.programCounter()).toBe(0);
      expect(instance.readMemory(0x10000, 1)).toEqual(new Uint8Array([0]));
    });
  }

  it('rejects an unknown value', () => {
    expect(() => Module.fromBytes(program, { readOnlyWrite: 'ignore' as never })).toThrow(/unknown readOnlyWrite 'ignore'/);
  });
});
