// One interpreter instance: picks the generated loop for the ISA (and, on the 32-bit ISA, for the
// register values), and implements the exits the loops call.

import type { Interrupt } from '../machine/interrupt.ts';
import { memset } from '../machine/ops.ts';
import type { BackendInstance, MachineState } from '../machine/state.ts';
import { REG_COUNT, Resume } from '../machine/state.ts';
import { DEADLINE_CHECK_INTERVAL, enter } from './entry.ts';
import { loop32, loopPairs32, loopPairs64 } from './gen/loops.generated.ts';
import type { LoopHost } from './host.ts';
import { blockLengthAt, blockStartOf, type InterpreterProgram } from './program.ts';

/** Instructions per call of the generated loop (`run`). */
const RUN_SLICE = 1 << 20;

/** True when every register holds a sign-extended 32-bit value (how the 32-bit ISA normally keeps them). */
function canonical(L: Int32Array): boolean {
  for (let k = 0; k < 2 * REG_COUNT; k += 2) if (L[k + 1] !== L[k]! >> 31) return false;
  return true;
}

export class InterpreterInstance implements BackendInstance, LoopHost {
  readonly state: MachineState;
  readonly program: InterpreterProgram;
  readonly R = new Int32Array(16);
  readonly L: Int32Array;
  readonly R64: BigUint64Array;
  deadlineCountdown = DEADLINE_CHECK_INTERVAL;
  memsetStop = 0;
  private handJ = 0;
  private handPhase = 0;

  constructor(program: InterpreterProgram, state: MachineState) {
    this.program = program;
    this.state = state;
    const regs = state.regs64;
    this.R64 = regs;
    this.L = new Int32Array(regs.buffer, regs.byteOffset, 2 * REG_COUNT);
  }

  /**
   * Runs as the host asked, in slices of at most RUN_SLICE instructions: each slice is one call of the
   * generated loop, which returns at its end (a budget stop at a block edge, as a host with that budget
   * would see it) and is called again. A loop function called once for a whole long run would be
   * optimised by V8 only through on-stack replacement, which tuneEngine() turns off (runtime/engine.ts):
   * pinky as one call ran 18.6 s unoptimised instead of 1.8 s.
   */
  run(): Interrupt {
    const s = this.state;
    let budget = s.instructionBudget;
    if (!(budget > RUN_SLICE)) return this.runSlice();
    for (;;) {
      s.instructionBudget = RUN_SLICE;
      const before = s.instructionsExecuted;
      const interrupt = this.runSlice();
      budget -= s.instructionsExecuted - before;
      s.instructionBudget = budget;
      if (interrupt.kind !== 'budget' || interrupt.reason !== 'instructions') return interrupt;
      // The slice ended before a block; the host's budget stops there too if that block does not fit.
      const index = this.program.code.indexOfPc[s.nextPc]!;
      if (budget < blockLengthAt(this.program, index)) return interrupt;
      if (!(budget > RUN_SLICE)) return this.runSlice();
    }
  }

  private runSlice(): Interrupt {
    const entered = enter(this.program, this.state);
    if (typeof entered !== 'number') return entered;
    let j = entered;
    let phase: number = this.state.resume;
    if (this.program.code.is64Bit) return loopPairs64(this, j, phase)!;
    let pairs = !canonical(this.L);
    for (;;) {
      const interrupt = pairs ? loopPairs32(this, j, phase) : loop32(this, j, phase);
      if (interrupt !== null) return interrupt;
      j = this.handJ;
      phase = this.handPhase;
      pairs = !pairs;
    }
  }

  private count(counted: number, gas: number): void {
    const s = this.state;
    s.gas = gas;
    s.instructionsExecuted += counted;
    s.instructionBudget -= counted;
  }

  stop(j: number, next: number, resume: number, interrupt: Interrupt, gas: number, counted: number, inBlock: boolean): Interrupt {
    const p = this.program;
    if (next < 0 && inBlock) {
      const start = blockStartOf(p, j);
      counted -= start + blockLengthAt(p, start) - j;
    }
    this.count(counted, gas);
    const s = this.state;
    const pcs = p.code.pc;
    s.pc = pcs[j]!;
    s.nextPc = next < 0 ? -1 : pcs[next]!;
    s.resume = resume as MachineState['resume'];
    return interrupt;
  }

  stop32(j: number, next: number, resume: number, interrupt: Interrupt, gas: number, counted: number, inBlock: boolean): Interrupt {
    this.writeBack();
    return this.stop(j, next, resume, interrupt, gas, counted, inBlock);
  }

  fault(j: number, gas: number, counted: number): Interrupt {
    const interrupt = this.state.memory.fault;
    if (interrupt.kind === 'trap') return this.stop(j, -1, Resume.full, interrupt, gas, counted, true);
    return this.stop(j, j, Resume.execute, interrupt, gas, counted, false);
  }

  fault32(j: number, gas: number, counted: number): Interrupt {
    this.writeBack();
    return this.fault(j, gas, counted);
  }

  hand(j: number, phase: number, gas: number, counted: number): null {
    this.count(counted, gas);
    this.handJ = j;
    this.handPhase = phase;
    return null;
  }

  writeBack(): void {
    const R = this.R;
    const L = this.L;
    for (let k = 0; k < REG_COUNT; k++) {
      L[2 * k] = R[k]!;
      L[2 * k + 1] = R[k]! >> 31;
    }
  }

  memset(address: number, value: number, count: number, metered: boolean): number {
    const done = memset(this.state.memory, this.state, address, value, count, metered);
    this.memsetStop = done.stop;
    return done.written;
  }
}
