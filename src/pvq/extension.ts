// Extensions: what a PVQ guest reaches through `host_call(extension_id, call_ptr, call_len)`.
// An extension is a named trait with functions in declaration order (pvq-extension's
// `#[extension_decl]`); its id is an xxh64 over the trait and function names, its functions are
// addressed by their position, and call data is `fn_index ‖ SCALE(args…)`.

import { h64 } from '@polkadot-api/substrate-bindings';
import { decodePrefix, encodeFast, type TypeDesc } from './types.ts';

export interface FunctionDecl {
  readonly name: string;
  readonly inputs: readonly { readonly name: string; readonly type: TypeDesc }[];
  readonly output: TypeDesc;
}

export interface ExtensionDecl {
  /** The trait name, e.g. `ExtensionFungibles`. */
  readonly name: string;
  /** In declaration order: a function's index is its position. */
  readonly functions: readonly FunctionDecl[];
  /** `extensionId(name, function names)`. */
  readonly id: bigint;
}

const utf8 = new TextEncoder();

/**
 * The id pvq-extension-procedural computes: Rust's `Hash` of each `&str` (its bytes, then 0xFF)
 * fed to twox-hash's XxHash64 with seed 0, over "pvq-ext$", the trait name, and "@" + name per
 * function. Types and indices do not enter it, so renaming or reordering functions changes it,
 * retyping them does not.
 */
export function extensionId(traitName: string, functionNames: readonly string[]): bigint {
  const parts = ['pvq-ext$', traitName, ...functionNames.flatMap((f) => ['@', f])].map((s) => utf8.encode(s));
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length + 1, 0));
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
    bytes[at++] = 0xff;
  }
  return h64(bytes, 0n);
}

/** Declares an extension trait (checked as `#[extension_decl]` checks it: at least one function, unique names). */
export function declareExtension(name: string, functions: readonly FunctionDecl[]): ExtensionDecl {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new TypeError(`extension name '${name}' is not an identifier`);
  if (functions.length === 0) throw new TypeError(`extension ${name} declares no functions`);
  if (functions.length > 255) throw new TypeError(`extension ${name} declares ${functions.length} functions; a call addresses at most 256`);
  const seen = new Set<string>();
  for (const f of functions) {
    if (seen.has(f.name)) throw new TypeError(`extension ${name} declares '${f.name}' twice`);
    seen.add(f.name);
  }
  return { name, functions, id: extensionId(name, functions.map((f) => f.name)) };
}

/** A function implementation: gets the decoded arguments in order, returns the value to encode. */
export type ExtensionFunction = (...args: never[]) => unknown;

/** A declared extension with an implementation of every function. */
export interface Extension {
  readonly decl: ExtensionDecl;
  readonly functions: Readonly<Record<string, ExtensionFunction>>;
}

export function implementExtension(decl: ExtensionDecl, functions: Readonly<Record<string, ExtensionFunction>>): Extension {
  for (const f of decl.functions)
    if (typeof functions[f.name] !== 'function') throw new TypeError(`extension ${decl.name} has no implementation of '${f.name}'`);
  return { decl, functions };
}

/**
 * Thrown by an extension function (or a Promise it returns rejecting with it) to fail the call as the
 * reference's `DispatchError` does; the query ends with an `extension` error of kind `dispatch`. Any
 * other exception ends it with kind `exception`, carrying the message.
 */
export class DispatchError extends Error {
  override readonly name = 'DispatchError';
}

/** Why a host call failed (pvq-extension `ExtensionError`); the query stops with it. */
export type ExtensionErrorKind =
  /** The permission controller or the executor's extension whitelist refused the call. */
  | 'permission'
  /** The guest heap could not grow to hold the result. */
  | 'memory-allocation'
  /** The call data range is not readable guest memory. */
  | 'memory-access'
  /** The call data does not decode: an unknown function index or arguments too short. */
  | 'decode'
  /** The function failed (a DispatchError, or the index just past the last function, which the
   * reference decodes as its hidden `__marker` variant and then refuses). */
  | 'dispatch'
  /** No registered extension has this id. */
  | 'unsupported-extension'
  /** The function threw (anything but a DispatchError) or answered with something other than bytes. */
  | 'exception'
  /** The function answered with a Promise in a synchronous `execute`. */
  | 'async-in-sync';

export interface ExtensionError {
  readonly kind: ExtensionErrorKind;
  readonly extensionId: bigint;
  /** The first call-data byte, when there was one. */
  readonly fnIndex?: number;
  readonly message: string;
}

export const extensionError = (kind: ExtensionErrorKind, extensionId: bigint, message: string, fnIndex?: number): ExtensionError =>
  fnIndex === undefined ? { kind, extensionId, message } : { kind, extensionId, fnIndex, message };

export const isExtensionError = (v: Uint8Array | ExtensionError): v is ExtensionError => !(v instanceof Uint8Array);

/** Extensions by id (pvq-extension's `CallDataTuple`): decodes call data and runs the function. */
export class ExtensionRegistry {
  private readonly byId = new Map<bigint, Extension>();

  constructor(extensions: Iterable<Extension> = []) {
    for (const e of extensions) this.register(e);
  }

  /** Adds an extension; a second one with the same id is host misuse. */
  register(extension: Extension): this {
    const id = extension.decl.id;
    const existing = this.byId.get(id);
    if (existing) throw new TypeError(`extension id ${id} is already registered (${existing.decl.name})`);
    this.byId.set(id, extension);
    return this;
  }

  has(id: bigint): boolean {
    return this.byId.has(id);
  }

  get(id: bigint): Extension | undefined {
    return this.byId.get(id);
  }

  /** In registration order. */
  extensions(): Extension[] {
    return [...this.byId.values()];
  }

  /**
   * Runs one call: byte 0 picks the function, its arguments follow SCALE-encoded. Like the
   * reference (`Decode::decode`, not `decode_all`), bytes after the last argument are ignored.
   */
  dispatch(id: bigint, callData: Uint8Array): Uint8Array | ExtensionError | Promise<Uint8Array | ExtensionError> {
    const extension = this.byId.get(id);
    if (!extension) return extensionError('unsupported-extension', id, `no extension with id ${id}`);
    const decl = extension.decl;
    if (callData.length === 0) return extensionError('decode', id, `empty call data for ${decl.name}`);
    const fnIndex = callData[0]!;
    if (fnIndex === decl.functions.length)
      return extensionError('dispatch', id, `${decl.name} has no function ${fnIndex} (the reference's hidden marker variant)`, fnIndex);
    const fn = decl.functions[fnIndex];
    if (!fn) return extensionError('decode', id, `${decl.name} has no function ${fnIndex} (it has ${decl.functions.length})`, fnIndex);
    const args: unknown[] = [];
    let at = 1;
    for (const input of fn.inputs) {
      const decoded = decodePrefix(input.type, callData.subarray(at));
      if (typeof decoded === 'string')
        return extensionError('decode', id, `cannot decode argument '${input.name}' of ${decl.name}::${fn.name} at byte ${at}: ${decoded}`, fnIndex);
      args.push(decoded.value);
      at += decoded.length;
    }
    let result: unknown;
    try {
      result = (extension.functions[fn.name] as (...a: unknown[]) => unknown)(...args);
    } catch (e) {
      return failed(decl, fn, fnIndex, e);
    }
    if (typeof (result as { then?: unknown } | null)?.then === 'function')
      return (result as Promise<unknown>).then(
        (value) => encode(decl, fn, fnIndex, value),
        (e: unknown) => failed(decl, fn, fnIndex, e),
      );
    return encode(decl, fn, fnIndex, result);
  }
}

// Outside the class so the synchronous path of `dispatch` creates no closures.
function failed(decl: ExtensionDecl, fn: FunctionDecl, fnIndex: number, e: unknown): ExtensionError {
  // By name too: an extensions module loaded apart (a pool worker importing it through tsx) has its own copy of the class.
  return e instanceof DispatchError || (e instanceof Error && e.name === 'DispatchError')
    ? extensionError('dispatch', decl.id, `${decl.name}::${fn.name}: ${e.message}`, fnIndex)
    : extensionError('exception', decl.id, `${decl.name}::${fn.name} threw: ${e instanceof Error ? e.message : String(e)}`, fnIndex);
}

function encode(decl: ExtensionDecl, fn: FunctionDecl, fnIndex: number, value: unknown): Uint8Array | ExtensionError {
  try {
    return encodeFast(fn.output, value) ?? fn.output.codec.enc(value as never);
  } catch (e) {
    return extensionError('exception', decl.id, `${decl.name}::${fn.name} returned a value its output type cannot encode: ${e instanceof Error ? e.message : String(e)}`, fnIndex);
  }
}
