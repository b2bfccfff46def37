// The built-in extension traits of PVQ (pvq-extension-core, -fungibles, -swap), declared as the
// reference declares them. The associated types (asset ids, balances, ...) are the implementer's
// choice and come in as TypeDescs; they change the wire format and the metadata, not the id.
//
// Revisions: a guest is built against one version of a trait, and since the id hashes the function
// names, a guest built before a function was added calls an id the current trait no longer has.
// The prebuilt guests that pvq-sdk ships were built against such older versions (PVQ.md §B.11), so
// those are declared too; a runtime can serve several revisions side by side (their ids differ).

import { declareExtension, type ExtensionDecl } from './extension.ts';
import { T, type TypeDesc } from './types.ts';

export interface CoreTypes {
  /** Default u64 (`ExtensionIdTy`). */
  extensionId?: TypeDesc;
}

/** `ExtensionCore { fn has_extension(id) -> bool }`, id 8702846780458093357 with the default types. */
export function coreExtensionDecl(types: CoreTypes = {}): ExtensionDecl {
  return declareExtension('ExtensionCore', [{ name: 'has_extension', inputs: [{ name: 'id', type: types.extensionId ?? T.u64 }], output: T.bool }]);
}

export interface FungiblesTypes {
  assetId: TypeDesc;
  balance: TypeDesc;
  accountId: TypeDesc;
}

/**
 * `latest`: PVQ HEAD, 7 functions, id 1248491991627109725. `two-fn`: `total_supply`, `balance`
 * only (before PVQ PR #97), id 4071833530116166512; the pvq-sdk sum-balance guest calls it.
 */
export type FungiblesRevision = 'latest' | 'two-fn';

export function fungiblesExtensionDecl(types: FungiblesTypes, revision: FungiblesRevision = 'latest'): ExtensionDecl {
  const asset = { name: 'asset', type: types.assetId };
  const totalSupply = { name: 'total_supply', inputs: [asset], output: types.balance };
  const balance = { name: 'balance', inputs: [asset, { name: 'who', type: types.accountId }], output: types.balance };
  if (revision === 'two-fn') return declareExtension('ExtensionFungibles', [totalSupply, balance]);
  return declareExtension('ExtensionFungibles', [
    { name: 'asset_exists', inputs: [asset], output: T.bool },
    { name: 'name', inputs: [asset], output: T.bytes },
    { name: 'symbol', inputs: [asset], output: T.bytes },
    { name: 'decimals', inputs: [asset], output: T.u8 },
    { name: 'minimum_balance', inputs: [asset], output: types.balance },
    totalSupply,
    balance,
  ]);
}

export interface SwapTypes {
  assetId: TypeDesc;
  balance: TypeDesc;
  assetInfo: TypeDesc;
}

/**
 * `latest`: PVQ HEAD, 6 functions, id 15900548380266538526 (the pvq-sdk demo guest). `five-fn`: no
 * `assets_info`, id 17401483330909459524 (the pvq-sdk sdk guest). `four-fn`: no `asset_info` either,
 * and `list_pools` returned each pool's reserves too, id 13206387959972970661 (the pvq-sdk files guest).
 */
export type SwapRevision = 'latest' | 'five-fn' | 'four-fn';

export function swapExtensionDecl(types: SwapTypes, revision: SwapRevision = 'latest'): ExtensionDecl {
  const { assetId, balance, assetInfo } = types;
  const pair = [
    { name: 'asset1', type: assetId },
    { name: 'asset2', type: assetId },
  ];
  const quote = (name: string) => ({
    name,
    inputs: [...pair, { name: 'amount', type: balance }, { name: 'include_fee', type: T.bool }],
    output: T.option(balance),
  });
  const functions = [
    quote('quote_price_tokens_for_exact_tokens'),
    quote('quote_price_exact_tokens_for_tokens'),
    { name: 'get_liquidity_pool', inputs: pair, output: T.option(T.tuple(balance, balance)) },
    revision === 'four-fn'
      ? { name: 'list_pools', inputs: [], output: T.vec(T.tuple(assetId, assetId, balance, balance)) }
      : { name: 'list_pools', inputs: [], output: T.vec(T.tuple(assetId, assetId)) },
  ];
  if (revision !== 'four-fn') functions.push({ name: 'asset_info', inputs: [{ name: 'asset', type: assetId }], output: T.option(assetInfo) });
  if (revision === 'latest') functions.push({ name: 'assets_info', inputs: [], output: T.btreeMap(assetId, assetInfo) });
  return declareExtension('ExtensionSwap', functions);
}
