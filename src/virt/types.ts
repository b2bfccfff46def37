// The values sp-virtualization 0.4.0 puts on the wire (substrate/primitives/virtualization/src/lib.rs):
// error enums with their Rust discriminants, the compile and run statuses, ids and the syscall symbol.
// The discriminants are the ABI of the host functions (negative = error), so they are spelled out
// here rather than derived from declaration order.

/** Bytes a syscall (import) symbol may have; a longer import makes the program an InvalidImage. */
export const MAX_SYSCALL_SYMBOL_LEN = 32;

/** The log target of the crate's messages (Rust `LOG_TARGET`), passed to the logger with each one. */
export const LOG_TARGET = 'virtualization';

/** Opaque handle to a compiled module: a u32 from the manager's counter (a lookup hands out a new one). */
export type ModuleId = number & { readonly __brand: 'ModuleId' };
/** Opaque handle to a virtualization instance: a u32 from the manager's counter. */
export type InstanceId = number & { readonly __brand: 'InstanceId' };

type ValueOf<T> = T[keyof T];

/** Whether a `compile_*` entry point found the module in the cache (cheap) or compiled it. */
export const CompileStatus = Object.freeze({ Cached: 0, Compiled: 1 } as const);
export type CompileStatus = ValueOf<typeof CompileStatus>;

/** What the `run` host function reports besides an error: the guest returned, or it made a syscall. */
export const ExecStatus = Object.freeze({ Finished: 0, Syscall: 1 } as const);
export type ExecStatus = ValueOf<typeof ExecStatus>;

export const ModuleError = Object.freeze({
  /** The bytes are not a valid program, or an import symbol is longer than 32 bytes. */
  InvalidImage: -1,
  /** `lookup` found nothing under the identifier. */
  NotCached: -2,
  /** `fromStorageKey` found nothing stored at the key. */
  NotFound: -3,
} as const);
export type ModuleError = ValueOf<typeof ModuleError>;

export const InstantiateError = Object.freeze({
  /** The program could not be instantiated. */
  InvalidImage: -1,
  /** No module has this id. */
  InvalidModule: -2,
  /** The live-instance cap (30) is reached; destroy an instance first. sc-virtualization after 0.4.0;
   * its discriminant is not in any published sp-virtualization, -3 is the next free value. */
  TooManyInstances: -3,
} as const);
export type InstantiateError = ValueOf<typeof InstantiateError>;

export const ExecError = Object.freeze({
  /** No instance has this id, or it is in the wrong state (prepare while prepared, run while idle). */
  InvalidInstance: -1,
  /** The export does not exist (prepare), or the guest called an import index the program lacks (run). */
  InvalidImage: -2,
  /** A block cost more gas than was left; the instance is idle again. */
  OutOfGas: -3,
  /** The guest trapped (`trap`, an invalid instruction or jump, an out-of-range access). */
  Trap: -4,
} as const);
export type ExecError = ValueOf<typeof ExecError>;

export const MemoryError = Object.freeze({
  /** No instance has this id, or it is idle: memory is reachable only while prepared or at a syscall. */
  InvalidInstance: -1,
  /** Some byte of the range is not accessible guest memory. */
  OutOfBounds: -2,
} as const);
export type MemoryError = ValueOf<typeof MemoryError>;

export const DestroyError = Object.freeze({
  /** No live instance has this id. */
  InvalidInstance: -1,
} as const);
export type DestroyError = ValueOf<typeof DestroyError>;

function namer<T extends Readonly<Record<string, number>>>(values: T): (code: number) => keyof T & string {
  const names = new Map<number, string>(Object.entries(values).map(([name, code]) => [code, name]));
  return (code) => {
    const name = names.get(code);
    if (name === undefined) throw new RangeError(`unknown discriminant ${code} (expected one of ${[...names.keys()].join(', ')})`);
    return name as keyof T & string;
  };
}

/** The Rust variant name of a discriminant, for messages and logs (throws RangeError for an unknown one). */
export const moduleErrorName = namer(ModuleError);
export const instantiateErrorName = namer(InstantiateError);
export const execErrorName = namer(ExecError);
export const memoryErrorName = namer(MemoryError);
export const destroyErrorName = namer(DestroyError);
export const compileStatusName = namer(CompileStatus);
export const execStatusName = namer(ExecStatus);

/** A fallible operation's outcome: guest-caused and id-caused failures are values, as in the Rust API. */
export type VirtResult<T, E> = ({ readonly ok: true } & T) | { readonly ok: false; readonly error: E };

const utf8 = new TextEncoder();
const utf8Lossy = new TextDecoder('utf-8', { fatal: false });

/** An import symbol of at most MAX_SYSCALL_SYMBOL_LEN bytes (Rust `SyscallSymbol`). */
export class SyscallSymbol {
  /** The symbol's bytes (a private copy). */
  readonly bytes: Uint8Array;
  /** The bytes as UTF-8 (lossy), for dispatching on names. */
  readonly text: string;

  private constructor(bytes: Uint8Array) {
    this.bytes = bytes.slice();
    this.text = utf8Lossy.decode(this.bytes);
  }

  /** The symbol, or undefined if `symbol` is longer than MAX_SYSCALL_SYMBOL_LEN bytes (Rust `SyscallSymbol::new`). */
  static from(symbol: Uint8Array | string): SyscallSymbol | undefined {
    const bytes = typeof symbol === 'string' ? utf8.encode(symbol) : symbol;
    return bytes.length > MAX_SYSCALL_SYMBOL_LEN ? undefined : new SyscallSymbol(bytes);
  }

  equals(other: SyscallSymbol | Uint8Array | string): boolean {
    const bytes = other instanceof SyscallSymbol ? other.bytes : typeof other === 'string' ? utf8.encode(other) : other;
    return bytes.length === this.bytes.length && bytes.every((b, i) => b === this.bytes[i]);
  }
}
