// The shared test driver of sp-virtualization (0.4.0 `tests.rs`): the syscall loop every test uses
// and the host side of the test fixture's imports. Public, as in Rust, so that a host embedding
// pvm2js can run the same checks against its own setup.

import { VirtMisuseError } from './errors.ts';
import type { ExecResult, VirtExecution, VirtInstance } from './forwarder.ts';
import { ExecError } from './types.ts';

/** i64::MAX: "unlimited" gas in the driver. */
export const GAS_MAX = (1n << 63n) - 1n;

export type RunResult =
  /** The export returned; the instance is idle and can be prepared again. */
  | { readonly kind: 'ok'; readonly instance: VirtInstance }
  /** The handler ended the execution (it returned 'exit'); the instance was destroyed. */
  | { readonly kind: 'exit' }
  /** The run failed; the instance is idle (OutOfGas also sets the gas box to 0). */
  | { readonly kind: 'error'; readonly error: ExecError; readonly instance: VirtInstance };

type SyscallExecution = Extract<ExecResult, { kind: 'syscall' }>;

/**
 * A syscall handler: the value to resume with (written to A0), or 'exit' to end the execution
 * (Rust `Err(())`). It may read and write guest memory through `syscall.execution`.
 */
export type SyscallHandler = (syscall: SyscallExecution) => bigint | 'exit';

/** Gas carried across runs (Rust passes `&mut i64`). */
export interface GasBox {
  gasLeft: bigint;
}

/**
 * Runs a prepared execution to its end: starts with a0 = 0, hands each syscall to `handler` and
 * resumes with its value, keeping `gas.gasLeft` up to date. Out of gas leaves 0, as Rust's loop does.
 */
export function runLoop(execution: VirtExecution, gas: GasBox, handler: SyscallHandler): RunResult {
  // The handle that owns the instance right now. Whatever ends the loop other than a returned result
  // (a throwing handler, a handler value or gas that `run` refuses) destroys it, as Rust drops it
  // while unwinding; on every returning path `run` consumed it or `exit` destroyed it.
  let owner = execution;
  try {
    let a0 = 0n;
    for (;;) {
      const result = owner.run(gas.gasLeft, a0);
      switch (result.kind) {
        case 'finished':
          gas.gasLeft = result.gasLeft;
          return { kind: 'ok', instance: result.instance };
        case 'syscall': {
          owner = result.execution;
          gas.gasLeft = result.gasLeft;
          const value = handler(result);
          if (value === 'exit') {
            // Rust drops the Execution here, which destroys the instance.
            owner.destroy();
            return { kind: 'exit' };
          }
          a0 = value;
          continue;
        }
        case 'error':
          if (result.error === ExecError.OutOfGas) gas.gasLeft = 0n;
          return { kind: 'error', error: result.error, instance: result.instance };
      }
    }
  } finally {
    if (owner.isLive) owner.destroy();
  }
}

/** A counter the fixture's imports read and increment (Rust `&mut u64`). */
export interface CounterBox {
  value: bigint;
}

/** increment_counter's fixed answer, which only a 64-bit A0 can carry. */
export const INCREMENT_COUNTER_ANSWER = 2n << 56n;

/**
 * The host side of the fixture's imports, by symbol: `read_counter` writes the counter (8 bytes LE)
 * at a0 and answers 1; `increment_counter` adds the u64 LE at a0 and answers 2 << 56; `exit` ends
 * the execution. Any other symbol, or a memory error, throws (Rust panics).
 */
export function makeHandler(counter: CounterBox): SyscallHandler {
  const bytes = new Uint8Array(8);
  const view = new DataView(bytes.buffer);
  return (syscall) => {
    const address = Number(BigInt.asUintN(32, syscall.a0));
    switch (syscall.syscallName) {
      case 'read_counter': {
        view.setBigUint64(0, counter.value, true);
        const r = syscall.execution.writeMemory(address, bytes);
        if (!r.ok) throw new VirtMisuseError('bad-argument', `read_counter: writing guest memory at 0x${address.toString(16)} failed (${r.error})`);
        return 1n;
      }
      case 'increment_counter': {
        const r = syscall.execution.readMemory(address, bytes);
        if (!r.ok) throw new VirtMisuseError('bad-argument', `increment_counter: reading guest memory at 0x${address.toString(16)} failed (${r.error})`);
        counter.value = BigInt.asUintN(64, counter.value + view.getBigUint64(0, true));
        return INCREMENT_COUNTER_ANSWER;
      }
      case 'exit':
        return 'exit';
      default:
        throw new Error(`unknown syscall: ${syscall.syscallName}`);
    }
  };
}
