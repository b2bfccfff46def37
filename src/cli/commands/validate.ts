import { decodeProgram } from '../../decoder/code.ts';
import { ProgramParseError } from '../../decoder/errors.ts';
import { isaName } from '../../decoder/isa.ts';
import { UsageError, parseArgs } from '../args.ts';
import { PROGRAM_OPTIONS, PROGRAM_OPTIONS_HELP, loadProgram } from '../input.ts';
import { writeOut } from '../output.ts';

const HELP = `usage: pvm2js validate <file...> [options]

Parses and decodes each file; prints '<file>: ok' or '<file>: <error>' per file.
Exits 2 if any file fails.

options:
${PROGRAM_OPTIONS_HELP}`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, PROGRAM_OPTIONS, HELP);
  if (args.positional.length === 0) throw new UsageError('expected at least one input file');
  let failed = 0;
  for (const path of args.positional) {
    try {
      const blob = loadProgram(path, args);
      const code = decodeProgram(blob);
      writeOut(`${path}: ok (${isaName(blob.isa)}, ${code.count} instructions)\n`);
    } catch (e) {
      // Per-file problems (bad bytes, unreadable file, bare input without --isa) are reported and counted;
      // anything else is a bug and propagates.
      if (!(e instanceof ProgramParseError || e instanceof UsageError)) throw e;
      failed++;
      writeOut(`${path}: ${e.message}\n`);
    }
  }
  return failed ? 2 : 0;
}
