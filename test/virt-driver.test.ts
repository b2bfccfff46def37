// The crate's test driver (runTests: 0.4.0 tests.rs + host_tests.rs, digest A.5) on every backend the
// runtime registers, with the counts this project's gas model predicts; and runTests itself: it
// reports failures with a reason, checks an embedder's own backend, and never leaks an instance.
import { describe, expect, it } from 'vitest';
import {
  ExecError,
  runTests,
  setVirtLogger,
  VirtManager,
  VirtMisuseError,
  type ExecStatus,
  type ExecBuffer,
  type InstanceId,
  type TestCaseReport,
  type VirtManagerBackend,
  type VirtResult,
} from '../src/virt/index.ts';
import { assemble } from '../src/assembler/index.ts';
import { FIXTURE, FIXTURE_SOURCE, incrementsBeforeOutOfGas, straightLineGas, UNAVAILABLE_BACKENDS, VIRT_BACKENDS } from './virt-fixture.ts';

setVirtLogger(null);

const CASE_NAMES = [
  'counter_start_at_0',
  'counter_start_at_7',
  'counter_multiple_calls',
  'panic_works',
  'exit_works',
  'run_out_of_gas_works',
  'gas_consumption_works',
  'memory_reset_on_instantiate',
  'memory_persistent',
  'counter_in_subcall',
  'from_storage_key_not_found',
  'from_storage_key_cache_hit',
  'lookup_is_pure',
  'from_bytes_cache_hit',
  'from_bytes_none_skips_cache',
  'from_storage_key_main_trie',
  'from_storage_key_child_trie',
  'from_storage_key_invalid_image',
];

const EXPECTED = { outOfGasCounter: incrementsBeforeOutOfGas(100_000n), counterGas: straightLineGas('counter') };

const failures = (reports: TestCaseReport[]): TestCaseReport[] => reports.filter((r) => !r.passed);

describe.each(VIRT_BACKENDS)('runTests [%s]', (backend) => {
  it('passes all 11 driver cases and 7 host tests, with the exact gas counts', () => {
    const reports = runTests(FIXTURE, { backend, ...EXPECTED });
    expect(reports.map((r) => r.name)).toEqual(CASE_NAMES);
    expect(failures(reports)).toEqual([]);
  });
});

// A registered backend that cannot load the fixture shows up as a skipped test with its reason.
describe.each(UNAVAILABLE_BACKENDS)('runTests [$backend]', ({ reason }) => {
  it.skip(`cannot load the 64-bit fixture: ${reason}`, () => {});
});

/** A VirtManager that counts live instances across every case runTests makes. */
function countingManager(): { make: () => VirtManagerBackend; managers: VirtManager[] } {
  const managers: VirtManager[] = [];
  return { managers, make: () => (managers.push(new VirtManager()), managers[managers.length - 1]!) };
}

/** The fixture with `counter` adding 6 instead of 7: its own check traps, and the counter cases must fail, saying so. */
const WRONG_SOURCE = FIXTURE_SOURCE.replace('u64 [sp + 8] = 7', 'u64 [sp + 8] = 6');

describe('runTests reports and cleans up', () => {
  it('checks an embedder backend, one fresh backend per case, and leaves none of its instances alive', () => {
    const { make, managers } = countingManager();
    expect(failures(runTests(FIXTURE, { manager: make, ...EXPECTED }))).toEqual([]);
    expect(managers.length).toBe(CASE_NAMES.length);
    expect(managers.map((m) => m.liveInstances)).toEqual(managers.map(() => 0));
  });

  const wrongCounts: [string, Parameters<typeof runTests>[1], string, RegExp][] = [
    ['a wrong out-of-gas count', { outOfGasCounter: 1n }, 'run_out_of_gas_works', /counter at OutOfGas: expected 1, got \d+/],
    ['a wrong gas figure', { counterGas: 1n }, 'gas_consumption_works', /gas consumed by counter: expected 1, got \d+/],
  ];
  it.each(wrongCounts)('reports %s as that case failing, with why', (_what, options, name, reason) => {
    const reports = runTests(FIXTURE, options);
    expect(failures(reports)).toEqual([{ name, passed: false, reason: expect.stringMatching(reason) }]);
  });

  it('reports a program that computes the wrong counter (the fixture checks itself and traps)', () => {
    expect(WRONG_SOURCE).not.toBe(FIXTURE_SOURCE);
    const failed = failures(runTests(assemble(WRONG_SOURCE), EXPECTED));
    expect(failed.find((r) => r.name === 'counter_start_at_0')?.reason).toBe('counter: expected Ok, got Err(Trap)');
    expect(failed.find((r) => r.name === 'counter_in_subcall')?.reason).toBe('counter in the subcall: expected Ok, got Err(Trap)');
    expect(failed.map((r) => r.name)).not.toContain('panic_works');
  });

  it('reports a backend whose run misbehaves, case by case, and destroys what the cases made', () => {
    // An embedder backend that traps every run: every case that runs an export fails with the reason.
    const managers: VirtManager[] = [];
    const trapping = (): VirtManagerBackend => {
      const inner = new VirtManager();
      managers.push(inner);
      return Object.assign(Object.create(inner) as VirtManager, {
        run(id: InstanceId, gas: bigint, a0: bigint): VirtResult<{ status: ExecStatus; buffer: ExecBuffer }, ExecError> {
          const r = inner.run(id, gas, a0);
          return r.ok && r.status === 1 ? { ok: false, error: ExecError.Trap } : r;
        },
      });
    };
    const reports = runTests(FIXTURE, { manager: trapping });
    const failed = failures(reports);
    expect(failed.map((r) => r.name)).toContain('counter_start_at_0');
    expect(failed.find((r) => r.name === 'counter_start_at_0')?.reason).toMatch(/counter: expected Ok, got Err\(Trap\)/);
    expect(reports.find((r) => r.name === 'panic_works')?.passed).toBe(true);
    expect(managers.every((m) => m.liveInstances === 0)).toBe(true);
  });

  it('reports a thrown error as the case failing, and still cleans up', () => {
    const managers: VirtManager[] = [];
    const throwing = (): VirtManagerBackend => {
      const inner = new VirtManager();
      managers.push(inner);
      return Object.assign(Object.create(inner) as VirtManager, {
        readMemory(): never {
          throw new RangeError('backend exploded');
        },
      });
    };
    const reports = runTests(FIXTURE, { manager: throwing, hostTests: false });
    expect(reports.find((r) => r.name === 'counter_start_at_0')).toEqual({ name: 'counter_start_at_0', passed: false, reason: 'RangeError: backend exploded' });
    expect(managers.every((m) => m.liveInstances === 0)).toBe(true);
    expect(reports.length).toBe(11);
  });

  const badOptions: [string, unknown, unknown][] = [
    ['program not bytes', 'not bytes', {}],
    ['backend and manager together', FIXTURE, { backend: 'interpreter', manager: () => new VirtManager() }],
    ['manager not a function', FIXTURE, { manager: new VirtManager() }],
    ['outOfGasCounter not a bigint', FIXTURE, { outOfGasCounter: 793 }],
  ];
  it.each(badOptions)('refuses %s', (_what, program, options) => {
    expect(() => runTests(program as Uint8Array, options as object)).toThrow(VirtMisuseError);
  });
});
