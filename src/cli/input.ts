// Options shared by the commands that read a program: which container and which instruction set.
import { INPUT_FORMATS, MissingIsaError, hasBlobMagic, parseProgram, type InputFormat } from '../decoder/input.ts';
import type { ProgramBlob } from '../decoder/blob.ts';
import { Isa, parseIsaName, type IsaName } from '../decoder/isa.ts';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCompiledModule, readPrecompiled } from '../runtime/compiled.ts';
import { RuntimeError } from '../runtime/errors.ts';
import type { CostModelName } from '../gas/index.ts';
import { UsageError, readInputFile, type OptionSpec, type Parsed } from './args.ts';

export const PROGRAM_OPTIONS: Record<string, OptionSpec> = {
  isa: { value: true },
  format: { value: true },
};

export const PROGRAM_OPTIONS_HELP = `  --isa I        revive_v1 | latest32 | latest64 | jam_v1: the ISA of bare (non-PVM\\0) inputs,
                 which name none; a .polkavm blob's version byte decides its own
  --format F     polkavm | jam-program | jam-service; default: polkavm if the file starts with PVM\\0,
                 else jam-service for *.jam files and jam-program otherwise`;

/** What a program file holds: its bytes, and when it is a compiled module (`pvm2js compile`), the
 * container and ISA its code was made for (its code is then in the module cache, by ModuleId). */
export interface ProgramInput {
  readonly bytes: Uint8Array;
  readonly compiled?: { readonly format: InputFormat; readonly isa: IsaName; readonly costModel: CostModelName; readonly dynamicPaging: boolean };
  /** The imported compiled module (for `loadCompiled`), when the file is one. */
  readonly namespace?: unknown;
}

/** An ES module rather than a program: by extension, or text that starts with `export`. */
function looksLikeModule(path: string, bytes: Uint8Array): boolean {
  if (/\.(mjs|js)$/i.test(path)) return true;
  const start = new TextDecoder().decode(bytes.subarray(0, 16)).trimStart();
  return start.startsWith('export ') || start.startsWith('import ') || start.startsWith('//');
}

/**
 * Reads a program file: a program's bytes, or a compiled module written by `pvm2js compile`, which
 * is imported and recognised by its exports (not its name). A module that is not a pvm2js one, or
 * one from another pvm2js version or with edited bytes, is a UsageError naming what is wrong.
 */
export async function readProgramInput(path: string): Promise<ProgramInput> {
  const bytes = readInputFile(path);
  if (!looksLikeModule(path, bytes)) return { bytes };
  let namespace: unknown;
  try {
    namespace = await import(pathToFileURL(resolve(path)).href);
  } catch (e) {
    throw new UsageError(`${path} is not a pvm2js compiled module (importing it failed: ${(e as Error).message.split('\n')[0]})`);
  }
  if (!isCompiledModule(namespace))
    throw new UsageError(`${path} is not a pvm2js compiled module (it does not export link, compiler, moduleId and program; write one with 'pvm2js compile')`);
  try {
    const { namespace: ns, bytes: programBytes } = readPrecompiled(namespace);
    const { format, isa, costModel, dynamicPaging } = ns.options;
    return { bytes: programBytes, compiled: { format, isa, costModel, dynamicPaging }, namespace };
  } catch (e) {
    if (e instanceof RuntimeError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}

/** Reads and parses `path` as the --isa / --format options say (a compiled module names its own, and
 * the cost model and paging its code was made for); parse errors propagate as ProgramParseError. */
export async function loadProgramInput(path: string, args: Parsed): Promise<{ blob: ProgramBlob; compiled: ProgramInput['compiled']; namespace?: unknown }> {
  const input = await readProgramInput(path);
  if (!input.compiled) return { blob: parseInput(path, input.bytes, args), compiled: undefined };
  if (args.get('isa') !== undefined || args.get('format') !== undefined)
    throw new UsageError(`${path} is a compiled module: it names its own ISA (${input.compiled.isa}) and format (${input.compiled.format}); drop --isa / --format`);
  return { blob: parseProgram(input.bytes, { format: input.compiled.format, isa: parseIsaName(input.compiled.isa)! }), compiled: input.compiled, namespace: input.namespace };
}

/** Reads and parses `path` as the --isa / --format options say; parse errors propagate as ProgramParseError. */
export function loadProgram(path: string, args: Parsed): ProgramBlob {
  return parseInput(path, readInputFile(path), args);
}

function parseInput(path: string, bytes: Uint8Array, args: Parsed): ProgramBlob {
  const isaText = args.get('isa');
  const isa = isaText === undefined ? undefined : parseIsaName(isaText);
  if (isaText !== undefined && isa === undefined) throw new UsageError(`unknown ISA '${isaText}' (revive_v1, latest32, latest64, jam_v1)`);
  const formatText = args.get('format');
  if (formatText !== undefined && !INPUT_FORMATS.includes(formatText as InputFormat))
    throw new UsageError(`unknown format '${formatText}' (${INPUT_FORMATS.join(', ')})`);
  const isJam = /\.jam$/i.test(path);
  if (formatText === undefined && !hasBlobMagic(bytes)) {
    const notProgram = describeNonProgram(path, bytes);
    if (notProgram !== undefined && (isa === undefined || bytes.length === 0)) throw new UsageError(notProgram);
  }
  try {
    return parseProgram(bytes, {
      format: formatText as InputFormat | undefined,
      bareFormat: isJam ? 'jam-service' : 'jam-program',
      // JAM services and programs always use the JAM instruction set: a .jam file needs no --isa.
      isa: isa ?? (isJam ? Isa.JamV1 : undefined),
    });
  } catch (e) {
    if (e instanceof MissingIsaError)
      throw new UsageError(
        `${path} does not start with "PVM\\0", so it is not a .polkavm blob; if it is a bare JAM program, say which instruction set it uses with --isa (e.g. --isa jam_v1), or --format jam-service for a JAM service blob`,
      );
    throw e;
  }
}

/**
 * For commands that take only .polkavm blobs (query): a file that is no blob, or a malformed one, is a
 * one-line error naming the file (ProgramParseError carries the offset), before any executor sees it.
 */
export function checkPolkavmBlob(path: string, bytes: Uint8Array): void {
  if (!hasBlobMagic(bytes)) {
    throw new UsageError(describeNonProgram(path, bytes) ?? `${path} does not start with "PVM\\0": not a .polkavm blob`);
  }
  parseProgram(bytes, { format: 'polkavm' });
}

/** Why a file without the blob magic is no program at all (empty, text), or undefined when it may be a bare one. */
function describeNonProgram(path: string, bytes: Uint8Array): string | undefined {
  if (bytes.length === 0) return `${path} is empty, not a program`;
  if (!looksLikeText(bytes)) return undefined;
  const hint = /\.(s|asm|pvmasm|txt)$/i.test(path) ? "; to assemble polkavm assembly text, run 'pvm2js asm'" : '';
  return `${path} is a text file, not a program blob (a .polkavm blob starts with "PVM\\0")${hint}`;
}

/** Valid UTF-8 with no control characters but tab, newline and carriage return, in its first 4 KiB. */
export function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 4096);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(head);
  } catch {
    // A multi-byte character cut at the 4 KiB edge is still text.
    if (head.length < bytes.length) {
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - 3));
      } catch {
        return false;
      }
    } else return false;
  }
  return !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(text);
}
