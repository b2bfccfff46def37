// The registry of execution backends. The runtime sits above both backends (ARCHITECTURE.md), so it
// is the one place that names them; neither backend imports the runtime.

import { createCompiledBackend } from '../codegen/index.ts';
import { interpreterBackend } from '../interpreter/index.ts';
import type { Backend } from '../machine/state.ts';
import { RuntimeError } from './errors.ts';

export type BackendName = 'compiled' | 'interpreter';
export const BACKEND_NAMES: readonly BackendName[] = ['compiled', 'interpreter'];

// The compiled backend hands the rare entries it has no compiled case for (and step tracing) to the interpreter.
const registry = new Map<string, Backend>([
  ['interpreter', interpreterBackend],
  ['compiled', createCompiledBackend(interpreterBackend)],
]);

/** Adds or replaces a backend (the compiled backend, or a test double wrapping another backend). */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

export function hasBackend(name: string): boolean {
  return registry.has(name);
}

/** The backend used when the options name none: the compiled one when it is built, else the interpreter. */
export function defaultBackendName(): BackendName {
  return registry.has('compiled') ? 'compiled' : 'interpreter';
}

export function getBackend(name: string): Backend {
  const backend = registry.get(name);
  if (backend) return backend;
  if (name === 'compiled')
    throw new RuntimeError('backend-unavailable', "the compiled backend is not built yet (src/codegen); use backend 'interpreter'");
  throw new RuntimeError('bad-option', `unknown backend '${name}' (expected one of: ${BACKEND_NAMES.join(', ')})`);
}
