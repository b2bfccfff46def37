import type { ProgramBlob } from '../../decoder/blob.ts';
import { symbolText } from '../../decoder/blob.ts';
import { decodeProgram, type DecodedCode } from '../../decoder/code.ts';
import { isaName, type IsaName } from '../../decoder/isa.ts';
import { UsageError, parseArgs } from '../args.ts';
import { PROGRAM_OPTIONS, PROGRAM_OPTIONS_HELP, loadProgram } from '../input.ts';
import { writeOut } from '../output.ts';

const HELP = `usage: pvm2js info <file> [options]

Prints the ISA, memory configuration, section sizes, imports, exports and instruction counts.

options:
${PROGRAM_OPTIONS_HELP}
  --json         one JSON object instead of text`;

/** What `pvm2js info --json` prints; the keys are a stable interface. */
export interface ProgramInfo {
  isa: IsaName;
  /** Declared sizes (memory config), not the payload lengths. */
  roDataSize: number;
  rwDataSize: number;
  stackSize: number;
  /** Bytes of code (without bitmask and jump table). */
  codeSize: number;
  /** Import symbols in index order; non-UTF-8 bytes as `\xNN`. */
  imports: string[];
  exports: { name: string; pc: number }[];
  /** Decoded instructions, implicit traps and unknown opcodes included (polkavm's iterator count). */
  instructions: number;
  basicBlocks: number;
  jumpTableEntries: number;
}

export function programInfo(blob: ProgramBlob, code: DecodedCode): ProgramInfo {
  return {
    isa: isaName(blob.isa),
    roDataSize: blob.roDataSize,
    rwDataSize: blob.rwDataSize,
    stackSize: blob.stackSize,
    codeSize: blob.code.length,
    imports: blob.imports.map(symbolText),
    exports: blob.exports.map((e) => ({ name: e.name, pc: e.pc })),
    instructions: code.count,
    basicBlocks: code.blockCount,
    jumpTableEntries: blob.jumpTable.length,
  };
}

function text(blob: ProgramBlob, code: DecodedCode, info: ProgramInfo): string {
  const lines = [
    `format:        ${blob.format}`,
    `isa:           ${info.isa} (${blob.is64Bit ? '64' : '32'}-bit)`,
    `ro data:       ${info.roDataSize} bytes declared, ${blob.roData.length} bytes of payload`,
    `rw data:       ${info.rwDataSize} bytes declared, ${blob.rwData.length} bytes of payload`,
    `stack:         ${info.stackSize} bytes`,
  ];
  if (blob.extraRwPages) lines.push(`extra rw pages: ${blob.extraRwPages}`);
  lines.push(
    `code:          ${info.codeSize} bytes, bitmask ${blob.bitmask.length} bytes`,
    `jump table:    ${info.jumpTableEntries} entries of ${blob.jumpTableEntrySize} bytes`,
    `instructions:  ${info.instructions} (${code.unknownCount} unknown opcodes)`,
    `basic blocks:  ${info.basicBlocks}`,
  );
  const debug = blob.debugStrings.length + blob.debugLinePrograms.length + blob.debugLineProgramRanges.length;
  if (debug) lines.push(`debug info:    ${debug} bytes`);
  lines.push(`imports:       ${info.imports.length}`);
  info.imports.forEach((name, i) => lines.push(`  #${i} ${name}`));
  lines.push(`exports:       ${info.exports.length}`);
  for (const e of info.exports) lines.push(`  @${e.pc} ${e.name}`);
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...PROGRAM_OPTIONS, json: {} }, HELP);
  if (args.positional.length !== 1) throw new UsageError('expected exactly one input file');
  const blob = loadProgram(args.positional[0]!, args);
  const code = decodeProgram(blob);
  const info = programInfo(blob, code);
  writeOut((args.flag('json') ? JSON.stringify(info, null, 2) : text(blob, code, info)) + '\n');
  return 0;
}
