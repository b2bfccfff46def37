// ExecBuffer: what the `run` host function writes into runtime memory (sp-virtualization 0.4.0
// `#[repr(C)] struct ExecBuffer`). 96 bytes, little endian, no padding:
//   0 gas_left i64 | 8 syscall symbol bytes [32] | 40 symbol length u64 | 48 a0 .. 88 a5, u64 each.
// (0.2.0 had a 64-byte buffer with a u32 syscall number at 8; the string symbol replaced it.)

import { checkI64, checkU64, VirtMisuseError } from './errors.ts';
import { MAX_SYSCALL_SYMBOL_LEN } from './types.ts';

export const EXEC_BUFFER_SIZE = 96;
const SYMBOL_AT = 8;
const SYMBOL_LENGTH_AT = SYMBOL_AT + MAX_SYSCALL_SYMBOL_LEN;
const ARGS_AT = SYMBOL_LENGTH_AT + 8;

export interface ExecBuffer {
  gasLeft: bigint;
  /** Empty when the run finished. */
  syscallSymbol: Uint8Array;
  a0: bigint;
  a1: bigint;
  a2: bigint;
  a3: bigint;
  a4: bigint;
  a5: bigint;
}

const ARG_NAMES = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5'] as const;

/** Rust `ExecBuffer::default()`. */
export function emptyExecBuffer(): ExecBuffer {
  return { gasLeft: 0n, syscallSymbol: new Uint8Array(0), a0: 0n, a1: 0n, a2: 0n, a3: 0n, a4: 0n, a5: 0n };
}

function view(bytes: Uint8Array, what: string): DataView {
  if (bytes.length < EXEC_BUFFER_SIZE) throw new VirtMisuseError('bad-argument', `${what}: an ExecBuffer needs ${EXEC_BUFFER_SIZE} bytes, got ${bytes.length}`);
  return new DataView(bytes.buffer, bytes.byteOffset, EXEC_BUFFER_SIZE);
}

/** Writes `buffer` into the first 96 bytes of `into` (a fresh array if not given) and returns them. */
export function encodeExecBuffer(buffer: ExecBuffer, into: Uint8Array = new Uint8Array(EXEC_BUFFER_SIZE)): Uint8Array {
  const v = view(into, 'encodeExecBuffer');
  const symbol = buffer.syscallSymbol;
  if (symbol.length > MAX_SYSCALL_SYMBOL_LEN) throw new VirtMisuseError('bad-argument', `a syscall symbol has at most ${MAX_SYSCALL_SYMBOL_LEN} bytes, got ${symbol.length}`);
  v.setBigInt64(0, checkI64(buffer.gasLeft, 'gasLeft'), true);
  into.fill(0, SYMBOL_AT, SYMBOL_LENGTH_AT);
  into.set(symbol, SYMBOL_AT);
  v.setBigUint64(SYMBOL_LENGTH_AT, BigInt(symbol.length), true);
  ARG_NAMES.forEach((name, k) => v.setBigUint64(ARGS_AT + 8 * k, checkU64(buffer[name], name), true));
  return into;
}

/** Reads the first 96 bytes of `bytes`; throws if the symbol length is over 32 (a corrupt buffer). */
export function decodeExecBuffer(bytes: Uint8Array): ExecBuffer {
  const v = view(bytes, 'decodeExecBuffer');
  const length = v.getBigUint64(SYMBOL_LENGTH_AT, true);
  if (length > BigInt(MAX_SYSCALL_SYMBOL_LEN)) throw new VirtMisuseError('bad-argument', `corrupt ExecBuffer: symbol length ${length} is over ${MAX_SYSCALL_SYMBOL_LEN}`);
  const arg = (k: number): bigint => v.getBigUint64(ARGS_AT + 8 * k, true);
  return {
    gasLeft: v.getBigInt64(0, true),
    syscallSymbol: bytes.slice(SYMBOL_AT, SYMBOL_AT + Number(length)),
    a0: arg(0),
    a1: arg(1),
    a2: arg(2),
    a3: arg(3),
    a4: arg(4),
    a5: arg(5),
  };
}

/** Field readers over one buffer, for a caller that decodes the same buffer many times (the forwarder's run). */
export function execBufferFields(bytes: Uint8Array): { gasLeft(): bigint; syscallSymbol(): Uint8Array; arg(k: number): bigint } {
  const v = view(bytes, 'execBufferFields');
  return {
    gasLeft: () => v.getBigInt64(0, true),
    syscallSymbol: () => {
      const length = v.getBigUint64(SYMBOL_LENGTH_AT, true);
      if (length > BigInt(MAX_SYSCALL_SYMBOL_LEN)) throw new VirtMisuseError('bad-argument', `corrupt ExecBuffer: symbol length ${length} is over ${MAX_SYSCALL_SYMBOL_LEN}`);
      return bytes.slice(SYMBOL_AT, SYMBOL_AT + Number(length));
    },
    arg: (k) => v.getBigUint64(ARGS_AT + 8 * k, true),
  };
}
