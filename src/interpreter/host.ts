// What the generated loops (gen/loops.generated.ts) see of the interpreter instance running them.

import type { Interrupt } from '../machine/interrupt.ts';
import type { MachineState } from '../machine/state.ts';
import type { InterpreterProgram } from './program.ts';

export { DEADLINE_CHECK_INTERVAL } from './entry.ts';

/** A view no access reaches: the region limits stay -1 when memory is not the standard map. */
export const NO_VIEW: DataView = new DataView(new ArrayBuffer(8));

export interface LoopHost {
  readonly state: MachineState;
  readonly program: InterpreterProgram;
  /** The 32-bit loop's registers (int32, canonical), loaded from the state on entry and written back at exits. */
  readonly R: Int32Array;
  /** The state's register file as (lo, hi) int32 pairs: what the pair loops work on directly. */
  readonly L: Int32Array;
  /** The same buffer as u64 BigInts, for division, remainder and mulh. */
  readonly R64: BigUint64Array;
  deadlineCountdown: number;
  /** How the last `memset` ended (MemsetStop: 0 done, 1 fault, 2 out of gas). */
  memsetStop: number;
  /**
   * Leaves the loop at instruction `j`: syncs gas and the counters into the state, sets pc / next pc /
   * resume. `inBlock`: for a final stop (next < 0), the instructions from `j` to the end of its block
   * (counted when the block was entered) did not run and are taken off the count again.
   */
  stop(j: number, next: number, resume: number, interrupt: Interrupt, gas: number, counted: number, inBlock: boolean): Interrupt;
  /** `stop` for the 32-bit loop: writes its registers back first. */
  stop32(j: number, next: number, resume: number, interrupt: Interrupt, gas: number, counted: number, inBlock: boolean): Interrupt;
  /**
   * Leaves the loop after a failed memory access or sbrk at `j`, per `memory.fault`: a trap is final
   * (no next pc, as polkavm's `trap_impl`); a segfault or budget('memory') retries `j` on resume.
   */
  fault(j: number, gas: number, counted: number): Interrupt;
  fault32(j: number, gas: number, counted: number): Interrupt;
  /** Syncs gas and counters and asks `run()` to continue at `j` / `phase` on the other 32-bit loop. */
  hand(j: number, phase: number, gas: number, counted: number): null;
  /** The 32-bit loop's registers into the state, sign-extended. */
  writeBack(): void;
  /** `memset` from src/machine/ops.ts on the state: the bytes written; how it ended in `memsetStop`. */
  memset(address: number, value: number, count: number, metered: boolean): number;
}
