// src/machine/memory.ts: the standard memory map at every region boundary, heap growth with sbrk,
// and dynamic paging's faults (POLKAVM.md §4, polkavm interpreter.rs StandardMemory / DynamicMemory).
import { describe, expect, it } from 'vitest';
import { buildMemoryMap, VM_MAX_PAGE_SIZE } from '../src/machine/layout.ts';
import { DynamicMemory, MIN_SEGFAULT_PAGE_ADDRESS, StandardMemory } from '../src/machine/memory.ts';

const map = buildMemoryMap({ roDataSize: 5, rwDataSize: 10, stackSize: 4096, auxDataSize: 100 });
const roData = new Uint8Array([1, 2, 3, 4, 5]);
const rwData = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);
const fresh = (options: { memoryLimit?: number } = {}): StandardMemory => new StandardMemory(map, roData, rwData, options);

// Regions as the guest sees them: [base, base + size) with the page-aligned sizes from the map.
const regions = [
  { name: 'ro', base: map.roDataAddress, size: map.roDataSize, writable: false },
  { name: 'rw', base: map.rwDataAddress, size: map.rwDataSize, writable: true },
  { name: 'stack', base: map.stackAddressLow, size: map.stackSize, writable: true },
  { name: 'aux', base: map.auxDataAddress, size: map.auxDataSize, writable: false },
] as const;
const WIDTHS = [1, 2, 4, 8] as const;

describe('standard memory: region boundaries', () => {
  const cases = regions.flatMap((r) =>
    WIDTHS.flatMap((width) => [
      { region: r.name, what: 'first bytes', address: r.base, width, inside: true, writable: r.writable },
      { region: r.name, what: 'last bytes', address: r.base + r.size - width, width, inside: true, writable: r.writable },
      { region: r.name, what: 'one byte below', address: r.base - 1, width, inside: false, writable: false },
      { region: r.name, what: 'straddling the end', address: r.base + r.size - width + 1, width, inside: false, writable: false },
    ]),
  );
  it.each(cases)('$region $what, width $width', ({ address, width, inside, writable }) => {
    const m = fresh();
    const loaded = width === 8 ? m.load64(address) : m.load(address, width);
    expect(loaded >= 0).toBe(inside);
    if (!inside) expect(m.fault.kind).toBe('trap');
    const stored = m.store(address, width, 0x11223344, 0x55667788);
    expect(stored).toBe(writable);
    if (!stored) expect(m.fault.kind).toBe('trap');
  });

  it('loads see the data sections, little-endian; stores are read back', () => {
    const m = fresh();
    expect(m.load(map.roDataAddress, 4)).toBe(0x04030201);
    expect(m.load(map.roDataAddress + 4, 1)).toBe(5);
    expect(m.load(map.roDataAddress + 5, 1)).toBe(0); // the rest of the page is zero
    expect(m.load(map.rwDataAddress + 8, 2)).toBe(0x0001);
    expect(m.store(map.stackAddressLow, 8, 0x11223344, 0x55667788)).toBe(true);
    expect(m.load64(map.stackAddressLow)).toBe(0);
    expect([m.lo, m.hi]).toEqual([0x11223344, 0x55667788]);
    expect(m.load(map.stackAddressLow + 3, 2)).toBe(0x8811);
  });

  it('addresses below the first region and at the address-space end trap', () => {
    const m = fresh();
    for (const address of [0, 0xffff, 0xfffffffc, 0xffffffff]) expect(m.load(address, 1), `0x${address.toString(16)}`).toBe(-1);
  });

  it('host writes reach aux data but not ro data; host reads below 64 KiB fail', () => {
    const m = fresh();
    m.write(map.auxDataAddress, new Uint8Array([7]));
    expect(m.load(map.auxDataAddress, 1)).toBe(7);
    expect(() => m.write(map.roDataAddress, new Uint8Array([7]))).toThrow(/out of range/);
    expect(() => m.read(0x1000, 1)).toThrow(/out of range/);
    expect(() => m.read(map.rwDataAddress + map.rwDataSize - 1, 2)).toThrow(/out of range/);
  });
});

describe('standard memory: the heap', () => {
  it('sbrk returns the new top from the unaligned heap base and maps whole pages', () => {
    const m = fresh();
    expect(map.heapBase).toBe(map.rwDataAddress + 10);
    expect(m.sbrk(0)).toBe(map.heapBase);
    const end = map.rwDataAddress + map.rwDataSize; // the first page already covers the small heap
    expect(m.sbrk(map.rwDataSize - 10)).toBe(end);
    expect(m.store(end, 1, 1, 0)).toBe(false);
    expect(m.sbrk(1)).toBe(end + 1);
    expect(m.heapSize).toBe(map.rwDataSize - 10 + 1);
    // One more byte of heap makes a whole page accessible.
    expect(m.store(end + map.pageSize - 1, 1, 1, 0)).toBe(true);
    expect(m.store(end + map.pageSize, 1, 1, 0)).toBe(false);
  });

  it('sbrk fails past the largest heap and for a total that is not a u32, leaving the heap', () => {
    const m = fresh();
    expect(m.sbrk(map.maxHeapSize + 1)).toBeUndefined();
    expect(m.fault.kind).toBe('trap');
    expect(m.sbrk(16)).toBe(map.heapBase + 16);
    expect(m.sbrk(0xffffffff)).toBeUndefined();
    expect(m.heapSize).toBe(16);
  });

  it('a memory limit stops heap growth with budget(memory)', () => {
    const m = fresh({ memoryLimit: m0Bytes() + 4096 });
    expect(m.sbrk(map.rwDataSize)).toBeDefined();
    expect(m.sbrk(8192)).toBeUndefined();
    expect(m.fault).toEqual({ kind: 'budget', reason: 'memory' });
  });

  it('reset restores the data sections and empties the heap', () => {
    const m = fresh();
    m.sbrk(5000);
    m.store(map.rwDataAddress, 1, 0xee, 0);
    m.reset();
    expect(m.heapSize).toBe(0);
    expect(m.load(map.rwDataAddress, 1)).toBe(9);
    expect(m.load(map.rwDataAddress + map.rwDataSize, 1)).toBe(-1);
  });
});

function m0Bytes(): number {
  return fresh().allocatedBytes;
}

describe('dynamic paging', () => {
  const PAGE = 4096;
  const setup = (readOnlyWrite?: 'segfault' | 'trap'): DynamicMemory => {
    const m = new DynamicMemory(PAGE, readOnlyWrite ? { readOnlyWrite } : {});
    m.mapPages(0x20000, PAGE, true);
    m.mapPages(0x21000, PAGE, false);
    m.mapPages(0xfffff000, PAGE, true);
    return m;
  };
  const cases = [
    { name: 'a mapped page', address: 0x20010, width: 4, write: true, fault: undefined },
    { name: 'an unmapped page', address: 0x30000, width: 4, write: false, fault: { kind: 'segfault', pageAddress: 0x30000, pageSize: PAGE, isWriteProtected: false } },
    { name: 'a read-only page, read', address: 0x21000, width: 8, write: false, fault: undefined },
    { name: 'a read-only page, written', address: 0x21000, width: 1, write: true, fault: { kind: 'segfault', pageAddress: 0x21000, pageSize: PAGE, isWriteProtected: true } },
    { name: 'straddling into a read-only page, written', address: 0x20ffe, width: 4, write: true, fault: { kind: 'segfault', pageAddress: 0x21000, pageSize: PAGE, isWriteProtected: true } },
    { name: 'straddling into an unmapped page', address: 0x21ffe, width: 4, write: false, fault: { kind: 'segfault', pageAddress: 0x22000, pageSize: PAGE, isWriteProtected: false } },
    { name: 'straddling out of an unmapped page', address: 0x1fffe, width: 4, write: false, fault: { kind: 'segfault', pageAddress: 0x1f000, pageSize: PAGE, isWriteProtected: false } },
    { name: 'below 16 KiB', address: MIN_SEGFAULT_PAGE_ADDRESS - 4, width: 4, write: false, fault: { kind: 'trap' } },
    { name: 'the last bytes of the address space', address: 0xfffffffc, width: 4, write: true, fault: undefined },
    { name: 'past the address-space end (last page mapped)', address: 0xfffffffe, width: 4, write: false, fault: { kind: 'trap' } },
  ] as const;
  it.each(cases)('$name', ({ address, width, write, fault }) => {
    const m = setup();
    const ok = write ? m.store(address, width as 1 | 2 | 4 | 8, 0x01020304, 0) : width === 8 ? m.load64(address) >= 0 : m.load(address, width as 1 | 2 | 4) >= 0;
    expect(ok).toBe(fault === undefined);
    if (fault !== undefined) expect(m.fault).toEqual(fault);
  });

  it('past the address-space end with the last page unmapped is a segfault on it', () => {
    const m = new DynamicMemory(PAGE);
    expect(m.load(0xfffffffe, 4)).toBe(-1);
    expect(m.fault).toEqual({ kind: 'segfault', pageAddress: 0xfffff000, pageSize: PAGE, isWriteProtected: false });
  });

  it('a straddling access reads and writes both pages, little-endian', () => {
    const m = setup();
    m.mapPages(0x22000, PAGE, true);
    m.protectPages(0x21000, PAGE, true);
    expect(m.store(0x21ffe, 8, 0x44332211, 0x88776655)).toBe(true);
    expect(m.load64(0x21ffe)).toBe(0);
    expect([m.lo >>> 0, m.hi >>> 0]).toEqual([0x44332211, 0x88776655]);
    expect([...m.read(0x22000, 2)]).toEqual([0x33, 0x44]);
  });

  it("readOnlyWrite 'trap' turns a write to a read-only page into a trap", () => {
    const m = setup('trap');
    expect(m.store(0x21000, 1, 1, 0)).toBe(false);
    expect(m.fault).toEqual({ kind: 'trap' });
  });

  it('there is no heap: sbrk fails', () => {
    expect(setup().sbrk(16)).toBeUndefined();
  });

  it('the map pads to 64 KiB guards', () => {
    expect(map.rwDataAddress % VM_MAX_PAGE_SIZE).toBe(0);
    expect(map.rwDataAddress - (map.roDataAddress + map.roDataSize)).toBeGreaterThanOrEqual(VM_MAX_PAGE_SIZE);
  });
});
