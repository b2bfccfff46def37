// Guest memory (POLKAVM.md §4): the standard memory map, where every bad access is a trap, and
// dynamic paging, where the host maps pages on demand and an unmapped page is a segfault.
//
// Two sides with different error conventions:
// - guest accessors (`load`, `load64`, `store`) are on the hot path of the interpreter and of the
//   compiled code's slow paths; they never throw for guest faults, they return -1 / false and leave
//   the interrupt to report in `fault`;
// - host accessors (`read`, `write`, `zero`, `mapPages`, ...) ignore guest protection (aux data and
//   read-only pages are writable by the host, as polkavm's are) and throw a MemoryAccessError for a
//   range that is not there.

import { budget, segfault, TRAP, type Interrupt } from './interrupt.ts';
import { alignUp, type MemoryMap } from './layout.ts';

/** Below this page address a dynamic-paging fault is a trap, not a segfault (polkavm interpreter.rs `segfault_impl`). */
export const MIN_SEGFAULT_PAGE_ADDRESS = 16 * 1024;
/** Host accesses below this address always fail (polkavm api.rs). */
const HOST_MIN_ADDRESS = 0x10000;
const ADDRESS_SPACE_END = 2 ** 32;

export type MemoryAccessErrorKind =
  | 'out-of-range'
  | 'not-page-aligned'
  /** More memory than the instance's memory limit allows. */
  | 'memory-limit'
  /** The JS engine could not allocate the memory. */
  | 'out-of-memory';

/** Host misuse of guest memory: the range is not (entirely) accessible. */
export class MemoryAccessError extends Error {
  override readonly name = 'MemoryAccessError';
  readonly pvm2jsUserError = true;
  readonly kind: MemoryAccessErrorKind;
  readonly address: number;
  readonly length: number;
  constructor(kind: MemoryAccessErrorKind, address: number, length: number, detail?: string) {
    super(
      detail ??
        `${kind === 'out-of-range' ? 'out of range memory access' : kind}: 0x${address.toString(16)}..0x${(address + length).toString(16)} (${length} bytes)`,
    );
    this.kind = kind;
    this.address = address;
    this.length = length;
  }
}

export interface GuestMemory {
  readonly kind: 'standard' | 'dynamic';
  readonly pageSize: number;
  /** After a failed guest access (or sbrk), the interrupt to report: a trap, a segfault, or budget('memory'). */
  fault: Interrupt;
  /** Result halves of the last successful `load64` (u32 each). */
  lo: number;
  hi: number;
  /** Guest load of 1, 2 or 4 bytes, little-endian: the unsigned value, or -1 on a fault. */
  load(address: number, width: 1 | 2 | 4): number;
  /** Guest load of 8 bytes: 0 with the value in `lo` / `hi`, or -1 on a fault. */
  load64(address: number): number;
  /** Guest store of the low `width` bytes of (hi:lo); false on a fault, and then nothing was written. */
  store(address: number, width: 1 | 2 | 4 | 8, lo: number, hi: number): boolean;
  /** Host read; throws MemoryAccessError if any byte is inaccessible. */
  read(address: number, length: number): Uint8Array;
  /** Host write, ignoring guest protection; throws MemoryAccessError (writing nothing) if any byte is inaccessible. */
  write(address: number, bytes: Uint8Array): void;
  /** Host zero-fill, ignoring guest protection. */
  zero(address: number, length: number): void;
  /** Grows the heap by `size` bytes (a u32): the new heap top, or undefined if it cannot grow (see `fault`). */
  sbrk(size: number): number | undefined;
  readonly heapSize: number;
  /** Back to the module's initial memory: data sections as in the blob, zeroed stack, empty heap, no dynamic pages. */
  reset(): void;
}

const checkHostRange = (address: number, length: number): void => {
  if (!Number.isInteger(address) || !Number.isInteger(length) || address < 0 || length < 0 || address + length > ADDRESS_SPACE_END)
    throw new MemoryAccessError('out-of-range', address, length);
};

/** Regions up to this many bytes are zeroed in place by `reset` (memset speed: ≈15 µs for 512 KiB);
 * a larger dirty region gets a fresh array instead, whose pages the OS hands out zeroed and commits
 * only when touched, so a hostile multi-GiB declaration never costs gigabytes of zeroing. */
export const RESET_FILL_LIMIT = 4 * 1024 * 1024;
/** The rw array's capacity doubles on sbrk up to this size. A heap that needs more, or rw data
 * declared larger than this, gets the largest rw size the map (and the memory limit) allows in one
 * step, so growth never copies more than this (a copy would commit every page of the region). */
export const RW_DOUBLING_LIMIT = 32 * 1024 * 1024;

/** A Uint8Array of `size` zero bytes, or undefined if the engine cannot provide it. */
function tryAllocate(size: number): Uint8Array | undefined {
  try {
    return new Uint8Array(size);
  } catch (e) {
    if (e instanceof RangeError) return undefined;
    throw e;
  }
}

interface SharedRegion {
  readonly bytes: Uint8Array;
  readonly view: DataView;
}

// Read-only data never changes (neither the guest nor the host can write it), so all instances of a
// module share one array per (payload, size): instantiating and resetting never copy it.
const sharedReadOnly = new WeakMap<Uint8Array, Map<number, SharedRegion>>();

type Writable = 'rw' | 'stack' | 'aux';

/**
 * The standard memory map: four flat regions (ro data, rw data + heap, stack, aux data) with 64 KiB
 * guards between them. Each region is one Uint8Array starting at the region's base address, so an
 * access is one subtraction and one unsigned compare.
 *
 * Compiled code and the interpreter read the public region fields directly on their fast paths:
 * `ro.length >= roSize`, `rw.length >= rwSize`, `stack.length >= stackSize`, `aux.length >= auxSize`
 * always hold, and bytes of `rw` at or past `rwSize` are always zero (sbrk exposes them as they are).
 * Whenever an array is replaced (heap growth, reset of a large region) and at every reset,
 * `generation` increases: a holder of a view must load it again before using it.
 *
 * Cheap resets: writes through this class's own methods are tracked as byte ranges, and once the
 * owner calls `trackGuestRuns` (promising a `guestRunning()` before every backend run) a region the
 * guest may have written is restored whole only if a run happened since the last reset. `reset`
 * restores in place what may have changed: nothing at all for an instance that did not run. Host code
 * writes through `write` / `zero`, never through the arrays. Read-only data is shared by all
 * instances of a module and never written.
 */
/** [address, address + length) lies inside [base, base + size). */
const within = (address: number, length: number, base: number, size: number): boolean => address >= base && address + length <= base + size;

export class StandardMemory implements GuestMemory {
  readonly kind = 'standard' as const;
  readonly pageSize: number;
  fault: Interrupt = TRAP;
  /** The guest address of the last access that trapped: tells a stack overflow (an access just below
   * the stack) from other bad accesses. Written only on the trap path, so the fast paths pay nothing. */
  faultAddress = -1;
  lo = 0;
  hi = 0;
  generation = 0;

  ro: Uint8Array;
  rw: Uint8Array;
  stack: Uint8Array;
  aux: Uint8Array;
  roView: DataView;
  rwView: DataView;
  stackView: DataView;
  auxView: DataView;
  readonly roAddress: number;
  readonly rwAddress: number;
  /** Low end of the stack; the stack top (initial SP) is `stackAddress + stackSize`. */
  readonly stackAddress: number;
  readonly auxAddress: number;
  readonly roSize: number;
  /** Accessible rw bytes: the data section's pages plus the heap's, grown by sbrk. */
  rwSize = 0;
  readonly stackSize: number;
  readonly auxSize: number;
  heapSize = 0;
  /** Largest total of accessible region bytes (`accessibleBytes`) this instance may have; the
   * constructor throws past it, heap growth past it fails with budget('memory'). */
  memoryLimit: number;

  readonly map: MemoryMap;
  private readonly roData: Uint8Array;
  private readonly rwData: Uint8Array;
  /** Largest rw size the map allows (the data pages plus the largest heap). */
  private readonly rwMaxSize: number;

  // Whether a region may have been written anywhere since the last reset (always, until
  // `trackGuestRuns`), and the byte ranges written by this class's own methods.
  private tracked = false;
  private rwOut = true;
  private stackOut = true;
  private auxOut = true;
  private rwDirtyLo = Infinity;
  private rwDirtyHi = 0;
  private stackDirtyLo = Infinity;
  private stackDirtyHi = 0;
  private auxDirtyLo = Infinity;
  private auxDirtyHi = 0;

  /**
   * Throws a MemoryAccessError of kind 'memory-limit' when the map's regions exceed `memoryLimit`,
   * or 'out-of-memory' when the engine cannot allocate them.
   */
  constructor(map: MemoryMap, roData: Uint8Array, rwData: Uint8Array, options: { memoryLimit?: number } = {}) {
    this.map = map;
    this.roData = roData;
    this.rwData = rwData;
    this.pageSize = map.pageSize;
    this.roAddress = map.roDataAddress;
    this.rwAddress = map.rwDataAddress;
    this.stackAddress = map.stackAddressLow;
    this.auxAddress = map.auxDataAddress;
    this.roSize = map.roDataSize;
    this.rwSize = map.rwDataSize;
    this.stackSize = map.stackSize;
    this.auxSize = map.auxDataSize;
    this.rwMaxSize = Math.max(map.rwDataSize, alignUp(map.heapBase + map.maxHeapSize, map.pageSize) - map.rwDataAddress);
    this.memoryLimit = options.memoryLimit ?? Infinity;
    const total = this.accessibleBytes;
    if (total > this.memoryLimit)
      throw new MemoryAccessError('memory-limit', 0, total, `the memory map needs ${total} bytes (${this.describeSizes()}), more than the memory limit of ${this.memoryLimit}`);
    const ro = this.sharedReadOnly();
    this.ro = ro.bytes;
    this.roView = ro.view;
    this.rw = this.initialRw() ?? this.allocate(map.rwDataSize, 'rw data');
    this.rw.set(this.rwData.subarray(0, map.rwDataSize));
    this.stack = this.allocate(this.stackSize, 'the stack');
    this.aux = this.allocate(this.auxSize, 'aux data');
    this.rwView = new DataView(this.rw.buffer);
    this.stackView = new DataView(this.stack.buffer);
    this.auxView = new DataView(this.aux.buffer);
  }

  private describeSizes(): string {
    return `ro ${this.roSize}, rw ${this.rwSize}, stack ${this.stackSize}, aux ${this.auxSize}`;
  }

  private allocate(size: number, what: string): Uint8Array {
    const bytes = tryAllocate(size);
    if (!bytes) throw new MemoryAccessError('out-of-memory', 0, size, `cannot allocate ${size} bytes for ${what} (${this.describeSizes()})`);
    return bytes;
  }

  /** The largest rw size the map and the memory limit allow. */
  private largestRwSize(): number {
    return Math.max(this.rwSize, Math.min(this.rwMaxSize, this.memoryLimit - (this.accessibleBytes - this.rwSize)));
  }

  /** A zeroed array for rw data at instantiation and reset. Past the doubling limit it gets the largest
   * rw size at once: heap growth would otherwise copy the whole (mostly untouched) region, committing
   * every page of it. Undefined if that cannot be allocated. */
  private initialRw(): Uint8Array | undefined {
    const size = this.map.rwDataSize;
    return tryAllocate(size > RW_DOUBLING_LIMIT ? Math.max(size, this.largestRwSize()) : size);
  }

  private sharedReadOnly(): SharedRegion {
    let bySize = sharedReadOnly.get(this.roData);
    if (!bySize) sharedReadOnly.set(this.roData, (bySize = new Map()));
    let region = bySize.get(this.roSize);
    if (!region) {
      const bytes = this.allocate(this.roSize, 'ro data');
      bytes.set(this.roData.subarray(0, this.roSize));
      region = { bytes, view: new DataView(bytes.buffer) };
      bySize.set(this.roSize, region);
    }
    return region;
  }

  /**
   * The owner promises to call `guestRunning()` before anything writes through the region arrays or
   * views (a backend's run), from now on; call it before anything has. Then `reset` restores only
   * what may have changed; without it every reset restores the whole of rw, the stack and aux data.
   * The runtime's Instance does this right after creating the memory.
   */
  trackGuestRuns(): void {
    this.tracked = true;
    this.rwOut = this.stackOut = this.auxOut = false;
  }

  /** A run is about to start: the guest may write anywhere in rw (with the heap) and the stack. */
  guestRunning(): void {
    this.rwOut = true;
    this.stackOut = true;
  }

  /** Total bytes held by this instance's region arrays (the shared ro data included). */
  get allocatedBytes(): number {
    return this.ro.length + this.rw.length + this.stack.length + this.aux.length;
  }

  /** Bytes the guest can reach now: what `memoryLimit` bounds. */
  get accessibleBytes(): number {
    return this.roSize + this.rwSize + this.stackSize + this.auxSize;
  }

  reset(): void {
    const dataSize = this.map.rwDataSize;
    const data = this.rwData.subarray(0, dataSize);
    // Everything written since the last reset lies below the largest rwSize since then, which is now.
    const rwFrom = this.rwOut ? 0 : this.rwDirtyLo;
    const rwTo = this.rwOut ? this.rwSize : this.rwDirtyHi;
    if (rwFrom < rwTo) {
      const fresh = rwTo - rwFrom > RESET_FILL_LIMIT ? (this.initialRw() ?? tryAllocate(dataSize)) : undefined;
      if (fresh) {
        fresh.set(data);
        this.rw = fresh;
        this.rwView = new DataView(fresh.buffer);
      } else {
        this.rw.fill(0, rwFrom, rwTo);
        if (rwFrom < data.length) this.rw.set(data.subarray(rwFrom, Math.min(rwTo, data.length)), rwFrom);
      }
    }
    this.resetRegion('stack', this.stackOut ? 0 : this.stackDirtyLo, this.stackOut ? this.stackSize : this.stackDirtyHi);
    this.resetRegion('aux', this.auxOut ? 0 : this.auxDirtyLo, this.auxOut ? this.auxSize : this.auxDirtyHi);
    this.rwOut = this.stackOut = this.auxOut = !this.tracked;
    this.rwDirtyLo = this.stackDirtyLo = this.auxDirtyLo = Infinity;
    this.rwDirtyHi = this.stackDirtyHi = this.auxDirtyHi = 0;
    this.rwSize = dataSize;
    this.heapSize = 0;
    this.generation++;
  }

  /** Zeroes [from, to) of the stack or aux data, in place or (large) by a fresh array. */
  private resetRegion(which: 'stack' | 'aux', from: number, to: number): void {
    if (from >= to) return;
    const size = which === 'stack' ? this.stackSize : this.auxSize;
    const fresh = to - from > RESET_FILL_LIMIT ? tryAllocate(size) : undefined;
    if (!fresh) (which === 'stack' ? this.stack : this.aux).fill(0, from, to);
    else if (which === 'stack') {
      this.stack = fresh;
      this.stackView = new DataView(fresh.buffer);
    } else {
      this.aux = fresh;
      this.auxView = new DataView(fresh.buffer);
    }
  }

  private markDirty(which: Writable, from: number, to: number): void {
    if (which === 'rw') {
      if (from < this.rwDirtyLo) this.rwDirtyLo = from;
      if (to > this.rwDirtyHi) this.rwDirtyHi = to;
    } else if (which === 'stack') {
      if (from < this.stackDirtyLo) this.stackDirtyLo = from;
      if (to > this.stackDirtyHi) this.stackDirtyHi = to;
    } else {
      if (from < this.auxDirtyLo) this.auxDirtyLo = from;
      if (to > this.auxDirtyHi) this.auxDirtyHi = to;
    }
  }

  load(address: number, width: 1 | 2 | 4): number {
    let view: DataView;
    let o = (address - this.rwAddress) >>> 0;
    if (o <= this.rwSize - width) view = this.rwView;
    else if ((o = (address - this.stackAddress) >>> 0) <= this.stackSize - width) view = this.stackView;
    else if ((o = (address - this.roAddress) >>> 0) <= this.roSize - width) view = this.roView;
    else if ((o = (address - this.auxAddress) >>> 0) <= this.auxSize - width) view = this.auxView;
    else {
      this.fault = TRAP;
      this.faultAddress = address;
      return -1;
    }
    return width === 4 ? view.getUint32(o, true) : width === 1 ? view.getUint8(o) : view.getUint16(o, true);
  }

  load64(address: number): number {
    let view: DataView;
    let o = (address - this.rwAddress) >>> 0;
    if (o <= this.rwSize - 8) view = this.rwView;
    else if ((o = (address - this.stackAddress) >>> 0) <= this.stackSize - 8) view = this.stackView;
    else if ((o = (address - this.roAddress) >>> 0) <= this.roSize - 8) view = this.roView;
    else if ((o = (address - this.auxAddress) >>> 0) <= this.auxSize - 8) view = this.auxView;
    else {
      this.fault = TRAP;
      this.faultAddress = address;
      return -1;
    }
    this.lo = view.getUint32(o, true);
    this.hi = view.getUint32(o + 4, true);
    return 0;
  }

  store(address: number, width: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    // The guest can write only rw data (with the heap) and the stack.
    let view: DataView;
    let o = (address - this.rwAddress) >>> 0;
    if (o <= this.rwSize - width) {
      view = this.rwView;
      if (o < this.rwDirtyLo) this.rwDirtyLo = o;
      if (o + width > this.rwDirtyHi) this.rwDirtyHi = o + width;
    } else if ((o = (address - this.stackAddress) >>> 0) <= this.stackSize - width) {
      view = this.stackView;
      if (o < this.stackDirtyLo) this.stackDirtyLo = o;
      if (o + width > this.stackDirtyHi) this.stackDirtyHi = o + width;
    } else {
      this.fault = TRAP;
      this.faultAddress = address;
      return false;
    }
    if (width === 4) view.setUint32(o, lo, true);
    else if (width === 1) view.setUint8(o, lo);
    else if (width === 2) view.setUint16(o, lo, true);
    else {
      view.setUint32(o, lo, true);
      view.setUint32(o + 4, hi, true);
    }
    return true;
  }

  /** The region holding [address, address + length): its array, the offset, and its name when writable; or undefined. */
  private hostRegion(address: number, length: number, forWrite: boolean): { bytes: Uint8Array; offset: number; which: Writable | 'ro' } | undefined {
    checkHostRange(address, length);
    if (address < HOST_MIN_ADDRESS) return undefined;
    if (within(address, length, this.rwAddress, this.rwSize)) return { bytes: this.rw, offset: address - this.rwAddress, which: 'rw' };
    if (within(address, length, this.stackAddress, this.stackSize)) return { bytes: this.stack, offset: address - this.stackAddress, which: 'stack' };
    if (within(address, length, this.auxAddress, this.auxSize)) return { bytes: this.aux, offset: address - this.auxAddress, which: 'aux' };
    // polkavm's host writes cannot reach ro data either.
    if (!forWrite && within(address, length, this.roAddress, this.roSize)) return { bytes: this.ro, offset: address - this.roAddress, which: 'ro' };
    return undefined;
  }

  read(address: number, length: number): Uint8Array {
    if (length === 0) return new Uint8Array(0);
    const r = this.hostRegion(address, length, false);
    if (!r) throw new MemoryAccessError('out-of-range', address, length);
    return r.bytes.slice(r.offset, r.offset + length);
  }

  write(address: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const r = this.hostRegion(address, bytes.length, true);
    if (!r || r.which === 'ro') throw new MemoryAccessError('out-of-range', address, bytes.length);
    this.markDirty(r.which, r.offset, r.offset + bytes.length);
    r.bytes.set(bytes, r.offset);
  }

  zero(address: number, length: number): void {
    if (length === 0) return;
    const r = this.hostRegion(address, length, true);
    if (!r || r.which === 'ro') throw new MemoryAccessError('out-of-range', address, length);
    this.markDirty(r.which, r.offset, r.offset + length);
    r.bytes.fill(0, r.offset, r.offset + length);
  }

  sbrk(size: number): number | undefined {
    const newHeapSize = this.heapSize + (size >>> 0);
    if (newHeapSize > 0xffffffff || newHeapSize > this.map.maxHeapSize) {
      this.fault = TRAP;
      return undefined;
    }
    const heapTop = this.map.heapBase + newHeapSize;
    if (heapTop > this.rwAddress + this.rwSize) {
      const newRwSize = alignUp(heapTop, this.pageSize) - this.rwAddress;
      if (this.accessibleBytes - this.rwSize + newRwSize > this.memoryLimit || (newRwSize > this.rw.length && !this.growRw(newRwSize))) {
        this.fault = budget('memory');
        return undefined;
      }
      this.rwSize = newRwSize;
    }
    this.heapSize = newHeapSize;
    return heapTop;
  }

  private growRw(required: number): boolean {
    const largest = Math.max(required, this.largestRwSize());
    const capacity = required > RW_DOUBLING_LIMIT ? largest : Math.min(largest, Math.max(required, Math.min(RW_DOUBLING_LIMIT, this.rw.length * 2)));
    const next = tryAllocate(capacity) ?? (capacity > required ? tryAllocate(required) : undefined);
    if (!next) return false;
    // Only bytes below rwSize can be non-zero.
    next.set(this.rw.subarray(0, this.rwSize));
    this.rw = next;
    this.rwView = new DataView(next.buffer);
    this.generation++;
    return true;
  }
}

interface Page {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readOnly: boolean;
}

/**
 * Dynamic paging: memory is whatever pages the host has mapped. A guest access to an unmapped page
 * (or a write to a read-only page) is a segfault with that page's address; for an access straddling
 * two pages the missing one is reported (polkavm interpreter.rs `DynamicMemory`). Faults on pages
 * below 16 KiB are traps. There is no heap: sbrk fails.
 */
export class DynamicMemory implements GuestMemory {
  readonly kind = 'dynamic' as const;
  fault: Interrupt = TRAP;
  lo = 0;
  hi = 0;
  readonly heapSize = 0;
  private readonly pages = new Map<number, Page>();
  private readonly shift: number;
  private readonly mask: number;
  /** Largest number of pages the host may map. */
  maxPages: number;

  readonly pageSize: number;

  /** What a guest write to a mapped read-only page does (see ModuleOptions.readOnlyWrite). */
  readonly readOnlyWrite: 'segfault' | 'trap';

  constructor(pageSize: number, options: { memoryLimit?: number; readOnlyWrite?: 'segfault' | 'trap' } = {}) {
    this.pageSize = pageSize;
    this.readOnlyWrite = options.readOnlyWrite ?? 'segfault';
    this.shift = 31 - Math.clz32(pageSize);
    this.mask = pageSize - 1;
    this.maxPages = Math.floor((options.memoryLimit ?? Infinity) / pageSize);
  }

  reset(): void {
    this.pages.clear();
  }

  get mappedPageCount(): number {
    return this.pages.size;
  }

  private pageAt(address: number): Page | undefined {
    return this.pages.get(address >>> this.shift);
  }

  private setFault(pageAddress: number, isWriteProtected: boolean): void {
    if (isWriteProtected && this.readOnlyWrite === 'trap') this.fault = TRAP;
    else this.fault = pageAddress < MIN_SEGFAULT_PAGE_ADDRESS ? TRAP : segfault(pageAddress, this.pageSize, isWriteProtected);
  }

  /** Finds the page(s) for a guest access, or records the fault; returns the low page or undefined. */
  private locate(address: number, width: number, write: boolean): Page | undefined {
    const end = address + width;
    if (end > ADDRESS_SPACE_END) {
      // polkavm checks the address-space end before anything else: trap if the last page is mapped.
      const last = (ADDRESS_SPACE_END - 1) & ~this.mask;
      if (this.pageAt(last)) this.fault = TRAP;
      else this.setFault(last >>> 0, false);
      return undefined;
    }
    const loAddress = (address & ~this.mask) >>> 0;
    const hiAddress = ((end - 1) & ~this.mask) >>> 0;
    const lo = this.pageAt(loAddress);
    if (loAddress === hiAddress) {
      if (!lo) this.setFault(loAddress, false);
      else if (write && lo.readOnly) this.setFault(loAddress, true);
      else return lo;
      return undefined;
    }
    const hi = this.pageAt(hiAddress);
    if (!lo) this.setFault(loAddress, false);
    else if (!hi) this.setFault(hiAddress, false);
    else if (write && lo.readOnly) this.setFault(loAddress, true);
    else if (write && hi.readOnly) this.setFault(hiAddress, true);
    else return lo;
    return undefined;
  }

  private readByte(address: number): number {
    return this.pageAt(address)!.bytes[address & this.mask]!;
  }

  load(address: number, width: 1 | 2 | 4): number {
    const page = this.locate(address, width, false);
    if (!page) return -1;
    const o = address & this.mask;
    if (o + width <= this.pageSize)
      return width === 4 ? page.view.getUint32(o, true) : width === 1 ? page.bytes[o]! : page.view.getUint16(o, true);
    let v = 0;
    for (let k = width - 1; k >= 0; k--) v = v * 256 + this.readByte(address + k);
    return v;
  }

  load64(address: number): number {
    const page = this.locate(address, 8, false);
    if (!page) return -1;
    const o = address & this.mask;
    if (o + 8 <= this.pageSize) {
      this.lo = page.view.getUint32(o, true);
      this.hi = page.view.getUint32(o + 4, true);
    } else {
      let lo = 0;
      let hi = 0;
      for (let k = 3; k >= 0; k--) lo = lo * 256 + this.readByte(address + k);
      for (let k = 7; k >= 4; k--) hi = hi * 256 + this.readByte(address + k);
      this.lo = lo;
      this.hi = hi;
    }
    return 0;
  }

  store(address: number, width: 1 | 2 | 4 | 8, lo: number, hi: number): boolean {
    const page = this.locate(address, width, true);
    if (!page) return false;
    const o = address & this.mask;
    if (o + width <= this.pageSize) {
      if (width === 4) page.view.setUint32(o, lo, true);
      else if (width === 1) page.bytes[o] = lo;
      else if (width === 2) page.view.setUint16(o, lo, true);
      else {
        page.view.setUint32(o, lo, true);
        page.view.setUint32(o + 4, hi, true);
      }
      return true;
    }
    for (let k = 0; k < width; k++) {
      const byte = k < 4 ? (lo >>> (8 * k)) & 0xff : (hi >>> (8 * (k - 4))) & 0xff;
      const a = address + k;
      this.pageAt(a)!.bytes[a & this.mask] = byte;
    }
    return true;
  }

  /** Calls `each(page, pageOffset, bufferOffset, length)` for every page of the range; throws if one is unmapped. */
  private eachPage(address: number, length: number, each: (page: Page, pageOffset: number, bufferOffset: number, length: number) => void): void {
    checkHostRange(address, length);
    if (length === 0) return;
    if (address < HOST_MIN_ADDRESS) throw new MemoryAccessError('out-of-range', address, length);
    const last = (address + length - 1) >>> this.shift;
    for (let i = address >>> this.shift; i <= last; i++)
      if (!this.pages.has(i)) throw new MemoryAccessError('out-of-range', Math.max(address, i * this.pageSize), length);
    let done = 0;
    while (done < length) {
      const a = address + done;
      const o = a & this.mask;
      const n = Math.min(this.pageSize - o, length - done);
      each(this.pageAt(a)!, o, done, n);
      done += n;
    }
  }

  read(address: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    this.eachPage(address, length, (page, o, b, n) => out.set(page.bytes.subarray(o, o + n), b));
    return out;
  }

  write(address: number, bytes: Uint8Array): void {
    this.eachPage(address, bytes.length, (page, o, b, n) => page.bytes.set(bytes.subarray(b, b + n), o));
  }

  zero(address: number, length: number): void {
    this.eachPage(address, length, (page, o, _b, n) => page.bytes.fill(0, o, o + n));
  }

  private pageRange(address: number, length: number): [first: number, count: number] {
    checkHostRange(address, length);
    if ((address & this.mask) !== 0)
      throw new MemoryAccessError('not-page-aligned', address, length, `address 0x${address.toString(16)} is not a multiple of the page size`);
    return [address >>> this.shift, Math.ceil(length / this.pageSize)];
  }

  /**
   * Maps pages over [address, address + length) (length rounded up to whole pages), zero-filled,
   * writable by the guest or not; already mapped pages are zeroed and get the new protection
   * (polkavm `zero_memory_with_memory_protection`).
   */
  mapPages(address: number, length: number, writable: boolean): void {
    const [first, count] = this.pageRange(address, length);
    let added = 0;
    for (let i = 0; i < count; i++) if (!this.pages.has(first + i)) added++;
    if (this.pages.size + added > this.maxPages)
      throw new MemoryAccessError('memory-limit', address, length, `mapping ${added} more pages exceeds the limit of ${this.maxPages}`);
    for (let i = 0; i < count; i++) {
      const page = this.pages.get(first + i);
      if (page) {
        page.bytes.fill(0);
        page.readOnly = !writable;
      } else {
        const bytes = new Uint8Array(this.pageSize);
        this.pages.set(first + i, { bytes, view: new DataView(bytes.buffer), readOnly: !writable });
      }
    }
  }

  /** Changes the guest protection of mapped pages; throws if one of them is not mapped. */
  protectPages(address: number, length: number, writable: boolean): void {
    const [first, count] = this.pageRange(address, length);
    for (let i = 0; i < count; i++)
      if (!this.pages.has(first + i)) throw new MemoryAccessError('out-of-range', (first + i) * this.pageSize, this.pageSize);
    for (let i = 0; i < count; i++) this.pages.get(first + i)!.readOnly = !writable;
  }

  unmapPages(address: number, length: number): void {
    const [first, count] = this.pageRange(address, length);
    for (let i = 0; i < count; i++) this.pages.delete(first + i);
  }

  isMapped(address: number): boolean {
    return this.pageAt(address >>> 0) !== undefined;
  }

  sbrk(_size: number): number | undefined {
    this.fault = TRAP;
    return undefined;
  }
}
