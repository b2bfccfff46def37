// How `pvm2js run` answers the guest's host calls: a module of host functions (`--host FILE.mjs`, one
// export per import name, called like the library's Linker functions), fixed answers per import
// (`--ecalli-ret NAME=V`) or for every import (`--ecalli-ret V`); anything else stops the run at the
// host call, named, with a hint.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { symbolText } from '../decoder/blob.ts';
import { Reg } from '../machine/state.ts';
import type { HostFunction, Instance, Module } from '../runtime/index.ts';
import { UsageError } from './args.ts';

export type HostAnswer = { readonly kind: 'function'; readonly fn: HostFunction; readonly source: string } | { readonly kind: 'value'; readonly value: bigint };

/** Host misuse inside a --host function (it threw, or returned a non-integer): one line, exit 2. */
export class HostFunctionError extends Error {
  override readonly name = 'HostFunctionError';
  readonly pvm2jsUserError = true;
}

export function importNames(module: Module): string[] {
  return module.blob.imports.map((symbol) => symbolText(symbol));
}

/** The answer for each import index (undefined: stop at that host call). */
export async function hostAnswers(
  module: Module,
  ecalliRets: readonly string[],
  hostPath: string | undefined,
  parseValue: (text: string, what: string) => bigint,
): Promise<(HostAnswer | undefined)[]> {
  const names = importNames(module);
  const known = (): string => (names.length > 0 ? names.join(', ') : 'it has none');
  let everyImport: bigint | undefined;
  const byName = new Map<string, HostAnswer>();
  for (const text of ecalliRets) {
    const eq = text.indexOf('=');
    if (eq < 0) {
      if (everyImport !== undefined) throw new UsageError(`--ecalli-ret ${text}: a value for every import was already given`);
      everyImport = parseValue(text, '--ecalli-ret');
      continue;
    }
    const name = text.slice(0, eq);
    if (!names.includes(name)) throw new UsageError(`--ecalli-ret ${text}: the program imports no '${name}' (imports: ${known()})`);
    if (byName.has(name)) throw new UsageError(`--ecalli-ret ${text}: '${name}' was already answered`);
    byName.set(name, { kind: 'value', value: parseValue(text.slice(eq + 1), `--ecalli-ret ${name}`) });
  }
  if (hostPath !== undefined) {
    for (const [name, fn] of Object.entries(await loadHostModule(hostPath))) {
      if (!names.includes(name)) throw new UsageError(`--host ${hostPath}: it exports '${name}', which the program does not import (imports: ${known()})`);
      if (byName.has(name)) throw new UsageError(`--host ${hostPath} exports '${name}', which --ecalli-ret ${name}=... also answers; give one`);
      byName.set(name, { kind: 'function', fn, source: hostPath });
    }
  }
  return names.map((name) => byName.get(name) ?? (everyImport === undefined ? undefined : { kind: 'value', value: everyImport }));
}

async function loadHostModule(path: string): Promise<Record<string, HostFunction>> {
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(resolve(path)).href)) as Record<string, unknown>;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && !(e as Error).message.includes('imported from')) throw new UsageError(`--host ${path}: no such file`);
    throw new UsageError(`--host ${path}: importing it failed: ${(e as Error).message.split('\n')[0]}`);
  }
  const functions: Record<string, HostFunction> = {};
  for (const [name, value] of Object.entries(namespace)) {
    if (typeof value !== 'function') throw new UsageError(`--host ${path}: export '${name}' is not a function (each export answers the import of that name)`);
    functions[name] = value as HostFunction;
  }
  if (Object.keys(functions).length === 0) throw new UsageError(`--host ${path}: it exports no functions`);
  return functions;
}

/** Runs the answer for host call `index`: A0 gets the value (a function may also change registers and memory itself). */
export function answerHostCall(instance: Instance, index: number, answer: HostAnswer, name: string): string {
  if (answer.kind === 'value') {
    instance.setReg(Reg.A0, answer.value);
    return `a0 = ${answer.value}`;
  }
  let result: unknown;
  try {
    result = answer.fn(instance, index);
  } catch (e) {
    throw new HostFunctionError(`the host function '${name}' (${answer.source}) threw at pc ${instance.programCounter() ?? '?'}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function')
    throw new HostFunctionError(`the host function '${name}' (${answer.source}) returned a Promise; host functions of 'pvm2js run' are synchronous`);
  try {
    instance.answerHostCall(index, result);
  } catch (e) {
    throw new HostFunctionError(`${(e as Error).message} (${answer.source})`);
  }
  return result === undefined ? 'returned nothing' : `a0 = ${instance.reg(Reg.A0)}`;
}
