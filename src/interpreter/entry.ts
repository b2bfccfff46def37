// What both interpreter loops do when `run()` starts and when it stops.

import { refillGas } from '../machine/gas.ts';
import { NOT_ENOUGH_GAS, TRAP, type Interrupt } from '../machine/interrupt.ts';
import { Resume, type MachineState } from '../machine/state.ts';
import { blockLengthAt, blockStartOf, type InterpreterProgram } from './program.ts';

/** How many blocks run between two looks at the clock when a deadline is set (performance.now() is not free). */
export const DEADLINE_CHECK_INTERVAL = 1024;

/**
 * Where `run()` starts: an instruction index, or an interrupt to return at once. When the host moved
 * the pc (`chargeOnEntry`), a pc inside a block charges the whole containing block here, as polkavm
 * does; a pc at a block start is charged by the normal block entry; a pc where no instruction
 * starts traps there.
 */
export function enter(p: InterpreterProgram, s: MachineState): number | Interrupt {
  const code = p.code;
  const pc = s.nextPc;
  const index = pc < code.indexOfPc.length ? code.indexOfPc[pc]! : -1;
  if (!s.chargeOnEntry) return index;
  if (index < 0 || code.implicit[index]) {
    s.pc = pc;
    s.nextPc = -1;
    return TRAP;
  }
  const start = blockStartOf(p, index);
  if (start !== index) {
    if (p.image.gasMetering !== undefined) {
      const cost = p.blockCosts[start]!;
      // Both metering modes leave everything untouched here (polkavm `resolve_arbitrary_jump`).
      if (s.gas < cost && !refillGas(s, cost)) return NOT_ENOUGH_GAS;
      s.gas -= cost;
    }
    const counted = start + blockLengthAt(p, start) - index;
    s.instructionsExecuted += counted;
    s.instructionBudget -= counted;
  }
  s.chargeOnEntry = false;
  s.resume = Resume.full;
  s.pc = pc;
  return index;
}

/** Charges a block when the hot counter is short: refills from the reserve, or reports out of gas. */
export function chargeSlow(s: MachineState, cost: number): boolean {
  return refillGas(s, cost);
}
