// Instance: one guest's registers, memory, gas and pc over one backend (polkavm `RawInstance`), plus
// the per-call metrics and limits, and the host-call loop of `call` when made by a Linker.

import { symbolText } from '../decoder/blob.ts';
import { getGas, setGas } from '../machine/gas.ts';
import { NOT_ENOUGH_GAS, TRAP, type Interrupt } from '../machine/interrupt.ts';
import { VM_ADDR_RETURN_TO_HOST } from '../machine/layout.ts';
import { DynamicMemory, MemoryAccessError, StandardMemory, type GuestMemory } from '../machine/memory.ts';
import { MachineStateRecord, Reg, REG_COUNT, Resume, type BackendInstance, type BackendModule, type MachineState } from '../machine/state.ts';
import { RuntimeError } from './errors.ts';
import type { Module } from './module.ts';

/** polkavm's argument registers, in order: A0..A5, T0..T2. */
export const ARG_REGS = [Reg.A0, Reg.A1, Reg.A2, Reg.A3, Reg.A4, Reg.A5, Reg.T0, Reg.T1, Reg.T2] as const;

/** What one call (from `prepareCall` on) has cost so far. */
export interface CallMetrics {
  /** Gas charged by all `run()`s since `prepareCall` (0 when gas is not metered). */
  gasUsed: bigint;
  /**
   * Guest instructions executed, counted per block when the block is entered (after its gas charge
   * succeeds; a block whose charge fails is not counted). A resumable stop partway through a block
   * (ecalli, segfault, step, a budget, out of gas inside memset) has counted the whole block once, and
   * resuming does not count it again. A final stop partway through a block (the `trap` instruction,
   * an invalid instruction or jump target, a memory trap) counts only the instructions that completed
   * before the stopping one. `finished` counts the returning jump.
   */
  instructions: number;
  /** `ecalli` interrupts returned. */
  hostCalls: number;
  /** Largest heap size seen at the end of a `run()`. */
  peakHeapSize: number;
}

/** A host function bound by import name: may read and write registers and memory; a returned value goes to A0. */
export type HostFunction = (instance: Instance, index: number) => bigint | number | void;

export interface CallResult {
  /** How the call ended: `finished`, or the interrupt that stopped it (`trap` for an unbound import). */
  readonly interrupt: Interrupt;
  /** A0 and A1 at the end (the return value when finished). */
  readonly a0: bigint;
  readonly a1: bigint;
}

const toU64 = (value: bigint | number, what: string): bigint => {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RuntimeError('bad-argument', `${what} must be an integer, got ${value}`);
  const v = BigInt(value);
  if (v < -(1n << 63n) || v >= 1n << 64n) throw new RuntimeError('bad-argument', `${what} ${v} does not fit in 64 bits`);
  return BigInt.asUintN(64, v);
};

export class Instance {
  readonly module: Module;
  readonly state: MachineState;
  readonly memory: GuestMemory;
  private readonly backend: BackendInstance;
  /** The memory when it is a StandardMemory, told before each run that the guest may write it. */
  private readonly standardMemory: StandardMemory | undefined;
  private readonly is64Bit: boolean;
  private readonly metered: boolean;
  private gasUsed = 0n;
  private hostCalls = 0;
  private peakHeapSize = 0;
  private released = false;
  /** Host functions per import index, set by `Linker.instantiate`. */
  hostFunctions: ReadonlyArray<HostFunction | undefined> | undefined;

  /** Use `Module.instantiate()` (or `Linker.instantiate`). Throws RuntimeError 'out-of-memory' when the
   * memory exceeds the module's `memoryLimit` or cannot be allocated. */
  constructor(module: Module, backendModule: BackendModule) {
    this.module = module;
    this.is64Bit = module.blob.is64Bit;
    this.metered = module.options.gasMetering !== undefined;
    const options = { memoryLimit: module.options.memoryLimit };
    try {
      this.memory = module.options.dynamicPaging
        ? new DynamicMemory(module.memoryMap.pageSize, { ...options, readOnlyWrite: module.options.readOnlyWrite })
        : new StandardMemory(module.memoryMap, module.blob.roData, module.blob.rwData, options);
    } catch (e) {
      if (e instanceof MemoryAccessError && (e.kind === 'memory-limit' || e.kind === 'out-of-memory')) throw new RuntimeError('out-of-memory', e.message);
      throw e;
    }
    // Every backend run goes through run() below, so resets need restore only what a run could touch.
    this.standardMemory = this.memory instanceof StandardMemory ? this.memory : undefined;
    this.standardMemory?.trackGuestRuns();
    this.state = new MachineStateRecord(this.memory);
    this.backend = backendModule.instantiate(this.state);
  }

  private checkReg(index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= REG_COUNT) throw new RuntimeError('bad-argument', `no register ${index} (0..12)`);
  }

  /** A register as polkavm's `reg()` reports it: on 32-bit ISAs the low 32 bits. */
  reg(index: number): bigint {
    this.checkReg(index);
    const v = this.state.regs64[index]!;
    return this.is64Bit ? v : v & 0xffffffffn;
  }

  /** Sets a register as polkavm's `set_reg`: on 32-bit ISAs truncated to 32 bits and sign-extended. Negative values are two's complement. */
  setReg(index: number, value: bigint | number): void {
    this.checkReg(index);
    const v = toU64(value, 'a register value');
    this.state.regs64[index] = this.is64Bit ? v : BigInt.asUintN(64, BigInt.asIntN(32, v));
  }

  gas(): bigint {
    return getGas(this.state);
  }

  /** Exact over the whole i64 range. */
  setGas(value: bigint | number): void {
    if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RuntimeError('bad-argument', `gas must be an integer, got ${value}`);
    try {
      setGas(this.state, BigInt(value));
    } catch (e) {
      throw new RuntimeError('bad-argument', (e as Error).message);
    }
  }

  /** The pc of the instruction that caused the last interrupt (for `finished`, the returning jump); undefined before any. */
  programCounter(): number | undefined {
    return this.state.pc >= 0 ? this.state.pc : undefined;
  }

  /** Where `run()` continues; undefined after `finished`, a trap or async out of gas. */
  nextProgramCounter(): number | undefined {
    return this.state.nextPc >= 0 ? this.state.nextPc : undefined;
  }

  /** Moves the pc: the next `run()` starts there, charging the whole block if `pc` is inside one. */
  setNextProgramCounter(pc: number): void {
    if (!Number.isInteger(pc) || pc < 0 || pc > 0xffffffff) throw new RuntimeError('bad-argument', `pc ${pc} is not a u32`);
    this.state.pc = -1;
    this.state.nextPc = pc;
    this.state.chargeOnEntry = true;
    this.state.resume = Resume.full;
  }

  /** The code offset of an export name, or the pc itself; throws for an unknown export. */
  resolveEntry(exportNameOrPc: string | number): number {
    if (typeof exportNameOrPc === 'number') return exportNameOrPc;
    const pc = this.module.exportPc(exportNameOrPc);
    if (pc === undefined)
      throw new RuntimeError('no-such-export', `no export named '${exportNameOrPc}' (exports: ${this.module.exportNames().join(', ') || 'none'})`);
    return pc;
  }

  /**
   * polkavm `prepare_call_untyped`: clears the registers, RA = 0xFFFF0000, SP = the stack top, the
   * arguments in A0..A5, T0..T2, the pc at the export; and starts a new set of call metrics.
   */
  prepareCall(exportNameOrPc: string | number, args: readonly (bigint | number)[] = []): void {
    if (this.released) this.throwReleased();
    if (args.length > ARG_REGS.length) throw new RuntimeError('bad-argument', `too many arguments: ${args.length} (at most ${ARG_REGS.length})`);
    const pc = this.resolveEntry(exportNameOrPc);
    this.state.regs64.fill(0n);
    this.setReg(Reg.SP, this.module.defaultSp);
    this.setReg(Reg.RA, VM_ADDR_RETURN_TO_HOST);
    args.forEach((value, k) => this.setReg(ARG_REGS[k]!, value));
    this.setNextProgramCounter(pc);
    this.resetMetrics();
  }

  resetMetrics(): void {
    this.gasUsed = 0n;
    this.hostCalls = 0;
    this.peakHeapSize = this.memory.heapSize;
    this.state.instructionsExecuted = 0;
    this.state.callDepth = 0;
  }

  metrics(): CallMetrics {
    return {
      gasUsed: this.gasUsed,
      instructions: this.state.instructionsExecuted,
      hostCalls: this.hostCalls,
      peakHeapSize: this.peakHeapSize,
    };
  }

  /** Stop at the first block edge after `count` more guest instructions (undefined: no limit). Reported as budget('instructions'). */
  setInstructionBudget(count: number | undefined): void {
    this.state.instructionBudget = count ?? Infinity;
  }

  /** Stop the call (budget('call-depth'), final) at a call that would nest more than `depth` calls
   * (undefined: no limit). A jump writing `ra` is a call, a jump through `ra` a return. */
  setCallDepthLimit(depth: number | undefined): void {
    this.state.maxCallDepth = depth ?? Infinity;
  }

  /** Stop at a block edge once `milliseconds` from now have passed (undefined: no deadline). Reported as budget('deadline'). */
  setDeadline(milliseconds: number | undefined): void {
    this.state.deadline = milliseconds === undefined ? Infinity : performance.now() + milliseconds;
  }

  /** Starts or resumes the guest. Throws only for host misuse (nothing to run). */
  run(): Interrupt {
    const s = this.state;
    if (this.released) this.throwReleased();
    if (s.nextPc < 0) throw new RuntimeError('not-runnable', 'nothing to run: call prepareCall or setNextProgramCounter first');
    if (this.metered && s.gas < 0) return NOT_ENOUGH_GAS;
    const before = this.metered ? getGas(s) : 0n;
    this.standardMemory?.guestRunning();
    const interrupt = this.backend.run();
    if (this.metered) this.gasUsed += before - getGas(s);
    if (interrupt.kind === 'ecalli') this.hostCalls++;
    if (this.memory.heapSize > this.peakHeapSize) this.peakHeapSize = this.memory.heapSize;
    return interrupt;
  }

  readMemory(address: number, length: number): Uint8Array {
    return this.memory.read(address, length);
  }

  /** Host writes ignore guest protection (aux data, read-only pages), as polkavm's do. */
  writeMemory(address: number, bytes: Uint8Array): void {
    this.memory.write(address, bytes);
  }

  zeroMemory(address: number, length: number): void {
    this.memory.zero(address, length);
  }

  private dynamicMemory(what: string): DynamicMemory {
    if (!(this.memory instanceof DynamicMemory)) throw new RuntimeError('wrong-memory-kind', `${what} needs a module with dynamicPaging`);
    return this.memory;
  }

  /** Dynamic paging: maps zeroed pages over [address, address + length) (rounded up to pages); `address` page-aligned. */
  mapPages(address: number, length: number, options: { writable: boolean }): void {
    this.dynamicMemory('mapPages').mapPages(address, length, options.writable);
  }

  protectPages(address: number, length: number, options: { writable: boolean }): void {
    this.dynamicMemory('protectPages').protectPages(address, length, options.writable);
  }

  unmapPages(address: number, length: number): void {
    this.dynamicMemory('unmapPages').unmapPages(address, length);
  }

  /** Host-side sbrk: the new heap top, or undefined if the heap cannot grow by `size`. */
  sbrk(size: number): number | undefined {
    if (!Number.isInteger(size) || size < 0 || size > 0xffffffff) throw new RuntimeError('bad-argument', `sbrk size ${size} is not a u32`);
    return this.memory.sbrk(size);
  }

  heapSize(): number {
    return this.memory.heapSize;
  }

  /** Back to the module's initial memory (data sections as in the blob, zeroed stack and aux data,
   * empty heap). Registers, gas and the pc stay. */
  resetMemory(): void {
    this.memory.reset();
  }

  /** Back to the state of a new instance: initial memory, registers cleared, gas 0, nothing to run,
   * no budget or deadline, metrics cleared. Host function bindings stay. */
  reset(): void {
    if (this.released) this.throwReleased();
    this.memory.reset();
    const s = this.state;
    s.regs64.fill(0n);
    s.gas = 0;
    s.gasReserve = 0n;
    s.pc = -1;
    s.nextPc = -1;
    s.chargeOnEntry = true;
    s.resume = Resume.full;
    s.instructionBudget = Infinity;
    s.deadline = Infinity;
    s.maxCallDepth = Infinity;
    this.resetMetrics();
  }

  /**
   * Gives the instance back to its module, which may hand it out again from `instantiate()` (reset
   * like a new one) instead of allocating memory anew. The caller must not use it afterwards: `run`,
   * `prepareCall`, `call` and `reset` throw a RuntimeError 'released' until it is handed out again.
   */
  release(): void {
    if (this.released) return;
    this.released = true;
    this.state.nextPc = -1;
    this.module.recycle(this);
  }

  /** Called by `Module.instantiate()` when it hands a released instance out again. */
  reuse(): void {
    this.released = false;
    this.hostFunctions = undefined;
    this.reset();
  }

  private throwReleased(): never {
    throw new RuntimeError('released', 'this instance was released to its module; instantiate a new one');
  }

  /**
   * Calls an export and drives it to the end: each `ecalli` runs the host function bound to that
   * import (its return value goes to A0) and resumes; an import with no host function traps; with
   * dynamic paging, a segfault on the module's ro/rw/stack pages maps them (as polkavm's Linker
   * does) and resumes. Returns when the guest finishes or stops for any other reason.
   */
  call(exportName: string | number, ...args: (bigint | number)[]): CallResult {
    this.prepareCall(exportName, args);
    for (;;) {
      const interrupt = this.run();
      if (interrupt.kind === 'ecalli') {
        const fn = this.hostFunctions?.[interrupt.index];
        if (!fn) {
          this.state.nextPc = -1;
          return this.result(TRAP);
        }
        this.answerHostCall(interrupt.index, fn(this, interrupt.index));
        continue;
      }
      if (interrupt.kind === 'step') continue;
      if (interrupt.kind === 'segfault' && this.mapModulePage(interrupt.pageAddress)) continue;
      return this.result(interrupt);
    }
  }

  /**
   * Puts a host function's return value in A0 (nothing: A0 is left as the function set it). A value
   * that is not a 64-bit integer is host misuse: a typed error naming the import, not a raw
   * SyntaxError from BigInt('abc') deep in the runtime.
   */
  answerHostCall(importIndex: number, value: unknown): void {
    if (value === undefined) return;
    if ((typeof value === 'bigint' || (typeof value === 'number' && Number.isSafeInteger(value))) && value >= -(2n ** 63n) && value < 2n ** 64n) {
      this.setReg(Reg.A0, value);
      return;
    }
    const symbol = this.module.blob.imports[importIndex];
    const name = symbol === undefined ? `#${importIndex}` : `'${symbolText(symbol)}' (import #${importIndex})`;
    const shown = typeof value === 'string' ? JSON.stringify(value) : typeof value === 'bigint' ? `${value}n` : String(value);
    throw new RuntimeError(
      'bad-host-return',
      `the host function for ${name} returned ${shown} (${typeof value}); return a bigint or a safe integer that fits in 64 bits, or nothing to leave A0 as is`,
    );
  }

  private result(interrupt: Interrupt): CallResult {
    return { interrupt, a0: this.reg(Reg.A0), a1: this.reg(Reg.A1) };
  }

  /** Dynamic paging: maps the page at `pageAddress` if it belongs to ro data, rw data or the stack, with
   * its initial contents (what polkavm's Linker does on a segfault); false if it belongs to none. */
  mapModulePage(pageAddress: number): boolean {
    const memory = this.memory;
    if (!(memory instanceof DynamicMemory)) return false;
    const map = this.module.memoryMap;
    const page = map.pageSize;
    const inside = (base: number, size: number): boolean => pageAddress >= base && pageAddress < base + size;
    const fill = (base: number, data: Uint8Array): void => {
      const from = pageAddress - base;
      if (from < data.length) memory.write(pageAddress, data.subarray(from, Math.min(data.length, from + page)));
    };
    if (inside(map.roDataAddress, map.roDataSize)) {
      memory.mapPages(pageAddress, page, true);
      fill(map.roDataAddress, this.module.blob.roData);
      memory.protectPages(pageAddress, page, false);
      return true;
    }
    if (inside(map.rwDataAddress, map.rwDataSize) || inside(map.stackAddressLow, map.stackSize)) {
      memory.mapPages(pageAddress, page, true);
      if (inside(map.rwDataAddress, map.rwDataSize)) fill(map.rwDataAddress, this.module.blob.rwData);
      return true;
    }
    return false;
  }
}
