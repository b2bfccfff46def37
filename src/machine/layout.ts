// The guest memory map, as polkavm's abi.rs lays it out (POLKAVM.md §4).

export const VM_MIN_PAGE_SIZE = 0x1000;
export const VM_MAX_PAGE_SIZE = 0x10000;
/** A jump here through `jump_indirect` ends the call (`finished`); also the default RA. */
export const VM_ADDR_RETURN_TO_HOST = 0xffff0000;
export const VM_CODE_ADDRESS_ALIGNMENT = 2;
const ADDRESS_SPACE_SIZE = 2 ** 32;
const VM_ADDRESS_SPACE_BOTTOM = VM_MAX_PAGE_SIZE;
const VM_ADDRESS_SPACE_TOP = ADDRESS_SPACE_SIZE - VM_MAX_PAGE_SIZE;

export interface MemoryMap {
  readonly pageSize: number;
  readonly roDataAddress: number;
  /** Page-aligned size of the ro region. */
  readonly roDataSize: number;
  readonly rwDataAddress: number;
  /** Page-aligned size of the rw region before any sbrk. */
  readonly rwDataSize: number;
  readonly stackAddressHigh: number;
  readonly stackAddressLow: number;
  /** Page-aligned stack size. */
  readonly stackSize: number;
  readonly auxDataAddress: number;
  readonly auxDataSize: number;
  /** First heap byte: rw address + the declared (unaligned) rw size. */
  readonly heapBase: number;
  readonly maxHeapSize: number;
}

/** Thrown for a memory configuration that cannot be laid out (host misuse or a hostile blob). */
export class MemoryMapError extends Error {
  override readonly name = 'MemoryMapError';
  readonly pvm2jsUserError = true;
}

export const alignUp = (value: number, alignment: number): number => Math.ceil(value / alignment) * alignment;

export interface MemoryMapInput {
  pageSize?: number;
  roDataSize: number;
  rwDataSize: number;
  stackSize: number;
  auxDataSize?: number;
}

export function buildMemoryMap(input: MemoryMapInput): MemoryMap {
  const pageSize = input.pageSize ?? VM_MIN_PAGE_SIZE;
  const auxSize = input.auxDataSize ?? 0;
  if (!Number.isInteger(pageSize) || pageSize < VM_MIN_PAGE_SIZE) throw new MemoryMapError('invalid page size: page size is too small');
  if (pageSize > VM_MAX_PAGE_SIZE) throw new MemoryMapError('invalid page size: page size is too big');
  if ((pageSize & (pageSize - 1)) !== 0) throw new MemoryMapError('invalid page size: page size is not a power of two');
  for (const [what, v] of [
    ['read-only data', input.roDataSize],
    ['read-write data', input.rwDataSize],
    ['stack', input.stackSize],
    ['aux data', auxSize],
  ] as const) {
    if (!Number.isInteger(v) || v < 0 || alignUp(v, VM_MAX_PAGE_SIZE) >= ADDRESS_SPACE_SIZE)
      throw new MemoryMapError(`the size of the ${what} is too big`);
  }
  const roSpace = alignUp(input.roDataSize, VM_MAX_PAGE_SIZE);
  const rwSpace = alignUp(input.rwDataSize, VM_MAX_PAGE_SIZE);
  const stackSpace = alignUp(input.stackSize, VM_MAX_PAGE_SIZE);
  const auxSpace = alignUp(auxSize, VM_MAX_PAGE_SIZE);

  let low = VM_ADDRESS_SPACE_BOTTOM + roSpace + VM_MAX_PAGE_SIZE;
  const rwDataAddress = low;
  const heapBase = low + input.rwDataSize;
  low += rwSpace;
  const heapSlack = low - heapBase;
  low += VM_MAX_PAGE_SIZE;

  let high = VM_ADDRESS_SPACE_TOP - auxSpace;
  const auxDataAddress = high;
  high -= VM_MAX_PAGE_SIZE;
  const stackAddressHigh = high;
  high -= stackSpace;
  if (low > high) throw new MemoryMapError('maximum memory size exceeded');

  const stackSize = alignUp(input.stackSize, pageSize);
  return {
    pageSize,
    roDataAddress: VM_ADDRESS_SPACE_BOTTOM,
    roDataSize: alignUp(input.roDataSize, pageSize),
    rwDataAddress,
    rwDataSize: alignUp(input.rwDataSize, pageSize),
    stackAddressHigh,
    stackAddressLow: stackAddressHigh - stackSize,
    stackSize,
    auxDataAddress,
    auxDataSize: alignUp(auxSize, pageSize),
    heapBase,
    maxHeapSize: high - low + heapSlack,
  };
}
