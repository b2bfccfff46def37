// The configurations the fuzzer compares, adapted to the runner's FuzzInstance: the runtime's
// Module/Instance with a given backend and options.
import { tableCostModel } from '../../src/gas/model.ts';
import { createCompiledBackend } from '../../src/codegen/index.ts';
import { interpreterBackend } from '../../src/interpreter/index.ts';
import { hasBackend, Module, registerBackend, type BackendName } from '../../src/runtime/index.ts';
import type { FuzzCase } from './generator.ts';
import type { FuzzInstance, Side } from './runner.ts';
import { clearTieredCache, registerTieredVariants, seedTiered } from '../tiered-variants.ts';

registerTieredVariants();
// The compiled backend with tiny regions: most transfers cross regions, and callees the generator's
// programs keep apart from their callers (few of them: random branches join most code into one
// function) are copied into the callers' regions (codegen/copies.ts; test/codegen-copies.test.ts
// covers copies on assembled and real programs).
registerBackend({ ...createCompiledBackend(interpreterBackend, { regionSize: 24, copyRegionSize: 160 }), name: 'compiled-copies' });

/** The random tier-up points of 'tiered-random' follow from the program's bytes, so a case replays. */
function checksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let k = 0; k < bytes.length; k++) h = Math.imul(h ^ bytes[k]!, 0x01000193);
  return h >>> 0;
}

export interface SideOptions {
  /** Step tracing on; its `step` interrupts are run through, not compared. */
  readonly stepTracing?: boolean;
}

export function runtimeSide(backend: BackendName, options: SideOptions = {}): Side {
  const stepTracing = options.stepTracing ?? false;
  return {
    name: `${backend}${stepTracing ? '+step-tracing' : ''}`,
    skipSteps: stepTracing,
    instantiate(c: FuzzCase): FuzzInstance {
      if (backend.startsWith('tiered-')) {
        // Regions generated for an earlier case (or side) must not decide where this one changes tier.
        clearTieredCache();
        seedTiered(checksum(c.blob));
      }
      const module = Module.fromBytes(c.blob, {
        backend,
        gasMetering: c.gasMetering,
        ...(c.costTable ? { costModel: tableCostModel(c.costTable) } : {}),
        dynamicPaging: c.dynamicPaging,
        pageSize: c.pageSize,
        auxDataSize: c.auxDataSize,
        stepTracing,
      });
      const i = module.instantiate();
      return {
        run: () => i.run(),
        reg: (r) => i.reg(r),
        setReg: (r, v) => i.setReg(r, v),
        gas: () => i.gas(),
        setGas: (v) => i.setGas(v),
        programCounter: () => i.programCounter(),
        nextProgramCounter: () => i.nextProgramCounter(),
        setNextProgramCounter: (pc) => i.setNextProgramCounter(pc),
        readMemory: (address, length) => i.readMemory(address, length),
        writeMemory: (address, bytes) => i.writeMemory(address, bytes),
        mapPages: (address, length, writable) => i.mapPages(address, length, { writable }),
        protectPages: (address, length, writable) => i.protectPages(address, length, { writable }),
        heapSize: () => i.heapSize(),
        setInstructionBudget: (count) => i.setInstructionBudget(count),
      };
    },
  };
}

/**
 * The pair to compare: the interpreter against compiled code once the compiled backend is
 * registered; before that, the interpreter against itself with step tracing on (which must not change
 * any outcome), and `selfCheck` says so. `every10th` is a second pair for every tenth program: compiled
 * code with step tracing on (which may hand the call to the interpreter, but must agree all the same).
 */
export function defaultSides(backend: BackendName = 'compiled'): { a: Side; b: Side; selfCheck: boolean; every10th?: { a: Side; b: Side } } {
  if (hasBackend(backend))
    return {
      a: runtimeSide('interpreter'),
      b: runtimeSide(backend),
      selfCheck: false,
      every10th: { a: runtimeSide('interpreter'), b: runtimeSide(backend, { stepTracing: true }) },
    };
  return { a: runtimeSide('interpreter'), b: runtimeSide('interpreter', { stepTracing: true }), selfCheck: true };
}
