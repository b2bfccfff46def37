import { BLOB_MAGIC, parseBlob, parseJamProgram, parseJamService, type ProgramBlob } from './blob.ts';
import type { Isa } from './isa.ts';

/** The containers a program can come in. */
export type InputFormat = ProgramBlob['format'];
export const INPUT_FORMATS: readonly InputFormat[] = ['polkavm', 'jam-program', 'jam-service'];

export function hasBlobMagic(bytes: Uint8Array): boolean {
  return BLOB_MAGIC.every((b, i) => bytes[i] === b);
}

export interface ParseProgramOptions {
  /** The container; default: `polkavm` when the input starts with `PVM\0`, else `bareFormat`. */
  format?: InputFormat;
  /** Used when the format is not given and the input has no magic; default `jam-program`. */
  bareFormat?: 'jam-program' | 'jam-service';
  /** The instruction set of a bare format (they do not name one); a `.polkavm` container's version byte decides its own. */
  isa?: Isa;
}

/** Thrown when the options cannot describe the input (no ISA for a bare program); host misuse, not a parse error. */
export class MissingIsaError extends Error {
  override readonly name = 'MissingIsaError';
}

/** Parses any supported container into a ProgramBlob (code not yet decoded). */
export function parseProgram(bytes: Uint8Array, options: ParseProgramOptions = {}): ProgramBlob {
  const format = options.format ?? (hasBlobMagic(bytes) ? 'polkavm' : (options.bareFormat ?? 'jam-program'));
  if (format === 'polkavm') return parseBlob(bytes);
  if (options.isa === undefined) throw new MissingIsaError(`a bare ${format} input names no instruction set; say which one it uses (the isa option)`);
  return format === 'jam-service' ? parseJamService(bytes, options.isa) : parseJamProgram(bytes, options.isa);
}
