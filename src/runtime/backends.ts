// The registry of execution backends. The runtime sits above both backends (ARCHITECTURE.md), so it
// is the one place that names them; neither backend imports the runtime.

import { createCompiledBackend } from '../codegen/index.ts';
import { interpreterBackend } from '../interpreter/index.ts';
import { createTieredBackend } from '../tiered/index.ts';
import type { Backend } from '../machine/state.ts';
import { RuntimeError } from './errors.ts';

/** 'tiered' (the default): interpreter first, hot regions compiled as they get hot. 'compiled': the
 * whole program compiled before the first instruction. 'interpreter': the reference interpreter. */
export type BackendName = 'tiered' | 'compiled' | 'interpreter';
export const BACKEND_NAMES: readonly BackendName[] = ['tiered', 'compiled', 'interpreter'];

// The compiled backend hands the rare entries it has no compiled case for (and step tracing) to the interpreter.
const registry = new Map<string, Backend>([
  ['interpreter', interpreterBackend],
  ['compiled', createCompiledBackend(interpreterBackend)],
  ['tiered', createTieredBackend()],
]);

/** Adds or replaces a backend (the compiled backend, or a test double wrapping another backend). */
export function registerBackend(backend: Backend): void {
  registry.set(backend.name, backend);
}

export function hasBackend(name: string): boolean {
  return registry.has(name);
}

/** The backend used when the options name none: the tiered one when it is built, else the interpreter. */
export function defaultBackendName(): BackendName {
  return registry.has('tiered') ? 'tiered' : 'interpreter';
}

export function getBackend(name: string): Backend {
  const backend = registry.get(name);
  if (backend) return backend;
  if (name === 'compiled' || name === 'tiered')
    throw new RuntimeError('backend-unavailable', `the ${name} backend is not built; use backend 'interpreter'`);
  throw new RuntimeError('bad-option', `unknown backend '${name}' (expected one of: ${BACKEND_NAMES.join(', ')})`);
}
