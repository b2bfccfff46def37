import { readFileSync, writeFileSync } from 'node:fs';
import { assemble } from '../../assembler/assemble.ts';
import { hasBlobMagic } from '../../decoder/input.ts';
import { parseIsaName } from '../../decoder/isa.ts';
import { UsageError, parseArgs, readInputFile } from '../args.ts';
import { looksLikeText } from '../input.ts';
import { writeOut } from '../output.ts';

const HELP = `usage: pvm2js asm <in.txt> -o <out.polkavm> [options]

Assembles polkavm assembly text (the syntax of polkavm's assembler and disassembler) into a .polkavm
blob, byte-identical with polkavm's own assembler for every program it accepts.

options:
  -o, --output <file>   where to write the blob (required; '-' writes to stdout)
  --isa <name>          jam_v1, latest32, latest64 (default) or revive_v1. As with polkavm's
                        assembler, a '%isa = ...' line in the file takes precedence over this.
  --exact-cmov          assemble 'd = s if c != 0' to cmov_if_not_zero; by default it becomes
                        cmov_if_zero, as polkavm's assembler does (needed to reassemble disassembly)`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { output: { value: true, short: 'o' }, isa: { value: true }, 'exact-cmov': {} }, HELP);
  if (args.positional.length !== 1) throw new UsageError('expected exactly one input file');
  const output = args.get('output');
  if (output === undefined) throw new UsageError('missing -o <out.polkavm>');
  const isaText = args.get('isa') ?? 'latest64';
  const isa = parseIsaName(isaText);
  if (isa === undefined) throw new UsageError(`unknown ISA '${isaText}' (expected jam_v1, latest32, latest64 or revive_v1)`);

  const input = args.positional[0]!;
  const raw = input === '-' ? new Uint8Array(readFileSync(0)) : readInputFile(input);
  // Binary input (a .polkavm blob given by mistake) would otherwise be reported as garbage at line 1.
  if (raw.length === 0) throw new UsageError(`${input} is empty: there is no assembly to assemble`);
  if (hasBlobMagic(raw)) throw new UsageError(`${input} is a program blob, not assembly text (to see its instructions, run 'pvm2js disasm ${input}')`);
  if (!looksLikeText(raw)) throw new UsageError(`${input} is not text (it is not UTF-8, or has control characters): expected polkavm assembly`);
  const text = new TextDecoder('utf-8').decode(raw);
  let bytes: Uint8Array;
  try {
    bytes = assemble(text, { isa, exactCmov: args.flag('exact-cmov') });
  } catch (e) {
    // Name the file, as compilers do: "in.txt: at line 3, column 5: ...".
    if (e instanceof Error && (e as { pvm2jsUserError?: boolean }).pvm2jsUserError) e.message = `${input}: ${e.message}`;
    throw e;
  }
  if (output === '-') writeOut(bytes);
  else {
    try {
      writeFileSync(output, bytes);
    } catch (e) {
      throw new UsageError(`cannot write ${output}: ${(e as Error).message}`);
    }
  }
  return 0;
}
