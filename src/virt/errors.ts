// Host misuse of the virt API throws a VirtMisuseError with a kind; everything the guest, an id or
// the cache can cause is a value (the error enums in types.ts), as in the Rust API.

export type VirtMisuseErrorKind =
  /** A handle was used after it was consumed: an Execution run twice, an Instance used after
   * `prepare` succeeded, or any handle after `destroy`. Rust's ownership makes this a compile error. */
  | 'consumed-handle'
  /** An argument is out of its Rust type's range (gas not an i64, a0 not a u64, an offset not a u32)
   * or a buffer is too small or malformed. */
  | 'bad-argument'
  /** The guest stopped in a way the virtualization configuration rules out (step, segfault, budget). */
  | 'unexpected-interrupt'
  /** A call needed the registered VirtManager (Rust: `VirtManagerExt` in the externalities) and none is registered. */
  | 'no-virt-manager';

export class VirtMisuseError extends Error {
  override readonly name = 'VirtMisuseError';
  readonly pvm2jsUserError = true;
  readonly kind: VirtMisuseErrorKind;
  constructor(kind: VirtMisuseErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}

const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

export function checkI64(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < I64_MIN || value > I64_MAX) throw new VirtMisuseError('bad-argument', `${what} ${String(value)} is not an i64 (a bigint)`);
  return value;
}

export function checkU64(value: bigint, what: string): bigint {
  if (typeof value !== 'bigint' || value < 0n || value >= 1n << 64n) throw new VirtMisuseError('bad-argument', `${what} ${String(value)} is not a u64 (a bigint)`);
  return value;
}

export function checkU32(value: number, what: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) throw new VirtMisuseError('bad-argument', `${what} ${value} is not a u32`);
  return value;
}
