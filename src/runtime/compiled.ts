// Compiled modules: a program's generated JavaScript written out as an ES module (`pvm2js compile`)
// and loaded back with `loadCompiled(await import(file))`, which runs it without generating code again.
//
// The module exports the generated `link` function (first, so the source map's lines are the file's)
// and what a loader needs besides: the program's bytes (its data sections seed guest memory, and the
// interpreter the compiled backend falls back on reads its instructions), the options the code was
// generated for, the ModuleId (codegen/cache.ts) they hash to with the compiler version, and the
// tables the compiled backend runs on (codegen/stored.ts: pcs, blocks, regions, labels, jump table),
// so that `loadCompiled` decodes, analyses and hashes nothing: it reads the tables, checks their
// checksum (which also covers the program, the options and the ModuleId) and links the module's own
// code. The program is decoded only when the interpreter fallback first needs it (step tracing, a
// host moving the pc into a block). Memory map, exports, jump table and block costs are exported for
// tools to read.
//
// Only `link` is code from the code generator (numbers and fixed names); everything else is data,
// written with JSON.stringify (export names are the only text from the blob).

import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { compileCached, compileToJs, moduleId, providePrecompiled, type LinkFunction } from '../codegen/index.ts';
import { decodeBase64, encodeBase64, loadStoredModule, packTables, sealTables, StoredTablesError, unpackTables } from '../codegen/stored.ts';
import type { InputFormat } from '../decoder/input.ts';
import { INPUT_FORMATS, parseProgram } from '../decoder/input.ts';
import { isaName, parseIsaName, type IsaName } from '../decoder/isa.ts';
import { COST_MODEL_NAMES, isCostModelName, type CostModelName } from '../gas/index.ts';
import type { GasMetering } from '../machine/state.ts';
import { VERSION } from '../version.ts';
import { getBackend } from './backends.ts';
import { RuntimeError } from './errors.ts';
import { Module, type ModuleOptions } from './module.ts';

/** Bumped when the exports of a compiled module change meaning (2: the stored tables). */
export const COMPILED_MODULE_FORMAT = 2;

/** The options a compiled module's code was generated for; loading uses exactly these. */
export interface CompiledModuleOptions {
  readonly format: InputFormat;
  readonly isa: IsaName;
  readonly gasMetering: GasMetering | null;
  readonly costModel: CostModelName;
  readonly dynamicPaging: boolean;
}

/** The namespace object of an imported compiled module. */
export interface CompiledModuleNamespace {
  readonly link: LinkFunction;
  readonly format: number;
  readonly compiler: string;
  readonly moduleId: string;
  readonly options: CompiledModuleOptions;
  readonly memoryMap: Readonly<Record<string, number>>;
  readonly guestExports: readonly { readonly name: string; readonly pc: number }[];
  /** Jump table targets (code offsets). */
  readonly jumpTable: readonly number[];
  /** Pairs (pc of a block start, its gas cost), in code order. */
  readonly blockCosts: readonly number[];
  /** The program's bytes, base64. */
  readonly program: string;
  /** BLAKE3 of the program's bytes (hex): tells edited bytes from edited options. */
  readonly programHash: string;
  /** What the compiled backend runs on, base64 (codegen/stored.ts), with a checksum over them, the
   * program, the options and the ModuleId. */
  readonly tables: string;
}

export interface CompileModuleOptions {
  /** The input container; default: polkavm for `PVM\0` bytes, else jam-program. */
  readonly format?: InputFormat;
  /** The ISA of a bare input (a `.polkavm` container names its own). */
  readonly isa?: IsaName;
  readonly gasMetering?: GasMetering;
  readonly costModel?: CostModelName;
  readonly dynamicPaging?: boolean;
  /** Also build a source map, and end the module with a `sourceMappingURL` comment naming `mapUrl`. */
  readonly sourceMap?: boolean;
  /** The program's name in the source map (default 'program.polkavm'). */
  readonly sourceName?: string;
  /** The module's own file name (the map's `file`). */
  readonly fileName?: string;
  /** How the module refers to its map (default: `fileName` + '.map'). */
  readonly mapUrl?: string;
  /** Called after each region of generated code (done, total): progress for long compilations. */
  readonly onProgress?: (regionsDone: number, regionCount: number) => void;
}

export interface CompiledModuleText {
  /** The ES module. */
  readonly code: string;
  /** Source map v3 JSON, when asked for. */
  readonly map: string | undefined;
  readonly moduleId: string;
}

/** Generates a program's code and writes it out as an ES module (see the top of this file). */
export function compileModule(bytes: Uint8Array, options: CompileModuleOptions = {}): CompiledModuleText {
  if (options.costModel !== undefined && !isCostModelName(options.costModel))
    throw new RuntimeError('bad-option', `unknown cost model '${String(options.costModel)}' (${COST_MODEL_NAMES.join(', ')})`);
  // The interpreter backend only prepares; the compiled backend would generate the code a second time.
  const module = Module.fromBytes(bytes, {
    backend: 'interpreter',
    ...(options.format ? { format: options.format } : {}),
    ...(options.isa ? { isa: options.isa } : {}),
    gasMetering: options.gasMetering,
    costModel: options.costModel ?? 'naive',
    dynamicPaging: options.dynamicPaging ?? false,
  });
  const image = module.image;
  const js = compileToJs(image, {
    sourceMap: options.sourceMap ?? false,
    ...(options.sourceName ? { sourceName: options.sourceName } : {}),
    ...(options.fileName ? { mapFile: options.fileName } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  // The id the compiled backend computes when it loads this program with these options.
  const id = moduleId(image);
  const recorded: CompiledModuleOptions = {
    format: module.blob.format,
    isa: isaName(module.blob.isa),
    gasMetering: image.gasMetering ?? null,
    costModel: options.costModel ?? 'naive',
    dynamicPaging: image.dynamicPaging,
  };
  const code = image.code;
  const blockCosts: number[] = [];
  for (let i = 0; i < code.count; i++) if (code.blockStart[i]) blockCosts.push(code.pc[i]!, image.blockCosts[i]!);
  const data = (name: string, value: unknown): string => `export const ${name} = ${JSON.stringify(value)};\n`;
  const parts = [
    // `js.code` starts with a line of wrapper text that has no mappings: a prefix on it moves nothing.
    `export const link = ${js.code}`,
    '// A pvm2js compiled module. Run it with loadCompiled(await import(<this file>)) from pvm2js.\n',
    data('format', COMPILED_MODULE_FORMAT),
    data('compiler', VERSION),
    data('moduleId', id),
    data('options', recorded),
    data('memoryMap', image.memoryMap),
    data('guestExports', module.blob.exports.map((e) => ({ name: e.name, pc: e.pc }))),
    data('jumpTable', Array.from(module.blob.jumpTable)),
    data('blockCosts', blockCosts),
    data('program', encodeBase64(bytes)),
    data('programHash', programHash(bytes)),
    data('tables', encodeBase64(sealTables(packTables(js.program), checksummed(recorded, id, bytes)))),
  ];
  if (js.map !== undefined) parts.push(`//# sourceMappingURL=${encodeURI(options.mapUrl ?? `${options.fileName ?? 'module.mjs'}.map`)}\n`);
  return { code: parts.join(''), map: js.map, moduleId: id };
}

/** What a host may still choose when loading: options that do not change the generated code. */
export interface LoadCompiledOptions extends Pick<ModuleOptions, 'stepTracing' | 'memoryLimit' | 'readOnlyWrite'> {
  /** Gas metering for this Module: as the module was compiled for when absent, none for `null`. The
   * code is the same metered or not (the ModuleId does not cover it), so this needs no other code. */
  readonly gasMetering?: GasMetering | null;
}

/**
 * A runnable Module from an imported compiled module (`await import('./out.mjs')`): the compiled
 * backend runs the module's own `link` instead of generating code. Throws a RuntimeError 'bad-option'
 * for an object that is not a compiled module, one from another compiler version or format, or one
 * whose stored tables, options, ModuleId or program were edited or corrupted (the tables' checksum).
 * Decodes nothing: the program is decoded when the interpreter fallback first needs it.
 */
export function loadCompiled(namespace: unknown, options: LoadCompiledOptions = {}): Module {
  const ns = checkNamespace(namespace);
  providePrecompiled(ns.moduleId, ns.link);
  const bytes = fromBase64(ns.program);
  const tables = decodeBase64(ns.tables);
  if (tables === undefined) throw new RuntimeError('bad-option', 'not a pvm2js compiled module: its tables are not base64');
  const isa = parseIsaName(ns.options.isa)!;
  const blob = parseProgram(bytes, { format: ns.options.format, isa });
  let stored;
  try {
    stored = unpackTables(tables, blob, checksummed(ns.options, ns.moduleId, bytes));
  } catch (e) {
    if (!(e instanceof StoredTablesError)) throw e;
    // Only a refused module pays for the program hash that tells edited bytes from the rest.
    checkProgramHash(ns, bytes);
    throw new RuntimeError('bad-option', `compiled module: ${e.message}`);
  }
  const program = stored.program;
  const fallback = getBackend('interpreter');
  return Module.fromPrepared(
    blob,
    {
      stepTracing: options.stepTracing ?? false,
      ...(options.memoryLimit !== undefined ? { memoryLimit: options.memoryLimit } : {}),
      ...(options.readOnlyWrite !== undefined ? { readOnlyWrite: options.readOnlyWrite } : {}),
      backend: 'compiled',
      format: ns.options.format,
      isa,
      gasMetering: (options.gasMetering === undefined ? ns.options.gasMetering : options.gasMetering) ?? undefined,
      costModel: ns.options.costModel,
      dynamicPaging: ns.options.dynamicPaging,
    },
    {
      code: program.code,
      // Made on first read (the interpreter fallback): the compiled backend looks costs up in the tables.
      get blockCosts(): Uint32Array {
        return stored.blockCosts;
      },
      load: (image) => loadStoredModule(image, stored, ns.link, fallback),
    },
  );
}

/** What the tables' checksum covers besides the tables: the program, the options and the ModuleId. */
function checksummed(o: CompiledModuleOptions, id: string, bytes: Uint8Array): Uint8Array[] {
  const text = JSON.stringify([o.format, o.isa, o.gasMetering, o.costModel, o.dynamicPaging, id]);
  return [bytes, new TextEncoder().encode(text)];
}

function checkProgramHash(ns: CompiledModuleNamespace, bytes: Uint8Array): void {
  const hash = programHash(bytes);
  if (hash !== ns.programHash)
    throw new RuntimeError('bad-option', `compiled module: its program bytes were edited (BLAKE3 ${hash}, the code was made for ${ns.programHash}): compile it again`);
}

const programHash = (bytes: Uint8Array): string => bytesToHex(blake3(bytes));

/** A checked compiled module and its program's bytes. */
export interface PrecompiledProgram {
  readonly namespace: CompiledModuleNamespace;
  readonly bytes: Uint8Array;
}

const readCache = new WeakMap<object, PrecompiledProgram>();

/**
 * Checks an imported compiled module and offers its code to the module cache under its ModuleId, so
 * that any Module made later from its bytes with its options (a PVQ query, the virt front, the CLI)
 * runs it instead of generating code. Throws a RuntimeError 'bad-option' naming what differs: not a
 * compiled module, another format or compiler version, or program bytes that are not the ones the
 * code was made for.
 */
export function readPrecompiled(namespace: unknown): PrecompiledProgram {
  if (typeof namespace === 'object' && namespace !== null) {
    const known = readCache.get(namespace);
    if (known) {
      providePrecompiled(known.namespace.moduleId, known.namespace.link);
      return known;
    }
  }
  const ns = checkNamespace(namespace);
  const bytes = fromBase64(ns.program);
  checkProgramHash(ns, bytes);
  providePrecompiled(ns.moduleId, ns.link);
  const read = { namespace: ns, bytes };
  readCache.set(ns, read);
  return read;
}

/** Whether `namespace` looks like a pvm2js compiled module (its exports, not its file name). */
export function isCompiledModule(namespace: unknown): boolean {
  if (typeof namespace !== 'object' || namespace === null) return false;
  const ns = namespace as Record<string, unknown>;
  return typeof ns.link === 'function' && typeof ns.compiler === 'string' && typeof ns.moduleId === 'string' && typeof ns.program === 'string';
}

/**
 * Generates `bytes`' code now and keeps it in the in-memory module cache, so the first Module made
 * from the same bytes with the same code-shaping options (ISA, cost model, dynamic paging) links it
 * without generating. Metering and memory layout do not matter (codegen/cache.ts). Returns the
 * ModuleId.
 */
export function precompile(bytes: Uint8Array, options: PrecompileOptions = {}): string {
  // The interpreter backend only prepares the image; the compiled backend's own options are the defaults.
  const module = Module.fromBytes(bytes, { ...options, backend: 'interpreter' });
  compileCached(module.image);
  return moduleId(module.image);
}

/** The module options that shape the code; the others (metering, memory layout) need no code of their own. */
export type PrecompileOptions = Pick<ModuleOptions, 'format' | 'isa' | 'costModel' | 'dynamicPaging'>;

function checkNamespace(namespace: unknown): CompiledModuleNamespace {
  const bad = (what: string): never => {
    throw new RuntimeError('bad-option', `not a pvm2js compiled module: ${what}`);
  };
  if (typeof namespace !== 'object' || namespace === null) return bad('expected the namespace object of an imported module');
  const ns = namespace as Partial<CompiledModuleNamespace>;
  if (ns.format !== COMPILED_MODULE_FORMAT) return bad(`format ${String(ns.format)}, expected ${COMPILED_MODULE_FORMAT}`);
  if (ns.compiler !== VERSION) throw new RuntimeError('bad-option', `compiled module made by pvm2js ${String(ns.compiler)}; this is ${VERSION}: compile it again`);
  if (typeof ns.link !== 'function') return bad('no link function');
  if (typeof ns.moduleId !== 'string') return bad('no moduleId');
  if (typeof ns.program !== 'string') return bad('no program');
  if (typeof ns.programHash !== 'string') return bad('no programHash');
  if (typeof ns.tables !== 'string') return bad('no tables');
  const o = ns.options;
  if (
    typeof o !== 'object' ||
    o === null ||
    !INPUT_FORMATS.includes(o.format) ||
    parseIsaName(o.isa) === undefined ||
    !(o.gasMetering === null || o.gasMetering === 'sync' || o.gasMetering === 'async') ||
    !isCostModelName(o.costModel) ||
    typeof o.dynamicPaging !== 'boolean'
  )
    return bad('malformed options');
  return ns as CompiledModuleNamespace;
}

// Base64 without atob/btoa (codegen/stored.ts): faster, and the same in Node and browsers.
export const toBase64 = encodeBase64;

export function fromBase64(text: string): Uint8Array {
  const bytes = decodeBase64(text);
  if (bytes === undefined) throw new RuntimeError('bad-option', 'not a pvm2js compiled module: its program is not base64');
  return bytes;
}
