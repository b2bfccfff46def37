// Host misuse of the runtime API throws a RuntimeError with a kind; guest outcomes are Interrupts.

export type RuntimeErrorKind =
  /** An option has a value the runtime cannot use. */
  | 'bad-option'
  /** The requested backend is not available in this build. */
  | 'backend-unavailable'
  /** `prepareCall` / `call` named an export the module does not have. */
  | 'no-such-export'
  /** A register index, argument or value is out of range. */
  | 'bad-argument'
  /** `run()` with no next pc (never prepared, or the last run finished or trapped). */
  | 'not-runnable'
  /** An API that needs dynamic paging (or standard memory) used on the other kind. */
  | 'wrong-memory-kind'
  /** Instantiating: the module's memory exceeds `memoryLimit`, or the JS engine cannot allocate it. */
  | 'out-of-memory'
  /** The instance was given back with `release()` and may belong to someone else now. */
  | 'released'
  /** `Linker.instantiate`: the module imports a function the linker does not define (and unresolved imports were not allowed). */
  | 'unresolved-import'
  /** A host function returned something that is not a 64-bit integer (or nothing). */
  | 'bad-host-return';

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
  readonly pvm2jsUserError = true;
  readonly kind: RuntimeErrorKind;
  constructor(kind: RuntimeErrorKind, message: string) {
    super(message);
    this.kind = kind;
  }
}
