// How a query can fail. Every failure is a value (`PvqError`), never an exception: the guest, its
// arguments and the extensions' answers are all handled as input. Exceptions from `execute` mean host
// misuse (arguments that are not byte arrays, a bad gas limit).

import { compact } from '@polkadot-api/substrate-bindings';
import type { ExtensionError } from './extension.ts';

export type PvqError =
  /** The bytes are not a loadable PVQ program: not a `PVM\0` blob, malformed code, a memory layout
   * that does not fit, no `pvq` export, or an import other than `host_call`. */
  | { readonly kind: 'invalid-program'; readonly reason: 'parse' | 'no-pvq-export' | 'unsupported-import' | 'memory-layout' | 'stack-size'; readonly message: string; readonly offset?: number }
  /** The guest stopped abnormally (the seed's `RuntimeError`); `pc` is the instruction, `detail` says how:
   * `trap` a panic (`unimp`: a failed argument decode, an invalid entrypoint index...);
   * `memory-access` a load or store outside its memory; `result-access` a returned result range
   * that is not readable guest memory;
   * `stack-overflow` an access just below its stack; `call-depth` more nested calls than maxCallDepth. */
  | { readonly kind: 'runtime'; readonly detail: RuntimeErrorDetail; readonly pc: number | undefined; readonly message: string }
  /** A gas limit was given and the guest used it up (reference: `NotEnoughGas`). */
  | { readonly kind: 'not-enough-gas'; readonly message: string }
  /** `maxExecutionTime` (reason `deadline`), `maxInstructions` (`instructions`) or `maxWallClockTime`
   * (`wall-clock`) ran out. */
  | { readonly kind: 'timeout'; readonly reason: 'deadline' | 'instructions' | 'wall-clock'; readonly message: string }
  /** The guest's memory would grow past `maxMemory` (its layout, its arguments, its heap, or a host call result). */
  | { readonly kind: 'out-of-memory'; readonly message: string }
  /** A `host_call` failed; the query stops there (reference: `User(ExtensionError)`). */
  | { readonly kind: 'extension'; readonly error: ExtensionError; readonly message: string };

export type PvqErrorKind = PvqError['kind'];
export type RuntimeErrorDetail = 'trap' | 'memory-access' | 'stack-overflow' | 'call-depth' | 'result-access';

/** The seed's `PvqExecutorError` variants. */
export type PvqExecutorErrorName = 'InvalidProgram' | 'Timeout' | 'OutOfMemory' | 'ExtensionError' | 'RuntimeError' | 'NotEnoughGas';

/** The seed's name of an error: what its `match executor.execute(..)` arms test. */
export function executorErrorName(error: PvqError): PvqExecutorErrorName {
  switch (error.kind) {
    case 'invalid-program':
      return 'InvalidProgram';
    case 'timeout':
      return 'Timeout';
    case 'out-of-memory':
      return 'OutOfMemory';
    case 'extension':
      return 'ExtensionError';
    case 'runtime':
      return 'RuntimeError';
    case 'not-enough-gas':
      return 'NotEnoughGas';
  }
}

/**
 * The no_std `PvqError` the reference runtime returns over `PvqApi_execute_query` (variant index =
 * position). Failures that have no reference counterpart map to the nearest one: timeout and
 * out-of-memory are resource limits like the weight limit; load failures other than a parse error
 * are the reference's `OtherPvmError`.
 */
export const REFERENCE_ERRORS = ['FailedToDecode', 'InvalidPvqProgramFormat', 'QueryExceedsWeightLimit', 'Trap', 'MemoryAccessError', 'HostCallError', 'Other'] as const;
export type ReferenceError = (typeof REFERENCE_ERRORS)[number];

export function referenceError(error: PvqError): ReferenceError {
  switch (error.kind) {
    case 'invalid-program':
      return error.reason === 'parse' ? 'InvalidPvqProgramFormat' : 'Other';
    case 'runtime':
      // polkavm reports every guest fault as a trap; the reference's MemoryAccessError is the host
      // failing to read the result.
      return error.detail === 'result-access' ? 'MemoryAccessError' : 'Trap';
    case 'not-enough-gas':
    case 'timeout':
    case 'out-of-memory':
      return 'QueryExceedsWeightLimit';
    case 'extension':
      return 'HostCallError';
  }
}

const EXTENSION_ERROR_DEBUG = {
  permission: 'PermissionError',
  'memory-allocation': 'MemoryAllocationError',
  'memory-access': 'MemoryAccessError',
  decode: 'DecodeError',
  dispatch: 'DispatchError(PhantomData)',
  'unsupported-extension': 'UnsupportedExtension',
  // Neither has a reference counterpart; both are the function failing, as a DispatchError is.
  exception: 'DispatchError(PhantomData)',
  'async-in-sync': 'DispatchError(PhantomData)',
} as const;

/** The std (native) reference's error string, e.g. `Host call error: UnsupportedExtension`. */
export function referenceErrorText(error: PvqError): string {
  switch (referenceError(error)) {
    case 'InvalidPvqProgramFormat':
      return 'Invalid PVQ program format';
    case 'Trap':
      return 'Trap';
    case 'QueryExceedsWeightLimit':
      return 'Not enough gas';
    case 'MemoryAccessError':
      return 'Memory access error';
    case 'HostCallError':
      return `Host call error: ${EXTENSION_ERROR_DEBUG[(error as Extract<PvqError, { kind: 'extension' }>).error.kind]}`;
    default:
      return `Other error: ${error.message}`;
  }
}

/** `PvqResult` as the runtime API returns it: `00 ‖ Compact(len) ‖ bytes`, or `01 ‖ error variant`. */
export function encodePvqResult(result: { ok: true; value: Uint8Array } | { ok: false; error: PvqError }): Uint8Array {
  if (!result.ok) return Uint8Array.of(1, REFERENCE_ERRORS.indexOf(referenceError(result.error)));
  const len = compact.enc(result.value.length);
  const out = new Uint8Array(1 + len.length + result.value.length);
  out.set(len, 1);
  out.set(result.value, 1 + len.length);
  return out;
}
