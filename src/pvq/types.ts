// Types of extension-function parameters and results: each is a SCALE codec (from
// @polkadot-api/substrate-bindings, which wraps scale-ts) together with the scale-info shape the
// reference derives with `#[derive(TypeInfo)]`, so one declaration gives both the wire format and the
// metadata. The registry assigns type ids the way scale-info's `Registry` does: pre-order, a type
// gets its id before its parameters and fields are registered.

import {
  Bytes,
  Option,
  Struct,
  Tuple,
  Vector,
  bool,
  compact,
  createCodec,
  enhanceCodec,
  i128,
  i16,
  i32,
  i64,
  i8,
  str,
  u128,
  u16,
  u256,
  u32,
  u64,
  u8,
  type Codec,
} from '@polkadot-api/substrate-bindings';

export const PRIMITIVE_NAMES = ['bool', 'char', 'str', 'u8', 'u16', 'u32', 'u64', 'u128', 'u256', 'i8', 'i16', 'i32', 'i64', 'i128', 'i256'] as const;
export type PrimitiveName = (typeof PRIMITIVE_NAMES)[number];

export interface FieldDesc {
  readonly name?: string;
  readonly type: TypeDesc;
  /** The Rust type as written at the field (scale-info `type_name`), shown in metadata only. */
  readonly typeName?: string;
}

export interface VariantDesc {
  readonly name: string;
  readonly index: number;
  readonly fields: readonly FieldDesc[];
}

/** The scale-info `TypeDef` of a type, with children as TypeDescs (ids are assigned at registration). */
export type TypeShape =
  | { readonly def: 'primitive'; readonly primitive: PrimitiveName }
  | { readonly def: 'array'; readonly len: number; readonly inner: TypeDesc }
  | { readonly def: 'sequence'; readonly inner: TypeDesc }
  | { readonly def: 'tuple'; readonly items: readonly TypeDesc[] }
  | { readonly def: 'compact'; readonly inner: TypeDesc }
  | { readonly def: 'composite'; readonly fields: readonly FieldDesc[] }
  | { readonly def: 'variant'; readonly variants: readonly VariantDesc[] };

// `any` by default: a Codec is invariant in its value type, so a list of descs of different types
// (a function's inputs) can only be typed this way.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface TypeDesc<T = any> {
  readonly codec: Codec<T>;
  readonly shape: TypeShape;
  /** scale-info `path` (empty for primitives, arrays, sequences, tuples). */
  readonly path: readonly string[];
  /** scale-info `type_params`. */
  readonly params: readonly { readonly name: string; readonly type: TypeDesc }[];
  /** Structural identity: two descs with the same key are one registry entry. */
  readonly key: string;
}

const primitive = <T>(name: PrimitiveName, codec: Codec<T>): TypeDesc<T> => ({
  codec,
  shape: { def: 'primitive', primitive: name },
  path: [],
  params: [],
  key: name,
});

/** Type builders; the JS value of each is what its codec encodes and decodes. */
export const T = {
  bool: primitive('bool', bool),
  str: primitive('str', str),
  u8: primitive('u8', u8),
  u16: primitive('u16', u16),
  u32: primitive('u32', u32),
  u64: primitive('u64', u64),
  u128: primitive('u128', u128),
  u256: primitive('u256', u256),
  i8: primitive('i8', i8),
  i16: primitive('i16', i16),
  i32: primitive('i32', i32),
  i64: primitive('i64', i64),
  i128: primitive('i128', i128),

  /** `()`: no bytes. */
  unit: {
    codec: Tuple() as unknown as Codec<undefined>,
    shape: { def: 'tuple', items: [] },
    path: [],
    params: [],
    key: '()',
  } as TypeDesc<undefined>,

  /** `[u8; len]` as a Uint8Array. */
  bytesFixed(len: number): TypeDesc<Uint8Array> {
    const exact = (v: Uint8Array): Uint8Array => {
      // scale-ts's fixed Bytes quietly accepts a shorter array both ways.
      if (v.length !== len) throw new RangeError(`expected ${len} bytes, got ${v.length}`);
      return v;
    };
    return { codec: enhanceCodec(Bytes(len), exact, exact), shape: { def: 'array', len, inner: T.u8 }, path: [], params: [], key: `[u8;${len}]` };
  },

  /** `Vec<u8>` as a Uint8Array. */
  bytes: { codec: Bytes(), shape: { def: 'sequence', inner: primitive('u8', u8) }, path: [], params: [], key: 'Vec<u8>' } as TypeDesc<Uint8Array>,

  vec<V>(inner: TypeDesc<V>): TypeDesc<V[]> {
    return { codec: Vector(inner.codec), shape: { def: 'sequence', inner }, path: [], params: [], key: `Vec<${inner.key}>` };
  },

  array<V>(inner: TypeDesc<V>, len: number): TypeDesc<V[]> {
    return { codec: Vector(inner.codec, len), shape: { def: 'array', len, inner }, path: [], params: [], key: `[${inner.key};${len}]` };
  },

  compact: {
    codec: compact,
    shape: { def: 'compact', inner: primitive('u128', u128) },
    path: [],
    params: [],
    key: 'Compact<u128>',
  } as TypeDesc<number | bigint>,

  tuple<A extends unknown[]>(...items: { [K in keyof A]: TypeDesc<A[K]> }): TypeDesc<A> {
    const codecs = items.map((t) => t.codec) as Codec<unknown>[];
    const codec = Tuple(...codecs) as unknown as Codec<A>;
    COMPOSITES.set(codec, { items });
    return {
      codec,
      shape: { def: 'tuple', items },
      path: [],
      params: [],
      key: `(${items.map((t) => t.key).join(',')})`,
    };
  },

  /** `Option<V>`: `undefined` for None. */
  option<V>(inner: TypeDesc<V>): TypeDesc<V | undefined> {
    const codec = Option(inner.codec);
    COMPOSITES.set(codec, { inner });
    return {
      codec,
      shape: {
        def: 'variant',
        variants: [
          { name: 'None', index: 0, fields: [] },
          { name: 'Some', index: 1, fields: [{ type: inner }] },
        ],
      },
      path: ['Option'],
      params: [{ name: 'T', type: inner }],
      key: `Option<${inner.key}>`,
    };
  },

  /** `BTreeMap<K, V>` as `[key, value]` pairs, in the order given (the caller keeps them sorted by key). */
  btreeMap<K, V>(key: TypeDesc<K>, value: TypeDesc<V>): TypeDesc<[K, V][]> {
    const entries = T.vec(T.tuple<[K, V]>(key, value));
    return {
      codec: entries.codec,
      shape: { def: 'composite', fields: [{ type: entries }] },
      path: ['BTreeMap'],
      params: [
        { name: 'K', type: key },
        { name: 'V', type: value },
      ],
      key: `BTreeMap<${key.key},${value.key}>`,
    };
  },

  /** A struct with named fields, decoded as an object. */
  struct<O extends Record<string, unknown>>(path: readonly string[], fields: { [K in keyof O]: TypeDesc<O[K]> | [TypeDesc<O[K]>, string] }): TypeDesc<O> {
    const list: FieldDesc[] = [];
    const codecs: Record<string, Codec<unknown>> = {};
    for (const [name, f] of Object.entries(fields) as [string, TypeDesc | [TypeDesc, string]][]) {
      const [type, typeName] = Array.isArray(f) ? f : [f, undefined];
      list.push(typeName === undefined ? { name, type } : { name, type, typeName });
      codecs[name] = type.codec;
    }
    return {
      codec: Struct(codecs as never) as unknown as Codec<O>,
      shape: { def: 'composite', fields: list },
      path,
      params: [],
      key: `${path.join('::')}{${list.map((f) => `${f.name}:${f.type.key}`).join(',')}}`,
    };
  },

  /** A type with a custom codec and shape (for types the builders above do not cover). */
  custom<V>(desc: { codec: Codec<V>; shape: TypeShape; path?: readonly string[]; key: string }): TypeDesc<V> {
    return { codec: desc.codec, shape: desc.shape, path: desc.path ?? [], params: [], key: desc.key };
  },
} as const;

export { createCodec };

// ---- scale-info PortableRegistry, in the JSON form serde gives it (empty lists are left out) ----

export interface PortableField {
  name?: string;
  type: number;
  typeName?: string;
  docs?: string[];
}

export interface PortableVariant {
  name: string;
  fields?: PortableField[];
  index: number;
  docs?: string[];
}

export type PortableTypeDef =
  | { primitive: PrimitiveName }
  | { array: { len: number; type: number } }
  | { sequence: { type: number } }
  | { tuple: number[] }
  | { compact: { type: number } }
  | { composite: { fields?: PortableField[] } }
  | { variant: { variants?: PortableVariant[] } }
  | { bitSequence: { bit_store_type: number; bit_order_type: number } };

export interface PortableType {
  id: number;
  type: {
    path?: string[];
    params?: { name: string; type?: number }[];
    def: PortableTypeDef;
    docs?: string[];
  };
}

export interface PortableRegistry {
  types: PortableType[];
}

/** Builds a PortableRegistry: `register` returns a type's id, registering it (and what it refers to) on first sight. */
export class TypeRegistry {
  private readonly ids = new Map<string, number>();
  private readonly entries: PortableType[] = [];

  register(desc: TypeDesc): number {
    const known = this.ids.get(desc.key);
    if (known !== undefined) return known;
    const id = this.entries.length;
    this.ids.set(desc.key, id);
    const entry: PortableType = { id, type: { def: { tuple: [] } } };
    this.entries.push(entry);
    if (desc.path.length > 0) entry.type.path = [...desc.path];
    if (desc.params.length > 0) entry.type.params = desc.params.map((p) => ({ name: p.name, type: this.register(p.type) }));
    entry.type.def = this.def(desc.shape);
    // serde writes `path`, `params`, `def` in this order; rebuild so JSON.stringify matches it.
    entry.type = { ...(entry.type.path ? { path: entry.type.path } : {}), ...(entry.type.params ? { params: entry.type.params } : {}), def: entry.type.def };
    return id;
  }

  private fields(fields: readonly FieldDesc[]): PortableField[] {
    return fields.map((f) => {
      const type = this.register(f.type);
      return { ...(f.name !== undefined ? { name: f.name } : {}), type, ...(f.typeName !== undefined ? { typeName: f.typeName } : {}) };
    });
  }

  private def(shape: TypeShape): PortableTypeDef {
    switch (shape.def) {
      case 'primitive':
        return { primitive: shape.primitive };
      case 'array':
        return { array: { len: shape.len, type: this.register(shape.inner) } };
      case 'sequence':
        return { sequence: { type: this.register(shape.inner) } };
      case 'tuple':
        return { tuple: shape.items.map((t) => this.register(t)) };
      case 'compact':
        return { compact: { type: this.register(shape.inner) } };
      case 'composite':
        return { composite: shape.fields.length > 0 ? { fields: this.fields(shape.fields) } : {} };
      case 'variant':
        return {
          variant:
            shape.variants.length > 0
              ? {
                  variants: shape.variants.map((v) => ({
                    name: v.name,
                    ...(v.fields.length > 0 ? { fields: this.fields(v.fields) } : {}),
                    index: v.index,
                  })),
                }
              : {},
        };
    }
  }

  toJSON(): PortableRegistry {
    return { types: this.entries };
  }
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * Decodes one value from the start of `bytes` as parity-scale-codec's `Decode::decode` does: the
 * bytes after it are left alone, and input that is short or not in canonical form (a bool byte of
 * 2, an Option tag of 2, a non-minimal compact) is refused. The decoder is lenient, so the value is
 * encoded again and must give back exactly the bytes it came from.
 */
export function decodePrefix<V>(type: TypeDesc<V>, bytes: Uint8Array): { value: V; length: number } | string {
  const fixed = decodeFixed(type, bytes);
  if (fixed !== undefined) return fixed as { value: V; length: number } | string;
  bytes = ownBytes(bytes);
  let value: V;
  let again: Uint8Array;
  try {
    value = type.codec.dec(bytes);
    again = type.codec.enc(value);
  } catch (e) {
    return (e as Error).message || String(e);
  }
  if (again.length > bytes.length) return `needs ${again.length} bytes, has ${bytes.length}`;
  if (!sameBytes(again, bytes.subarray(0, again.length))) return 'not a valid encoding';
  return { value, length: again.length };
}

const FIXED_WIDTH: Partial<Record<PrimitiveName, number>> = { bool: 1, u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4, u64: 8, i64: 8, u128: 16, i128: 16 };

/**
 * Fixed-width integers, bools and `[u8; N]`, read in place: every byte pattern of them is canonical
 * (but a bool byte above 1), so they need neither the copy nor the encode-again check of the general
 * path, which were most of a host call's SCALE cost (each extension call decodes its arguments).
 * Undefined for every other type. Values are what scale-ts gives: numbers up to 32 bits, bigints above.
 */
function decodeFixed(type: TypeDesc, bytes: Uint8Array): { value: unknown; length: number } | string | undefined {
  let fixed = FIXED_KINDS.get(type);
  if (fixed === undefined) FIXED_KINDS.set(type, (fixed = fixedKind(type)));
  const { kind, width } = fixed;
  if (kind === 'none') return undefined;
  if (kind === 'Vec<u8>') return decodeByteVec(bytes);
  if (bytes.length < width) return `needs ${width} bytes, has ${bytes.length}`;
  if (kind === '[u8;N]') return { value: bytes.slice(0, width), length: width };
  let value: unknown;
  // Up to 32 bits straight from the bytes (a DataView over a subarray costs more than the read);
  // 64 and 128 bits through one, as bigints.
  switch (kind) {
    case 'bool': {
      const b = bytes[0]!;
      if (b > 1) return 'not a valid encoding';
      value = b === 1;
      break;
    }
    case 'u8':
      value = bytes[0]!;
      break;
    case 'i8':
      value = (bytes[0]! << 24) >> 24;
      break;
    case 'u16':
      value = bytes[0]! | (bytes[1]! << 8);
      break;
    case 'i16':
      value = ((bytes[0]! | (bytes[1]! << 8)) << 16) >> 16;
      break;
    case 'u32':
      value = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
      break;
    case 'i32':
      value = bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24);
      break;
    default: {
      const view = new DataView(bytes.buffer, bytes.byteOffset, width);
      switch (kind) {
        case 'u64':
          value = view.getBigUint64(0, true);
          break;
        case 'i64':
          value = view.getBigInt64(0, true);
          break;
        case 'u128':
          value = view.getBigUint64(0, true) | (view.getBigUint64(8, true) << 64n);
          break;
        case 'i128':
          value = view.getBigUint64(0, true) | (view.getBigInt64(8, true) << 64n);
          break;
      }
    }
  }
  return { value, length: width };
}

type FixedKind = { readonly kind: PrimitiveName | '[u8;N]' | 'Vec<u8>' | 'none'; readonly width: number };

// What decodeFixed does with a type, worked out once per TypeDesc (descs are immutable).
const FIXED_KINDS = new WeakMap<TypeDesc, FixedKind>();

function fixedKind(type: TypeDesc): FixedKind {
  const shape = type.shape;
  if (type.key === 'Vec<u8>') return { kind: 'Vec<u8>', width: 0 };
  if (shape.def === 'primitive') {
    const width = FIXED_WIDTH[shape.primitive];
    return width === undefined ? { kind: 'none', width: 0 } : { kind: shape.primitive, width };
  }
  if (shape.def === 'array' && shape.inner.key === 'u8' && type.key === `[u8;${shape.len}]`) return { kind: '[u8;N]', width: shape.len };
  return { kind: 'none', width: 0 };
}

/** `Vec<u8>`: a compact length (refused when not in its shortest form, as parity-scale-codec does)
 * and the bytes; lengths of 2^30 and more take the general path. */
function decodeByteVec(bytes: Uint8Array): { value: Uint8Array; length: number } | string | undefined {
  if (bytes.length === 0) return 'needs 1 byte, has 0';
  const b0 = bytes[0]!;
  let header: number;
  let length: number;
  switch (b0 & 3) {
    case 0:
      header = 1;
      length = b0 >>> 2;
      break;
    case 1:
      if (bytes.length < 2) return `needs 2 bytes, has ${bytes.length}`;
      header = 2;
      length = (b0 | (bytes[1]! << 8)) >>> 2;
      if (length < 1 << 6) return 'not a valid encoding';
      break;
    case 2:
      if (bytes.length < 4) return `needs 4 bytes, has ${bytes.length}`;
      header = 4;
      length = (b0 | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 2;
      if (length < 1 << 14) return 'not a valid encoding';
      break;
    default:
      return undefined;
  }
  if (bytes.length < header + length) return `needs ${header + length} bytes, has ${bytes.length}`;
  return { value: bytes.slice(header, header + length), length: header + length };
}

/**
 * `bytes` as a Uint8Array that starts at offset 0 of its buffer. scale-ts decoders read through a
 * DataView over `bytes.buffer` and ignore `byteOffset`, so a subarray decodes the wrong bytes.
 */
export const ownBytes = (bytes: Uint8Array): Uint8Array => (bytes.byteOffset === 0 ? bytes : bytes.slice());

/**
 * A result encoded without scale-ts where that is faster and gives the same bytes; undefined hands
 * the value to the type's codec. Fixed-width integers and bools: asking a fresh small Uint8Array for
 * its `.buffer` (as scale-ts's DataView does) makes V8 move it off the heap, which was ~0.3 µs of each
 * u64 result (one per sum-balance host call) against ~0.05 µs byte by byte. Only for the codecs
 * themselves (a `T.custom` type with a primitive shape keeps its own codec) and only for the value
 * types whose conversion is plain (numbers up to 32 bits, bigints above; anything else takes the
 * codec, which converts or throws as it always did). The bytes are the codec's: every DataView setter
 * writes the value modulo 2^width in two's complement, which is what the shifts and BigInt.asUintN
 * give. `Option` and tuples made by `T.option` / `T.tuple` of such types (swap's
 * `Option<(u128, u128)>`: ~1 µs per swap-info query through scale-ts) are encoded the same way, a
 * tuple only from an array (the codec reads `values[i]`, so plain array reads are all it sees); when
 * any part is not plain, the whole value goes to the codec.
 */
export function encodeFast(type: TypeDesc, value: unknown): Uint8Array | undefined {
  const width = FAST_ENCODED.get(type.codec);
  if (width !== undefined) return encodeFixed(width, value);
  const composite = COMPOSITES.get(type.codec);
  if (composite === undefined) return undefined;
  if ('inner' in composite) {
    // scale-ts: None only for undefined; anything else is Some.
    if (value === undefined) return new Uint8Array(1);
    const inner = encodeFast(composite.inner, value);
    if (inner === undefined) return undefined;
    const out = new Uint8Array(1 + inner.length);
    out[0] = 1;
    out.set(inner, 1);
    return out;
  }
  if (!Array.isArray(value)) return undefined;
  const items = composite.items;
  if (items.length === 1) return encodeFast(items[0]!, value[0]);
  const parts: Uint8Array[] = [];
  let length = 0;
  for (let i = 0; i < items.length; i++) {
    const part = encodeFast(items[i]!, value[i]);
    if (part === undefined) return undefined;
    parts.push(part);
    length += part.length;
  }
  const out = new Uint8Array(length);
  for (let i = 0, at = 0; i < parts.length; at += parts[i]!.length, i++) out.set(parts[i]!, at);
  return out;
}

function encodeFixed(width: number, value: unknown): Uint8Array | undefined {
  if (width === 0) return Uint8Array.of(value ? 1 : 0);
  if (width <= 4) {
    if (typeof value !== 'number') return undefined;
    // ToUint32 / ToInt32 as the DataView setter applies it (NaN and the infinities become 0).
    const v = value >>> 0;
    const out = new Uint8Array(width);
    out[0] = v;
    if (width > 1) out[1] = v >>> 8;
    if (width > 2) {
      out[2] = v >>> 16;
      out[3] = v >>> 24;
    }
    return out;
  }
  if (typeof value !== 'bigint') return undefined;
  const out = new Uint8Array(width);
  for (let at = 0, rest = value; at < width; at += 4, rest >>= 32n) {
    const word = Number(BigInt.asUintN(32, rest));
    out[at] = word;
    out[at + 1] = word >>> 8;
    out[at + 2] = word >>> 16;
    out[at + 3] = word >>> 24;
  }
  return out;
}

// The codecs T.option and T.tuple made, with what they were made of.
const COMPOSITES = new WeakMap<object, { readonly inner: TypeDesc } | { readonly items: readonly TypeDesc[] }>();

// Bytes per codec (0: bool); the codecs are scale-ts's own objects.
const FAST_ENCODED = new Map<unknown, number>([
  [bool, 0],
  [u8, 1],
  [i8, 1],
  [u16, 2],
  [i16, 2],
  [u32, 4],
  [i32, 4],
  [u64, 8],
  [i64, 8],
  [u128, 16],
  [i128, 16],
]);
