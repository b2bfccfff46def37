// Finds the backends the runtime offers and adapts them (and the assembler) to the runner's Vm
// interface. Everything is looked up at run time, so the suites report "not available" instead of
// failing to compile while a layer is still being built, and pick up the compiled backend the moment
// the runtime registers it.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseIsaName } from '../../src/decoder/isa.ts';
import { naiveCostModel, tableCostModel, type CostModel } from '../../src/gas/model.ts';
import type { Interrupt } from '../../src/machine/interrupt.ts';
import type { CostModelSpec } from './case.ts';
import type { Vm, VmInstance, VmLoadOptions } from './runner.ts';

/** 'tiered-eager' (test/tiered-variants.ts) generates each region at first sight and changes tier at
 * nearly every block edge. */
export const BACKENDS = ['interpreter', 'compiled', 'tiered', 'tiered-eager'] as const;
export type BackendName = (typeof BACKENDS)[number];

type AnyFn = (...args: unknown[]) => unknown;
type Loose = Record<string, unknown>;

/** A module of the project if it exists and loads; a layer being rebuilt is reported, not fatal. */
async function importIfPresent(relative: string, notices: string[]): Promise<Loose | undefined> {
  const url = new URL(relative, import.meta.url);
  if (!existsSync(fileURLToPath(url))) return undefined;
  try {
    return (await import(url.href)) as Loose;
  } catch (error) {
    notices.push(`${relative.replace('../../', '')} does not load: ${(error as Error).message}`);
    return undefined;
  }
}

/** The smallest valid .polkavm container: one `trap` and no sections but code. */
export function tinyBlob(): Uint8Array {
  const payload = [0, 0, 1, 0, 1]; // no jump table, entry size 0, 1 code byte: trap (opcode 0), bitmask 1
  const body = [0x50, 0x56, 0x4d, 0x00, 2, ...new Array(8).fill(0), 6, payload.length, ...payload, 0];
  body[5] = body.length;
  return Uint8Array.from(body);
}

/** A cost model from src/gas, or undefined when src/gas does not offer it (yet). */
function resolveCostModel(spec: CostModelSpec, byName: AnyFn | undefined): CostModel | undefined {
  switch (spec.kind) {
    case 'naive':
      return naiveCostModel;
    case 'table':
      return tableCostModel(spec.table);
    case 'named':
      try {
        return byName?.(spec.name) as CostModel | undefined;
      } catch {
        return undefined;
      }
  }
}

const call = (o: Loose, name: string, ...args: unknown[]): unknown => {
  const f = o[name];
  if (typeof f !== 'function') throw new TypeError(`the runtime instance has no ${name}()`);
  return (f as AnyFn).apply(o, args);
};
/** A field that may be a method (polkavm style) or a property/getter. */
const read = (o: Loose, name: string): unknown => (typeof o[name] === 'function' ? (o[name] as AnyFn).call(o) : o[name]);

function adaptInstance(inst: Loose): VmInstance {
  return {
    reg: (i) => call(inst, 'reg', i) as bigint,
    setReg: (i, v) => void call(inst, 'setReg', i, v),
    gas: () => BigInt(read(inst, 'gas') as bigint),
    setGas: (v) => void call(inst, 'setGas', v),
    programCounter: () => {
      const pc = read(inst, 'programCounter');
      return typeof pc === 'number' && pc >= 0 ? pc : undefined;
    },
    setNextProgramCounter: (pc) => void call(inst, 'setNextProgramCounter', pc),
    prepareCall: (name, args) => void call(inst, 'prepareCall', name, args),
    run: () => call(inst, 'run') as Interrupt,
    readMemory: (address, length) => call(inst, 'readMemory', address, length) as Uint8Array,
    writeMemory: (address, bytes) => void call(inst, 'writeMemory', address, bytes),
    mapPages: (address, length, writable) => void call(inst, 'mapPages', address, length, { writable }),
  };
}

export interface Availability {
  readonly vms: readonly Vm[];
  /** Why a backend, the assembler or a cost model is missing. */
  readonly notices: readonly string[];
  /** Whether a cost model can be built now (false = its suites are skipped). */
  readonly hasCostModel: (spec: CostModelSpec) => boolean;
  /** The model itself, or undefined when src/gas does not offer it. */
  readonly costModel: (spec: CostModelSpec) => CostModel | undefined;
}

let cached: Promise<Availability> | undefined;

/** The backends registered in the runtime now (cached per process). */
export function availability(): Promise<Availability> {
  cached ??= discover();
  return cached;
}

async function discover(): Promise<Availability> {
  const notices: string[] = [];
  const runtime = (await importIfPresent('../../src/runtime/index.ts', notices)) ?? (await importIfPresent('../../src/index.ts', notices));
  const Module = runtime?.Module as Loose | undefined;
  const fromBytes = Module?.fromBytes as AnyFn | undefined;
  const byName = (await importIfPresent('../../src/gas/index.ts', notices))?.costModelByName as AnyFn | undefined;

  const assemblerModule = await importIfPresent('../../src/assembler/index.ts', notices);
  const assembleFn = assemblerModule?.assemble as AnyFn | undefined;
  const assemble = assembleFn
    ? (text: string, isa: string): Uint8Array => {
        const out = assembleFn(text, { isa: parseIsaName(isa) }) as Uint8Array | { bytes: Uint8Array };
        return out instanceof Uint8Array ? out : out.bytes;
      }
    : undefined;
  if (!assemble) notices.push('src/assembler has no assemble() yet: the polkavm-spec suites cannot run');

  const vms: Vm[] = [];
  ((await importIfPresent('../tiered-variants.ts', notices))?.registerTieredVariants as AnyFn | undefined)?.();
  if (!fromBytes) {
    notices.push('src/runtime has no Module.fromBytes yet: no backend to run conformance on');
  } else {
    for (const backend of BACKENDS) {
      const load = (bytes: Uint8Array, options: Loose): Loose => fromBytes.call(Module, bytes, { backend, ...options }) as Loose;
      try {
        call(load(tinyBlob(), {}), 'instantiate');
      } catch (error) {
        notices.push(`backend '${backend}' is not available: ${(error as Error).message}`);
        continue;
      }
      vms.push({
        backend,
        load: (bytes: Uint8Array, options: VmLoadOptions) => {
          const costModel = resolveCostModel(options.costModel, byName);
          if (costModel === undefined) throw new Error(`cost model ${JSON.stringify(options.costModel)} is not available`);
          const module = load(bytes, {
            format: options.format,
            ...(options.isa !== undefined ? { isa: parseIsaName(options.isa) } : {}),
            dynamicPaging: options.dynamicPaging,
            ...(options.readOnlyWrite ? { readOnlyWrite: options.readOnlyWrite } : {}),
            gasMetering: options.gasMetering,
            costModel,
          });
          return { instantiate: () => adaptInstance(call(module, 'instantiate') as Loose) };
        },
        ...(assemble ? { assemble } : {}),
      });
    }
  }
  return {
    vms,
    notices,
    hasCostModel: (spec) => resolveCostModel(spec, byName) !== undefined,
    costModel: (spec) => resolveCostModel(spec, byName),
  };
}
