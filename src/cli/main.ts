#!/usr/bin/env node
// The pvm2js command. Each subcommand lives in commands/<name>.ts and exports `run(argv): Promise<number>`
// returning the exit code: 0 ok, 1 a guest outcome other than finished, 2 usage or parse errors.
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HelpShown, UsageError, formatError } from './args.ts';
import { OutputClosed, writeErr, writeOut } from './output.ts';

const COMMANDS: Record<string, { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> }> = {
  run: { summary: 'run an export of a program and print the outcome', load: () => import('./commands/run.ts') },
  compile: { summary: 'compile a program to a JavaScript ES module (+ source map)', load: () => import('./commands/compile.ts') },
  disasm: { summary: 'print every instruction of a program', load: () => import('./commands/disasm.ts') },
  asm: { summary: 'assemble polkavm assembly text into a .polkavm blob', load: () => import('./commands/asm.ts') },
  info: { summary: 'print what a program contains (ISA, sizes, imports, exports, counts)', load: () => import('./commands/info.ts') },
  query: { summary: 'run a PVQ query program', load: () => import('./commands/query.ts') },
  validate: { summary: 'check that a program parses and decodes', load: () => import('./commands/validate.ts') },
  demo: { summary: 'assemble, compile and run the bundled example program', load: () => import('./commands/demo.ts') },
  'serve-playground': { summary: 'serve the playground page on 127.0.0.1 (prints its URL)', load: () => import('./commands/serve-playground.ts') },
};

function usage(): string {
  const lines = ['usage: pvm2js <command> [options]', '', 'commands:'];
  for (const [name, c] of Object.entries(COMMANDS)) lines.push(`  ${name.padEnd(18)}${c.summary}`);
  lines.push('', "run 'pvm2js <command> --help' for a command's options");
  return lines.join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    writeOut(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    const { VERSION } = await import('../version.ts');
    writeOut(`pvm2js ${VERSION}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    writeErr(`pvm2js: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  let module;
  try {
    module = await command.load();
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND') {
      writeErr(`pvm2js: the '${name}' command is not available in this build\n`);
      return 2;
    }
    throw e;
  }
  try {
    return await module.run(rest);
  } catch (e) {
    if (e instanceof HelpShown) return 0;
    // The reader took what it wanted (`| head`): not an error, and nothing more to say to it.
    if (e instanceof OutputClosed) return 0;
    if (e instanceof UsageError) {
      writeErr(`pvm2js ${name}: ${e.message}\n`);
      return 2;
    }
    const formatted = formatError(e);
    if (formatted !== undefined) {
      writeErr(`pvm2js ${name}: ${formatted}\n`);
      return 2;
    }
    throw e;
  }
}

/** True when this file is the process entry, also through an npm `bin` symlink. */
function isEntry(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}
if (isEntry()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      if (e instanceof OutputClosed) {
        process.exitCode = 0;
        return;
      }
      process.exitCode = 70;
      try {
        writeErr(`pvm2js: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      } catch {
        // stderr is gone too: the exit code is all that is left to say.
      }
    },
  );
}
