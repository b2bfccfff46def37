// sp-virtualization's test driver as a library function (Rust re-exports `tests::run` as
// `run_tests`): the crate's 11 cases plus sc-virtualization's host tests, against any program with
// the test fixture's imports and exports, on any runtime backend or any VirtManagerBackend. Each
// case runs on a fresh host; every instance a case makes is destroyed afterwards, however it ended.

import type { BackendName } from '../runtime/index.ts';
import { GAS_MAX, makeHandler, runLoop, type CounterBox, type RunResult, type SyscallHandler } from './driver.ts';
import { VirtMisuseError } from './errors.ts';
import { VirtInstance, VirtModule, withVirtManager, type CompileResult } from './forwarder.ts';
import { VirtHost } from './host-functions.ts';
import { VirtManager, type VirtManagerBackend } from './manager.ts';
import { MemoryStorage } from './storage.ts';
import { ExecError, execErrorName, instantiateErrorName, ModuleError, moduleErrorName, type InstanceId, type ModuleId } from './types.ts';

export interface RunTestsOptions {
  /** The runtime backend of the VirtManager each case gets (default: the runtime's default). */
  backend?: BackendName;
  /** Makes the backend each case runs on, instead of a VirtManager (an embedder's own host). */
  manager?: () => VirtManagerBackend;
  /** run_out_of_gas_works: the counter after 100,000 gas (Rust: 793 under polkavm 0.4.0's model). Without it, any count > 0 passes. */
  outOfGasCounter?: bigint;
  /** gas_consumption_works: the gas `counter` consumes. Without it, only "the same for both limits" is checked. */
  counterGas?: bigint;
  /** Also run sc-virtualization's host tests (caching, storage keys). Default true. */
  hostTests?: boolean;
}

export interface TestCaseReport {
  /** The Rust test's name. */
  readonly name: string;
  readonly passed: boolean;
  /** Why it failed: the first assertion that did not hold, or what was thrown. */
  readonly reason?: string;
}

class CaseFailure extends Error {}

/** An assertion's own message; anything else thrown with its class, so a crash reads as one. */
const errorMessage = (e: unknown): string => (e instanceof CaseFailure ? e.message : e instanceof Error ? `${e.name}: ${e.message}` : `threw ${String(e)}`);

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw new CaseFailure(message);
}

function same<T>(actual: T, expected: T, what: string): void {
  check(actual === expected, `${what}: expected ${String(expected)}, got ${String(actual)}`);
}

/** Forwards to `inner` and remembers which instances are alive, so a case's leftovers can be destroyed. */
class TrackingBackend implements VirtManagerBackend {
  readonly live = new Set<InstanceId>();
  private readonly inner: VirtManagerBackend;
  constructor(inner: VirtManagerBackend) {
    this.inner = inner;
  }
  compile(program: Uint8Array, identifier: Uint8Array | undefined) {
    return this.inner.compile(program, identifier);
  }
  lookup(identifier: Uint8Array) {
    return this.inner.lookup(identifier);
  }
  instantiate(moduleId: ModuleId) {
    const r = this.inner.instantiate(moduleId);
    if (r.ok) this.live.add(r.instanceId);
    return r;
  }
  prepare(instanceId: InstanceId, exportSymbol: Uint8Array) {
    return this.inner.prepare(instanceId, exportSymbol);
  }
  run(instanceId: InstanceId, gasLeft: bigint, a0: bigint) {
    return this.inner.run(instanceId, gasLeft, a0);
  }
  destroy(instanceId: InstanceId) {
    this.live.delete(instanceId);
    return this.inner.destroy(instanceId);
  }
  readMemory(instanceId: InstanceId, offset: number, dest: Uint8Array) {
    return this.inner.readMemory(instanceId, offset, dest);
  }
  writeMemory(instanceId: InstanceId, offset: number, src: Uint8Array) {
    return this.inner.writeMemory(instanceId, offset, src);
  }
}

interface Context {
  readonly program: Uint8Array;
  readonly options: RunTestsOptions;
  readonly storage: MemoryStorage;
}

function moduleOf(r: CompileResult, what: string): VirtModule {
  check(r.ok, `${what}: compile failed (${describeCompile(r)})`);
  return r.module;
}

/** `Module::from_bytes(program, None).unwrap().0.instantiate().unwrap()`. */
function instantiate(program: Uint8Array): VirtInstance {
  const made = moduleOf(VirtModule.fromBytes(program), 'from_bytes').instantiate();
  check(made.ok, `instantiate failed (${made.ok ? '' : instantiateErrorName(made.error)})`);
  return made.instance;
}

function call(instance: VirtInstance, exportName: string, counter: CounterBox, gasLeft = GAS_MAX, handler?: SyscallHandler): { result: RunResult; gasLeft: bigint } {
  const prepared = instance.prepare(exportName);
  check(prepared.ok, `prepare ${exportName} failed (${prepared.ok ? '' : execErrorName(prepared.error)})`);
  const gas = { gasLeft };
  const result = runLoop(prepared.execution, gas, handler ?? makeHandler(counter));
  return { result, gasLeft: gas.gasLeft };
}

/** The instance a run left idle, or a failure naming what happened instead. */
function finished(result: RunResult, what: string): VirtInstance {
  check(result.kind === 'ok', `${what}: expected Ok, got ${describeResult(result)}`);
  return result.instance;
}

type Case = readonly [name: string, run: (ctx: Context) => void];

const driverCases: readonly Case[] = [
  ['counter_start_at_0', ({ program }) => {
    const counter = { value: 0n };
    finished(call(instantiate(program), 'counter', counter).result, 'counter').destroy();
    same(counter.value, 8n, 'counter');
  }],
  ['counter_start_at_7', ({ program }) => {
    const counter = { value: 7n };
    finished(call(instantiate(program), 'counter', counter).result, 'counter').destroy();
    same(counter.value, 15n, 'counter');
  }],
  ['counter_multiple_calls', ({ program }) => {
    const counter = { value: 7n };
    const again = finished(call(instantiate(program), 'counter', counter).result, 'first counter');
    same(counter.value, 15n, 'counter after the first call');
    finished(call(again, 'counter', counter).result, 'second counter').destroy();
    same(counter.value, 23n, 'counter after the second call');
  }],
  ['panic_works', ({ program }) => {
    const counter = { value: 0n };
    const { result } = call(instantiate(program), 'do_panic', counter);
    check(result.kind === 'error' && result.error === ExecError.Trap, `expected Err(Trap), got ${describeResult(result)}`);
    result.instance.destroy();
    same(counter.value, 0n, 'counter');
  }],
  ['exit_works', ({ program }) => {
    const counter = { value: 0n };
    const { result } = call(instantiate(program), 'do_exit', counter);
    check(result.kind === 'exit', `expected Exit, got ${describeResult(result)}`);
    same(counter.value, 0n, 'counter (the guest adds 1000 if exit returns)');
  }],
  ['run_out_of_gas_works', ({ program, options }) => {
    const counter = { value: 0n };
    const { result, gasLeft } = call(instantiate(program), 'increment_forever', counter, 100_000n);
    check(result.kind === 'error' && result.error === ExecError.OutOfGas, `expected Err(OutOfGas), got ${describeResult(result)}`);
    result.instance.destroy();
    if (options.outOfGasCounter !== undefined) same(counter.value, options.outOfGasCounter, 'counter at OutOfGas');
    else check(counter.value > 0n, 'counter at OutOfGas: expected progress, got 0');
    same(gasLeft, 0n, 'gas left');
  }],
  ['gas_consumption_works', ({ program, options }) => {
    const consumed = [GAS_MAX, GAS_MAX / 2n].map((limit) => {
      const { result, gasLeft } = call(instantiate(program), 'counter', { value: 0n }, limit);
      finished(result, `counter with gas ${limit}`).destroy();
      return limit - gasLeft;
    });
    same(consumed[1], consumed[0], 'gas consumed with i64::MAX / 2 (vs i64::MAX)');
    if (options.counterGas !== undefined) same(consumed[0], options.counterGas, 'gas consumed by counter');
  }],
  ['memory_reset_on_instantiate', ({ program }) => {
    const counter = { value: 0n };
    finished(call(instantiate(program), 'offset', counter).result, 'offset on A').destroy();
    same(counter.value, 3n, 'counter after A');
    finished(call(instantiate(program), 'offset', counter).result, 'offset on B').destroy();
    same(counter.value, 6n, 'counter after B (the static starts at 3 again)');
  }],
  ['memory_persistent', ({ program }) => {
    const counter = { value: 0n };
    const again = finished(call(instantiate(program), 'offset', counter).result, 'first offset');
    same(counter.value, 3n, 'counter after the first call');
    finished(call(again, 'offset', counter).result, 'second offset').destroy();
    same(counter.value, 7n, 'counter after the second call (the static went 3 → 4)');
  }],
  ['counter_in_subcall', ({ program }) => {
    const counter = { value: 0n };
    const fixture = makeHandler(counter);
    let subcalls = 0;
    const handler: SyscallHandler = (syscall) => {
      if (syscall.syscallName !== 'subcall') return fixture(syscall);
      const subCounter = { value: 0n };
      finished(call(instantiate(program), 'counter', subCounter).result, 'counter in the subcall').destroy();
      same(subCounter.value, 8n, 'sub counter');
      subcalls++;
      return 0n;
    };
    finished(call(instantiate(program), 'do_subcall', counter, GAS_MAX, handler).result, 'do_subcall').destroy();
    same(subcalls, 1, 'subcalls');
    same(counter.value, 0n, 'parent counter');
  }],
  ['from_storage_key_not_found', () => {
    const r = VirtModule.fromStorageKey('::missing::', '');
    check(!r.ok && r.error === ModuleError.NotFound, `expected Err(NotFound), got ${describeCompile(r)}`);
  }],
];

const key = (text: string): Uint8Array => new TextEncoder().encode(text);

function counterOnce(module: VirtModule): bigint {
  const made = module.instantiate();
  check(made.ok, `instantiate failed (${made.ok ? '' : instantiateErrorName(made.error)})`);
  const counter = { value: 0n };
  finished(call(made.instance, 'counter', counter).result, 'counter').destroy();
  return counter.value;
}

function status(r: CompileResult, expected: 'cached' | 'compiled', what: string): VirtModule {
  check(r.ok && r.status === expected, `${what}: expected ${expected}, got ${describeCompile(r)}`);
  return r.module;
}

const hostCases: readonly Case[] = [
  ['from_storage_key_cache_hit', ({ program }) => {
    status(VirtModule.fromBytes(program, 'key'), 'compiled', 'from_bytes');
    same(counterOnce(status(VirtModule.fromStorageKey('key', ''), 'cached', 'from_storage_key')), 8n, 'counter');
  }],
  ['lookup_is_pure', ({ program, storage }) => {
    storage.insert('key', program);
    const miss = VirtModule.lookup('key');
    check(!miss.ok && miss.error === ModuleError.NotCached, `lookup of a stored, uncompiled key: expected Err(NotCached), got ${miss.ok ? 'Ok' : `Err(${moduleErrorName(miss.error)})`}`);
    status(VirtModule.fromBytes(program, 'other'), 'compiled', 'from_bytes');
    check(VirtModule.lookup('other').ok, 'lookup after from_bytes: expected Ok');
  }],
  ['from_bytes_cache_hit', ({ program }) => {
    status(VirtModule.fromBytes(program, 'key'), 'compiled', 'first from_bytes');
    status(VirtModule.fromBytes(program, 'key'), 'cached', 'second from_bytes');
  }],
  ['from_bytes_none_skips_cache', ({ program }) => {
    status(VirtModule.fromBytes(program), 'compiled', 'from_bytes without identifier');
    const r = VirtModule.fromStorageKey('would-be-key', '');
    check(!r.ok && r.error === ModuleError.NotFound, `from_storage_key: expected Err(NotFound), got ${describeCompile(r)}`);
  }],
  ['from_storage_key_main_trie', ({ program, storage }) => {
    storage.insert('code:my-program', program);
    same(counterOnce(status(VirtModule.fromStorageKey('code:my-program', ''), 'compiled', 'first from_storage_key')), 8n, 'counter');
    same(counterOnce(status(VirtModule.fromStorageKey('code:my-program', ''), 'cached', 'second from_storage_key')), 8n, 'counter');
  }],
  ['from_storage_key_child_trie', ({ program, storage }) => {
    storage.insertChild('contracts', 'code:child', program);
    same(counterOnce(status(VirtModule.fromStorageKey('code:child', 'contracts'), 'compiled', 'from_storage_key')), 8n, 'counter');
  }],
  ['from_storage_key_invalid_image', ({ storage }) => {
    storage.insert('code:garbage', key('this is not a polkavm program'));
    const r = VirtModule.fromStorageKey('code:garbage', '');
    check(!r.ok && r.error === ModuleError.InvalidImage, `expected Err(InvalidImage), got ${describeCompile(r)}`);
  }],
];

function describeResult(r: RunResult): string {
  return r.kind === 'error' ? `Err(${execErrorName(r.error)})` : r.kind === 'exit' ? 'Exit' : 'Ok';
}

function describeCompile(r: CompileResult): string {
  return r.ok ? `Ok(${r.status})` : `Err(${moduleErrorName(r.error)})`;
}

/**
 * Runs the crate's test cases (and, unless `hostTests: false`, the host tests) against `program`
 * and reports each one. Never throws for a failing case; throws VirtMisuseError for bad options.
 */
export function runTests(program: Uint8Array, options: RunTestsOptions = {}): TestCaseReport[] {
  if (!(program instanceof Uint8Array)) throw new VirtMisuseError('bad-argument', `runTests needs the program as a Uint8Array, got ${typeof program}`);
  if (options.backend !== undefined && options.manager !== undefined) {
    throw new VirtMisuseError('bad-argument', 'runTests: pass either `backend` (for a VirtManager) or `manager` (your own backend), not both');
  }
  if (options.manager !== undefined && typeof options.manager !== 'function') throw new VirtMisuseError('bad-argument', 'runTests: `manager` must be a function that makes a fresh backend per case');
  for (const name of ['outOfGasCounter', 'counterGas'] as const) {
    const value = options[name];
    if (value !== undefined && typeof value !== 'bigint') throw new VirtMisuseError('bad-argument', `runTests: \`${name}\` must be a bigint, got ${typeof value}`);
  }
  const cases = options.hostTests === false ? driverCases : [...driverCases, ...hostCases];
  return cases.map(([name, run]) => {
    let backend: TrackingBackend | undefined;
    try {
      const inner = options.manager ? options.manager() : new VirtManager(options.backend ? { backend: options.backend } : {});
      backend = new TrackingBackend(inner);
      const storage = new MemoryStorage();
      const ext = new VirtHost({ manager: backend, storage });
      withVirtManager(ext, () => run({ program, options, storage }));
      const leaked = backend.live.size;
      if (leaked > 0) return { name, passed: false, reason: `left ${leaked} instance(s) alive` };
      return { name, passed: true };
    } catch (e) {
      return { name, passed: false, reason: errorMessage(e) };
    } finally {
      // Whatever the case did, nothing it made outlives it.
      if (backend) for (const id of [...backend.live]) backend.destroy(id);
    }
  });
}
