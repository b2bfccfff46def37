// Options shared by the commands that read a program: which container and which instruction set.
import { INPUT_FORMATS, MissingIsaError, parseProgram, type InputFormat } from '../decoder/input.ts';
import type { ProgramBlob } from '../decoder/blob.ts';
import { parseIsaName } from '../decoder/isa.ts';
import { UsageError, readInputFile, type OptionSpec, type Parsed } from './args.ts';

export const PROGRAM_OPTIONS: Record<string, OptionSpec> = {
  isa: { value: true },
  format: { value: true },
};

export const PROGRAM_OPTIONS_HELP = `  --isa I        revive_v1 | latest32 | latest64 | jam_v1: the ISA of bare (non-PVM\\0) inputs,
                 which name none; a .polkavm blob's version byte decides its own
  --format F     polkavm | jam-program | jam-service; default: polkavm if the file starts with PVM\\0,
                 else jam-service for *.jam files and jam-program otherwise`;

/** Reads and parses `path` as the --isa / --format options say; parse errors propagate as ProgramParseError. */
export function loadProgram(path: string, args: Parsed): ProgramBlob {
  const isaText = args.get('isa');
  const isa = isaText === undefined ? undefined : parseIsaName(isaText);
  if (isaText !== undefined && isa === undefined) throw new UsageError(`unknown ISA '${isaText}' (revive_v1, latest32, latest64, jam_v1)`);
  const formatText = args.get('format');
  if (formatText !== undefined && !INPUT_FORMATS.includes(formatText as InputFormat))
    throw new UsageError(`unknown format '${formatText}' (${INPUT_FORMATS.join(', ')})`);
  const bytes = readInputFile(path);
  try {
    return parseProgram(bytes, {
      format: formatText as InputFormat | undefined,
      bareFormat: path.endsWith('.jam') ? 'jam-service' : 'jam-program',
      isa,
    });
  } catch (e) {
    if (e instanceof MissingIsaError) throw new UsageError(`${path}: ${e.message}`);
    throw e;
  }
}
