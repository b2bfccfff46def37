// Whole .polkavm programs from ../shared/blobs: the RISC-V test suite (self-checking) and two real
// programs with results known from the reference (blobs/README.md).
import { basename } from 'node:path';
import { readFileSync } from 'node:fs';
import { sharedPath } from '../shared.ts';
import type { ConformanceCase } from './case.ts';
import { listFiles } from './files.ts';

export const RISCV_TESTS_SUITE = 'riscv-tests';
export const REAL_PROGRAMS_SUITE = 'real-programs';

export function riscvTestsDir(): string {
  return sharedPath('blobs', 'riscv-tests');
}

/** Pass = the test jumps to RA (0xFFFF0000) within 10000 gas; a failing test traps with its number in S0. */
export function riscvTestCase(path: string): ConformanceCase {
  const name = basename(path, '.polkavm');
  return {
    suite: RISCV_TESTS_SUITE,
    name,
    file: basename(path),
    program: { kind: 'polkavm', bytes: new Uint8Array(readFileSync(path)) },
    dynamicPaging: false,
    gasMetering: 'sync',
    costModel: { kind: 'naive' },
    entry: { kind: 'call', export: 'main', args: [] },
    initialGas: 10000n,
    actions: [{ kind: 'run', expect: { status: 'finished' } }],
    failureHint: { reg: reg.s0, meaning: 'the number of the failing test' },
  };
}

/** All 180 programs. */
export function loadRiscvTests(dir = riscvTestsDir()): ConformanceCase[] {
  return listFiles(dir, '.polkavm').map(riscvTestCase);
}

const reg = { t0: 2, t1: 3, t2: 4, s0: 5, s1: 6, a0: 7, a1: 8, a2: 9, a3: 10, a4: 11, a5: 12 } as const;

/** Registers from blobs/README.md: the listed ones, every other one 0 apart from RA and SP. */
function pinkyRegs(): (bigint | undefined)[] {
  const regs: (bigint | undefined)[] = [undefined, undefined, ...new Array<bigint>(11).fill(0n)];
  const listed: Partial<Record<keyof typeof reg, bigint>> = {
    t0: 0x53b7d7fan,
    t1: 0x307ffn,
    t2: 0x4009d340n,
    a2: 0xc7e3n,
    a3: 0xe000n,
    a4: 0x10000n,
    a5: 0x3bcn,
  };
  for (const [name, value] of Object.entries(listed)) regs[reg[name as keyof typeof reg]] = value;
  return regs;
}

// Any budget comfortably above the gas used; the expectation is on what is left.
const PINKY_GAS = 10_000_000_000n;
/** Gas used by pinky `initialize`, per cost model (blobs/README.md; issue 5 for full-l2). */
export const PINKY_GAS_USED: Readonly<Record<string, bigint>> = { naive: 327_668_972n, 'full-l2': 1_597_399_531n };

export function pinkyCase(costModel: 'naive' | 'full-l2' = 'naive'): ConformanceCase {
  const file = 'bench-pinky.polkavm';
  return {
    suite: costModel === 'naive' ? REAL_PROGRAMS_SUITE : `${REAL_PROGRAMS_SUITE}/${costModel}`,
    name: 'bench-pinky initialize',
    file,
    program: { kind: 'polkavm', bytes: new Uint8Array(readFileSync(sharedPath('blobs', 'polkavm', file))) },
    dynamicPaging: false,
    gasMetering: 'sync',
    costModel: costModel === 'naive' ? { kind: 'naive' } : { kind: 'named', name: costModel },
    entry: { kind: 'call', export: 'initialize', args: [] },
    initialGas: PINKY_GAS,
    actions: [{ kind: 'run', expect: { status: 'finished', gas: PINKY_GAS - PINKY_GAS_USED[costModel]!, regs: pinkyRegs() } }],
    slow: true,
  };
}

export function helloWorldCase(): ConformanceCase {
  const file = 'example-hello-world.polkavm';
  return {
    suite: REAL_PROGRAMS_SUITE,
    name: 'example-hello-world add_numbers(1, 2)',
    file,
    program: { kind: 'polkavm', bytes: new Uint8Array(readFileSync(sharedPath('blobs', 'polkavm', file))) },
    dynamicPaging: false,
    // Metered only so that a wrong branch cannot loop forever; the reference gives no gas figure to check.
    gasMetering: 'sync',
    costModel: { kind: 'naive' },
    entry: { kind: 'call', export: 'add_numbers', args: [1n, 2n] },
    initialGas: 1_000_000n,
    actions: [
      {
        kind: 'run',
        host: { byImport: new Map([['get_third_number', 100n]]) },
        expect: { status: 'finished', regs: Array.from({ length: 13 }, (_, r) => (r === reg.a0 ? 103n : undefined)) },
      },
    ],
  };
}

export function loadRealPrograms(costModel: 'naive' | 'full-l2' = 'naive'): ConformanceCase[] {
  return costModel === 'naive' ? [helloWorldCase(), pinkyCase()] : [pinkyCase(costModel)];
}
