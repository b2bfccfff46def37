// The reference interpreter as a backend: `load` derives the per-module tables once, `instantiate`
// makes an instance that runs the generated loop for the module's ISA.

import type { Backend, BackendInstance, BackendModule, MachineState, ModuleImage } from '../machine/state.ts';
import { InterpreterInstance } from './instance.ts';
import { prepareProgram, type InterpreterProgram } from './program.ts';

export { blockLengthAt, prepareProgram, type InterpreterProgram } from './program.ts';
export { InterpreterInstance } from './instance.ts';

class InterpreterModule implements BackendModule {
  private readonly program: InterpreterProgram;

  constructor(image: ModuleImage) {
    this.program = prepareProgram(image);
  }

  instantiate(state: MachineState): BackendInstance {
    return new InterpreterInstance(this.program, state);
  }
}

export const interpreterBackend: Backend = {
  name: 'interpreter',
  load: (image) => new InterpreterModule(image),
};
