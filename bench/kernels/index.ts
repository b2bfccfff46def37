// The benchmark kernels: assembly sources in this folder (polkavm's syntax), each with the argument
// that sizes it to roughly 50-200 M guest instructions and a plain-JS model of its result.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as reference from './reference.ts';

export type KernelFamily = 'alu' | 'memory' | 'branchy' | 'calls';

export interface Kernel {
  /** The file stem, e.g. `alu_64`. */
  readonly name: string;
  readonly family: KernelFamily;
  readonly bits: 32 | 64;
  /** Assembly text; its `%isa` line says Latest32 for 32-bit kernels and JamV1 for 64-bit ones. */
  readonly source: string;
  /** The export every kernel is called through. */
  readonly entry: 'main';
  /** a0 at the call: the iteration, pass or problem size. */
  readonly argument: number;
  /**
   * A smaller a0 for the engines that run tens of millions of instructions per second or fewer (the
   * interpreter, anan-as): about a tenth of the work, still about a second per run. Speeds are
   * compared as instructions per second.
   */
  readonly smallArgument: number;
  /** a0 after the call as `reg()` reports it (the low 32 bits on a 32-bit ISA), from the JS model. */
  expected(argument: number): bigint;
}

interface KernelSpec {
  family: KernelFamily;
  bits: 32 | 64;
  argument: number;
  smallArgument: number;
  model: (argument: number) => bigint;
}

// Arguments chosen for 72-100 M guest instructions each (see each file's header for the cost per
// step); the small arguments for 7-10 M.
const SPECS: readonly KernelSpec[] = [
  { family: 'alu', bits: 32, argument: 10_000_000, smallArgument: 1_000_000, model: reference.alu32 },
  { family: 'alu', bits: 64, argument: 10_000_000, smallArgument: 1_000_000, model: reference.alu64 },
  { family: 'memory', bits: 32, argument: 1_000, smallArgument: 100, model: reference.memory32 },
  { family: 'memory', bits: 64, argument: 2_000, smallArgument: 200, model: reference.memory64 },
  { family: 'branchy', bits: 32, argument: 100_000, smallArgument: 12_000, model: reference.branchy32 },
  { family: 'branchy', bits: 64, argument: 100_000, smallArgument: 12_000, model: reference.branchy64 },
  { family: 'calls', bits: 32, argument: 32, smallArgument: 27, model: reference.calls32 },
  { family: 'calls', bits: 64, argument: 32, smallArgument: 27, model: reference.calls64 },
];

const folder = fileURLToPath(new URL('.', import.meta.url));

export function loadKernels(): Kernel[] {
  return SPECS.map((spec) => {
    const name = `${spec.family}_${spec.bits}`;
    return {
      name,
      family: spec.family,
      bits: spec.bits,
      source: readFileSync(`${folder}${name}.txt`, 'utf8'),
      entry: 'main',
      argument: spec.argument,
      smallArgument: spec.smallArgument,
      expected: spec.model,
    };
  });
}
