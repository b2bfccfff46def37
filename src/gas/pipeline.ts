// The out-of-order CPU that polkavm's full cost model (`CostModelKind::Full`) simulates over one
// basic block: a 4-wide decoder feeding a 32-entry reorder buffer, register renaming, execution
// units with per-cycle capacities, in-order retirement. The block costs the cycles it takes to drain,
// less a small slack. Every rule below is observable in gas, so the order of the steps inside a
// cycle, the fast-forward and its conditions, and the oldest-first issue order all follow polkavm
// 0.35 (`polkavm-common/src/simulator.rs`) exactly; polkavm keeps the buffer in SIMD lanes, this
// keeps it in 32-bit masks (bit i = buffer slot i) and small typed arrays.

/** Decode slots available per cycle. */
const DECODE_SLOTS_PER_CYCLE = 4;
/** Entries in the reorder buffer; a power of two, and at most 32 so that a slot set fits an int32. */
const ROB_SIZE = 32;
const ROB_MASK = ROB_SIZE - 1;
/** Cycles refunded at the end of each block (polkavm `GAS_COST_SLACK`); a block costs at least 1. */
const GAS_COST_SLACK = 3;
/** At most this many instructions start executing per cycle. */
const ISSUE_PER_CYCLE = 5;

// Execution units are packed into one integer, one field per unit kind with a guard bit above it:
// subtracting a demand borrows from a field's guard bit exactly when that unit is short, so one
// subtraction and one mask test check all five kinds at once.
const ALU_SHIFT = 0; // 3 bits (up to 4) + guard bit 3
const LOAD_SHIFT = 4; // 3 bits + guard bit 7
const STORE_SHIFT = 8; // 3 bits + guard bit 11
const MUL_SHIFT = 12; // 1 bit + guard bit 13
const DIV_SHIFT = 14; // 1 bit + guard bit 15
const GUARD_BITS = (1 << 3) | (1 << 7) | (1 << 11) | (1 << 13) | (1 << 15);

/** A demand on the execution units, packed as `available` is. */
export function units(alu: number, load = 0, store = 0, mul = 0, div = 0): number {
  return (alu << ALU_SHIFT) | (load << LOAD_SHIFT) | (store << STORE_SHIFT) | (mul << MUL_SHIFT) | (div << DIV_SHIFT);
}

/** 4 ALUs, 4 load units, 4 store units, 1 multiplier, 1 divider. */
const ALL_UNITS = units(4, 4, 4, 1, 1) | GUARD_BITS;

/** No register operand. */
export const NO_REG = -1;

const ctz = (x: number): number => (x === 0 ? 32 : 31 - Math.clz32(x & -x));
const rotr = (x: number, n: number): number => (x >>> n) | (x << (32 - n));
const rotl = (x: number, n: number): number => (x << n) | (x >>> (32 - n));

/**
 * One simulated block at a time: `dispatch`/`moveReg` each instruction in order, then `drain()`
 * after the block's terminator and read `blockCost()`. Reusable after `reset()`.
 */
export class PipelineSimulator {
  private cycles = 0;
  private finished = false;
  private decodeSlots = DECODE_SLOTS_PER_CYCLE;
  private available = ALL_UNITS;
  private inFlight = 0;
  private head = 0;
  private tail = 0;
  // Slot sets by state; a slot is in at most one, and in none when free.
  private decoding = 0;
  private waiting = 0;
  private executing = 0;
  private executed = 0;
  /** Cycles left to execute; reaches 0 when the result is ready, -1 one cycle later (executed). */
  private readonly remaining = new Int32Array(ROB_SIZE);
  /** Units held by the slot from issue until its result is ready. */
  private readonly held = new Int32Array(ROB_SIZE);
  /** Slots whose results this slot still waits for. */
  private readonly deps = new Int32Array(ROB_SIZE);
  /** Registers whose latest value this slot produces; bit r is set in at most one slot. */
  private readonly writes = new Int32Array(ROB_SIZE);
  /** Register → slot producing its latest value, or -1 when the value is already available. */
  private readonly producer = new Int32Array(16).fill(-1);

  reset(): void {
    this.cycles = 0;
    this.finished = false;
    this.decodeSlots = DECODE_SLOTS_PER_CYCLE;
    this.available = ALL_UNITS;
    this.inFlight = 0;
    this.head = 0;
    this.tail = 0;
    this.decoding = this.waiting = this.executing = this.executed = 0;
    this.remaining.fill(0);
    this.held.fill(0);
    this.deps.fill(0);
    this.writes.fill(0);
    this.producer.fill(-1);
  }

  /**
   * Decodes one instruction into the reorder buffer, first stalling (ticking cycles) while the
   * decoder has fewer than `decodeSlots` slots left this cycle or the buffer is full.
   */
  dispatch(dst: number, src1: number, src2: number, latency: number, decodeSlots: number, demand: number): void {
    if (this.decodeSlots < decodeSlots || this.inFlight === ROB_SIZE) this.tickUntilDecodable(false);
    const slot = this.tail;
    this.tail = (slot + 1) & ROB_MASK;
    this.remaining[slot] = latency;
    this.held[slot] = demand;
    // polkavm only writes the dependency set when the instruction reads a register; a free slot's
    // set is always empty (an instruction issues only once its set is empty), so this is exact.
    if (src1 !== NO_REG || src2 !== NO_REG) {
      let deps = 0;
      if (src1 !== NO_REG) {
        const p = this.producer[src1]!;
        if (p >= 0) deps |= 1 << p;
      }
      if (src2 !== NO_REG) {
        const p = this.producer[src2]!;
        if (p >= 0) deps |= 1 << p;
      }
      this.deps[slot] = deps;
    }
    if (dst !== NO_REG) {
      const old = this.producer[dst]!;
      if (old >= 0) this.writes[old]! &= ~(1 << dst);
      this.writes[slot]! |= 1 << dst;
      this.producer[dst] = slot;
    }
    this.decoding |= 1 << slot;
    this.inFlight++;
    this.decodeSlots -= decodeSlots;
  }

  /** A register move is renamed away: it takes a decode slot but no buffer entry. */
  moveReg(dst: number, src: number): void {
    if (this.decodeSlots < 1 || this.inFlight === ROB_SIZE) this.tickUntilDecodable(false);
    const old = this.producer[dst]!;
    if (old >= 0) this.writes[old]! &= ~(1 << dst);
    const p = this.producer[src]!;
    if (p >= 0) this.writes[p]! |= 1 << dst;
    this.producer[dst] = p;
    this.decodeSlots -= 1;
  }

  /** Ends the block: runs cycles until every instruction has retired. */
  drain(): void {
    this.finished = true;
    this.tickUntilDecodable(true);
  }

  /** The gas of the block once drained. */
  blockCost(): number {
    if (!this.finished || this.inFlight !== 0) throw new Error('pipeline: block cost taken before the block was drained');
    return Math.max(this.cycles - GAS_COST_SLACK, 1);
  }

  /** The cycles simulated so far (for tests and timelines). */
  get cycleCount(): number {
    return this.cycles;
  }

  private tickUntilDecodable(draining: boolean): void {
    this.tick(draining, true);
    const target = draining ? 0 : ROB_SIZE - 1;
    while (this.inFlight > target) this.tick(draining, false);
  }

  /**
   * One cycle (or several, fast-forwarded): retire, issue, execute, then move this cycle's decoded
   * instructions to the wait queue. `decodedPending` is true for the first cycle after decoding.
   */
  private tick(draining: boolean, decodedPending: boolean): void {
    // Retire the executed instructions at the head of the buffer, in order.
    let retired = 0;
    if (this.executed !== 0) {
      retired = ctz(~rotr(this.executed, this.head));
      if (retired > 0) {
        const run = retired === 32 ? -1 : (1 << retired) - 1;
        this.executed &= ~rotl(run, this.head);
        this.inFlight -= retired;
        this.head = (this.head + retired) & ROB_MASK;
      }
    }

    // Issue: oldest first, instructions whose inputs are ready and whose units are free. The
    // candidates are fixed before issuing; units only shrink meanwhile, so one pass suffices.
    let candidates = rotr(this.waiting, this.head);
    let started = 0;
    let issued = 0;
    while (candidates !== 0 && issued < ISSUE_PER_CYCLE) {
      const slot = (ctz(candidates) + this.head) & ROB_MASK;
      candidates &= candidates - 1;
      if (this.deps[slot] !== 0) continue;
      const left = this.available - this.held[slot]!;
      if ((left & GUARD_BITS) !== GUARD_BITS) continue;
      this.available = left;
      started |= 1 << slot;
      issued++;
    }
    this.waiting &= ~started;
    this.executing |= started;

    // Execute. With nothing newly decoded, skip ahead to the first completion in one step, unless
    // something retired this cycle (then the next cycle may retire more) and the block is not draining.
    const executing = this.executing;
    let step = 1;
    if (!decodedPending && (draining || retired === 0) && executing !== 0) {
      let least = 255;
      for (let m = executing; m !== 0; m &= m - 1) {
        const r = this.remaining[ctz(m)]!;
        if (r < least) least = r;
      }
      if (least > 0) step = least;
    }
    let ready = 0;
    let done = 0;
    for (let m = executing; m !== 0; m &= m - 1) {
      const slot = ctz(m);
      const r = this.remaining[slot]! - step;
      this.remaining[slot] = r;
      if (r === 0) ready |= 1 << slot;
      else if (r === -1) done |= 1 << slot;
    }
    if (ready !== 0) {
      for (let m = this.waiting | this.decoding; m !== 0; m &= m - 1) this.deps[ctz(m)]! &= ~ready;
      for (let m = ready; m !== 0; m &= m - 1) {
        const slot = ctz(m);
        for (let w = this.writes[slot]!; w !== 0; w &= w - 1) this.producer[ctz(w)] = -1;
        this.writes[slot] = 0;
        this.available += this.held[slot]!;
        this.held[slot] = 0;
      }
    }
    this.executing &= ~done;
    this.executed |= done;

    if (decodedPending) {
      this.waiting |= this.decoding;
      this.decoding = 0;
      this.decodeSlots = DECODE_SLOTS_PER_CYCLE;
    }
    this.cycles += step;
  }
}
