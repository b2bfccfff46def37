// One pool worker: builds its own ExtensionsExecutor from the extensions module the embedder named
// (workerData), once, and answers queries with executeAsync. Outcomes (errors included) are values
// and cross the thread boundary by structured clone (bigints and byte arrays included).
import { workerData } from 'node:worker_threads';
import { ExtensionsExecutor, type Extension, type PvqExecutorConfig, type PvqOutcome, type PvqProgram } from '../pvq/index.ts';
import type { PvqTask, PvqWorkerData } from './index.ts';

/** What an extensions module exports: `extensions` (a list, or a function giving one, maybe async) and optionally `config`. */
interface ExtensionsModule {
  extensions: Extension[] | (() => Extension[] | Promise<Extension[]>);
  config?: PvqExecutorConfig;
}

let executor: Promise<ExtensionsExecutor> | undefined;
const programs = new Map<string, PvqProgram>();
const PROGRAMS_KEPT = 64;

/** A TypeScript extensions module goes through tsx (a dev dependency; install it to use one): the
 * loader hooks of the main thread do not reach a worker's dynamic imports on Node 20. */
async function load(specifier: string): Promise<unknown> {
  if (!/\.[cm]?ts$/.test(specifier)) return import(specifier);
  const api = 'tsx/esm/api';
  const { tsImport } = (await import(api)) as { tsImport: (specifier: string, parent: string) => Promise<unknown> };
  return tsImport(specifier, import.meta.url);
}

async function build(): Promise<ExtensionsExecutor> {
  const data = workerData as PvqWorkerData;
  const loaded = (await load(data.extensionsModule)) as Partial<ExtensionsModule>;
  if (loaded.extensions === undefined) throw new TypeError(`${data.extensionsModule} exports no 'extensions' (a list of extensions, or a function returning one)`);
  const extensions = typeof loaded.extensions === 'function' ? await loaded.extensions() : loaded.extensions;
  return new ExtensionsExecutor(extensions, { ...loaded.config, ...data.config });
}

export default async function run(task: PvqTask): Promise<PvqOutcome | PvqOutcome[]> {
  const ex = await (executor ??= build());
  let program: PvqProgram | Uint8Array | undefined = programs.get(task.hash);
  if (program === undefined) {
    const prepared = ex.executor.prepare(task.program);
    // A program that does not load is not kept: the query reports why.
    if ('hash' in prepared) {
      if (programs.size >= PROGRAMS_KEPT) programs.delete(programs.keys().next().value!);
      programs.set(task.hash, prepared);
      program = prepared;
    } else program = task.program;
  }
  if (task.args instanceof Uint8Array) return ex.executeAsync(program, task.args, task.gasLimit);
  const outcomes: PvqOutcome[] = [];
  for (const args of task.args) outcomes.push(await ex.executeAsync(program, args, task.gasLimit));
  return outcomes;
}
