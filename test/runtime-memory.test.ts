// Cheap instances: a reset (or recycled) instance is indistinguishable from a fresh one, whichever way
// its memory was dirtied (guest stores through the backends' fast paths, sbrk, host writes, arrays
// handed out) and whichever way reset restores it (in place, or a fresh array for a large region).
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { buildMemoryMap } from '../src/machine/layout.ts';
import { MemoryAccessError, RESET_FILL_LIMIT, RW_DOUBLING_LIMIT, StandardMemory } from '../src/machine/memory.ts';
import { REG_COUNT, Reg } from '../src/machine/state.ts';
import { hasBackend, Module, RuntimeError, type BackendName, type Instance } from '../src/runtime/index.ts';

const backends: readonly BackendName[] = (['interpreter', 'compiled'] as const).filter((b) => hasBackend(b));
const MiB = 1024 * 1024;

/** Index of the first differing byte, or -1 (toEqual on MiB-sized arrays is too slow). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

// Dirties every writable place: the first rw word (over data), a word in the middle of rw, the heap
// (sbrk by A3, then its last word), the stack far below SP without moving SP, and the lowest stack word.
// Returns in A0 what it found at those places before writing (all of it must be the initial memory).
const DIRTY = `pub @main:
a5 = i32 [a1]
u32 [a1] = a0
t0 = i32 [a2]
u32 [a2] = a0
a2 = sbrk a3
t1 = i32 [a2 + 0xfffffffc]
u32 [a2 + 0xfffffffc] = a0
t2 = i32 [sp + 0xffffe000]
u32 [sp + 0xffffe000] = a0
s0 = i32 [a4]
u32 [a4] = a0
a0 = t0 | t1
a0 = a0 | t2
a0 = a0 | s0
ret
`;

interface Layout {
  name: string;
  rwDataSize: number;
  stackSize: number;
  heap: number;
}
const layouts: Layout[] = [
  { name: 'small regions (reset in place)', rwDataSize: 4096, stackSize: 64 * 1024, heap: 8192 },
  { name: 'large stack and rw (reset by fresh arrays)', rwDataSize: RESET_FILL_LIMIT + 4 * MiB, stackSize: RESET_FILL_LIMIT + MiB, heap: 8192 },
  { name: 'heap past the doubling limit', rwDataSize: 4096, stackSize: 64 * 1024, heap: RW_DOUBLING_LIMIT + MiB },
  { name: 'rw data past the doubling limit', rwDataSize: RW_DOUBLING_LIMIT + MiB, stackSize: 64 * 1024, heap: MiB },
];

function moduleFor(backend: BackendName, layout: Layout): Module {
  const text = `%ro_data_size = 8\n%ro_data = 0102030405060708\n%rw_data_size = ${layout.rwDataSize}\n%rw_data = 1122334455667788\n%stack_size = ${layout.stackSize}\n${DIRTY}`;
  return Module.fromBytes(assemble(text, { isa: 'latest32' }), { backend, auxDataSize: 8192 });
}

function dirty(instance: Instance, layout: Layout): bigint {
  const map = instance.module.memoryMap;
  instance.writeMemory(map.auxDataAddress + 100, Uint8Array.of(9, 9, 9));
  instance.writeMemory(map.rwDataAddress + 2, Uint8Array.of(7));
  instance.setGas(1234);
  const r = instance.call('main', 0x7eadbeef, map.rwDataAddress, map.rwDataAddress + (map.rwDataSize >>> 1), layout.heap, map.stackAddressLow);
  expect(r.interrupt).toEqual({ kind: 'finished' });
  return r.a0;
}

/** Everything a guest or host can observe of an instance at rest. */
function snapshot(instance: Instance): { regions: Uint8Array[]; heapSize: number; regs: bigint[]; gas: bigint; pc: number | undefined; next: number | undefined } {
  const map = instance.module.memoryMap;
  return {
    regions: [
      instance.readMemory(map.roDataAddress, map.roDataSize),
      instance.readMemory(map.rwDataAddress, map.rwDataSize),
      instance.readMemory(map.stackAddressLow, map.stackSize),
      instance.readMemory(map.auxDataAddress, map.auxDataSize),
    ],
    heapSize: instance.heapSize(),
    regs: Array.from({ length: REG_COUNT }, (_, k) => instance.reg(k)),
    gas: instance.gas(),
    pc: instance.programCounter(),
    next: instance.nextProgramCounter(),
  };
}

function expectSame(a: ReturnType<typeof snapshot>, b: ReturnType<typeof snapshot>): void {
  a.regions.forEach((region, k) => expect(firstDifference(region, b.regions[k]!), `region ${k}`).toBe(-1));
  expect({ ...a, regions: [] }).toEqual({ ...b, regions: [] });
}

describe.each(backends)('a reset instance is a fresh one [%s]', (backend) => {
  it.each(layouts)('$name', (layout) => {
    const module = moduleFor(backend, layout);
    const fresh = module.instantiate();
    const reused = module.instantiate();
    // Three rounds: each sees the initial memory (A0 = 0 from the reads), and after reset() the
    // instance matches a never-used one byte for byte.
    for (let round = 0; round < 3; round++) {
      expect(dirty(reused, layout), `round ${round}`).toBe(0n);
      expect(reused.heapSize()).toBeGreaterThan(0);
      reused.reset();
      expectSame(snapshot(reused), snapshot(fresh));
    }
    // The heap grows again from empty, exposing zeroed pages.
    expect(reused.sbrk(4096)).toBe(module.memoryMap.heapBase + 4096);
    expect(reused.readMemory(module.memoryMap.heapBase, 4096).some((b) => b !== 0)).toBe(false);
  });

  it('resetMemory restores memory and keeps registers; a released instance comes back reset', () => {
    const layout = layouts[0]!;
    const module = moduleFor(backend, layout);
    const fresh = module.instantiate();
    const a = module.instantiate();
    dirty(a, layout);
    const regs = snapshot(a).regs;
    a.resetMemory();
    const after = snapshot(a);
    expect(after.regs).toEqual(regs);
    expectSame({ ...after, regs: [], gas: 0n, pc: undefined, next: undefined }, { ...snapshot(fresh), regs: [], gas: 0n, pc: undefined, next: undefined });

    dirty(a, layout);
    a.release();
    expect(() => a.run()).toThrow(RuntimeError);
    expect(() => a.prepareCall('main')).toThrow(/released/);
    const b = module.instantiate();
    expect(b).toBe(a);
    expectSame(snapshot(b), snapshot(fresh));
    expect(dirty(b, layout)).toBe(0n);
  });
});

describe('standard memory: what reset restores', () => {
  const map = buildMemoryMap({ roDataSize: 4096, rwDataSize: 6000, stackSize: 16384, auxDataSize: 4096 });
  const rwData = Uint8Array.from({ length: 100 }, (_, k) => k + 1);
  const initial = (): StandardMemory => new StandardMemory(map, new Uint8Array(0), rwData);
  const regions = [
    { name: 'rw', base: map.rwDataAddress, size: map.rwDataSize },
    { name: 'stack', base: map.stackAddressLow, size: map.stackSize },
    { name: 'aux', base: map.auxDataAddress, size: map.auxDataSize },
  ];
  interface DirtyCase {
    name: string;
    /** The owner reports runs (as the runtime does): untouched regions are not restored. */
    tracked?: boolean;
    dirty: (m: StandardMemory) => void;
  }
  const cases: DirtyCase[] = [
    { name: 'guest stores', dirty: (m) => (m.store(map.rwDataAddress + 50, 8, -1, -1), m.store(map.stackAddressLow + 9000, 4, 5, 0)) },
    { name: 'host writes and zeroing', dirty: (m) => (m.write(map.auxDataAddress + 4000, Uint8Array.of(1, 2)), m.zero(map.rwDataAddress, 10), m.write(map.stackAddressLow, Uint8Array.of(3))) },
    { name: 'writes through the arrays, untracked', dirty: (m) => (m.rw.fill(0xaa, 0, 200), m.stack.fill(0xbb, 16000), m.aux.fill(0xcc)) },
    { name: 'writes through the views, untracked', dirty: (m) => (m.rwView.setUint32(96, 0xffffffff), m.stackView.setUint8(0, 1), m.auxView.setUint8(4095, 1)) },
    { name: 'a run writing through the arrays', tracked: true, dirty: (m) => (m.guestRunning(), m.rw.fill(0xaa, 0, 200), m.stack.fill(0xbb, 16000)) },
    { name: 'a run writing the heap, then the heap given back', tracked: true, dirty: (m) => (m.sbrk(20000), m.guestRunning(), m.rwView.setUint8(m.rwSize - 1, 7)) },
    { name: 'host writes, tracked', tracked: true, dirty: (m) => (m.write(map.auxDataAddress + 4000, Uint8Array.of(1, 2)), m.zero(map.rwDataAddress, 10)) },
    { name: 'guest stores, tracked, after an earlier reset', tracked: true, dirty: (m) => (m.guestRunning(), m.stack.fill(1), m.reset(), m.store(map.rwDataAddress + 50, 8, -1, -1), m.store(map.stackAddressLow + 9000, 4, 5, 0)) },
  ];
  it.each(cases)('$name', ({ dirty, tracked }) => {
    const m = initial();
    if (tracked) m.trackGuestRuns();
    const before = regions.map((r) => m.read(r.base, r.size));
    const generation = m.generation;
    dirty(m);
    m.reset();
    expect(m.generation).toBeGreaterThan(generation);
    regions.forEach((r, k) => expect(firstDifference(m.read(r.base, r.size), before[k]!), r.name).toBe(-1));
    expect([m.rwSize, m.heapSize]).toEqual([map.rwDataSize, 0]);
    // Whatever reset left past rwSize is zero: the heap exposes it again as it is.
    const top = m.sbrk(30000)!;
    expect(m.read(map.heapBase, top - map.heapBase).every((b) => b === 0)).toBe(true);
  });

  it('instances of one module share read-only data', () => {
    const ro = Uint8Array.of(1, 2, 3);
    const a = new StandardMemory(map, ro, rwData);
    const b = new StandardMemory(map, ro, rwData);
    expect(a.ro).toBe(b.ro);
    expect(a.load(map.roDataAddress, 4)).toBe(0x030201);
    expect(() => a.write(map.roDataAddress, Uint8Array.of(9))).toThrow(MemoryAccessError);
  });

  it('the heap capacity doubles up to the limit, then takes the largest size at once', () => {
    const m = initial();
    const grown: number[] = [];
    for (const size of [5000, 20000, RW_DOUBLING_LIMIT, MiB]) {
      const generation = m.generation;
      expect(m.sbrk(size)).toBeDefined();
      expect(m.rw.length).toBeGreaterThanOrEqual(m.rwSize);
      if (m.generation !== generation) grown.push(m.rw.length);
    }
    const largest = Math.ceil((map.heapBase + map.maxHeapSize) / 4096) * 4096 - map.rwDataAddress;
    expect(grown).toEqual([2 * 8192, 4 * 8192, largest]);
  });

  it('rw data declared past the doubling limit is never copied by heap growth', () => {
    const big = buildMemoryMap({ roDataSize: 0, rwDataSize: RW_DOUBLING_LIMIT + 1, stackSize: 4096 });
    const m = new StandardMemory(big, new Uint8Array(0), Uint8Array.of(5));
    const generation = m.generation;
    expect(m.sbrk(64 * MiB)).toBe(big.heapBase + 64 * MiB);
    expect(m.sbrk(1)).toBeDefined();
    expect(m.generation).toBe(generation);
    expect(m.load(big.heapBase + 64 * MiB, 1)).toBe(0);
    // Under a memory limit the capacity stops at what the limit allows.
    const limited = new StandardMemory(big, new Uint8Array(0), Uint8Array.of(5), { memoryLimit: 48 * MiB });
    expect(limited.rw.length).toBe(48 * MiB - 4096);
  });

  it('a memory limit below the map fails with the sizes; heap growth past it is budget(memory)', () => {
    let thrown: unknown;
    try {
      new StandardMemory(map, new Uint8Array(0), rwData, { memoryLimit: 20000 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(MemoryAccessError);
    expect(thrown).toMatchObject({ kind: 'memory-limit', message: 'the memory map needs 32768 bytes (ro 4096, rw 8192, stack 16384, aux 4096), more than the memory limit of 20000' });
    const m = new StandardMemory(map, new Uint8Array(0), rwData, { memoryLimit: 32768 + 4096 });
    expect(m.sbrk(8192 - 6000 + 4096)).toBeDefined();
    expect(m.sbrk(1)).toBeUndefined();
    expect(m.fault).toEqual({ kind: 'budget', reason: 'memory' });
    expect(m.accessibleBytes).toBe(32768 + 4096);
  });
});

describe('module options: stackSize', () => {
  const blob = assemble('%stack_size = 8192\npub @main:\nret\n', { isa: 'latest32' });
  const cases = [
    { stackSize: undefined, expected: 8192 },
    { stackSize: 0, expected: 0 },
    { stackSize: 512 * 1024, expected: 512 * 1024 },
    { stackSize: 5000, expected: 8192 },
  ];
  it.each(cases)('stackSize $stackSize gives a stack of $expected bytes under the same top', ({ stackSize, expected }) => {
    const module = Module.fromBytes(blob, stackSize === undefined ? {} : { stackSize });
    expect(module.memoryMap.stackSize).toBe(expected);
    expect(module.defaultSp).toBe(module.memoryMap.stackAddressLow + expected);
    expect(module.instantiate().call('main').interrupt).toEqual({ kind: 'finished' });
  });
  it.each([-1, 1.5, 2 ** 32])('rejects %s', (stackSize) => {
    expect(() => Module.fromBytes(blob, { stackSize })).toThrow(expect.objectContaining({ kind: 'bad-option' }));
  });
  it('the register file of a call starts from the stack top', () => {
    const i = Module.fromBytes(blob, { stackSize: 65536 }).instantiate();
    i.prepareCall('main');
    expect(i.reg(Reg.SP)).toBe(BigInt(i.module.defaultSp));
  });
});
