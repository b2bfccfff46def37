// Why a run stopped. One set of names everywhere (DESIGN.md "One set of names for outcomes").

export type Interrupt =
  /** The guest jumped to 0xFFFF0000 (`VM_ADDR_RETURN_TO_HOST`); results are in A0/A1. */
  | { readonly kind: 'finished' }
  /** `trap`, an invalid instruction or jump, or (standard memory) any out-of-range access. */
  | { readonly kind: 'trap' }
  /** `ecalli index`: a host call. `run()` again resumes after the ecalli without charging gas. */
  | { readonly kind: 'ecalli'; readonly index: number }
  /** Dynamic paging only: an access to an unmapped page (or a write to a read-only one). The
   * instruction did not execute; map the page and `run()` again to retry it. */
  | { readonly kind: 'segfault'; readonly pageAddress: number; readonly pageSize: number; readonly isWriteProtected: boolean }
  /** Gas metering on and a block's cost exceeded the gas left. Sync: gas untouched, pc at the block
   * start, resumable after `setGas`. Async: gas went negative, not resumable. */
  | { readonly kind: 'not-enough-gas' }
  /** Step tracing on: fires before each instruction, with pc at that instruction. */
  | { readonly kind: 'step' }
  /** A host-set budget other than gas ran out at a block edge: an instruction count, a deadline, or
   * a cap on guest memory growth. Resumable: raise the budget and `run()` again. */
  | { readonly kind: 'budget'; readonly reason: BudgetReason };

export type BudgetReason = 'instructions' | 'deadline' | 'memory' | 'call-depth';
export type InterruptKind = Interrupt['kind'];

// Shared immutable values: returning these allocates nothing on the hot exit paths.
export const FINISHED: Interrupt = Object.freeze({ kind: 'finished' });
export const TRAP: Interrupt = Object.freeze({ kind: 'trap' });
export const NOT_ENOUGH_GAS: Interrupt = Object.freeze({ kind: 'not-enough-gas' });
export const STEP: Interrupt = Object.freeze({ kind: 'step' });

export const ecalli = (index: number): Interrupt => ({ kind: 'ecalli', index: index >>> 0 });
export const segfault = (pageAddress: number, pageSize: number, isWriteProtected: boolean): Interrupt => ({
  kind: 'segfault',
  pageAddress: pageAddress >>> 0,
  pageSize,
  isWriteProtected,
});
export const budget = (reason: BudgetReason): Interrupt => ({ kind: 'budget', reason });

export function assertNever(x: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(x)}`);
}
