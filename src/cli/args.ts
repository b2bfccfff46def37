// Small, strict argument parsing shared by every subcommand: unknown options and missing values are
// usage errors (exit 2), never silently ignored.
import { readFileSync } from 'node:fs';
import { ProgramParseError } from '../decoder/errors.ts';
import { writeOut } from './output.ts';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  /** Takes a value (`--gas 100` or `--gas=100`). */
  value?: boolean;
  /** May be given more than once (values collected in order). */
  repeat?: boolean;
  short?: string;
}

export interface Parsed {
  positional: string[];
  options: Map<string, string[]>;
  flag(name: string): boolean;
  get(name: string): string | undefined;
}

export function parseArgs(argv: string[], spec: Record<string, OptionSpec>, helpText: string): Parsed {
  const positional: string[] = [];
  const options = new Map<string, string[]>();
  const shorts = new Map<string, string>();
  for (const [name, s] of Object.entries(spec)) if (s.short) shorts.set(s.short, name);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') {
      writeOut(helpText.trimEnd() + '\n');
      throw new HelpShown();
    }
    if (arg === '--') {
      positional.push(...argv.slice(i + 1));
      break;
    }
    let name: string | undefined;
    let inline: string | undefined;
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      name = eq >= 0 ? arg.slice(2, eq) : arg.slice(2);
      inline = eq >= 0 ? arg.slice(eq + 1) : undefined;
    } else if (/^-[a-zA-Z]$/.test(arg)) {
      name = shorts.get(arg.slice(1));
      if (!name) throw new UsageError(`unknown option '${arg}'`);
    } else {
      positional.push(arg);
      continue;
    }
    const s = spec[name];
    if (!s) throw new UsageError(`unknown option '--${name}'`);
    let value = 'true';
    if (s.value) {
      if (inline !== undefined) value = inline;
      else {
        const next = argv[++i];
        if (next === undefined) throw new UsageError(`option '--${name}' needs a value`);
        value = next;
      }
    } else if (inline !== undefined) throw new UsageError(`option '--${name}' takes no value`);
    const list = options.get(name) ?? [];
    if (list.length > 0 && !s.repeat) throw new UsageError(`option '--${name}' given more than once`);
    list.push(value);
    options.set(name, list);
  }
  return {
    positional,
    options,
    flag: (n) => options.has(n),
    get: (n) => options.get(n)?.[0],
  };
}

/** Thrown after --help was printed; commands return 0 for it. */
export class HelpShown extends Error {}

export function readInputFile(path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ENOENT') throw new UsageError(`no such file: ${path}`);
    if (code === 'EISDIR') throw new UsageError(`${path} is a directory, not a file`);
    if (code === 'EACCES') throw new UsageError(`permission denied: ${path}`);
    throw new UsageError(`cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Known error types become one line for stderr; anything else is a bug and is rethrown. */
export function formatError(e: unknown): string | undefined {
  if (e instanceof ProgramParseError) return e.message;
  if (e instanceof Error && (e as { pvm2jsUserError?: boolean }).pvm2jsUserError) return e.message;
  return undefined;
}

/** A gas amount: a non-negative integer up to i64::MAX (polkavm's gas is an i64; a negative start means nothing). */
export function parseGasArg(text: string, what: string): bigint {
  if (!/^(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) {
    if (/^-(0x[0-9a-fA-F]+|[0-9]+)$/.test(text)) throw new UsageError(`${what} ${text} is negative; gas is a non-negative integer (at most 9223372036854775807)`);
    throw new UsageError(`${what} '${text}' is not a number (decimal or 0x hex)`);
  }
  const v = BigInt(text);
  if (v >= 1n << 63n) throw new UsageError(`${what} ${text} is more than i64::MAX (9223372036854775807)`);
  return v;
}
