// Instruction emitters for the 64-bit ISAs: written next.
import type { Stmt } from './estree.ts';
import type { InstructionContext } from './emit32.ts';
export function emitter64(_op: number): (x: InstructionContext) => Stmt[] {
  throw new Error('64-bit code generation is not built yet');
}
