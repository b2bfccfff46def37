// The shared test driver of sp-virtualization (0.4.0 tests.rs, digest A.5), one case per Rust test,
// on every backend. Each case starts from `VirtModule.fromBytes(program)` on its own host and must
// leave no instance alive.
import { describe, expect, it } from 'vitest';
import {
  ExecError,
  GAS_MAX,
  makeHandler,
  ModuleError,
  runLoop,
  VirtHost,
  VirtManager,
  VirtModule,
  withVirtHost,
  type RunResult,
  type SyscallHandler,
  type VirtInstance,
} from '../src/virt/index.ts';
import { FIXTURE, incrementsBeforeOutOfGas, straightLineGas, UNAVAILABLE_BACKENDS, VIRT_BACKENDS } from './virt-fixture.ts';

function instantiate(program: Uint8Array = FIXTURE): VirtInstance {
  const compiled = VirtModule.fromBytes(program);
  if (!compiled.ok) throw new Error(`compile failed: ${compiled.error}`);
  const made = compiled.module.instantiate();
  if (!made.ok) throw new Error(`instantiate failed: ${made.error}`);
  return made.instance;
}

/** prepare + runLoop with the fixture's handler (or `handler`); returns the gas left as well. */
function call(instance: VirtInstance, exportName: string, counter: { value: bigint }, gasLeft = GAS_MAX, handler?: SyscallHandler): { result: RunResult; gasLeft: bigint } {
  const prepared = instance.prepare(exportName);
  if (!prepared.ok) throw new Error(`prepare ${exportName} failed: ${prepared.error}`);
  const gas = { gasLeft };
  const result = runLoop(prepared.execution, gas, handler ?? makeHandler(counter));
  return { result, gasLeft: gas.gasLeft };
}

/** Destroys the instance a result carries, as dropping it does in Rust. */
function release(result: RunResult): void {
  if (result.kind !== 'exit') result.instance.destroy();
}

interface Case {
  name: string;
  run(): void;
}

const cases: Case[] = [
  {
    name: 'counter_start_at_0',
    run() {
      const counter = { value: 0n };
      const { result } = call(instantiate(), 'counter', counter);
      expect(result.kind).toBe('ok');
      expect(counter.value).toBe(8n);
      release(result);
    },
  },
  {
    name: 'counter_start_at_7',
    run() {
      const counter = { value: 7n };
      const { result } = call(instantiate(), 'counter', counter);
      expect(result.kind).toBe('ok');
      expect(counter.value).toBe(15n);
      release(result);
    },
  },
  {
    name: 'counter_multiple_calls (the instance Finished returns is prepared again)',
    run() {
      const counter = { value: 7n };
      const first = call(instantiate(), 'counter', counter).result;
      expect(first.kind).toBe('ok');
      expect(counter.value).toBe(15n);
      if (first.kind !== 'ok') return;
      const second = call(first.instance, 'counter', counter).result;
      expect(second.kind).toBe('ok');
      expect(counter.value).toBe(23n);
      release(second);
    },
  },
  {
    name: 'panic_works',
    run() {
      const counter = { value: 0n };
      const { result } = call(instantiate(), 'do_panic', counter);
      expect(result).toMatchObject({ kind: 'error', error: ExecError.Trap });
      expect(counter.value).toBe(0n);
      release(result);
    },
  },
  {
    name: 'exit_works (the guest would add 1000 if exit returned)',
    run() {
      const counter = { value: 0n };
      const { result } = call(instantiate(), 'do_exit', counter);
      expect(result.kind).toBe('exit');
      expect(counter.value).toBe(0n);
    },
  },
  {
    name: 'run_out_of_gas_works (the count follows from the cost model: 793 in Rust, for rustc’s code)',
    run() {
      const counter = { value: 0n };
      const { result, gasLeft } = call(instantiate(), 'increment_forever', counter, 100_000n);
      expect(result).toMatchObject({ kind: 'error', error: ExecError.OutOfGas });
      expect(counter.value).toBe(incrementsBeforeOutOfGas(100_000n));
      expect(counter.value).toBeGreaterThan(100n);
      expect(gasLeft).toBe(0n);
      release(result);
    },
  },
  {
    name: 'gas_consumption_works (i64::MAX and i64::MAX / 2 consume the same, exactly)',
    run() {
      const consumed = [GAS_MAX, GAS_MAX / 2n].map((limit) => {
        const { result, gasLeft } = call(instantiate(), 'counter', { value: 0n }, limit);
        expect(result.kind).toBe('ok');
        release(result);
        return limit - gasLeft;
      });
      expect(consumed[0]).toBe(consumed[1]);
      expect(consumed[0]).toBe(straightLineGas('counter'));
    },
  },
  {
    name: 'memory_reset_on_instantiate (the static starts at 3 in every instance)',
    run() {
      const counter = { value: 0n };
      const a = call(instantiate(), 'offset', counter).result;
      expect(a.kind).toBe('ok');
      expect(counter.value).toBe(3n);
      const b = call(instantiate(), 'offset', counter).result;
      expect(b.kind).toBe('ok');
      expect(counter.value).toBe(6n);
      release(a);
      release(b);
    },
  },
  {
    name: 'memory_persistent (the static goes 3 → 4 within one instance)',
    run() {
      const counter = { value: 0n };
      const a = call(instantiate(), 'offset', counter).result;
      expect(counter.value).toBe(3n);
      if (a.kind !== 'ok') throw new Error('offset failed');
      const b = call(a.instance, 'offset', counter).result;
      expect(b.kind).toBe('ok');
      expect(counter.value).toBe(7n);
      release(b);
    },
  },
  {
    name: 'counter_in_subcall (a syscall handler runs a second instance to completion)',
    run() {
      const counter = { value: 0n };
      const subCounters: bigint[] = [];
      const fixtureHandler = makeHandler(counter);
      const handler: SyscallHandler = (syscall) => {
        if (syscall.syscallName !== 'subcall') return fixtureHandler(syscall);
        const subCounter = { value: 0n };
        const { result } = call(instantiate(), 'counter', subCounter);
        expect(result.kind).toBe('ok');
        release(result);
        subCounters.push(subCounter.value);
        return 0n;
      };
      const { result } = call(instantiate(), 'do_subcall', counter, GAS_MAX, handler);
      expect(result.kind).toBe('ok');
      expect(subCounters).toEqual([8n]);
      expect(counter.value).toBe(0n);
      release(result);
    },
  },
  {
    name: 'from_storage_key_not_found',
    run() {
      expect(VirtModule.fromStorageKey('::missing::', '')).toEqual({ ok: false, error: ModuleError.NotFound });
    },
  },
];

describe.each(VIRT_BACKENDS)('sp-virtualization shared test driver [%s]', (backend) => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const manager = new VirtManager({ backend });
    withVirtHost(new VirtHost({ manager }), () => c.run());
    expect(manager.liveInstances).toBe(0);
  });
});

// A registered backend that cannot load the fixture shows up as a skipped test with its reason.
describe.each(UNAVAILABLE_BACKENDS)('sp-virtualization shared test driver [$backend]', ({ reason }) => {
  it.skip(`cannot load the 64-bit fixture: ${reason}`, () => {});
});
