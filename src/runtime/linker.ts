// Linker: host functions bound by import symbol (polkavm `Linker::define_typed` / `define_fallback`).
// `ecalli n` calls the function bound to the module's import n; an import with nothing bound traps.

import { symbolText } from '../decoder/blob.ts';
import type { HostFunction, Instance } from './instance.ts';
import type { Module } from './module.ts';

export class Linker {
  private readonly functions = new Map<string, HostFunction>();
  private fallback: ((name: string) => HostFunction | undefined) | undefined;

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
    const instance = module.instantiate();
    instance.hostFunctions = module.blob.imports.map((symbol) => {
      const name = symbolText(symbol);
      return this.functions.get(name) ?? this.fallback?.(name);
    });
    return instance;
  }
}
