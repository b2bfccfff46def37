// The crate's test driver as a library function (Rust re-exports `tests::run` as
// `sp_virtualization::run_tests`): the 11 cases of 0.4.0 `tests.rs` plus the host tests of
// sc-virtualization's `host_tests.rs`, against any program with the fixture's imports and exports, on
// any backend or any VirtManagerBackend. Every case runs on its own host and reports a value; a
// failing case (or a throwing one) never leaves an instance alive.

import type { BackendName } from '../runtime/backends.ts';
import type { Logger } from '../runtime/logger.ts';
import { GAS_MAX, makeHandler, runLoop, type CounterBox, type RunResult, type SyscallHandler } from './driver.ts';
import { VirtModule, withVirtManager, type VirtInstance } from './forwarder.ts';
import { VirtHost } from './host-functions.ts';
import { VirtManager, type VirtManagerBackend } from './manager.ts';
import { MemoryStorage } from './storage.ts';
import { ExecError, ModuleError, execErrorName, moduleErrorName, type InstanceId } from './types.ts';

export interface RunTestsOptions {
  /** The backend of the default manager (default: the runtime's default). Give this or `manager`, not both (both throw). */
  backend?: BackendName;
  /** Makes the manager each case runs on (default `new VirtManager({ backend })`): test your own VirtManagerBackend. */
  manager?: () => VirtManagerBackend;
  /**
   * increment_counter calls `increment_forever` makes on 100,000 gas before OutOfGas. It depends on
   * the program and the cost model (793 for the Rust fixture under polkavm 0.35's Full L2 model);
   * without it the case checks that there were some and that no gas is left.
   */
  outOfGasIncrements?: bigint;
  /** Run the host tests too (storage and the identifier cache); default true. */
  hostTests?: boolean;
  /** Where the crate's one-time notice goes (default: the runtime's logger). */
  logger?: Logger;
}

export interface TestCaseReport {
  readonly name: string;
  readonly passed: boolean;
  /** Why not, when it failed. */
  readonly reason?: string;
}

class CaseFailure extends Error {}

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CaseFailure(message);
}

/** Like check, without narrowing `actual` (a counter changes behind the compiler's back, in handlers). */
function same(actual: bigint, expected: bigint, message: string): void {
  if (actual !== expected) throw new CaseFailure(message);
}

const describeResult = (r: RunResult): string => (r.kind === 'error' ? `Err(${execErrorName(r.error)})` : r.kind === 'ok' ? 'Ok' : 'Exit');

/** What one case gets: the program, its host, and helpers that remember every instance they touch. */
class CaseContext {
  readonly seen = new Set<InstanceId>();
  readonly program: Uint8Array;
  readonly host: VirtHost;
  readonly storage: MemoryStorage;
  constructor(program: Uint8Array, host: VirtHost, storage: MemoryStorage) {
    this.program = program;
    this.host = host;
    this.storage = storage;
  }

  instantiate(program: Uint8Array = this.program): VirtInstance {
    const compiled = VirtModule.fromBytes(program);
    check(compiled.ok, `Module::from_bytes failed: ${compiled.ok ? '' : moduleErrorName(compiled.error)}`);
    return this.instantiateModule(compiled.module);
  }

  instantiateModule(module: VirtModule): VirtInstance {
    const made = module.instantiate();
    check(made.ok, `instantiate failed: ${made.ok ? '' : String(made.error)}`);
    this.seen.add(made.instance.id);
    return made.instance;
  }

  /** prepare + run_loop with the fixture's handler (or `handler`). */
  call(instance: VirtInstance, exportName: string, counter: CounterBox, gasLeft = GAS_MAX, handler?: SyscallHandler): { result: RunResult; gasLeft: bigint } {
    this.seen.add(instance.id);
    const prepared = instance.prepare(exportName);
    check(prepared.ok, `prepare(${exportName}) failed: ${prepared.ok ? '' : execErrorName(prepared.error)}`);
    const gas = { gasLeft };
    const result = runLoop(prepared.execution, gas, handler ?? makeHandler(counter));
    return { result, gasLeft: gas.gasLeft };
  }

  /** The export ran to its end; gives the idle instance back. */
  ok(r: { result: RunResult }, what: string): VirtInstance {
    check(r.result.kind === 'ok', `${what}: expected Ok, got ${describeResult(r.result)}`);
    return r.result.instance;
  }

  /** Destroys what a result carries, as dropping it does in Rust. */
  release(r: { result: RunResult }): void {
    if (r.result.kind !== 'exit' && r.result.instance.isLive) r.result.instance.destroy();
  }

  counterRun(module: VirtModule): bigint {
    const counter = { value: 0n };
    const r = this.call(this.instantiateModule(module), 'counter', counter);
    this.ok(r, 'counter');
    this.release(r);
    return counter.value;
  }
}

const utf8 = new TextEncoder();

interface Case {
  readonly name: string;
  readonly host?: boolean;
  run(c: CaseContext, options: RunTestsOptions): void;
}

const CASES: readonly Case[] = [
  {
    name: 'counter_start_at_0',
    run(c) {
      const counter = { value: 0n };
      const r = c.call(c.instantiate(), 'counter', counter);
      c.ok(r, 'counter');
      same(counter.value, 8n, `counter is ${counter.value}, expected 8`);
      c.release(r);
    },
  },
  {
    name: 'counter_start_at_7',
    run(c) {
      const counter = { value: 7n };
      const r = c.call(c.instantiate(), 'counter', counter);
      c.ok(r, 'counter');
      same(counter.value, 15n, `counter is ${counter.value}, expected 15`);
      c.release(r);
    },
  },
  {
    name: 'counter_multiple_calls',
    run(c) {
      const counter = { value: 7n };
      const first = c.call(c.instantiate(), 'counter', counter);
      const again = c.ok(first, 'first counter');
      same(counter.value, 15n, `counter is ${counter.value} after the first call, expected 15`);
      const second = c.call(again, 'counter', counter);
      c.ok(second, 'second counter on the same instance');
      same(counter.value, 23n, `counter is ${counter.value} after the second call, expected 23`);
      c.release(second);
    },
  },
  {
    name: 'panic_works',
    run(c) {
      const counter = { value: 0n };
      const r = c.call(c.instantiate(), 'do_panic', counter);
      check(r.result.kind === 'error' && r.result.error === ExecError.Trap, `expected Err(Trap), got ${describeResult(r.result)}`);
      same(counter.value, 0n, `counter is ${counter.value}, expected 0`);
      c.release(r);
    },
  },
  {
    name: 'exit_works',
    run(c) {
      const counter = { value: 0n };
      const r = c.call(c.instantiate(), 'do_exit', counter);
      check(r.result.kind === 'exit', `expected Exit, got ${describeResult(r.result)}`);
      same(counter.value, 0n, `counter is ${counter.value}, expected 0 (the guest adds 1000 if exit returns)`);
    },
  },
  {
    name: 'run_out_of_gas_works',
    run(c, options) {
      const counter = { value: 0n };
      const r = c.call(c.instantiate(), 'increment_forever', counter, 100_000n);
      check(r.result.kind === 'error' && r.result.error === ExecError.OutOfGas, `expected Err(OutOfGas), got ${describeResult(r.result)}`);
      if (options.outOfGasIncrements !== undefined)
        check(counter.value === options.outOfGasIncrements, `counter is ${counter.value}, expected ${options.outOfGasIncrements}`);
      else check(counter.value > 0n, 'the counter was never incremented before running out of gas');
      check(r.gasLeft === 0n, `gas left is ${r.gasLeft}, expected 0`);
      c.release(r);
    },
  },
  {
    name: 'gas_consumption_works',
    run(c) {
      const consumed = [GAS_MAX, GAS_MAX / 2n].map((limit) => {
        const r = c.call(c.instantiate(), 'counter', { value: 0n }, limit);
        c.ok(r, `counter with gas ${limit}`);
        c.release(r);
        return limit - r.gasLeft;
      });
      check(consumed[0] === consumed[1], `consumed ${consumed[0]} with i64::MAX but ${consumed[1]} with i64::MAX / 2`);
      check(consumed[0]! > 0n, 'no gas was consumed');
    },
  },
  {
    name: 'memory_reset_on_instantiate',
    run(c) {
      const counter = { value: 0n };
      const a = c.call(c.instantiate(), 'offset', counter);
      c.ok(a, 'offset on the first instance');
      same(counter.value, 3n, `counter is ${counter.value}, expected 3`);
      const b = c.call(c.instantiate(), 'offset', counter);
      c.ok(b, 'offset on a fresh instance');
      same(counter.value, 6n, `counter is ${counter.value}, expected 6 (the static resets to 3)`);
      c.release(a);
      c.release(b);
    },
  },
  {
    name: 'memory_persistent',
    run(c) {
      const counter = { value: 0n };
      const a = c.call(c.instantiate(), 'offset', counter);
      const again = c.ok(a, 'first offset');
      same(counter.value, 3n, `counter is ${counter.value}, expected 3`);
      const b = c.call(again, 'offset', counter);
      c.ok(b, 'second offset on the same instance');
      same(counter.value, 7n, `counter is ${counter.value}, expected 7 (the static went 3 → 4)`);
      c.release(b);
    },
  },
  {
    name: 'counter_in_subcall',
    run(c) {
      const counter = { value: 0n };
      const subCounters: bigint[] = [];
      const fixtureHandler = makeHandler(counter);
      const handler: SyscallHandler = (syscall) => {
        if (syscall.syscallName !== 'subcall') return fixtureHandler(syscall);
        const subCounter = { value: 0n };
        const r = c.call(c.instantiate(), 'counter', subCounter);
        c.ok(r, 'counter in the subcall');
        c.release(r);
        subCounters.push(subCounter.value);
        return 0n;
      };
      const r = c.call(c.instantiate(), 'do_subcall', counter, GAS_MAX, handler);
      c.ok(r, 'do_subcall');
      check(subCounters.length === 1 && subCounters[0] === 8n, `the subcall's counter ended at ${subCounters.join(', ') || 'nothing'}, expected 8`);
      same(counter.value, 0n, `the parent's counter is ${counter.value}, expected 0`);
      c.release(r);
    },
  },
  {
    name: 'from_storage_key_not_found',
    run() {
      const r = VirtModule.fromStorageKey('::missing::', '');
      check(!r.ok && r.error === ModuleError.NotFound, `expected Err(NotFound), got ${r.ok ? 'Ok' : moduleErrorName(r.error)}`);
    },
  },
  // sc-virtualization host_tests.rs (storage and the identifier cache).
  {
    name: 'host: from_storage_key_cache_hit',
    host: true,
    run(c) {
      const first = VirtModule.fromBytes(c.program, 'key');
      check(first.ok && first.status === 'compiled', 'from_bytes(p, Some(key)) should compile');
      const second = VirtModule.fromStorageKey('key', '');
      check(second.ok && second.status === 'cached', 'from_storage_key(key) should hit the cache');
      check(c.counterRun(second.module) === 8n, 'counter on the cached module is not 8');
    },
  },
  {
    name: 'host: lookup_is_pure',
    host: true,
    run(c) {
      c.storage.insert('key', c.program);
      const miss = VirtModule.lookup('key');
      check(!miss.ok && miss.error === ModuleError.NotCached, 'lookup must not read storage or compile (expected NotCached)');
      check(VirtModule.fromBytes(c.program, 'other').ok, 'from_bytes(p, Some(other)) failed');
      check(VirtModule.lookup('other').ok, 'lookup(other) after from_bytes should succeed');
    },
  },
  {
    name: 'host: from_bytes_cache_hit',
    host: true,
    run(c) {
      const a = VirtModule.fromBytes(c.program, 'same');
      const b = VirtModule.fromBytes(c.program, 'same');
      check(a.ok && a.status === 'compiled' && b.ok && b.status === 'cached', 'the same identifier twice should give Compiled, then Cached');
    },
  },
  {
    name: 'host: from_bytes_none_skips_cache',
    host: true,
    run(c) {
      const a = VirtModule.fromBytes(c.program);
      check(a.ok && a.status === 'compiled', 'from_bytes(p, None) should compile');
      const b = VirtModule.fromStorageKey('would-be-key', '');
      check(!b.ok && b.error === ModuleError.NotFound, 'from_bytes(p, None) must not cache anything');
    },
  },
  {
    name: 'host: from_storage_key_main_trie',
    host: true,
    run(c) {
      c.storage.insert('code:my-program', c.program);
      const first = VirtModule.fromStorageKey('code:my-program', '');
      check(first.ok && first.status === 'compiled', 'the first from_storage_key should compile');
      check(c.counterRun(first.module) === 8n, 'counter is not 8');
      const second = VirtModule.fromStorageKey('code:my-program', '');
      check(second.ok && second.status === 'cached', 'the second from_storage_key should hit the cache');
      check(c.counterRun(second.module) === 8n, 'counter on the cached module is not 8');
    },
  },
  {
    name: 'host: from_storage_key_child_trie',
    host: true,
    run(c) {
      c.storage.insertChild('contracts', 'code:child', c.program);
      const r = VirtModule.fromStorageKey('code:child', 'contracts');
      check(r.ok && r.status === 'compiled', 'from_storage_key in a child trie should compile');
      check(c.counterRun(r.module) === 8n, 'counter is not 8');
    },
  },
  {
    name: 'host: from_storage_key_invalid_image',
    host: true,
    run(c) {
      c.storage.insert('garbage', utf8.encode('definitely not a program'));
      const r = VirtModule.fromStorageKey('garbage', '');
      check(!r.ok && r.error === ModuleError.InvalidImage, `expected Err(InvalidImage), got ${r.ok ? 'Ok' : moduleErrorName(r.error)}`);
    },
  },
];

/**
 * Runs every case against `program` and reports each one. Never throws for a failing case (the
 * reason is in the report); throws only for misuse of runTests itself.
 */
export function runTests(program: Uint8Array, options: RunTestsOptions = {}): TestCaseReport[] {
  if (options.backend !== undefined && options.manager !== undefined) throw new TypeError('runTests: give backend or manager, not both (the manager decides its backend)');
  const makeManager = options.manager ?? (() => new VirtManager(options.backend === undefined ? {} : { backend: options.backend }));
  const reports: TestCaseReport[] = [];
  for (const testCase of CASES) {
    if (testCase.host && options.hostTests === false) continue;
    const manager = makeManager();
    const storage = new MemoryStorage();
    const host = new VirtHost({ manager, storage, ...(options.logger ? { logger: options.logger } : {}) });
    const c = new CaseContext(program, host, storage);
    let reason: string | undefined;
    try {
      withVirtManager(host, () => testCase.run(c, options));
    } catch (e) {
      reason = e instanceof CaseFailure ? e.message : `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    }
    // Whatever happened, nothing outlives the case: destroy every instance it made (ids the manager
    // no longer knows answer InvalidInstance, which is fine). A passing case must have done it itself.
    const leftAlive = manager instanceof VirtManager ? manager.liveInstances : undefined;
    for (const id of c.seen) host.destroy(id);
    if (reason === undefined && leftAlive !== undefined && leftAlive > 0) reason = `left ${leftAlive} instance(s) alive`;
    reports.push(reason === undefined ? { name: testCase.name, passed: true } : { name: testCase.name, passed: false, reason });
  }
  return reports;
}
