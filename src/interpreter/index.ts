// The reference interpreter as a backend: `load` derives the per-module tables once, `instantiate`
// picks the loop for the ISA (int32 numbers for the 32-bit ISA, BigInt for the 64-bit ones).

import type { Backend, BackendInstance, BackendModule, MachineState, ModuleImage } from '../machine/state.ts';
import { prepareProgram, type InterpreterProgram } from './program.ts';
import { Interpreter32 } from './run32.ts';
import { immediates64, Interpreter64, type Immediates64 } from './run64.ts';

export { prepareProgram, type InterpreterProgram } from './program.ts';
export { Interpreter32 } from './run32.ts';
export { Interpreter64 } from './run64.ts';

class InterpreterModule implements BackendModule {
  private readonly program: InterpreterProgram;
  private imms: Immediates64 | undefined;

  constructor(image: ModuleImage) {
    this.program = prepareProgram(image);
  }

  instantiate(state: MachineState): BackendInstance {
    if (!this.program.code.is64Bit) return new Interpreter32(this.program, state);
    this.imms ??= immediates64(this.program);
    return new Interpreter64(this.program, this.imms, state);
  }
}

export const interpreterBackend: Backend = {
  name: 'interpreter',
  load: (image) => new InterpreterModule(image),
};
