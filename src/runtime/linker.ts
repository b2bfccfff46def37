// Linker: host functions bound by import symbol (polkavm `Linker::define_typed` / `define_fallback`).
// `ecalli n` calls the function bound to the module's import n. As in polkavm, instantiating a module
// with an import the linker cannot resolve fails, naming it (a misspelled `define` would otherwise only
// show up as a trap much later); with `allowUnresolvedImports` it instantiates and calling the
// unresolved import traps.

import { symbolText } from '../decoder/blob.ts';
import { RuntimeError } from './errors.ts';
import type { HostFunction, Instance } from './instance.ts';
import type { Module } from './module.ts';

export interface LinkerOptions {
  /** Instantiate even when an import has no host function; calling it then traps. Default false (polkavm's default too). */
  allowUnresolvedImports?: boolean;
}

export class Linker {
  private readonly functions = new Map<string, HostFunction>();
  private fallback: ((name: string) => HostFunction | undefined) | undefined;
  private readonly allowUnresolvedImports: boolean;

  constructor(options: LinkerOptions = {}) {
    this.allowUnresolvedImports = options.allowUnresolvedImports ?? false;
  }

  /** Binds `fn` to the import named `name`; a later definition replaces an earlier one. */
  define(name: string, fn: HostFunction): this {
    this.functions.set(name, fn);
    return this;
  }

  /** Supplies a host function for imports that `define` did not bind (return undefined to leave one unbound). */
  defineFallback(resolve: (name: string) => HostFunction | undefined): this {
    this.fallback = resolve;
    return this;
  }

  /** An instance whose `call` dispatches host calls through this linker's bindings. */
  instantiate(module: Module): Instance {
    const hostFunctions = module.blob.imports.map((symbol, index) => {
      const name = symbolText(symbol);
      const fn = this.functions.get(name) ?? this.fallback?.(name);
      if (fn === undefined && !this.allowUnresolvedImports) throw this.unresolved(name, index);
      return fn;
    });
    const instance = module.instantiate();
    instance.hostFunctions = hostFunctions;
    return instance;
  }

  private unresolved(name: string, index: number): RuntimeError {
    const defined = [...this.functions.keys()];
    const near = defined.filter((d) => editDistance(d, name) <= 2);
    const hint = near.length > 0 ? ` (did you mean to define '${name}' rather than '${near[0]}'?)` : defined.length > 0 ? ` (it defines: ${defined.join(', ')})` : '';
    return new RuntimeError(
      'unresolved-import',
      `failed to instantiate: the module imports '${name}' (import #${index}) and the linker has no host function for it${hint}; define it, or pass { allowUnresolvedImports: true } to let calls to it trap`,
    );
  }
}

/** Levenshtein distance, for naming the definition a misspelled import probably meant. */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
