// Shared inputs of the PVQ tests: the prebuilt guests, the query arguments of the reference test
// runner (PVQ.md §B.10), a mock chain state like the PoC's, small assembled guests, and a
// little-endian encoder independent of the codec under test.
import { readFileSync } from 'node:fs';
import { assemble } from '../src/assembler/index.ts';
import { MockRuntimeState } from '../src/pvq/index.ts';
import { BACKEND_NAMES, hasBackend } from '../src/runtime/index.ts';
import { HAVE_SHARED, sharedPath } from './shared.ts';

export const BACKENDS = BACKEND_NAMES.filter((b) => hasBackend(b));

export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');
export const unhex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/^0x/, ''), 'hex'));

/** `value` as `bytes` little-endian bytes, in hex. */
export const le = (value: bigint | number, bytes: number): string => {
  let v = BigInt(value);
  let out = '';
  for (let i = 0; i < bytes; i++) {
    out += Number(v & 0xffn).toString(16).padStart(2, '0');
    v >>= 8n;
  }
  return out;
};

/** SCALE compact length prefix for small lengths (< 64), as the tests need it. */
export const len = (n: number): string => {
  if (n >= 64) throw new Error('test helper: length too large');
  return (n << 2).toString(16).padStart(2, '0');
};
export const vecBytes = (h: string): string => len(h.length / 2) + h;

export const GUESTS = {
  sumBalance: { blob: 'pvq/files_guest-sum-balance.polkavm', metadata: 'pvq/files_guest-sum-balance-metadata_.json' },
  swapDemo: { blob: 'pvq/demo_guest-swap-info.polkavm', metadata: 'pvq/demo_app_swap_assets_guest-swap-info-metadata.json' },
  swapSdk: { blob: 'pvq/sdk_guest-swap-info.polkavm', metadata: 'pvq/sdk_src_guests_guest-swap-info-metadata.json' },
  swapFiles: { blob: 'pvq/files_guest-swap-info.polkavm', metadata: 'pvq/files_guest-swap-info-metadata.json' },
} as const;
export type GuestName = keyof typeof GUESTS;

export const guestBytes = (name: GuestName): Uint8Array => new Uint8Array(readFileSync(sharedPath('blobs', GUESTS[name].blob)));
export const guestMetadata = (name: GuestName): unknown => JSON.parse(readFileSync(sharedPath('blobs', GUESTS[name].metadata), 'utf8'));
export { HAVE_SHARED };

export const ALICE = 'd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d';
export const BOB = '8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48';
/** XCM `Location::parent()` and `{ parents: 0, X2(PalletInstance(50), GeneralIndex(2511)) }`, as the test runner encodes them. */
export const DOT_LOCATION = '0100';
export const USDT_LOCATION = '00020432053d27';
export const DOT_RESERVE = 10_235_709_412_325n;
export const USDT_RESERVE = 12_117_819_770_919n;

/** The test runner's sum-balance arguments: entrypoint 0, asset 21, [Alice]. */
export const SUM_BALANCE_ARGS = '00' + le(21, 4) + len(1) + ALICE;
/** The test runner's `ah` swap-info arguments: entrypoint 2 (get_liquidity_pool), DOT, USDT. */
export const SWAP_INFO_ARGS = '02' + vecBytes(DOT_LOCATION) + vecBytes(USDT_LOCATION);

/** The chopsticks PoC state of the reference's expectations (Alice holds 1e9 of asset 21, supply 2e9), plus a DOT/USDT pool. */
export function pocState(): MockRuntimeState {
  return new MockRuntimeState()
    .addAsset(21, { name: 'Test', symbol: 'TST', decimals: 12, totalSupply: 2_000_000_000n })
    .setBalance(21, ALICE, 1_000_000_000n)
    .addPool(DOT_LOCATION, USDT_LOCATION, DOT_RESERVE, USDT_RESERVE)
    .setSwapAsset(DOT_LOCATION, { name: 'Polkadot', symbol: 'DOT', decimals: 10 })
    .setSwapAsset(USDT_LOCATION, { name: 'Tether USD', symbol: 'USDT', decimals: 6 });
}

/** Small guests in polkavm assembly for the paths the prebuilt ones do not take. */
export const ASM = {
  /** Args: extension id (u64 LE) then call data; calls host_call with them and returns its result. */
  echo: `%isa = latest32
%import host_call
pub @pvq:
  a2 = a0 + 8
  a3 = a1 - 8
  a5 = i32 [a0 + 4]
  a0 = i32 [a0]
  a1 = a5
  ecalli host_call
  ret
`,
  /** Never returns. */
  loop: `%isa = latest32
pub @pvq:
@loop:
  jump @loop
`,
  /** Grows its heap by 2 MiB, returns an empty result. */
  grow: `%isa = latest32
pub @pvq:
  a1 = 0x200000
  a0 = sbrk a1
  a1 = 0
  ret
`,
  /** Returns 16 bytes at address 0, which is never mapped. */
  badResult: `%isa = latest32
pub @pvq:
  a0 = 0
  a1 = 16
  ret
`,
  /** Args: a u32 n; recurses n calls deep (16-byte frames saving ra, as compiled code does), returns nothing. */
  recurse: `%isa = latest32
%stack_size = 65536
%jump_table = @back_in_pvq, @back_in_rec
pub @pvq:
  a0 = i32 [a0]
  s0 = ra
  ra = 2, jump @rec
@back_in_pvq:
  ra = s0
  a0 = 0
  a1 = 0
  ret
@rec:
  jump @done if a0 == 0
  sp = sp - 16
  u32 [sp] = ra
  a0 = a0 - 1
  ra = 4, jump @rec
@back_in_rec:
  ra = i32 [sp]
  sp = sp + 16
@done:
  ret
`,
  /** The same on the 64-bit ISA (the interpreter's pair loop, the 64-bit emitters). */
  recurse64: `%isa = latest64
%stack_size = 65536
%jump_table = @back_in_pvq, @back_in_rec
pub @pvq:
  a0 = u32 [a0]
  s0 = ra
  ra = 2, jump @rec
@back_in_pvq:
  ra = s0
  a0 = 0
  ret
@rec:
  jump @done if a0 == 0
  sp = sp - 16
  u64 [sp] = ra
  a0 = a0 - 1
  ra = 4, jump @rec
@back_in_rec:
  ra = u64 [sp]
  sp = sp + 16
@done:
  ret
`,
  /** Exports 'main', not 'pvq'. */
  noPvqExport: `%isa = latest32
pub @main:
  ret
`,
  /** Imports something other than host_call. */
  otherImport: `%isa = latest32
%import get_storage
pub @pvq:
  ecalli get_storage
  ret
`,
} as const;

export const asm = (name: keyof typeof ASM): Uint8Array => assemble(ASM[name]);

/** Echo-guest arguments: the id as u64 LE, then the call data. */
export const echoArgs = (extensionId: bigint, callData: string): Uint8Array => unhex(le(extensionId, 8) + callData);
