// The extensions module the worker-pool tests hand to PvqWorkerPool: the mock runtime over the PoC
// state, plus an async `TestEcho` extension and one that throws.
import { DispatchError, T, declareExtension, implementExtension, mockExtensions, type Extension } from '../src/pvq/index.ts';
import { pocState } from './pvq-fixture.ts';

export const echoDecl = declareExtension('TestEcho', [{ name: 'echo', inputs: [{ name: 'x', type: T.bytes }], output: T.bytes }]);

export function extensions(): Extension[] {
  return [
    ...mockExtensions(pocState()),
    implementExtension(echoDecl, {
      echo: async (x: Uint8Array) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        if (x[0] === 0xff) throw new DispatchError('0xff refused');
        return x;
      },
    }),
  ];
}

export const config = { maxCallDepth: 64 };
