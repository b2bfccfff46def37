// The out-of-order CPU that polkavm's full cost model (`CostModelKind::Full`) simulates over one
// basic block: a 4-wide decoder feeding a 32-entry reorder buffer, register renaming, execution
// units with per-cycle capacities, in-order retirement. The block costs the cycles it takes to drain,
// less a small slack. Every rule below is observable in gas, so the order of the steps inside a
// cycle, the fast-forward and its conditions, and the oldest-first issue order all follow polkavm
// 0.35 (`polkavm-common/src/simulator.rs`) exactly. polkavm keeps the buffer in SIMD lanes; this
// keeps slot sets in 32-bit masks (bit i = buffer slot i) and per-slot values in small typed arrays.
//
// One function simulates all blocks, with the state in local variables and ready times on a timing
// wheel: on doom.polkavm the first version (a class with methods, fields and per-slot countdowns
// decremented every cycle) took about twice as long.
import type { DecodedCode } from '../decoder/code.ts';
import { ENCODE_TABLES } from '../decoder/isa.ts';
import { Op } from '../decoder/table.ts';
import {
  ALL_UNITS,
  branchPredicted,
  GUARD_BITS,
  INFO_BRANCH,
  INFO_COPY_SOURCE,
  INFO_COPY_SOURCES,
  INFO_DRAIN,
  INFO_DST,
  INFO_LATENCY_MASK,
  INFO_LOAD,
  INFO_MOVE,
  INFO_SLOTS_SHIFT,
  INFO_SRC1_SHIFT,
  INFO_SRC2_SHIFT,
  INFO_WIDEN,
  OP_INFO,
  OP_UNITS,
} from './pipeline-costs.ts';

/** Decode slots available per cycle. */
const DECODE_SLOTS_PER_CYCLE = 4;
/** Entries in the reorder buffer; 32, so that a set of slots fits an int32. */
const ROB_SIZE = 32;
const ROB_MASK = ROB_SIZE - 1;
/** Cycles refunded at the end of each block (polkavm `GAS_COST_SLACK`); a block costs at least 1. */
const GAS_COST_SLACK = 3;
/** At most this many instructions start executing per cycle. */
const ISSUE_PER_CYCLE = 5;
/** Branch latency when the branch is predicted (one side is `trap` or `unlikely`), and otherwise. */
const BRANCH_HIT_LATENCY = 1;
const BRANCH_MISS_LATENCY = 20;

// Local copies: under a CommonJS-style loader every read of an imported binding is a getter call.
const INFO = OP_INFO;
const HELD = OP_UNITS;
const GUARD = GUARD_BITS;
const FREE_UNITS = ALL_UNITS;

/** Ready times are kept modulo this (a power of two above the longest latency plus one). */
const WHEEL_SIZE = 128;
const WHEEL_MASK = WHEEL_SIZE - 1;
const OCCUPIED_MASK = WHEEL_SIZE / 32 - 1;

/**
 * Writes into `out[i - first]` the cost of every basic block starting at an instruction `i` in
 * [first, last): its instructions are decoded in order through its terminator, then the pipeline
 * drains. `loadLatency` is the cache model's load latency.
 */
export function pipelineBlockCosts(code: DecodedCode, loadLatency: number, first: number, last: number, out: Uint32Array): void {
  const { op, r1, r2, r3, nextPc, target, count, blockStart } = code;
  const bytes = code.code;
  // A 32-bit operation on a 64-bit ISA pays for sign-extending its result.
  const widen = code.is64Bit ? 1 : 0;
  const encode = ENCODE_TABLES[code.isa]!;
  const trapByte = encode[Op.trap]!;
  const unlikelyByte = encode[Op.unlikely]! < 0 ? 255 : encode[Op.unlikely]!;

  // Per-slot state. A drained pipeline leaves all of it clean for the next block: every slot
  // issued with no dependencies left, and released its units, registers and wheel entry.
  /** Cycle at which the slot's result is ready (it is executed one cycle later). */
  const readyAt = new Int32Array(ROB_SIZE);
  /** Units held from issue until the result is ready. */
  const held = new Int32Array(ROB_SIZE);
  /** Slots whose results this slot still waits for. */
  const deps = new Int32Array(ROB_SIZE);
  /** Registers whose latest value this slot produces; bit r is set in at most one slot. */
  const writes = new Int32Array(ROB_SIZE);
  /** Register → slot producing its latest value, or -1 when the value is available. */
  const producer = new Int32Array(16).fill(-1);
  /** Cycle (mod WHEEL_SIZE) → the executing slots whose results are ready at that cycle. */
  const wheel = new Int32Array(WHEEL_SIZE);
  /** One bit per wheel entry, set while the entry is not empty. */
  const occupied = new Int32Array(WHEEL_SIZE / 32);

  for (let start = first; start < last; start++) {
    if (!blockStart[start]) continue;
    let cycles = 0;
    let decodeSlots = DECODE_SLOTS_PER_CYCLE;
    let available = FREE_UNITS;
    let inFlight = 0;
    let head = 0;
    let tail = 0;
    // Slot sets by state (a free slot is in none): decoded this cycle, waiting to issue, executing,
    // executed (waiting to retire). `blocked`: decoded or waiting slots with dependencies left.
    let decoding = 0;
    let waiting = 0;
    let executing = 0;
    let executed = 0;
    let blocked = 0;
    /** No executing slot is ready before this cycle (a lower bound; exact after a search). */
    let soonest = 0;
    /** The latest ready time of any slot issued so far. */
    let latest = 0;
    /** After the terminator: run cycles until everything has retired. */
    let draining = false;
    /** The next cycle is the first since something was decoded (polkavm `HAS_DECODED_PENDING`). */
    let firstCycle = true;
    let i = start;

    for (;;) {
      // ---- Decode the next instruction, unless the decoder is out of slots this cycle or the
      // reorder buffer is full; then a cycle runs first.
      if (!draining) {
        if (i >= count) throw new Error(`internal error: block at instruction ${start} has no terminator`);
        const o = op[i]!;
        const info = INFO[o]!;
        const a = r1[i]!;
        const b = r2[i]!;
        if (info & INFO_MOVE) {
          // Renamed away: the destination now names the source's producer. Takes a decode slot only.
          if (decodeSlots >= 1 && inFlight !== ROB_SIZE) {
            const old = producer[a]!;
            if (old >= 0) writes[old]! &= ~(1 << a);
            const p = producer[b]!;
            if (p >= 0) writes[p]! |= 1 << a;
            producer[a] = p;
            decodeSlots -= 1;
            firstCycle = true;
            i++;
            continue;
          }
        } else {
          const c = r3[i]!;
          const w = info & INFO_WIDEN ? widen : 0;
          // Two-operand x86 forms need a copy first when the destination is not (one of) the source(s).
          const extra = (info & INFO_COPY_SOURCE && a !== b) || (info & INFO_COPY_SOURCES && a !== b && a !== c) ? 1 : 0;
          const need = ((info >>> INFO_SLOTS_SHIFT) & 7) + extra + w;
          if (decodeSlots >= need && inFlight !== ROB_SIZE) {
            const latency =
              info & INFO_LOAD
                ? loadLatency
                : info & INFO_BRANCH
                  ? branchPredicted(bytes, nextPc[i]!, target[i]!, trapByte, unlikelyByte)
                    ? BRANCH_HIT_LATENCY
                    : BRANCH_MISS_LATENCY
                  : info & INFO_LATENCY_MASK;
            const slot = tail;
            const bit = 1 << slot;
            tail = (slot + 1) & ROB_MASK;
            // Until it issues, the latency; the issuing cycle turns it into a ready time.
            readyAt[slot] = latency + w;
            held[slot] = HELD[o]!;
            // polkavm only writes the dependency set when the instruction reads a register; a free
            // slot's set is always empty (a slot issues only once its set is empty), so this is exact.
            const f1 = (info >>> INFO_SRC1_SHIFT) & 3;
            if (f1 !== 0) {
              let d = 0;
              const p1 = producer[f1 === 1 ? a : b]!;
              if (p1 >= 0) d = 1 << p1;
              const f2 = (info >>> INFO_SRC2_SHIFT) & 3;
              if (f2 !== 0) {
                const p2 = producer[f2 === 2 ? b : c]!;
                if (p2 >= 0) d |= 1 << p2;
              }
              deps[slot] = d;
              if (d !== 0) blocked |= bit;
            }
            if (info & INFO_DST) {
              const old = producer[a]!;
              if (old >= 0) writes[old]! &= ~(1 << a);
              writes[slot]! |= 1 << a;
              producer[a] = slot;
            }
            decoding |= bit;
            inFlight++;
            decodeSlots -= need;
            firstCycle = true;
            i++;
            if (info & INFO_DRAIN) draining = true;
            continue;
          }
        }
      }

      // ---- Draining with everything issued: the rest is known without running it. Every
      // remaining cycle fast-forwards to the next result (nothing waits to issue, and a draining
      // pipeline skips ahead even when something retired), so the last result is ready at `latest`,
      // executed a cycle later, and everything retires in the cycle after that; if it already was
      // executed, that retiring cycle is the next one.
      if (draining && !firstCycle && waiting === 0) {
        cycles = Math.max(latest + 2, cycles + 1);
        // Leave the per-slot state clean, as running those cycles would have.
        for (let m = executing; m !== 0; m &= m - 1) {
          const slot = 31 - Math.clz32(m & -m);
          const at = readyAt[slot]!;
          wheel[at & WHEEL_MASK] = 0;
          occupied[(at >>> 5) & OCCUPIED_MASK]! &= ~(1 << (at & 31));
          held[slot] = 0;
          for (let w = writes[slot]!; w !== 0; w &= w - 1) producer[31 - Math.clz32(w & -w)] = -1;
          writes[slot] = 0;
        }
        break;
      }

      // ---- One cycle (or several, fast-forwarded), starting at `cycles`.
      // Retire the executed instructions at the head of the buffer, in order.
      let retired = 0;
      if (executed !== 0) {
        const notExecuted = ~((executed >>> head) | (executed << (32 - head)));
        retired = notExecuted === 0 ? 32 : 31 - Math.clz32(notExecuted & -notExecuted);
        if (retired !== 0) {
          const run = retired === 32 ? -1 : (1 << retired) - 1;
          executed &= ~((run << head) | (run >>> (32 - head)));
          inFlight -= retired;
          head = (head + retired) & ROB_MASK;
        }
      }

      // Issue: oldest first, instructions whose inputs are ready and whose units are free. The
      // candidates are fixed before issuing; units only shrink meanwhile, so one pass suffices.
      let candidates = waiting & ~blocked;
      if (candidates !== 0) {
        candidates = (candidates >>> head) | (candidates << (32 - head));
        let issued = 0;
        while (candidates !== 0 && issued < ISSUE_PER_CYCLE) {
          const slot = (31 - Math.clz32(candidates & -candidates) + head) & ROB_MASK;
          candidates &= candidates - 1;
          const left = available - held[slot]!;
          if ((left & GUARD) !== GUARD) continue;
          available = left;
          waiting &= ~(1 << slot);
          executing |= 1 << slot;
          const at = cycles + readyAt[slot]!;
          readyAt[slot] = at;
          wheel[at & WHEEL_MASK]! |= 1 << slot;
          occupied[(at >>> 5) & OCCUPIED_MASK]! |= 1 << (at & 31);
          if (at < soonest) soonest = at;
          if (at > latest) latest = at;
          issued++;
        }
      }

      // Execute. Without anything newly decoded, skip ahead to the first result in one step,
      // unless something retired this cycle (the next may retire more) and the block is not draining.
      // As in polkavm, the skip ignores waiting instructions that could issue next cycle (more than
      // 5 ready ones, say): they wait for the next result, which changes costs, so it is kept.
      let step = 1;
      if (executing !== 0) {
        // (`retired === 0` first: evaluated on every path, so V8 has type feedback for it before
        // optimising; the other order cost a deoptimisation and a second compile on doom.polkavm.)
        if (!firstCycle && (retired === 0 || draining)) {
          // Every executing slot is ready at or after `cycles` - 1; those ready at `cycles` - 1
          // were marked executed last cycle, so the first non-empty wheel entry from `cycles` on is the next result.
          let t = soonest < cycles ? cycles : soonest;
          let bits = occupied[(t >>> 5) & OCCUPIED_MASK]! & (-1 << (t & 31));
          while (bits === 0) {
            t = (t | 31) + 1;
            bits = occupied[(t >>> 5) & OCCUPIED_MASK]!;
          }
          soonest = (t & ~31) + 31 - Math.clz32(bits & -bits);
          if (soonest > cycles) step = soonest - cycles;
        }
        const end = cycles + step;
        // Results ready at the end of this cycle; those ready a cycle earlier are now executed.
        const ready = wheel[end & WHEEL_MASK]! & executing;
        const done = wheel[(end - 1) & WHEEL_MASK]! & executing;
        if (done !== 0) {
          wheel[(end - 1) & WHEEL_MASK] = 0;
          occupied[((end - 1) >>> 5) & OCCUPIED_MASK]! &= ~(1 << ((end - 1) & 31));
          executing &= ~done;
          executed |= done;
        }
        if (ready !== 0) {
          // Dependants stop waiting, registers read the register file again, units free up.
          for (let m = blocked; m !== 0; m &= m - 1) {
            const slot = 31 - Math.clz32(m & -m);
            const d = deps[slot]! & ~ready;
            deps[slot] = d;
            if (d === 0) blocked &= ~(1 << slot);
          }
          for (let m = ready; m !== 0; m &= m - 1) {
            const slot = 31 - Math.clz32(m & -m);
            for (let w = writes[slot]!; w !== 0; w &= w - 1) producer[31 - Math.clz32(w & -w)] = -1;
            writes[slot] = 0;
            available += held[slot]!;
            held[slot] = 0;
          }
        }
      }

      if (firstCycle) {
        waiting |= decoding;
        decoding = 0;
        decodeSlots = DECODE_SLOTS_PER_CYCLE;
        firstCycle = false;
      }
      cycles += step;
      if (draining && inFlight === 0) break;
    }
    out[start - first] = Math.max(cycles - GAS_COST_SLACK, 1);
  }
}
