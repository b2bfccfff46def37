// The extensions module the PVQ pool rows hand to PvqWorkerPool: the mock runtime over the bench state.
import { mockExtensions, type Extension } from '../src/pvq/index.ts';
import { benchState } from './pvq.ts';

export function extensions(): Extension[] {
  return mockExtensions(benchState());
}
