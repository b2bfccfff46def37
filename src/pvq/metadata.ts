// Metadata, shaped as the reference shapes it:
// - a runtime's extension metadata (pvq-extension `Metadata`, returned by `PvqApi_metadata`):
//   `{ types: PortableRegistry, extensions: { "<id>": { name, functions: [{ name, inputs: [{ name, ty }], output }] } } }`,
//   as JSON (serde's form) or SCALE;
// - a program's metadata (pvq-program-metadata-gen's `<name>-metadata.json`):
//   `{ types, extension_fns: [["<id>", fn_index, function]], entrypoints: [function] }`,
//   which says how to encode a query's arguments and decode its result.

import {
  Binary,
  Bytes,
  Option,
  Struct,
  Tuple,
  Vector,
  bool,
  compact,
  createCodec,
  i128,
  i16,
  i256,
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
  v14Lookup,
  type Codec,
} from '@polkadot-api/substrate-bindings';
import type { ExtensionDecl } from './extension.ts';
import { PRIMITIVE_NAMES, TypeRegistry, ownBytes, type PortableRegistry, type PortableType, type PortableTypeDef, type PrimitiveName } from './types.ts';

export interface FunctionParamMetadata {
  name: string;
  ty: number;
}

export interface FunctionMetadata {
  name: string;
  inputs: FunctionParamMetadata[];
  output: number;
}

export interface ExtensionMetadata {
  name: string;
  functions: FunctionMetadata[];
}

export interface ExtensionsMetadata {
  types: PortableRegistry;
  /** By extension id in decimal, in string order (the reference's `BTreeMap<String, _>`). */
  extensions: Record<string, ExtensionMetadata>;
}

/**
 * The metadata of a set of extensions. Types are registered extension by extension in id order
 * (the reference iterates a `BTreeMap<u64, _>`), function by function, inputs before the output.
 */
export function extensionsMetadata(decls: Iterable<ExtensionDecl>): ExtensionsMetadata {
  const registry = new TypeRegistry();
  const byId = [...decls].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const described = byId.map((decl) => ({
    key: decl.id.toString(),
    value: {
      name: decl.name,
      functions: decl.functions.map((f) => ({
        name: f.name,
        inputs: f.inputs.map((i) => ({ name: i.name, ty: registry.register(i.type) })),
        output: registry.register(f.output),
      })),
    },
  }));
  described.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const extensions: Record<string, ExtensionMetadata> = {};
  for (const d of described) extensions[d.key] = d.value;
  return { types: registry.toJSON(), extensions };
}

// ---- SCALE form ----

type LookupEntry = Parameters<typeof v14Lookup.enc>[0][number];
type LookupDef = LookupEntry['def'];

const PRIMITIVE_TAGS: Record<PrimitiveName, LookupDef & { tag: 'primitive' }> = Object.fromEntries(
  PRIMITIVE_NAMES.map((p) => [p, { tag: 'primitive', value: { tag: p, value: undefined } }]),
) as never;

function lookupDef(def: PortableTypeDef): LookupDef {
  const fields = (list: { name?: string; type: number; typeName?: string; docs?: string[] }[] = []) =>
    list.map((f) => ({ name: f.name, type: f.type, typeName: f.typeName, docs: f.docs ?? [] }));
  if ('primitive' in def) return PRIMITIVE_TAGS[def.primitive];
  if ('array' in def) return { tag: 'array', value: { len: def.array.len, type: def.array.type } };
  if ('sequence' in def) return { tag: 'sequence', value: def.sequence.type };
  if ('tuple' in def) return { tag: 'tuple', value: def.tuple };
  if ('compact' in def) return { tag: 'compact', value: def.compact.type };
  if ('composite' in def) return { tag: 'composite', value: fields(def.composite.fields) };
  if ('variant' in def)
    return { tag: 'variant', value: (def.variant.variants ?? []).map((v) => ({ name: v.name, fields: fields(v.fields), index: v.index, docs: v.docs ?? [] })) };
  return { tag: 'bitSequence', value: { bitStoreType: def.bitSequence.bit_store_type, bitOrderType: def.bitSequence.bit_order_type } } as LookupDef;
}

const lookupEntry = (t: PortableType): LookupEntry => ({
  id: t.id,
  path: t.type.path ?? [],
  params: (t.type.params ?? []).map((p) => ({ name: p.name, type: p.type })),
  def: lookupDef(t.type.def),
  docs: t.type.docs ?? [],
});

const functionCodec = Struct({
  name: str,
  inputs: Vector(Struct({ name: str, ty: compact })),
  output: compact,
});
const extensionsCodec = Vector(Tuple(str, Struct({ name: str, functions: Vector(functionCodec) })));

/** The SCALE bytes `PvqApi_metadata` returns (without the outer `Vec<u8>` length). */
export function encodeExtensionsMetadata(metadata: ExtensionsMetadata): Uint8Array {
  const types = v14Lookup.enc(metadata.types.types.map(lookupEntry));
  const extensions = extensionsCodec.enc(Object.entries(metadata.extensions));
  const out = new Uint8Array(types.length + extensions.length);
  out.set(types);
  out.set(extensions, types.length);
  return out;
}

// ---- program metadata ----

export interface ProgramMetadata {
  types: PortableRegistry;
  /** [extension id in decimal, function index, the function] for each extension function the program calls. */
  extension_fns: [string, number, FunctionMetadata][];
  /** Indexed by entrypoint number, the first byte of the query arguments. */
  entrypoints: FunctionMetadata[];
}

/** Thrown for metadata JSON that does not have the expected shape: host misuse. */
export class MetadataError extends Error {
  override readonly name = 'MetadataError';
  readonly pvm2jsUserError = true;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkFunction(v: unknown, where: string): FunctionMetadata {
  if (!isObject(v) || typeof v.name !== 'string' || !Array.isArray(v.inputs) || typeof v.output !== 'number')
    throw new MetadataError(`${where}: expected { name, inputs, output }`);
  for (const i of v.inputs) if (!isObject(i) || typeof i.name !== 'string' || typeof i.ty !== 'number') throw new MetadataError(`${where}: an input is not { name, ty }`);
  return v as unknown as FunctionMetadata;
}

/** Checks the shape of a parsed `<program>-metadata.json`. */
export function parseProgramMetadata(json: unknown): ProgramMetadata {
  if (!isObject(json) || !isObject(json.types) || !Array.isArray(json.types.types) || !Array.isArray(json.entrypoints))
    throw new MetadataError('program metadata: expected { types: { types: [...] }, extension_fns: [...], entrypoints: [...] }');
  json.types.types.forEach((t: unknown, i: number) => {
    if (!isObject(t) || t.id !== i || !isObject(t.type) || !isObject(t.type.def)) throw new MetadataError(`program metadata: type ${i} is not { id: ${i}, type: { def } }`);
  });
  json.entrypoints.forEach((f, i) => checkFunction(f, `entrypoint ${i}`));
  const fns = json.extension_fns ?? [];
  if (!Array.isArray(fns)) throw new MetadataError('program metadata: extension_fns is not an array');
  fns.forEach((e: unknown, i: number) => {
    if (!Array.isArray(e) || e.length !== 3 || typeof e[0] !== 'string' || typeof e[1] !== 'number') throw new MetadataError(`extension_fns[${i}]: expected ["<id>", index, function]`);
    checkFunction(e[2], `extension_fns[${i}]`);
  });
  return json as unknown as ProgramMetadata;
}

// ---- codecs from a PortableRegistry ----

const PRIMITIVE_CODECS: Record<PrimitiveName, Codec<unknown>> = {
  bool,
  char: createCodec(
    (c: unknown) => u32.enc((c as string).codePointAt(0)!),
    (bytes) => String.fromCodePoint(u32.dec(bytes)),
  ) as Codec<unknown>,
  str,
  u8,
  u16,
  u32,
  u64,
  u128,
  u256,
  i8,
  i16,
  i32,
  i64,
  i128,
  i256,
} as Record<PrimitiveName, Codec<unknown>>;

/** A variant value: `{ type: <variant name>, value: <fields> }` (Option is `undefined` or the value). */
export interface VariantValue {
  type: string;
  value: unknown;
}

/**
 * A codec for type `id` of `registry`: integers up to 32 bits are numbers, wider ones bigints;
 * `[u8; N]` and `Vec<u8>` are Uint8Arrays; named composites are objects, unnamed ones tuples (one
 * field: the field itself); Option is the value or `undefined`; other variants are `VariantValue`s.
 */
export function codecForType(registry: PortableRegistry, id: number): Codec<unknown> {
  const cache = new Map<number, Codec<unknown>>();
  const build = (typeId: number, depth: number): Codec<unknown> => {
    const known = cache.get(typeId);
    if (known) return known;
    const entry = registry.types[typeId];
    if (!entry || entry.id !== typeId) throw new MetadataError(`no type ${typeId} in the registry`);
    if (depth > 64) throw new MetadataError(`type ${typeId} nests too deeply (a recursive type?)`);
    const inner = (t: number) => build(t, depth + 1);
    const isU8 = (t: number) => {
      const d = registry.types[t]?.type.def;
      return d !== undefined && 'primitive' in d && d.primitive === 'u8';
    };
    const def = entry.type.def;
    let codec: Codec<unknown>;
    if ('primitive' in def) {
      const p = PRIMITIVE_CODECS[def.primitive];
      if (!p) throw new MetadataError(`type ${typeId}: unknown primitive '${String(def.primitive)}'`);
      codec = p;
    } else if ('array' in def) codec = (isU8(def.array.type) ? Bytes(def.array.len) : Vector(inner(def.array.type), def.array.len)) as Codec<unknown>;
    else if ('sequence' in def) codec = (isU8(def.sequence.type) ? Bytes() : Vector(inner(def.sequence.type))) as Codec<unknown>;
    else if ('tuple' in def) codec = Tuple(...def.tuple.map(inner)) as Codec<unknown>;
    else if ('compact' in def) codec = compact as Codec<unknown>;
    else if ('composite' in def) codec = fieldsCodec(def.composite.fields ?? [], inner);
    else if ('variant' in def) {
      const variants = def.variant.variants ?? [];
      const path = entry.type.path ?? [];
      if (path.length === 1 && path[0] === 'Option' && variants.length === 2 && variants[1]!.fields?.length === 1)
        codec = Option(inner(variants[1]!.fields[0]!.type)) as Codec<unknown>;
      else codec = variantCodec(variants.map((v) => ({ name: v.name, index: v.index, codec: fieldsCodec(v.fields ?? [], inner) })));
    } else throw new MetadataError(`type ${typeId}: ${Object.keys(def)[0]} is not supported`);
    cache.set(typeId, codec);
    return codec;
  };
  return build(id, 0);
}

function fieldsCodec(fields: { name?: string; type: number }[], inner: (t: number) => Codec<unknown>): Codec<unknown> {
  if (fields.length === 0) return Tuple() as Codec<unknown>;
  if (fields.every((f) => f.name !== undefined)) return Struct(Object.fromEntries(fields.map((f) => [f.name!, inner(f.type)])) as never) as unknown as Codec<unknown>;
  if (fields.length === 1) return inner(fields[0]!.type);
  return Tuple(...fields.map((f) => inner(f.type))) as Codec<unknown>;
}

function variantCodec(variants: { name: string; index: number; codec: Codec<unknown> }[]): Codec<unknown> {
  return createCodec(
    (v: unknown) => {
      const value = v as VariantValue;
      const variant = variants.find((x) => x.name === value.type);
      if (!variant) throw new RangeError(`no variant '${value.type}'`);
      const body = variant.codec.enc(value.value);
      const out = new Uint8Array(1 + body.length);
      out[0] = variant.index;
      out.set(body, 1);
      return out;
    },
    (bytes) => {
      const index = u8.dec(bytes);
      const variant = variants.find((x) => x.index === index);
      if (!variant) throw new RangeError(`no variant with index ${index}`);
      return { type: variant.name, value: variant.codec.dec(bytes) };
    },
  ) as Codec<unknown>;
}

/** A decoded value in JSON: bigints as decimal strings, byte arrays as 0x-hex, None as null. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Uint8Array) return Binary.toHex(value);
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonValue(v)]));
  return value;
}

/** The entrypoint a query's arguments select (byte 0), if the metadata has it. */
export function entrypointOf(metadata: ProgramMetadata, args: Uint8Array): { index: number; fn: FunctionMetadata } | undefined {
  const index = args[0];
  if (index === undefined) return undefined;
  const fn = metadata.entrypoints[index];
  return fn ? { index, fn } : undefined;
}

/** Decodes a query result with the output type of the entrypoint `args` selected. */
export function decodeQueryResult(metadata: ProgramMetadata, args: Uint8Array, result: Uint8Array): unknown {
  const entry = entrypointOf(metadata, args);
  if (!entry) throw new MetadataError(`the metadata has no entrypoint ${args[0] ?? '(no argument bytes)'}`);
  return codecForType(metadata.types, entry.fn.output).dec(ownBytes(result));
}

/** Encodes query arguments: the entrypoint index, then each argument with its metadata type. */
export function encodeQueryArgs(metadata: ProgramMetadata, entrypoint: number | string, values: readonly unknown[]): Uint8Array {
  const index = typeof entrypoint === 'number' ? entrypoint : metadata.entrypoints.findIndex((f) => f.name === entrypoint);
  const fn = metadata.entrypoints[index];
  if (!fn) throw new MetadataError(`the metadata has no entrypoint ${entrypoint}`);
  if (values.length !== fn.inputs.length) throw new MetadataError(`${fn.name} takes ${fn.inputs.length} arguments, got ${values.length}`);
  const parts = fn.inputs.map((input, i) => codecForType(metadata.types, input.ty).enc(values[i]));
  const out = new Uint8Array(1 + parts.reduce((n, p) => n + p.length, 0));
  out[0] = index;
  let at = 1;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
