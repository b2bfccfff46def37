// Extension ids, declarations against what the prebuilt guests call, dispatch of call data, strict
// SCALE decoding, and metadata in the reference's shape (JSON and SCALE).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ExtensionRegistry,
  ExtensionsExecutor,
  MOCK_FUNGIBLES_TYPES,
  MOCK_SWAP_TYPES,
  MockRuntimeState,
  MockStateError,
  T,
  coreExtensionDecl,
  declareExtension,
  decodePrefix,
  encodeExtensionsMetadata,
  encodeQueryArgs,
  extensionId,
  extensionsMetadata,
  fungiblesExtensionDecl,
  implementExtension,
  mockExtensions,
  parseProgramMetadata,
  swapExtensionDecl,
  type PortableRegistry,
  type TypeDesc,
} from '../src/pvq/index.ts';
import { createCodec } from '@polkadot-api/substrate-bindings';
import { encodeFast } from '../src/pvq/types.ts';
import { ALICE, GUESTS, HAVE_SHARED, SUM_BALANCE_ARGS, guestMetadata, hex, le, len, pocState, unhex, type GuestName } from './pvq-fixture.ts';
import { describeShared, sharedPath } from './shared.ts';

const SWAP_LATEST = ['quote_price_tokens_for_exact_tokens', 'quote_price_exact_tokens_for_tokens', 'get_liquidity_pool', 'list_pools', 'asset_info', 'assets_info'];

describe('extension ids (PVQ.md §B.6 table)', () => {
  const cases = [
    { name: 'ExtensionCore', fns: ['has_extension'], id: 8702846780458093357n },
    { name: 'ExtensionFungibles', fns: ['asset_exists', 'name', 'symbol', 'decimals', 'minimum_balance', 'total_supply', 'balance'], id: 1248491991627109725n },
    { name: 'ExtensionFungibles', fns: ['total_supply', 'balance'], id: 4071833530116166512n },
    { name: 'ExtensionSwap', fns: SWAP_LATEST, id: 15900548380266538526n },
    { name: 'ExtensionSwap', fns: SWAP_LATEST.slice(0, 5), id: 17401483330909459524n },
    { name: 'ExtensionSwap', fns: SWAP_LATEST.slice(0, 4), id: 13206387959972970661n },
  ];
  it.each(cases.map((c) => [`${c.name} (${c.fns.length} fns)`, c] as const))('%s', (_n, c) => {
    expect(extensionId(c.name, c.fns)).toBe(c.id);
  });

  const decls = [
    { decl: coreExtensionDecl(), id: 8702846780458093357n },
    { decl: fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES), id: 1248491991627109725n },
    { decl: fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES, 'two-fn'), id: 4071833530116166512n },
    { decl: swapExtensionDecl(MOCK_SWAP_TYPES), id: 15900548380266538526n },
    { decl: swapExtensionDecl(MOCK_SWAP_TYPES, 'five-fn'), id: 17401483330909459524n },
    { decl: swapExtensionDecl(MOCK_SWAP_TYPES, 'four-fn'), id: 13206387959972970661n },
  ];
  it.each(decls.map((d) => [`${d.decl.name} with ${d.decl.functions.length} functions`, d] as const))('built-in declaration %s', (_n, d) => {
    expect(d.decl.id).toBe(d.id);
  });

  it('types do not enter the id, names and order do', () => {
    const a = declareExtension('X', [{ name: 'f', inputs: [{ name: 'a', type: T.u32 }], output: T.u8 }]);
    const b = declareExtension('X', [{ name: 'f', inputs: [{ name: 'b', type: T.u128 }], output: T.bool }]);
    const c = declareExtension('X', [
      { name: 'g', inputs: [], output: T.u8 },
      { name: 'f', inputs: [], output: T.u8 },
    ]);
    const d = declareExtension('X', [
      { name: 'f', inputs: [], output: T.u8 },
      { name: 'g', inputs: [], output: T.u8 },
    ]);
    expect(a.id).toBe(b.id);
    expect(c.id).not.toBe(d.id);
  });

  const bad = [
    { name: 'no functions', make: () => declareExtension('X', []), message: 'declares no functions' },
    { name: 'a name twice', make: () => declareExtension('X', [{ name: 'f', inputs: [], output: T.u8 }, { name: 'f', inputs: [], output: T.u8 }]), message: "declares 'f' twice" },
    { name: 'not an identifier', make: () => declareExtension('a b', [{ name: 'f', inputs: [], output: T.u8 }]), message: 'is not an identifier' },
    { name: 'a missing implementation', make: () => implementExtension(coreExtensionDecl(), {}), message: "no implementation of 'has_extension'" },
    {
      name: 'the same id twice in a registry',
      make: () => new ExtensionRegistry([implementExtension(coreExtensionDecl(), { has_extension: () => true }), implementExtension(coreExtensionDecl(), { has_extension: () => true })]),
      message: 'already registered',
    },
  ];
  it.each(bad.map((b) => [b.name, b] as const))('host misuse throws: %s', (_n, b) => {
    expect(b.make).toThrow(b.message);
  });
});

// A type as a canonical string, from a PortableRegistry: what a guest and a runtime must agree on
// (paths of structs differ between crates, so only Option/BTreeMap paths count).
function shape(registry: PortableRegistry, id: number): string {
  const t = registry.types[id]!.type;
  const def = t.def as Record<string, unknown>;
  const [kind, body] = Object.entries(def)[0]! as [string, Record<string, unknown> & unknown[]];
  const sub = (i: number) => shape(registry, i);
  const fields = (fs: { name?: string; type: number }[] = []) => fs.map((f) => `${f.name ?? ''}:${sub(f.type)}`).join(',');
  switch (kind) {
    case 'primitive':
      return String(body);
    case 'array':
      return `[${sub(body.type as number)};${String(body.len)}]`;
    case 'sequence':
      return `Vec<${sub(body.type as number)}>`;
    case 'tuple':
      return `(${(body as unknown as number[]).map(sub).join(',')})`;
    case 'composite':
      return `${t.path?.[0] === 'BTreeMap' ? 'BTreeMap' : ''}{${fields(body.fields as never)}}`;
    case 'variant':
      return `${t.path?.join('::') ?? ''}<${((body.variants as { name: string; index: number; fields?: never }[]) ?? []).map((v) => `${v.index}${v.name}(${fields(v.fields)})`).join('|')}>`;
    default:
      return kind;
  }
}

describeShared('the mock runtime serves every extension function the prebuilt guests call', () => {
  const runtime = extensionsMetadata(mockExtensions(new MockRuntimeState()).map((e) => e.decl));
  const rows = (Object.keys(GUESTS) as GuestName[]).flatMap((guest) =>
    parseProgramMetadata(guestMetadata(guest)).extension_fns.map(([id, index, fn]) => [`${guest}: ${id} #${index} ${fn.name}`, guest, id, index, fn] as const),
  );
  it.each(rows)('%s', (_n, guest, id, index, fn) => {
    const guestTypes = parseProgramMetadata(guestMetadata(guest)).types;
    const ours = runtime.extensions[id]?.functions[index];
    expect(ours?.name).toBe(fn.name);
    expect(ours!.inputs.map((i) => [i.name, shape(runtime.types, i.ty)])).toEqual(fn.inputs.map((i) => [i.name, shape(guestTypes, i.ty)]));
    expect(shape(runtime.types, ours!.output)).toBe(shape(guestTypes, fn.output));
  });
});

describe('dispatch', () => {
  const registry = new ExtensionRegistry(mockExtensions(pocState()));
  const fungibles = fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES).id;
  const cases = [
    { name: 'name (fn 1)', id: fungibles, call: '01' + le(21, 4), result: len(4) + Buffer.from('Test').toString('hex') },
    { name: 'decimals (fn 3)', id: fungibles, call: '03' + le(21, 4), result: '0c' },
    { name: 'asset_exists of an unknown asset', id: fungibles, call: '00' + le(5, 4), result: '00' },
    { name: 'total_supply (fn 5)', id: fungibles, call: '05' + le(21, 4), result: le(2_000_000_000n, 8) },
    { name: 'empty call data', id: fungibles, call: '', error: 'decode' },
    { name: 'an unknown id', id: 1n, call: '00', error: 'unsupported-extension' },
    { name: 'core has_extension of itself', id: coreExtensionDecl().id, call: '00' + le(coreExtensionDecl().id, 8), result: '01' },
    { name: 'core has_extension of an unknown id', id: coreExtensionDecl().id, call: '00' + le(3n, 8), result: '00' },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const out = registry.dispatch(c.id, unhex(c.call));
    if (c.result !== undefined) expect(out instanceof Uint8Array ? hex(out) : out).toBe(c.result);
    else expect(out instanceof Uint8Array ? hex(out) : (out as { kind: string }).kind).toBe(c.error);
  });
});

describe('fixed-width arguments are read in place, exactly as the codec reads them', () => {
  const types: Record<string, TypeDesc> = { bool: T.bool, u8: T.u8, i8: T.i8, u16: T.u16, i16: T.i16, u32: T.u32, i32: T.i32, u64: T.u64, i64: T.i64, u128: T.u128, i128: T.i128, 'u8;32': T.bytesFixed(32) };
  it.each(Object.entries(types))('%s', (_name, type) => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    for (let round = 0; round < 200; round++) {
      // At an odd offset in a larger buffer, as arguments after the function index are.
      const buffer = Uint8Array.from({ length: 40 }, next);
      if (type.key === 'bool') buffer[3] = buffer[3]! & 1;
      const bytes = buffer.subarray(3);
      const decoded = decodePrefix(type, bytes);
      expect(decoded).toEqual({ value: type.codec.dec(bytes.slice()), length: type.codec.enc(type.codec.dec(bytes.slice())).length });
    }
    expect(typeof decodePrefix(type, new Uint8Array(0))).toBe('string');
  });

  it.each([
    ['empty', '00'],
    ['3 bytes, trailing ignored', '0c010203ff'],
    ['63 bytes', 'fc' + '11'.repeat(63)],
    ['64 bytes, 2-byte length', '0101' + '22'.repeat(64)],
    ['16384 bytes, 4-byte length', '02000100' + '33'.repeat(16384)],
    ['non-minimal 2-byte length', '0500' + '44'],
    ['non-minimal 4-byte length', '02010000' + '55'.repeat(64)],
    ['short', '0c0102'],
    ['short 2-byte header', '01'],
  ])('Vec<u8>: %s', (_name, h) => {
    const bytes = unhex('aa' + h).subarray(1);
    let expected: unknown;
    try {
      const value = T.bytes.codec.dec(bytes.slice());
      const again = T.bytes.codec.enc(value);
      expected = again.length > bytes.length || hex(again) !== hex(bytes.subarray(0, again.length)) ? 'refused' : { value, length: again.length };
    } catch {
      expected = 'refused';
    }
    const got = decodePrefix(T.bytes, bytes);
    expect(typeof got === 'string' ? 'refused' : got).toEqual(expected);
  });
});

describe('fixed-width results are encoded byte by byte, exactly as the codec encodes them', () => {
  const types: Record<string, TypeDesc> = { bool: T.bool, u8: T.u8, i8: T.i8, u16: T.u16, i16: T.i16, u32: T.u32, i32: T.i32, u64: T.u64, i64: T.i64, u128: T.u128, i128: T.i128 };
  const numbers = [0, 1, 255, 256, -1, -128, 65535, 65536, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 5, -(2 ** 31) - 1, 1.5, -2.7, 2 ** 53, NaN, Infinity, -Infinity, -0];
  const bigints = [0n, 1n, -1n, 255n, (1n << 63n) - 1n, 1n << 63n, -(1n << 63n), (1n << 64n) - 1n, 1n << 64n, (1n << 64n) + 7n, -(1n << 64n) - 3n, (1n << 127n) + 12345n, (1n << 128n) - 1n, 1n << 128n, -(1n << 127n), 1n << 200n, 0x0123456789abcdef_fedcba9876543210n];
  const others: unknown[] = [true, false, undefined, null, '7', 'x', {}];
  const encoded = (type: TypeDesc, value: unknown): string => {
    try {
      return hex(type.codec.enc(value as never));
    } catch {
      return 'throws';
    }
  };
  it.each(Object.entries(types))('%s', (name, type) => {
    let fast = 0;
    for (const value of [...numbers, ...bigints, ...others]) {
      const got = encodeFast(type, value);
      // Undefined hands the value to the codec (its conversions and errors); bytes must be the codec's.
      if (got !== undefined) {
        expect(hex(got), `${name} ${String(value)}`).toBe(encoded(type, value));
        fast++;
      }
    }
    const narrow = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32'].includes(name);
    expect(fast).toBe(name === 'bool' ? numbers.length + bigints.length + others.length : narrow ? numbers.length : bigints.length);
  });

  it('leaves other types, and a custom type with a primitive shape, to their codecs', () => {
    // Its own codec (one that writes the value's low byte only), so its own bytes.
    const lowByte = createCodec((v: bigint) => Uint8Array.of(Number(v & 0xffn)), (b) => BigInt(new Uint8Array(b as ArrayBuffer)[0]!));
    const custom = T.custom({ codec: lowByte, shape: { def: 'primitive', primitive: 'u64' }, key: 'u64' });
    expect(encodeFast(custom, 0x1234n)).toBeUndefined();
    expect(encodeFast(T.custom({ codec: T.u64.codec, shape: { def: 'primitive', primitive: 'u64' }, key: 'u64' }), 0x1234n)).toEqual(T.u64.codec.enc(0x1234n));
    for (const type of [T.bytes, T.bytesFixed(4), T.compact, T.u256, T.str, T.vec(T.u64), T.option(T.bytes), T.tuple(T.u64, T.bytes)]) expect(encodeFast(type, 5n)).toBeUndefined();
    expect(encodeFast(T.tuple(T.u64, T.bytes), [5n, Uint8Array.of(1)])).toBeUndefined();
  });

  const composites: Record<string, TypeDesc> = {
    'Option<(u128,u128)>': T.option(T.tuple(T.u128, T.u128)),
    'Option<u64>': T.option(T.u64),
    'Option<Option<u8>>': T.option(T.option(T.u8)),
    '(u32,bool,i64)': T.tuple(T.u32, T.bool, T.i64),
    '(u16,)': T.tuple(T.u16),
    '()': T.tuple(),
    '(Option<i128>,(u8,u8))': T.tuple(T.option(T.i128), T.tuple(T.u8, T.u8)),
  };
  const values: unknown[] = [
    undefined,
    null,
    0,
    7n,
    -1n,
    1n << 100n,
    [],
    [1n],
    [1n, 2n],
    [(1n << 128n) - 1n, -(1n << 70n), 9n],
    [5, true, -3n],
    [5, 0, 1n << 63n],
    [300, 'x', 1n],
    [70000],
    [[4n], [1, 2]],
    [undefined, [255, 256]],
    [[4n], 7],
    'ab',
    { 0: 1n, 1: 2n, length: 2 },
  ];
  it.each(Object.entries(composites))('%s: the codec\'s bytes, or left to the codec', (name, type) => {
    let fast = 0;
    for (const value of values) {
      const got = encodeFast(type, value);
      if (got !== undefined) {
        expect(hex(got), `${name} ${String(value)}`).toBe(encoded(type, value));
        fast++;
      }
    }
    expect(fast, 'values encoded without the codec').toBeGreaterThan(0);
  });
});

describe('strict SCALE decoding of extension arguments (parity-scale-codec refuses these)', () => {
  const cases: { name: string; type: TypeDesc; bytes: string; value?: unknown; length?: number }[] = [
    { name: 'bool 2', type: T.bool, bytes: '02' },
    { name: 'Option tag 2', type: T.option(T.u8), bytes: '0205' },
    { name: 'non-minimal compact length', type: T.bytes, bytes: '0100' },
    { name: '[u8; 4] from 2 bytes', type: T.bytesFixed(4), bytes: '0102' },
    { name: 'u32 from 3 bytes', type: T.u32, bytes: '010203' },
    { name: 'Vec<u8> longer than the input', type: T.bytes, bytes: '0c0102' },
    { name: 'u32 with bytes after it', type: T.u32, bytes: '15000000ff', value: 21, length: 4 },
    { name: '(u32, Vec<u8>)', type: T.tuple(T.u32, T.bytes), bytes: '01000000' + '080102', value: [1, unhex('0102')], length: 7 },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const out = decodePrefix(c.type, unhex(c.bytes));
    if (c.value === undefined) expect(typeof out).toBe('string');
    else expect(out).toEqual({ value: c.value, length: c.length });
  });
});

const utf8 = (s: string) => len(s.length) + Buffer.from(s, 'utf8').toString('hex');

describe('runtime metadata', () => {
  it('SCALE: types, then extensions by id string (hand-encoded)', () => {
    const bytes = encodeExtensionsMetadata(extensionsMetadata([coreExtensionDecl()]));
    // types: [u64, bool]: id, path, params, def = Primitive(5) U64(6) / Bool(0), docs
    const types = len(2) + '00' + '00' + '00' + '0506' + '00' + '04' + '00' + '00' + '0500' + '00';
    const fn = utf8('has_extension') + len(1) + utf8('id') + '00' + '04';
    const extensions = len(1) + utf8('8702846780458093357') + utf8('ExtensionCore') + len(1) + fn;
    expect(hex(bytes)).toBe(types + extensions);
  });

  it.skipIf(!HAVE_SHARED)('JSON: the PoC runtime (core + 2-fn fungibles over u32/u64/[u8;32]) as pvq-sdk recorded it', () => {
    const recorded = JSON.parse(readFileSync(sharedPath('blobs', 'pvq', 'sdk_src_guests_runtime-metadata.json'), 'utf8'));
    // polkadot.js wrote it: primitives capitalised, empty path/params/docs kept.
    const types = recorded.types.types.map((t: { id: number; type: { path: string[]; params: unknown[]; def: Record<string, unknown> } }) => {
      const def = 'primitive' in t.type.def ? { primitive: String(t.type.def.primitive).toLowerCase() } : t.type.def;
      return { id: t.id, type: { ...(t.type.path.length ? { path: t.type.path } : {}), ...(t.type.params.length ? { params: t.type.params } : {}), def } };
    });
    const ours = extensionsMetadata([coreExtensionDecl(), fungiblesExtensionDecl({ assetId: T.u32, balance: T.u64, accountId: T.bytesFixed(32) }, 'two-fn')]);
    expect(ours).toEqual({ types: { types }, extensions: recorded.extensions });
    expect(Object.keys(ours.extensions)).toEqual(Object.keys(recorded.extensions));
  });

  it('the executor reports the metadata of what it serves', () => {
    const executor = new ExtensionsExecutor(mockExtensions(new MockRuntimeState(), { legacyRevisions: false }));
    const m = executor.metadata();
    expect(Object.values(m.extensions).map((e) => [e.name, e.functions.length])).toEqual([
      ['ExtensionFungibles', 7],
      ['ExtensionSwap', 6],
      ['ExtensionCore', 1],
    ]);
    expect(executor.encodedMetadata()).toEqual(encodeExtensionsMetadata(m));
  });
});

describeShared('program metadata', () => {
  it("encodes the test runner's sum-balance arguments from values", () => {
    const metadata = parseProgramMetadata(guestMetadata('sumBalance'));
    expect(hex(encodeQueryArgs(metadata, 'sum_balance', [21, [unhex(ALICE)]]))).toBe(SUM_BALANCE_ARGS);
  });

  const bad = [
    { name: 'not an object', json: 3 },
    { name: 'a type out of order', json: { types: { types: [{ id: 1, type: { def: {} } }] }, extension_fns: [], entrypoints: [] } },
    { name: 'an entrypoint without output', json: { types: { types: [] }, extension_fns: [], entrypoints: [{ name: 'x', inputs: [] }] } },
  ];
  it.each(bad.map((b) => [b.name, b] as const))('refuses %s', (_n, b) => {
    expect(() => parseProgramMetadata(b.json)).toThrow(/metadata|entrypoint/);
  });
});

describe('mock state from JSON', () => {
  it('reads assets, balances, pools and asset info', () => {
    const state = MockRuntimeState.fromJSON({
      fungibles: { '21': { name: 'Test', decimals: 12, totalSupply: '2000000000', balances: { ['0x' + ALICE]: '1000000000' } } },
      swap: { lpFee: 5, assets: { '0x0100': { name: 'Polkadot', symbol: 'DOT', decimals: 10 } }, pools: [{ asset1: '0x0100', asset2: '0x02', reserve1: '7', reserve2: 9 }] },
    });
    expect(state.assets.get(21)?.balances.get('0x' + ALICE)).toBe(1_000_000_000n);
    expect(state.totalSupply(state.assets.get(21)!)).toBe(2_000_000_000n);
    expect(state.reserves(unhex('02'), unhex('0100'))).toEqual([9n, 7n]);
    expect(state.lpFee).toBe(5);
    expect(state.swapAssets.get('0x0100')?.decimals).toBe(10);
  });

  const bad = [
    { name: 'an unknown top-level field', json: { balances: {} }, message: "unknown field 'balances'" },
    { name: 'a non-numeric asset id', json: { fungibles: { DOT: {} } }, message: 'not a decimal u32' },
    { name: 'a short account', json: { fungibles: { '1': { balances: { '0x01': '5' } } } }, message: '32 bytes' },
    { name: 'a negative balance', json: { fungibles: { '1': { balances: { ['0x' + ALICE]: -5 } } } }, message: 'non-negative integer' },
    { name: 'a balance over u64', json: { fungibles: { '1': { balances: { ['0x' + ALICE]: (1n << 64n).toString() } } } }, message: 'out of range' },
    { name: 'pools not an array', json: { swap: { pools: {} } }, message: 'expected an array' },
    { name: 'bad hex', json: { swap: { pools: [{ asset1: '0x1', asset2: '0x02' }] } }, message: 'hex digits' },
  ];
  it.each(bad.map((b) => [b.name, b] as const))('refuses %s', (_n, b) => {
    expect(() => MockRuntimeState.fromJSON(b.json)).toThrow(MockStateError);
    expect(() => MockRuntimeState.fromJSON(b.json)).toThrow(b.message);
  });
});
