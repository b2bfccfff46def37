// Hostile programs against the runtime: memory declarations up to the address-space limit, the most
// imports, a 16M-entry jump table of 0-byte entries, a JAM service with the most extra rw pages, and
// guests that never stop. Each either runs exactly as declared or fails with a typed error, on every
// backend.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/assemble.ts';
import { parseBlob } from '../src/decoder/blob.ts';
import { ProgramParseError } from '../src/decoder/errors.ts';
import { writeVarint } from '../src/decoder/reader.ts';
import { MemoryMapError } from '../src/machine/layout.ts';
import { Reg } from '../src/machine/state.ts';
import { hasBackend, Linker, Module, RuntimeError, type BackendName, type Instance, type ModuleOptions } from '../src/runtime/index.ts';

const backends: readonly BackendName[] = (['interpreter', 'compiled'] as const).filter((b) => hasBackend(b));
const GiB = 2 ** 30;

// Stores A0 at [A1] and reads it back into A2; reads [A3] (never written) into A4; stores A0 below SP
// without moving SP and reads it back into A5.
const PROBE = `pub @main:
u32 [a1] = a0
a2 = i32 [a1]
a4 = i32 [a3]
u32 [sp + 0xfffffff8] = a0
a5 = i32 [sp + 0xfffffff8]
ret
`;

/** The bare code-and-jump-table payload of an assembled program, with `jumpTableCount` entries of 0 bytes. */
function codePayload(text: string, isa: string, jumpTableCount = 0): number[] {
  const blob = parseBlob(assemble(text, { isa }));
  const out: number[] = [];
  writeVarint(jumpTableCount, out);
  out.push(0);
  writeVarint(blob.code.length, out);
  out.push(...blob.code, ...blob.bitmask);
  return out;
}

const le = (value: number, width: number): number[] => Array.from({ length: width }, (_, k) => Math.floor(value / 256 ** k) % 256);

/** A JAM service blob (empty metadata) around PROBE. */
function jamService(extraRwPages: number, stackSize: number): Uint8Array {
  const code = codePayload(PROBE, 'jam_v1');
  const rwData = [1, 2, 3, 4];
  return Uint8Array.from([0, ...le(0, 3), ...le(rwData.length, 3), ...le(extraRwPages, 2), ...le(stackSize, 3), ...rwData, ...le(code.length, 4), ...code]);
}

type Outcome =
  | { kind: 'runs'; check: (instance: Instance) => void }
  | { kind: 'load-error'; error: new (...args: never[]) => Error; message: RegExp }
  | { kind: 'instantiate-error'; message: RegExp };

interface HostileCase {
  name: string;
  load: (options: ModuleOptions) => Module;
  outcome: Outcome;
}

const VALUE = 0x5eed1234;

/** Runs PROBE with A1 = a written address, A3 = an untouched one, and checks the values read back. */
function probe(instance: Instance, written: number, untouched: number): void {
  instance.prepareCall('main', [VALUE, written, 0, untouched]);
  expect(instance.run()).toEqual({ kind: 'finished' });
  expect([instance.reg(Reg.A2), instance.reg(Reg.A4), instance.reg(Reg.A5)]).toEqual([BigInt(VALUE), 0n, BigInt(VALUE)]);
  expect(instance.readMemory(written, 4)).toEqual(Uint8Array.from(le(VALUE, 4)));
}

const fromText = (text: string, options: ModuleOptions): Module => Module.fromBytes(assemble(text, { isa: 'latest32' }), options);

const cases: HostileCase[] = [
  {
    name: 'rw data size 0xFFFFFFFF',
    load: (o) => fromText(`%rw_data_size = ${0xffffffff}\n${PROBE}`, o),
    outcome: { kind: 'load-error', error: MemoryMapError, message: /read-write data is too big/ },
  },
  {
    name: 'stack size 0xFFFFFFFF',
    load: (o) => fromText(`%stack_size = ${0xffffffff}\n${PROBE}`, o),
    outcome: { kind: 'load-error', error: MemoryMapError, message: /stack is too big/ },
  },
  {
    name: 'rw data 3.75 GiB: the last word and the stack work, the middle reads 0',
    load: (o) => fromText(`%rw_data_size = ${0xf0000000}\n%stack_size = 4096\n${PROBE}`, o),
    outcome: {
      kind: 'runs',
      check: (i) => {
        const map = i.module.memoryMap;
        probe(i, map.rwDataAddress + map.rwDataSize - 4, map.rwDataAddress + 0x80000000);
      },
    },
  },
  {
    name: 'stack 3 GiB: its lowest word works, the middle reads 0',
    load: (o) => fromText(`%stack_size = ${3 * GiB}\n${PROBE}`, o),
    outcome: {
      kind: 'runs',
      check: (i) => {
        const map = i.module.memoryMap;
        probe(i, map.stackAddressLow, map.stackAddressLow + 1.5 * GiB);
      },
    },
  },
  {
    name: 'ro data 3 GiB: its last word reads 0',
    load: (o) => fromText(`%ro_data_size = ${3 * GiB}\n%stack_size = 4096\n${PROBE}`, o),
    outcome: {
      kind: 'runs',
      check: (i) => {
        const map = i.module.memoryMap;
        probe(i, map.stackAddressLow, map.roDataAddress + map.roDataSize - 4);
      },
    },
  },
  {
    name: 'stack 3 GiB under a 1 GiB memory limit',
    load: (o) => fromText(`%stack_size = ${3 * GiB}\n${PROBE}`, { ...o, memoryLimit: GiB }),
    outcome: { kind: 'instantiate-error', message: new RegExp(`stack ${3 * GiB}.*memory limit of ${GiB}`) },
  },
  {
    name: 'a stackSize option of 3 GiB over a 4 KiB blob stack',
    load: (o) => fromText(`%stack_size = 4096\n${PROBE}`, { ...o, stackSize: 3 * GiB }),
    outcome: {
      kind: 'runs',
      check: (i) => {
        const map = i.module.memoryMap;
        expect(map.stackSize).toBe(3 * GiB);
        probe(i, map.stackAddressLow, map.stackAddressLow + GiB);
      },
    },
  },
  {
    name: '1024 imports: the last one is bound and called',
    load: (o) => {
      const imports = Array.from({ length: 1024 }, (_, k) => `%import f${k}`).join('\n');
      return fromText(`%stack_size = 4096\n${imports}\npub @main:\necalli f1023\nret\n`, o);
    },
    outcome: {
      kind: 'runs',
      check: (i) => {
        const linked = new Linker({ allowUnresolvedImports: true }).define('f1023', () => 77).instantiate(i.module);
        expect(linked.call('main')).toMatchObject({ interrupt: { kind: 'finished' }, a0: 77n });
        // Unbound imports trap, as polkavm's linker leaves them.
        expect(i.call('main').interrupt).toEqual({ kind: 'trap' });
      },
    },
  },
  {
    name: '1025 imports',
    load: (o) => {
      const imports = Array.from({ length: 1025 }, (_, k) => `%import f${k}`).join('\n');
      return fromText(`${imports}\npub @main:\necalli f0\nret\n`, o);
    },
    outcome: { kind: 'load-error', error: ProgramParseError, message: /import/ },
  },
  {
    name: 'a jump table of 16M entries of 0 bytes: no entries, every indirect jump traps',
    load: (o) =>
      Module.fromBytes(Uint8Array.from(codePayload(`pub @main:\na1 = 1\njump [a0]\n`, 'latest32', 16 * 1024 * 1024)), {
        ...o,
        format: 'jam-program',
        isa: 'latest32',
      }),
    outcome: {
      kind: 'runs',
      check: (i) => {
        expect(i.module.blob.jumpTable.length).toBe(0);
        for (const target of [0, 2, 4, 0x7ffffffe]) {
          const r = i.call(0, target);
          expect(r.interrupt, `jump to ${target}`).toEqual({ kind: 'trap' });
          expect(i.reg(Reg.A1)).toBe(1n);
        }
      },
    },
  },
  {
    name: 'a JAM service with 65535 extra rw pages and a 16 MiB stack',
    load: (o) => Module.fromBytes(jamService(65535, 16 * 1024 * 1024 - 1), { ...o, format: 'jam-service', isa: 'jam_v1' }),
    outcome: {
      kind: 'runs',
      check: (i) => {
        const map = i.module.memoryMap;
        expect(map.rwDataSize).toBe(4096 + 65535 * 4096);
        expect(i.readMemory(map.rwDataAddress, 4)).toEqual(Uint8Array.of(1, 2, 3, 4));
        i.prepareCall(0, [VALUE, map.rwDataAddress + map.rwDataSize - 4, 0, map.rwDataAddress + 128 * 1024 * 1024]);
        expect(i.run()).toEqual({ kind: 'finished' });
        expect([i.reg(Reg.A2), i.reg(Reg.A4), i.reg(Reg.A5)]).toEqual([BigInt(VALUE), 0n, BigInt(VALUE)]);
      },
    },
  },
];

describe.each(backends)('hostile programs [%s]', (backend) => {
  it.each(cases)('$name', ({ load, outcome }) => {
    if (outcome.kind === 'load-error') {
      let thrown: unknown;
      try {
        load({ backend });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(outcome.error);
      expect((thrown as Error).message).toMatch(outcome.message);
      return;
    }
    const module = load({ backend });
    if (outcome.kind === 'instantiate-error') {
      let thrown: unknown;
      try {
        module.instantiate();
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(RuntimeError);
      expect((thrown as RuntimeError).kind).toBe('out-of-memory');
      expect((thrown as Error).message).toMatch(outcome.message);
      return;
    }
    const instance = module.instantiate();
    outcome.check(instance);
    // A reset instance of a hostile module runs the same way again.
    instance.reset();
    outcome.check(instance);
  });
});

describe.each(backends)('guests that never stop [%s]', (backend) => {
  const LOOP = `pub @main:\na0 = 0\n@loop:\na0 = a0 + 1\njump @loop\n`;
  interface StopCase {
    name: string;
    options: ModuleOptions;
    limit: (i: Instance) => void;
    interrupt: object;
  }
  const stops: StopCase[] = [
    { name: 'an instruction budget', options: {}, limit: (i) => i.setInstructionBudget(100_000), interrupt: { kind: 'budget', reason: 'instructions' } },
    { name: 'a deadline', options: {}, limit: (i) => i.setDeadline(20), interrupt: { kind: 'budget', reason: 'deadline' } },
    { name: 'a deadline, gas metered', options: { gasMetering: 'sync' }, limit: (i) => (i.setGas(1n << 62n), i.setDeadline(20)), interrupt: { kind: 'budget', reason: 'deadline' } },
    { name: 'gas', options: { gasMetering: 'sync' }, limit: (i) => i.setGas(100_000), interrupt: { kind: 'not-enough-gas' } },
  ];
  it.each(stops)('$name stops it, and it resumes', ({ options, limit, interrupt }) => {
    const instance = fromText(LOOP, { backend, ...options }).instantiate();
    instance.prepareCall('main');
    limit(instance);
    const started = performance.now();
    expect(instance.run()).toEqual(interrupt);
    expect(performance.now() - started).toBeLessThan(5000);
    const count = instance.reg(Reg.A0);
    expect(count).toBeGreaterThan(0n);
    expect(instance.nextProgramCounter()).toBeDefined();
    // Raise the limit and it goes on from where it stopped.
    instance.setInstructionBudget(1000);
    instance.setDeadline(undefined);
    if (options.gasMetering) instance.setGas(1n << 62n);
    expect(instance.run()).toEqual({ kind: 'budget', reason: 'instructions' });
    expect(instance.reg(Reg.A0)).toBeGreaterThan(count);
  });
});
