import { decodeProgram } from '../../decoder/code.ts';
import { disassemble, disassemblySummary } from '../../decoder/disasm.ts';
import { UsageError, parseArgs } from '../args.ts';
import { PROGRAM_OPTIONS, PROGRAM_OPTIONS_HELP, loadProgram } from '../input.ts';
import { writeOut } from '../output.ts';

const HELP = `usage: pvm2js disasm <file> [options]

Prints every instruction, implicit traps included, as '{pc right-aligned in 8}: {polkavm's text}'.

options:
${PROGRAM_OPTIONS_HELP}
  --summary      also print the ISA, sizes, imports and exports first and the instruction count last
  --raw-regs     register names r0..r12 instead of ra, sp, t0, ...
  --unaliased    no aliases (ret, 'sp - 16', '[sp]'): every operand spelled out`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...PROGRAM_OPTIONS, summary: {}, 'raw-regs': {}, unaliased: {} }, HELP);
  if (args.positional.length !== 1) throw new UsageError('expected exactly one input file');
  const blob = loadProgram(args.positional[0]!, args);
  const code = decodeProgram(blob);
  const lines = disassemble(code, { nonAbiRegNames: args.flag('raw-regs'), unaliased: args.flag('unaliased') });
  const summary = args.flag('summary') ? disassemblySummary(blob, code) : undefined;
  const out = summary ? [...summary.head, ...lines, ...summary.tail] : lines;
  writeOut(out.join('\n') + '\n');
  return 0;
}
