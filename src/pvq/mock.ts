// A mock runtime for the built-in extensions: balances and assets for fungibles, pools for swap,
// filled by the user (in code or from JSON), with the types the reference PoC and test runner use:
// fungibles AssetId u32, AccountId [u8; 32], Balance u64; swap AssetId Vec<u8> (an encoded XCM
// Location), Balance u128, AssetInfo { asset_id, name, symbol, decimals }.
// Also `testRunnerExtensions`, the fixed answers of the reference's pvq-test-runner.

import { Binary, type HexString } from '@polkadot-api/substrate-bindings';
import { coreExtensionDecl, fungiblesExtensionDecl, swapExtensionDecl, type FungiblesRevision, type SwapRevision } from './builtins.ts';
import { DispatchError, implementExtension, type Extension } from './extension.ts';
import { T } from './types.ts';
import { hexOf } from './bytes.ts';

export const MOCK_FUNGIBLES_TYPES = { assetId: T.u32, balance: T.u64, accountId: T.bytesFixed(32) };
export const MOCK_ASSET_INFO = T.struct<{ asset_id: Uint8Array; name: Uint8Array; symbol: Uint8Array; decimals: number }>(['pvm2js', 'pvq', 'AssetInfo'], {
  asset_id: [T.bytes, 'AssetId'],
  name: [T.bytes, 'Vec<u8>'],
  symbol: [T.bytes, 'Vec<u8>'],
  decimals: [T.u8, 'u8'],
});
export const MOCK_SWAP_TYPES = { assetId: T.bytes, balance: T.u128, assetInfo: MOCK_ASSET_INFO };

const U64_MAX = (1n << 64n) - 1n;
const U128_MAX = (1n << 128n) - 1n;

/** `0x` and lower-case digits, as `Binary.toHex` (the account and asset keys of the state's maps). */
export const toHex = (bytes: Uint8Array): string => hexOf(bytes);

export function fromHex(text: string, what = 'hex'): Uint8Array {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) throw new MockStateError(`${what}: '${text}' is not an even number of hex digits`);
  return Uint8Array.from(Binary.fromHex(`0x${digits}` as HexString));
}

/** A state description (JSON or code) that cannot be used: host misuse. */
export class MockStateError extends Error {
  override readonly name = 'MockStateError';
  readonly pvm2jsUserError = true;
}

export interface MockAsset {
  name: Uint8Array;
  symbol: Uint8Array;
  decimals: number;
  minimumBalance: bigint;
  /** undefined: the sum of the balances. */
  totalSupply: bigint | undefined;
  /** By account, as 0x-hex of the 32 bytes. */
  balances: Map<string, bigint>;
}

export interface MockPool {
  asset1: Uint8Array;
  asset2: Uint8Array;
  reserve1: bigint;
  reserve2: bigint;
}

export interface MockSwapAsset {
  name: Uint8Array;
  symbol: Uint8Array;
  decimals: number;
}

const text = (s: string | Uint8Array): Uint8Array => (typeof s === 'string' ? new TextEncoder().encode(s) : s);

function checkUint(value: bigint, max: bigint, what: string): bigint {
  if (value < 0n || value > max) throw new MockStateError(`${what} ${value} is out of range`);
  return value;
}

const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
};

/** The chain state the mock extensions answer from. */
export class MockRuntimeState {
  readonly assets = new Map<number, MockAsset>();
  readonly pools: MockPool[] = [];
  /** Swap asset metadata by 0x-hex of the asset id bytes. */
  readonly swapAssets = new Map<string, MockSwapAsset>();
  /** Liquidity-provider fee in per mille, as pallet-asset-conversion's `LPFee` (Asset Hub: 3, 0.3%). */
  lpFee = 3;

  /** Adds (or replaces) a fungible asset. */
  addAsset(
    id: number,
    info: { name?: string | Uint8Array; symbol?: string | Uint8Array; decimals?: number; minimumBalance?: bigint; totalSupply?: bigint } = {},
  ): this {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new MockStateError(`asset id ${id} is not a u32`);
    const decimals = info.decimals ?? 0;
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) throw new MockStateError(`decimals ${decimals} is not a u8`);
    this.assets.set(id, {
      name: text(info.name ?? ''),
      symbol: text(info.symbol ?? ''),
      decimals,
      minimumBalance: checkUint(info.minimumBalance ?? 0n, U64_MAX, 'minimum balance'),
      totalSupply: info.totalSupply === undefined ? undefined : checkUint(info.totalSupply, U64_MAX, 'total supply'),
      balances: this.assets.get(id)?.balances ?? new Map(),
    });
    return this;
  }

  /** Sets an account's balance of an asset, creating the asset if needed. */
  setBalance(asset: number, account: Uint8Array | string, amount: bigint): this {
    const who = typeof account === 'string' ? fromHex(account, 'account') : account;
    if (who.length !== 32) throw new MockStateError(`an account id has 32 bytes, got ${who.length}`);
    if (!this.assets.has(asset)) this.addAsset(asset);
    this.assets.get(asset)!.balances.set(toHex(who), checkUint(amount, U64_MAX, 'balance'));
    return this;
  }

  /** Adds a pool; `reserve1` is held in `asset1`, `reserve2` in `asset2`. */
  addPool(asset1: Uint8Array | string, asset2: Uint8Array | string, reserve1: bigint, reserve2: bigint): this {
    const a1 = typeof asset1 === 'string' ? fromHex(asset1, 'pool asset') : asset1;
    const a2 = typeof asset2 === 'string' ? fromHex(asset2, 'pool asset') : asset2;
    this.pools.push({ asset1: a1, asset2: a2, reserve1: checkUint(reserve1, U128_MAX, 'reserve'), reserve2: checkUint(reserve2, U128_MAX, 'reserve') });
    return this;
  }

  setSwapAsset(asset: Uint8Array | string, info: { name?: string | Uint8Array; symbol?: string | Uint8Array; decimals?: number }): this {
    const id = typeof asset === 'string' ? fromHex(asset, 'swap asset') : asset;
    const decimals = info.decimals ?? 0;
    if (!Number.isInteger(decimals) || decimals < 0 || decimals > 255) throw new MockStateError(`decimals ${decimals} is not a u8`);
    this.swapAssets.set(toHex(id), { name: text(info.name ?? ''), symbol: text(info.symbol ?? ''), decimals });
    return this;
  }

  totalSupply(asset: MockAsset): bigint {
    if (asset.totalSupply !== undefined) return asset.totalSupply;
    let sum = 0n;
    for (const v of asset.balances.values()) sum += v;
    return sum > U64_MAX ? U64_MAX : sum;
  }

  /** The reserves of the pool of (asset1, asset2) in that order, either way round. */
  reserves(asset1: Uint8Array, asset2: Uint8Array): [bigint, bigint] | undefined {
    for (const p of this.pools) {
      if (compareBytes(p.asset1, asset1) === 0 && compareBytes(p.asset2, asset2) === 0) return [p.reserve1, p.reserve2];
      if (compareBytes(p.asset1, asset2) === 0 && compareBytes(p.asset2, asset1) === 0) return [p.reserve2, p.reserve1];
    }
    return undefined;
  }

  /** pallet-asset-conversion `get_amount_out`: constant product after the LP fee. */
  amountOut(amountIn: bigint, reserveIn: bigint, reserveOut: bigint): bigint | undefined {
    if (reserveIn === 0n || reserveOut === 0n) return undefined;
    const withFee = amountIn * BigInt(1000 - this.lpFee);
    const out = (withFee * reserveOut) / (reserveIn * 1000n + withFee);
    return out <= U128_MAX ? out : undefined;
  }

  /** pallet-asset-conversion `get_amount_in`. */
  amountIn(amountOut: bigint, reserveIn: bigint, reserveOut: bigint): bigint | undefined {
    if (reserveIn === 0n || reserveOut === 0n || reserveOut <= amountOut) return undefined;
    const denominator = (reserveOut - amountOut) * BigInt(1000 - this.lpFee);
    if (denominator === 0n) return undefined;
    const amount = (reserveIn * amountOut * 1000n) / denominator + 1n;
    return amount <= U128_MAX ? amount : undefined;
  }

  /**
   * Reads the `--state` JSON form:
   * `{ "fungibles": { "<asset u32>": { name, symbol, decimals, minimumBalance, totalSupply,
   *    balances: { "0x<32-byte account>": "<u64>" } } },
   *   "swap": { lpFee, assets: { "0x<asset id bytes>": { name, symbol, decimals } },
   *    pools: [ { asset1: "0x…", asset2: "0x…", reserve1: "<u128>", reserve2: "<u128>" } ] } }`.
   * Amounts are decimal strings or safe integers; names are strings (UTF-8) or 0x-hex.
   */
  static fromJSON(json: unknown): MockRuntimeState {
    const state = new MockRuntimeState();
    const root = object(json, 'state');
    allowKeys(root, ['fungibles', 'swap'], 'state');
    if (root.fungibles !== undefined) {
      for (const [idText, value] of Object.entries(object(root.fungibles, 'fungibles'))) {
        if (!/^\d+$/.test(idText)) throw new MockStateError(`fungibles: asset id '${idText}' is not a decimal u32`);
        const id = Number(idText);
        const a = object(value, `asset ${idText}`);
        allowKeys(a, ['name', 'symbol', 'decimals', 'minimumBalance', 'totalSupply', 'balances'], `asset ${idText}`);
        state.addAsset(id, {
          ...(a.name !== undefined ? { name: bytesOrText(a.name, `asset ${idText} name`) } : {}),
          ...(a.symbol !== undefined ? { symbol: bytesOrText(a.symbol, `asset ${idText} symbol`) } : {}),
          ...(a.decimals !== undefined ? { decimals: Number(amount(a.decimals, `asset ${idText} decimals`)) } : {}),
          ...(a.minimumBalance !== undefined ? { minimumBalance: amount(a.minimumBalance, `asset ${idText} minimumBalance`) } : {}),
          ...(a.totalSupply !== undefined ? { totalSupply: amount(a.totalSupply, `asset ${idText} totalSupply`) } : {}),
        });
        if (a.balances !== undefined)
          for (const [who, v] of Object.entries(object(a.balances, `asset ${idText} balances`))) state.setBalance(id, who, amount(v, `balance of ${who}`));
      }
    }
    if (root.swap !== undefined) {
      const swap = object(root.swap, 'swap');
      allowKeys(swap, ['lpFee', 'assets', 'pools'], 'swap');
      if (swap.lpFee !== undefined) {
        const fee = Number(amount(swap.lpFee, 'swap lpFee'));
        if (fee > 1000) throw new MockStateError(`swap lpFee ${fee} is more than 1000 per mille`);
        state.lpFee = fee;
      }
      if (swap.assets !== undefined)
        for (const [id, value] of Object.entries(object(swap.assets, 'swap assets'))) {
          const info = object(value, `swap asset ${id}`);
          allowKeys(info, ['name', 'symbol', 'decimals'], `swap asset ${id}`);
          state.setSwapAsset(id, {
            ...(info.name !== undefined ? { name: bytesOrText(info.name, `swap asset ${id} name`) } : {}),
            ...(info.symbol !== undefined ? { symbol: bytesOrText(info.symbol, `swap asset ${id} symbol`) } : {}),
            ...(info.decimals !== undefined ? { decimals: Number(amount(info.decimals, `swap asset ${id} decimals`)) } : {}),
          });
        }
      if (swap.pools !== undefined) {
        if (!Array.isArray(swap.pools)) throw new MockStateError('swap pools: expected an array');
        swap.pools.forEach((value, i) => {
          const p = object(value, `pool ${i}`);
          allowKeys(p, ['asset1', 'asset2', 'reserve1', 'reserve2'], `pool ${i}`);
          if (typeof p.asset1 !== 'string' || typeof p.asset2 !== 'string') throw new MockStateError(`pool ${i}: asset1 and asset2 must be 0x-hex strings`);
          state.addPool(p.asset1, p.asset2, amount(p.reserve1 ?? 0, `pool ${i} reserve1`), amount(p.reserve2 ?? 0, `pool ${i} reserve2`));
        });
      }
    }
    return state;
  }
}

function object(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new MockStateError(`${what}: expected an object`);
  return v as Record<string, unknown>;
}

function allowKeys(o: Record<string, unknown>, keys: readonly string[], what: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new MockStateError(`${what}: unknown field '${k}' (expected ${keys.join(', ')})`);
}

function amount(v: unknown, what: string): bigint {
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  throw new MockStateError(`${what}: expected a non-negative integer (a decimal string for large values), got ${JSON.stringify(v)}`);
}

function bytesOrText(v: unknown, what: string): Uint8Array {
  if (typeof v !== 'string') throw new MockStateError(`${what}: expected a string`);
  return v.startsWith('0x') ? fromHex(v, what) : text(v);
}

export interface MockExtensionsOptions {
  /** Default true: also serve the older trait revisions the pvq-sdk prebuilt guests call. */
  legacyRevisions?: boolean;
  /** Answers `has_extension`; default: whether the id is among the returned extensions. */
  hasExtension?: (id: bigint) => boolean;
}

/** Core, fungibles and swap over `state`, as a runtime with that state would serve them. */
export function mockExtensions(state: MockRuntimeState, options: MockExtensionsOptions = {}): Extension[] {
  const asset = (id: number): MockAsset => {
    const a = state.assets.get(id);
    if (!a) throw new DispatchError(`no asset ${id}`);
    return a;
  };
  const fungibles = {
    asset_exists: (id: number) => state.assets.has(id),
    name: (id: number) => state.assets.get(id)?.name ?? new Uint8Array(),
    symbol: (id: number) => state.assets.get(id)?.symbol ?? new Uint8Array(),
    decimals: (id: number) => state.assets.get(id)?.decimals ?? 0,
    minimum_balance: (id: number) => asset(id).minimumBalance,
    // Like pallet-assets: an unknown asset has no supply and nobody holds any of it.
    total_supply: (id: number) => {
      const a = state.assets.get(id);
      return a ? state.totalSupply(a) : 0n;
    },
    balance: (id: number, who: Uint8Array) => state.assets.get(id)?.balances.get(toHex(who)) ?? 0n,
  };
  const assetInfo = (id: Uint8Array) => {
    const info = state.swapAssets.get(toHex(id));
    return info ? { asset_id: id, name: info.name, symbol: info.symbol, decimals: info.decimals } : undefined;
  };
  const swap = (revision: SwapRevision) => ({
    quote_price_tokens_for_exact_tokens: (a1: Uint8Array, a2: Uint8Array, amount: bigint, includeFee: boolean) => {
      const r = state.reserves(a1, a2);
      if (!r || r[0] === 0n) return undefined;
      return includeFee ? state.amountIn(amount, r[0], r[1]) : r[1] === 0n ? undefined : (amount * r[0]) / r[1];
    },
    quote_price_exact_tokens_for_tokens: (a1: Uint8Array, a2: Uint8Array, amount: bigint, includeFee: boolean) => {
      const r = state.reserves(a1, a2);
      if (!r || r[0] === 0n) return undefined;
      return includeFee ? state.amountOut(amount, r[0], r[1]) : (amount * r[1]) / r[0];
    },
    get_liquidity_pool: (a1: Uint8Array, a2: Uint8Array) => state.reserves(a1, a2),
    list_pools: () => state.pools.map((p) => (revision === 'four-fn' ? [p.asset1, p.asset2, p.reserve1, p.reserve2] : [p.asset1, p.asset2])),
    asset_info: assetInfo,
    assets_info: () =>
      [...state.swapAssets.keys()]
        .map((hex) => fromHex(hex))
        .sort(compareBytes)
        .map((id) => [id, assetInfo(id)]),
  });

  const extensions: Extension[] = [];
  const fungibleRevisions: FungiblesRevision[] = options.legacyRevisions === false ? ['latest'] : ['latest', 'two-fn'];
  const swapRevisions: SwapRevision[] = options.legacyRevisions === false ? ['latest'] : ['latest', 'five-fn', 'four-fn'];
  const has = options.hasExtension ?? ((id: bigint) => extensions.some((e) => e.decl.id === id));
  extensions.push(implementExtension(coreExtensionDecl(), { has_extension: has }));
  for (const r of fungibleRevisions) extensions.push(implementExtension(fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES, r), fungibles));
  for (const r of swapRevisions) extensions.push(implementExtension(swapExtensionDecl(MOCK_SWAP_TYPES, r), swap(r)));
  return extensions;
}

/**
 * The fixed answers of the reference's pvq-test-runner (`ExtensionsImpl`, PVQ.md §B.10): every
 * balance, supply and minimum is 100, names "Test"/"TEST", 18 decimals; swap quotes are None,
 * `get_liquidity_pool` reads both assets as u32 (and, like the runner's `u32::decode(..).unwrap()`,
 * fails on shorter ones, here with an exception) and answers (100, 100). `legacyRevisions` (default
 * false, as the runner) also serves the older fungibles and swap revisions.
 */
export function testRunnerExtensions(options: { legacyRevisions?: boolean } = {}): Extension[] {
  const fungibles = {
    asset_exists: () => true,
    name: () => text('Test'),
    symbol: () => text('TEST'),
    decimals: () => 18,
    minimum_balance: () => 100n,
    total_supply: () => 100n,
    balance: () => 100n,
  };
  const asU32 = (asset: Uint8Array): number => {
    if (asset.length < 4) throw new Error(`pvq-test-runner: u32::decode of a ${asset.length}-byte asset id panics`);
    return new DataView(asset.buffer, asset.byteOffset, 4).getUint32(0, true);
  };
  const swap = {
    quote_price_tokens_for_exact_tokens: () => undefined,
    quote_price_exact_tokens_for_tokens: () => undefined,
    get_liquidity_pool: (a1: Uint8Array, a2: Uint8Array) => {
      asU32(a1);
      asU32(a2);
      return [100n, 100n];
    },
    list_pools: () => [],
    asset_info: () => undefined,
    assets_info: () => [],
  };
  const types = { assetId: T.bytes, balance: T.u128, assetInfo: T.unit };
  const legacy = options.legacyRevisions ?? false;
  return [
    implementExtension(coreExtensionDecl(), { has_extension: (id: bigint) => id === 0n || id === 1n }),
    ...(['latest', ...(legacy ? ['two-fn'] : [])] as FungiblesRevision[]).map((r) => implementExtension(fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES, r), fungibles)),
    ...(['latest', ...(legacy ? ['five-fn', 'four-fn'] : [])] as SwapRevision[]).map((r) => implementExtension(swapExtensionDecl(types, r), swap)),
  ];
}
