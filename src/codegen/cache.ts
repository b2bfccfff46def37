// The module cache: compiled code keyed by ModuleId = BLAKE3 of (compiler version, code generation
// options, the module options that shape the code, the per-block gas costs, the blob bytes). Two
// modules made from the same bytes with the same options share one compilation; instantiating is
// then cheap.
//
// The ModuleId covers the code only: the compiler, the program bytes, the ISA, the cost model (its
// block costs) and dynamic paging. The memory layout (stack size, aux/args size, page size, heap) is
// read at run time (memory.ts) and the code always charges gas (an unmetered run gives it a counter
// that cannot run out, backend.ts), so neither splits the cache: a PVQ query with 10 bytes or 20 KB
// of args, metered or not, runs one compilation.

import { blake3 } from '@noble/hashes/blake3.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { ModuleImage } from '../machine/state.ts';
import { VERSION } from '../version.ts';
import { compileToJs, DEFAULT_REGION_SIZE, wholeProgramCopyRegionSize, type CodegenOptions, type CompiledJs, type LinkFunction } from './generate.ts';
import { analyse } from './program.ts';

/** Everything besides the blob bytes that changes the generated code. */
function codeShapingOptions(image: ModuleImage, options: CodegenOptions): string {
  return JSON.stringify({
    compiler: VERSION,
    regionSize: options.regionSize ?? DEFAULT_REGION_SIZE,
    copyRegionSize: wholeProgramCopyRegionSize(options),
    countSteps: options.countSteps ?? true,
    sourceMap: options.sourceMap ?? false,
    sourceName: options.sourceName ?? null,
    mapFile: options.mapFile ?? null,
    dynamicPaging: image.dynamicPaging,
    isa: image.code.isa,
  });
}

/** Ids already computed, per image and code-shaping options: hashing doom's megabyte costs ~40 ms,
 * and loading a compiled module asks for its id twice (the cache lookup and the check). */
const knownIds = new WeakMap<ModuleImage, Map<string, string>>();

export function moduleId(image: ModuleImage, options: CodegenOptions = {}): string {
  const shapeText = codeShapingOptions(image, options);
  let known = knownIds.get(image);
  const hit = known?.get(shapeText);
  if (hit !== undefined) return hit;
  const id = hashModule(image, shapeText);
  if (!known) knownIds.set(image, (known = new Map()));
  known.set(shapeText, id);
  return id;
}

function hashModule(image: ModuleImage, shapeText: string): string {
  const h = blake3.create();
  const shape = utf8ToBytes(shapeText);
  const lengths = new Uint32Array([shape.length, image.blockCosts.length, image.blob.bytes.length]);
  h.update(new Uint8Array(lengths.buffer));
  h.update(shape);
  h.update(new Uint8Array(image.blockCosts.buffer, image.blockCosts.byteOffset, image.blockCosts.byteLength));
  h.update(image.blob.bytes);
  return bytesToHex(h.digest());
}

const MAX_ENTRIES = 64;
/** Whole-program code generations run by compileCached since the process started (tests count them). */
let generations = 0;
const cache = new Map<string, CompiledJs>();
/** Generated code imported from a compiled module (`pvm2js compile`), waiting for its module. */
const precompiled = new Map<string, LinkFunction>();

/**
 * Offers already generated code for the ModuleId it was generated for: the next compilation of that
 * id takes it instead of generating (only the cheap analysis runs). The id covers the blob, the
 * options and the compiler version, so code made for anything else is never used.
 */
export function providePrecompiled(id: string, link: LinkFunction): void {
  precompiled.set(id, link);
  if (precompiled.size > MAX_ENTRIES) precompiled.delete(precompiled.keys().next().value!);
}

/** True when code for this ModuleId is at hand without evaluating text (imported, or already linked). */
export function hasPrecompiled(id: string): boolean {
  return precompiled.has(id) || cache.get(id)?.link !== undefined;
}

/** Compiles `image`, or returns the compilation made earlier for the same ModuleId. */
export function compileCached(image: ModuleImage, options: CodegenOptions = {}): CompiledJs {
  const id = moduleId(image, options);
  const hit = cache.get(id);
  if (hit) {
    // Most recently used last, so the oldest entry is the one evicted.
    cache.delete(id);
    cache.set(id, hit);
    return hit;
  }
  const link = precompiled.get(id);
  let js: CompiledJs;
  if (link) {
    precompiled.delete(id);
    const program = analyse(image, { regionSize: options.regionSize ?? DEFAULT_REGION_SIZE });
    // The text only on demand: copying doom's 16 MB of source out of the function costs milliseconds.
    js = {
      get code(): string {
        return link.toString();
      },
      map: undefined,
      program,
      link,
    };
  } else {
    js = compileToJs(image, options);
    generations++;
  }
  cache.set(id, js);
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return js;
}

/** Empties the cache (tests, long-running hosts that load many programs once). */
export function clearModuleCache(): void {
  cache.clear();
  precompiled.clear();
}

export const moduleCacheSize = (): number => cache.size;

/** How many times compileCached generated code (not served from the cache or a precompiled module). */
export const codeGenerationCount = (): number => generations;
