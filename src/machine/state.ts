import type { DecodedCode } from '../decoder/code.ts';
import type { ProgramBlob } from '../decoder/blob.ts';
import type { GasCounter } from './gas.ts';
import type { Interrupt } from './interrupt.ts';
import type { MemoryMap } from './layout.ts';
import type { GuestMemory } from './memory.ts';

export const REG_COUNT = 13;
export const REG_NAMES = ['ra', 'sp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'] as const;
export const Reg = Object.freeze({ RA: 0, SP: 1, T0: 2, T1: 3, T2: 4, S0: 5, S1: 6, A0: 7, A1: 8, A2: 9, A3: 10, A4: 11, A5: 12 } as const);

export type GasMetering = 'sync' | 'async';

/**
 * How `run()` continues at `nextPc` when the host did not move the pc (`chargeOnEntry` false).
 * At a block start the order is: step interrupt (if tracing), then the block's gas charge, then the
 * instruction, as polkavm's interpreter orders its handlers.
 */
export const Resume = Object.freeze({
  /** Step (if tracing), charge gas if `nextPc` starts a block, execute. After ecalli, budget. */
  full: 0,
  /** The step interrupt already fired here: charge gas if a block starts here, execute. After step, sync out-of-gas. */
  afterStep: 1,
  /** Gas is paid: execute only. After a segfault (the instruction is retried) or out of gas inside memset. */
  execute: 2,
} as const);
export type Resume = (typeof Resume)[keyof typeof Resume];

/** What both backends need to know about a module; built once per module by the runtime. */
export interface ModuleImage {
  readonly blob: ProgramBlob;
  readonly code: DecodedCode;
  readonly memoryMap: MemoryMap;
  /** undefined = no gas metering. */
  readonly gasMetering: GasMetering | undefined;
  /** Per instruction index: the cost of the block starting there (0 elsewhere). */
  readonly blockCosts: Uint32Array;
  readonly dynamicPaging: boolean;
  readonly stepTracing: boolean;
}

/**
 * The architectural state of one instance, shared by both backends: a backend reads it when `run()`
 * starts and writes it back before `run()` returns, so the runtime can switch backends (e.g. run
 * one call under the interpreter for step tracing) and tests can compare them field by field.
 *
 * Registers are 13 × 64 bits in one buffer with two views: `regs64[i]` (bigint) and
 * `regs32[2i]` / `regs32[2i+1]` (low / high 32 bits). On 32-bit ISAs a register always holds its
 * value sign-extended from 32 bits, as polkavm keeps it.
 */
export interface MachineState extends GasCounter {
  readonly regs64: BigUint64Array;
  readonly regs32: Uint32Array;
  /** pc of the instruction that caused the last interrupt (polkavm `program_counter`); -1 = none. */
  pc: number;
  /** Where `run()` continues (polkavm `next_program_counter`); -1 = nowhere (finished / trapped). */
  nextPc: number;
  /** When true, entering at `nextPc` charges the gas of the block containing it (set when the host
   * moves the pc); false when resuming after an ecalli, a segfault or a step. */
  chargeOnEntry: boolean;
  /** Where in the step / charge / execute sequence of `nextPc` to continue when `chargeOnEntry` is false. */
  resume: Resume;
  /** The guest memory (StandardMemory or DynamicMemory, per `ModuleImage.dynamicPaging`), owned by the
   * runtime instance: backends access it only through `src/machine/memory.ts`. */
  readonly memory: GuestMemory;
  /** Instructions left before a `budget` interrupt (checked at block edges); Infinity = no limit. */
  instructionBudget: number;
  /** `performance.now()` value after which the run stops with a `budget` interrupt; Infinity = none. */
  deadline: number;
  /** Per-call counters, reset by the runtime at `prepareCall`. */
  instructionsExecuted: number;
  /** Calls minus returns as polkavm's ABI makes them (a jump that writes `ra` calls, a jump through
   * `ra` returns), counted by both backends; reset at `prepareCall`. */
  callDepth: number;
  /** A call making `callDepth` exceed this stops the run with budget('call-depth'); Infinity = none. */
  maxCallDepth: number;
}

export function newRegisterFile(): { regs64: BigUint64Array; regs32: Uint32Array } {
  const buffer = new ArrayBuffer(REG_COUNT * 8);
  return { regs64: new BigUint64Array(buffer), regs32: new Uint32Array(buffer) };
}

/**
 * The MachineState the runtime makes for each instance. A class, so that every state has the one
 * hidden class V8 builds from this constructor: generated code reads `s.callDepth` and `s.gas` in
 * hot paths, and states made from an object literal with a spread came out with a new map per
 * instance, each field's constness tracked afresh, so a region function that met several instances
 * went polymorphic and ran about half as fast (calls_64 in the bench after two other modules: 880 ->
 * 450 M/s). Counters start as doubles where they outgrow a small integer (gas, counts).
 */
export class MachineStateRecord implements MachineState {
  readonly regs64: BigUint64Array;
  readonly regs32: Uint32Array;
  gas = 0.5;
  gasReserve = 0n;
  pc = -1;
  nextPc = -1;
  chargeOnEntry = true;
  resume: Resume = Resume.full;
  readonly memory: GuestMemory;
  instructionBudget = Infinity;
  deadline = Infinity;
  instructionsExecuted = 0.5;
  callDepth = 0;
  maxCallDepth = Infinity;

  constructor(memory: GuestMemory) {
    const registers = newRegisterFile();
    this.regs64 = registers.regs64;
    this.regs32 = registers.regs32;
    this.memory = memory;
    // The halves above only fix the fields' representation as doubles.
    this.gas = 0;
    this.instructionsExecuted = 0;
  }
}

/** One instance of one backend. `run()` never throws for guest behaviour: outcomes are Interrupts.
 * `run()` is called only with `nextPc >= 0` and gas >= 0 when metered (the runtime checks both). */
export interface BackendInstance {
  readonly state: MachineState;
  run(): Interrupt;
}

/** A backend's per-module artefact (decoded tables, compiled JS): made once, shared by all instances. */
export interface BackendModule {
  /** `state` (with its memory) is created by the runtime and owned by the returned instance from now on. */
  instantiate(state: MachineState): BackendInstance;
}

/** An execution backend as the runtime's registry (src/runtime/backends.ts) knows it. */
export interface Backend {
  readonly name: string;
  load(image: ModuleImage): BackendModule;
}
