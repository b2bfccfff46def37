// Behaviour of the instance interface, written once and run against every backend in `backends`
// (the compiled backend joins by being registered in src/runtime/backends.ts).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { Reg } from '../src/machine/state.ts';
import { hasBackend, Linker, Module, type BackendName, type ModuleOptions } from '../src/runtime/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';
import { registerTieredVariants, TIERED_VARIANTS } from './tiered-variants.ts';

registerTieredVariants();
export const backends: readonly BackendName[] = [...(['interpreter', 'compiled', 'tiered'] as const).filter((b) => hasBackend(b)), ...TIERED_VARIANTS];

const U64 = (v: bigint): bigint => BigInt.asUintN(64, v);

function load(backend: BackendName, isa: string, body: string, options: ModuleOptions = {}) {
  return Module.fromBytes(assemble(`pub @main:\n${body}`, { isa }), { backend, ...options });
}

describe.each(backends)('behaviour [%s]', (backend) => {
  // ---- arithmetic: one instruction between `a0, a1` in and `a2` out ----
  interface ArithCase {
    isa: 'latest32' | 'latest64';
    line: string;
    a0: bigint;
    a1: bigint;
    /** A2 as `reg()` reports it (low 32 bits on latest32). */
    a2: bigint;
  }
  const MIN64 = 1n << 63n;
  const cases: ArithCase[] = [
    { isa: 'latest64', line: 'a2 = a0 /u a1', a0: 7n, a1: 0n, a2: U64(-1n) },
    { isa: 'latest64', line: 'a2 = a0 %u a1', a0: 7n, a1: 0n, a2: 7n },
    { isa: 'latest64', line: 'a2 = a0 /s a1', a0: 7n, a1: 0n, a2: U64(-1n) },
    { isa: 'latest64', line: 'a2 = a0 %s a1', a0: U64(-7n), a1: 0n, a2: U64(-7n) },
    { isa: 'latest64', line: 'a2 = a0 /s a1', a0: MIN64, a1: U64(-1n), a2: MIN64 },
    { isa: 'latest64', line: 'a2 = a0 %s a1', a0: MIN64, a1: U64(-1n), a2: 0n },
    { isa: 'latest64', line: 'a2 = a0 %s a1', a0: U64(-7n), a1: 2n, a2: U64(-1n) },
    { isa: 'latest64', line: 'i32 a2 = a0 /u a1', a0: 7n, a1: 0n, a2: U64(-1n) },
    { isa: 'latest64', line: 'i32 a2 = a0 /s a1', a0: 0x80000000n, a1: U64(-1n), a2: U64(-0x80000000n) },
    { isa: 'latest64', line: 'i32 a2 = a0 %s a1', a0: 0x80000000n, a1: U64(-1n), a2: 0n },
    { isa: 'latest64', line: 'i32 a2 = a0 + a1', a0: 0x7fffffffn, a1: 1n, a2: U64(-0x80000000n) },
    { isa: 'latest64', line: 'a2 = a0 + a1', a0: U64(-1n), a1: 2n, a2: 1n },
    { isa: 'latest64', line: 'a2 = a0 * a1', a0: 1n << 40n, a1: 1n << 30n, a2: 1n << 70n & ((1n << 64n) - 1n) },
    { isa: 'latest64', line: 'a2 = a0 mulh a1', a0: U64(-2n), a1: 3n, a2: U64(-1n) },
    { isa: 'latest64', line: 'a2 = a0 mulhu a1', a0: U64(-1n), a1: U64(-1n), a2: U64(-2n) },
    { isa: 'latest64', line: 'a2 = a0 mulhsu a1', a0: U64(-1n), a1: U64(-1n), a2: U64(-1n) },
    { isa: 'latest64', line: 'a2 = a0 << a1', a0: 1n, a1: 65n, a2: 2n },
    { isa: 'latest64', line: 'i32 a2 = a0 << a1', a0: 1n, a1: 63n, a2: U64(-0x80000000n) },
    { isa: 'latest64', line: 'a2 = a0 >>a a1', a0: MIN64, a1: 63n, a2: U64(-1n) },
    { isa: 'latest64', line: 'i32 a2 = a0 >> a1', a0: U64(-1n), a1: 4n, a2: 0x0fffffffn },
    { isa: 'latest64', line: 'a2 = a0 <<r a1', a0: MIN64 | 1n, a1: 1n, a2: 3n },
    { isa: 'latest64', line: 'a2 = a0 >>r a1', a0: 1n, a1: 1n, a2: MIN64 },
    { isa: 'latest64', line: 'i32 a2 = a0 >>r a1', a0: 1n, a1: 33n, a2: U64(-0x80000000n) },
    { isa: 'latest64', line: 'a2 = clz a0', a0: 1n, a1: 0n, a2: 63n },
    { isa: 'latest64', line: 'a2 = ctz a0', a0: 0n, a1: 0n, a2: 64n },
    { isa: 'latest64', line: 'a2 = cpop a0', a0: U64(-1n), a1: 0n, a2: 64n },
    { isa: 'latest64', line: 'i32 a2 = clz a0', a0: 1n << 40n, a1: 0n, a2: 32n },
    { isa: 'latest64', line: 'a2 = sext8 a0', a0: 0x80n, a1: 0n, a2: U64(-0x80n) },
    { isa: 'latest64', line: 'a2 = reverse a0', a0: 0x0102030405060708n, a1: 0n, a2: 0x0807060504030201n },
    { isa: 'latest64', line: 'a2 = maxs(a0, a1)', a0: U64(-1n), a1: 1n, a2: 1n },
    { isa: 'latest64', line: 'a2 = maxu(a0, a1)', a0: U64(-1n), a1: 1n, a2: U64(-1n) },
    { isa: 'latest64', line: 'a2 = a0 <u 5', a0: U64(-1n), a1: 0n, a2: 0n },
    { isa: 'latest64', line: 'a2 = a0 & ~a1', a0: 0xffn, a1: 0x0fn, a2: 0xf0n },
    { isa: 'latest64', line: 'a2 = ~(a0 ^ a1)', a0: 0n, a1: 0n, a2: U64(-1n) },
    { isa: 'latest32', line: 'a2 = a0 /u a1', a0: 7n, a1: 0n, a2: 0xffffffffn },
    { isa: 'latest32', line: 'a2 = a0 /s a1', a0: 0x80000000n, a1: 0xffffffffn, a2: 0x80000000n },
    { isa: 'latest32', line: 'a2 = a0 %s a1', a0: 0x80000000n, a1: 0xffffffffn, a2: 0n },
    { isa: 'latest32', line: 'a2 = a0 %u a1', a0: 9n, a1: 0n, a2: 9n },
    { isa: 'latest32', line: 'a2 = a0 mulh a1', a0: 0x80000000n, a1: 0x80000000n, a2: 0x40000000n },
    { isa: 'latest32', line: 'a2 = a0 mulhu a1', a0: 0xffffffffn, a1: 0xffffffffn, a2: 0xfffffffen },
    { isa: 'latest32', line: 'a2 = a0 mulhsu a1', a0: 0xffffffffn, a1: 0xffffffffn, a2: 0xffffffffn },
    { isa: 'latest32', line: 'a2 = a0 << a1', a0: 1n, a1: 33n, a2: 2n },
    { isa: 'latest32', line: 'a2 = a0 >>a a1', a0: 0x80000000n, a1: 31n, a2: 0xffffffffn },
    { isa: 'latest32', line: 'a2 = a0 <<r a1', a0: 0x80000001n, a1: 1n, a2: 3n },
    { isa: 'latest32', line: 'a2 = clz a0', a0: 0n, a1: 0n, a2: 32n },
    { isa: 'latest32', line: 'a2 = ctz a0', a0: 0x80000000n, a1: 0n, a2: 31n },
    { isa: 'latest32', line: 'a2 = cpop a0', a0: 0xf0f0f0f0n, a1: 0n, a2: 16n },
    { isa: 'latest32', line: 'a2 = reverse a0', a0: 0x01020304n, a1: 0n, a2: 0x04030201n },
    { isa: 'latest32', line: 'a2 = a0 <u a1', a0: 0xffffffffn, a1: 1n, a2: 0n },
    { isa: 'latest32', line: 'a2 = a0 <s a1', a0: 0xffffffffn, a1: 1n, a2: 1n },
    { isa: 'latest32', line: 'a2 = minu(a0, a1)', a0: 0xffffffffn, a1: 1n, a2: 1n },
  ];
  it.each(cases)('$isa: $line with a0=$a0 a1=$a1', ({ isa, line, a0, a1, a2 }) => {
    const instance = load(backend, isa, `  ${line}\n  ret`).instantiate();
    instance.prepareCall('main', [a0, a1]);
    expect(instance.run()).toEqual({ kind: 'finished' });
    expect(instance.reg(Reg.A2)).toBe(a2);
  });

  it('32-bit ISA: setReg truncates and sign-extends, reg reports the low 32 bits', () => {
    const instance = load(backend, 'latest32', '  a1 = a0 <u 1\n  ret').instantiate();
    instance.prepareCall('main', [-1n]);
    expect(instance.reg(Reg.A0)).toBe(0xffffffffn);
    expect(instance.state.regs64[Reg.A0]).toBe(U64(-1n));
    instance.prepareCall('main', [0x1_0000_0005n]);
    expect(instance.reg(Reg.A0)).toBe(5n);
  });

  // ---- memory map and faults (standard memory: every bad access traps at that instruction) ----
  const memoryCases = [
    { name: 'ro data is readable', body: '  a0 = u32 [0x10000]\n  ret', kind: 'finished', a0: 0x04030201n },
    { name: 'ro data is not writable', body: '  u32 [0x10000] = 1\n  ret', kind: 'trap', pc: 0 },
    { name: 'below ro data traps', body: '  a0 = u8 [0xffff]\n  ret', kind: 'trap', pc: 0 },
    { name: 'past the ro page traps', body: '  a0 = u32 [0x10ffe]\n  ret', kind: 'trap', pc: 0 },
    { name: 'the stack is writable', body: '  a1 = 0x55\n  sp = sp - 8\n  u64 [sp] = a1\n  a0 = u64 [sp]\n  ret', kind: 'finished', a0: 0x55n },
    { name: 'above the stack traps', body: '  a0 = u8 [sp]\n  ret', kind: 'trap', pc: 0 },
  ] as const;
  it.each(memoryCases)('memory: $name', (c) => {
    const module = Module.fromBytes(assemble(`%ro_data_size = 4\n%ro_data = 01020304\n%stack_size = 4096\npub @main:\n${c.body}`, { isa: 'latest64' }), { backend });
    const i = module.instantiate();
    i.prepareCall('main');
    expect(i.run().kind).toBe(c.kind);
    if ('a0' in c) expect(i.reg(Reg.A0)).toBe(c.a0);
    if ('pc' in c) expect(i.programCounter()).toBe(c.pc);
  });

  it('host memory access: writes ignore nothing they should not, reads see guest stores', () => {
    const module = Module.fromBytes(assemble('%stack_size = 4096\npub @main:\n  a1 = 0x11223344\n  a2 = sp - 4\n  u32 [a2] = a1\n  ret', { isa: 'latest64' }), {
      backend,
      auxDataSize: 4096,
    });
    const i = module.instantiate();
    i.prepareCall('main');
    expect(i.run().kind).toBe('finished');
    expect([...i.readMemory(module.defaultSp - 4, 4)]).toEqual([0x44, 0x33, 0x22, 0x11]);
    i.writeMemory(module.memoryMap.auxDataAddress, new Uint8Array([9]));
    expect(i.readMemory(module.memoryMap.auxDataAddress, 1)[0]).toBe(9);
    expect(() => i.readMemory(0x1000, 4)).toThrow(/out of range/);
  });

  // ---- gas ----
  const loop = '  a0 = 0\n@loop:\n  a0 = a0 + 1\n  jump @loop if a0 <u 10\n  ret';
  it('sync out of gas leaves gas and is resumable at the block start', () => {
    const i = load(backend, 'latest64', loop, { gasMetering: 'sync' }).instantiate();
    i.prepareCall('main');
    i.setGas(10);
    expect(i.run().kind).toBe('not-enough-gas');
    const stoppedAt = i.programCounter();
    expect(i.nextProgramCounter()).toBe(stoppedAt);
    const left = i.gas();
    expect(left).toBeGreaterThanOrEqual(0n);
    expect(left).toBeLessThan(2n);
    i.setGas(1000);
    expect(i.run().kind).toBe('finished');
    // naive model: the first block (a0 = 0, fallthrough) 2, ten loop blocks of 2, the ret block 1.
    expect(1000n - i.gas() + (10n - left)).toBe(23n);
    expect(i.reg(Reg.A0)).toBe(10n);
  });

  it('async out of gas goes negative and is not resumable', () => {
    const i = load(backend, 'latest64', loop, { gasMetering: 'async' }).instantiate();
    i.prepareCall('main');
    i.setGas(5);
    expect(i.run().kind).toBe('not-enough-gas');
    expect(i.gas()).toBeLessThan(0n);
    expect(i.nextProgramCounter()).toBeUndefined();
  });

  it('gas is exact over the whole i64 range', () => {
    const i = load(backend, 'latest64', loop, { gasMetering: 'sync' }).instantiate();
    const max = (1n << 63n) - 1n;
    i.prepareCall('main');
    i.setGas(max);
    expect(i.gas()).toBe(max);
    expect(i.run().kind).toBe('finished');
    expect(i.gas()).toBe(max - 23n);
  });

  it('entering in the middle of a block charges the whole block', () => {
    const module = load(backend, 'latest64', '  a0 = 1\n  a1 = 2\n  a2 = 3\n  ret', { gasMetering: 'sync' });
    const i = module.instantiate();
    i.prepareCall('main');
    const second = module.code.pc[1]!;
    i.setNextProgramCounter(second);
    i.setGas(100);
    expect(i.run().kind).toBe('finished');
    expect(i.gas()).toBe(96n);
    expect(i.reg(Reg.A0)).toBe(0n);
    expect(i.reg(Reg.A1)).toBe(2n);
  });

  it('resuming after ecalli charges nothing', () => {
    const i = load(backend, 'latest64', '  a0 = 1\n  ecalli 7\n  a0 = a0 + 1\n  ret', { gasMetering: 'sync' }).instantiate();
    i.prepareCall('main');
    i.setGas(100);
    expect(i.run()).toEqual({ kind: 'ecalli', index: 7 });
    expect(i.gas()).toBe(96n);
    expect(i.run().kind).toBe('finished');
    expect(i.gas()).toBe(96n);
    expect(i.reg(Reg.A0)).toBe(2n);
    expect(i.metrics().hostCalls).toBe(1);
  });

  it('memset charges one gas per byte and stops when gas runs out', () => {
    const body = '  a0 = sp - 64\n  a1 = 0xab\n  a2 = 16\n  memset\n  ret';
    const module = Module.fromBytes(assemble(`%stack_size = 4096\npub @main:\n${body}`, { isa: 'latest64' }), { backend, gasMetering: 'sync' });
    const full = module.instantiate();
    full.prepareCall('main');
    full.setGas(100);
    expect(full.run().kind).toBe('finished');
    expect(100n - full.gas()).toBe(5n + 16n);
    expect([...full.readMemory(module.defaultSp - 64, 17)]).toEqual([...new Array(16).fill(0xab), 0]);
    const short = module.instantiate();
    short.prepareCall('main');
    short.setGas(5 + 8);
    expect(short.run().kind).toBe('not-enough-gas');
    expect(short.gas()).toBe(0n);
    expect(short.reg(Reg.A2)).toBe(8n);
    short.setGas(100);
    expect(short.run().kind).toBe('finished');
    expect(short.reg(Reg.A2)).toBe(0n);
  });

  it('sbrk returns the new heap top and grows accessible memory', () => {
    const module = Module.fromBytes(assemble('pub @main:\n  a1 = sbrk a0\n  a2 = a1 - 1\n  a3 = 7\n  u8 [a2] = a3\n  ret', { isa: 'latest64' }), { backend });
    const i = module.instantiate();
    i.prepareCall('main', [5000n]);
    expect(i.run().kind).toBe('finished');
    expect(i.reg(Reg.A1)).toBe(BigInt(module.memoryMap.heapBase + 5000));
    expect(i.heapSize()).toBe(5000);
    expect(i.sbrk(0)).toBe(module.memoryMap.heapBase + 5000);
  });

  // ---- control flow ----
  const jumpCases = [
    { name: 'to 0xFFFF0000 finishes', a0: 0xffff0000n, kind: 'finished' },
    { name: 'to 0 traps', a0: 0n, kind: 'trap' },
    { name: 'to an odd address traps', a0: 3n, kind: 'trap' },
    { name: 'past the jump table traps', a0: 100n, kind: 'trap' },
    { name: 'to 0xFFFF0002 traps', a0: 0xffff0002n, kind: 'trap' },
  ] as const;
  it.each(jumpCases)('jump_indirect $name', ({ a0, kind }) => {
    const i = load(backend, 'latest64', '  jump [a0]').instantiate();
    i.prepareCall('main', [a0]);
    expect(i.run().kind).toBe(kind);
    expect(i.programCounter()).toBe(0);
  });

  it('jump_indirect through the jump table', () => {
    const i = load(backend, 'latest64', '  a1 = @target\n  jump [a1]\n@target:\n  a0 = 42\n  ret').instantiate();
    i.prepareCall('main');
    expect(i.run().kind).toBe('finished');
    expect(i.reg(Reg.A0)).toBe(42n);
  });

  it('falling off the end traps at the code length', () => {
    const module = load(backend, 'latest64', '  a0 = 1');
    const i = module.instantiate();
    i.prepareCall('main');
    expect(i.run().kind).toBe('trap');
    expect(i.programCounter()).toBe(module.code.code.length);
  });

  it('step tracing stops before every instruction', () => {
    const i = load(backend, 'latest64', '  a0 = 1\n  a1 = 2\n  ret', { stepTracing: true }).instantiate();
    i.prepareCall('main');
    const pcs: number[] = [];
    let r = i.run();
    while (r.kind === 'step') {
      pcs.push(i.programCounter()!);
      r = i.run();
    }
    expect(r.kind).toBe('finished');
    expect(pcs).toEqual([...i.module.code.pc]);
  });

  it('an instruction budget stops at a block edge and resumes', () => {
    const i = load(backend, 'latest64', loop).instantiate();
    i.prepareCall('main');
    i.setInstructionBudget(5);
    expect(i.run()).toEqual({ kind: 'budget', reason: 'instructions' });
    i.setInstructionBudget(undefined);
    expect(i.run().kind).toBe('finished');
    expect(i.reg(Reg.A0)).toBe(10n);
  });

  // ---- dynamic paging ----
  it('dynamic paging: segfault with the page address, map, retry', () => {
    const i = load(backend, 'latest64', '  a1 = u32 [a0]\n  u32 [a0] = a1\n  ret', { dynamicPaging: true }).instantiate();
    i.prepareCall('main', [0x20ffen]);
    expect(i.run()).toEqual({ kind: 'segfault', pageAddress: 0x20000, pageSize: 4096, isWriteProtected: false });
    i.mapPages(0x20000, 4096, { writable: false });
    i.writeMemory(0x20ffe, new Uint8Array([1, 2]));
    expect(i.run()).toEqual({ kind: 'segfault', pageAddress: 0x21000, pageSize: 4096, isWriteProtected: false });
    i.mapPages(0x21000, 4096, { writable: true });
    expect(i.run()).toEqual({ kind: 'segfault', pageAddress: 0x20000, pageSize: 4096, isWriteProtected: true });
    i.protectPages(0x20000, 4096, { writable: true });
    expect(i.run().kind).toBe('finished');
    expect(i.reg(Reg.A1)).toBe(0x0201n);
  });

  it('dynamic paging: faults below 16 KiB trap', () => {
    const i = load(backend, 'latest64', '  a1 = u32 [a0]\n  ret', { dynamicPaging: true }).instantiate();
    i.prepareCall('main', [0x3000n]);
    expect(i.run().kind).toBe('trap');
  });

  // ---- host calls through the Linker ----
  it.runIf(HAVE_SHARED)('hello-world add_numbers(1, 2) with the host returning 100 gives 103', () => {
    const module = Module.fromBytes(readFileSync(sharedPath('blobs', 'polkavm', 'example-hello-world.polkavm')), { backend });
    const instance = new Linker().define('get_third_number', () => 100).instantiate(module);
    expect(instance.call('add_numbers', 1, 2)).toMatchObject({ interrupt: { kind: 'finished' }, a0: 103n });
    expect(instance.metrics().hostCalls).toBe(1);
    expect(() => new Linker().define('get_thrid_number', () => 100).instantiate(module)).toThrow(
      /imports 'get_third_number' \(import #0\).*did you mean to define 'get_third_number' rather than 'get_thrid_number'/,
    );
    const unbound = new Linker({ allowUnresolvedImports: true }).instantiate(module);
    expect(unbound.call('add_numbers', 1, 2).interrupt.kind).toBe('trap');
    const bad = new Linker().define('get_third_number', () => 'abc' as unknown as bigint).instantiate(module);
    expect(() => bad.call('add_numbers', 1, 2)).toThrow(expect.objectContaining({ kind: 'bad-host-return', message: expect.stringContaining("'get_third_number' (import #0) returned \"abc\"") }));
  });
});

