// The host side of sp-virtualization: sc-virtualization's host tests (digest A.5, A.7), the id-level
// state machine, the wire values of the host functions, the ExecBuffer layout, and host misuse.
import { describe, expect, it } from 'vitest';
import { assemble } from '../src/assembler/index.ts';
import {
  CompileStatus,
  decodeCompileResult,
  decodeExecBuffer,
  DestroyError,
  encodeExecBuffer,
  EXEC_BUFFER_SIZE,
  ExecError,
  ExecStatus,
  execErrorName,
  GAS_MAX,
  InstantiateError,
  makeHandler,
  MAX_LIVE_INSTANCES,
  MAX_SYSCALL_SYMBOL_LEN,
  MemoryError,
  MemoryStorage,
  ModuleError,
  runLoop,
  SyscallSymbol,
  VirtHost,
  VirtManager,
  VirtMisuseError,
  VirtModule,
  withVirtHost,
  type CompileResult,
  type InstanceId,
  type ModuleId,
} from '../src/virt/index.ts';
import { FIXTURE, VIRT_BACKENDS } from './virt-fixture.ts';

// The suites below test the front, not a backend: they use the first backend that loads the fixture.
const backend = VIRT_BACKENDS[0];
const newManager = (): VirtManager => new VirtManager(backend ? { backend } : {});
const newHost = (): VirtHost => new VirtHost({ manager: newManager() });

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function moduleOf(r: CompileResult): VirtModule {
  if (!r.ok) throw new Error(`compile failed: ${r.error}`);
  return r.module;
}

/** Runs `counter` on a fresh instance of `module` from a zero counter; returns the counter. */
function runCounter(module: VirtModule): bigint {
  const made = module.instantiate();
  if (!made.ok) throw new Error(`instantiate failed: ${made.error}`);
  const prepared = made.instance.prepare('counter');
  if (!prepared.ok) throw new Error(`prepare failed: ${prepared.error}`);
  const counter = { value: 0n };
  const result = runLoop(prepared.execution, { gasLeft: GAS_MAX }, makeHandler(counter));
  if (result.kind !== 'ok') throw new Error(`counter ended with ${result.kind}`);
  result.instance.destroy();
  return counter.value;
}

interface HostCase {
  name: string;
  run(host: VirtHost, storage: MemoryStorage, manager: VirtManager): void;
}

// sc-virtualization tests/host_tests.rs (0.4.0) and the later iteration's tests (A.7).
const hostCases: HostCase[] = [
  {
    name: 'from_storage_key_cache_hit',
    run() {
      const compiled = VirtModule.fromBytes(FIXTURE, 'key');
      expect(compiled).toMatchObject({ ok: true, status: 'compiled' });
      const cached = VirtModule.fromStorageKey('key', '');
      expect(cached).toMatchObject({ ok: true, status: 'cached' });
      expect(runCounter(moduleOf(cached))).toBe(8n);
    },
  },
  {
    name: 'lookup_is_pure (storage is never read)',
    run(_host, storage) {
      storage.insert('key', FIXTURE);
      expect(VirtModule.lookup('key')).toEqual({ ok: false, error: ModuleError.NotCached });
      moduleOf(VirtModule.fromBytes(FIXTURE, 'other'));
      const found = VirtModule.lookup('other');
      expect(found.ok).toBe(true);
      if (found.ok) expect(runCounter(found.module)).toBe(8n);
    },
  },
  {
    name: 'from_bytes_cache_hit',
    run() {
      expect(VirtModule.fromBytes(FIXTURE, 'key')).toMatchObject({ ok: true, status: 'compiled' });
      expect(VirtModule.fromBytes(FIXTURE, 'key')).toMatchObject({ ok: true, status: 'cached' });
    },
  },
  {
    name: 'from_bytes_none_skips_cache',
    run() {
      expect(VirtModule.fromBytes(FIXTURE)).toMatchObject({ ok: true, status: 'compiled' });
      expect(VirtModule.fromBytes(FIXTURE)).toMatchObject({ ok: true, status: 'compiled' });
      expect(VirtModule.fromStorageKey('would-be-key', '')).toEqual({ ok: false, error: ModuleError.NotFound });
      expect(VirtModule.lookup('would-be-key')).toEqual({ ok: false, error: ModuleError.NotCached });
    },
  },
  {
    name: 'from_storage_key_main_trie',
    run(_host, storage) {
      storage.insert('code:my-program', FIXTURE);
      const first = VirtModule.fromStorageKey('code:my-program', '');
      expect(first).toMatchObject({ ok: true, status: 'compiled' });
      expect(runCounter(moduleOf(first))).toBe(8n);
      const second = VirtModule.fromStorageKey('code:my-program', '');
      expect(second).toMatchObject({ ok: true, status: 'cached' });
      expect(runCounter(moduleOf(second))).toBe(8n);
    },
  },
  {
    name: 'from_storage_key_child_trie (and the main trie does not see it)',
    run(_host, storage) {
      storage.insertChild('contracts', 'code:child', FIXTURE);
      expect(VirtModule.fromStorageKey('code:child', '')).toEqual({ ok: false, error: ModuleError.NotFound });
      const r = VirtModule.fromStorageKey('code:child', 'contracts');
      expect(r).toMatchObject({ ok: true, status: 'compiled' });
      expect(runCounter(moduleOf(r))).toBe(8n);
    },
  },
  {
    name: 'from_storage_key_invalid_image',
    run(_host, storage) {
      storage.insert('code:garbage', bytes('garbage'));
      expect(VirtModule.fromStorageKey('code:garbage', '')).toEqual({ ok: false, error: ModuleError.InvalidImage });
    },
  },
  {
    name: 'compile_invalid_image',
    run() {
      expect(VirtModule.fromBytes(bytes('this is not a valid polkavm program'))).toEqual({ ok: false, error: ModuleError.InvalidImage });
      // A blob cut short fails too: the container names sections that are not there.
      expect(VirtModule.fromBytes(FIXTURE.subarray(0, FIXTURE.length - 7))).toEqual({ ok: false, error: ModuleError.InvalidImage });
    },
  },
  {
    name: 'an import symbol over 32 bytes is an invalid image; 32 bytes is fine',
    run() {
      const program = (name: string): Uint8Array => assemble(`%isa = latest64\n%import ${name}\npub @main:\n    ecalli ${name}\n    ret\n`);
      expect(VirtModule.fromBytes(program('s'.repeat(MAX_SYSCALL_SYMBOL_LEN + 1)))).toEqual({ ok: false, error: ModuleError.InvalidImage });
      expect(VirtModule.fromBytes(program('s'.repeat(MAX_SYSCALL_SYMBOL_LEN)))).toMatchObject({ ok: true, status: 'compiled' });
    },
  },
  {
    name: 'instantiate_enforces_live_instance_cap (30; destroying one frees a slot)',
    run(_host, _storage, manager) {
      const module = moduleOf(VirtModule.fromBytes(FIXTURE));
      const instances = Array.from({ length: MAX_LIVE_INSTANCES }, () => {
        const r = module.instantiate();
        if (!r.ok) throw new Error(`instantiate below the cap failed: ${r.error}`);
        return r.instance;
      });
      expect(manager.liveInstances).toBe(MAX_LIVE_INSTANCES);
      expect(module.instantiate()).toEqual({ ok: false, error: InstantiateError.TooManyInstances });
      instances[0]!.destroy();
      const again = module.instantiate();
      expect(again.ok).toBe(true);
      if (again.ok) again.instance.destroy();
      instances.slice(1).forEach((i) => i.destroy());
    },
  },
  {
    name: 'prepare of a missing export: InvalidImage, and the instance comes back usable',
    run() {
      const made = moduleOf(VirtModule.fromBytes(FIXTURE)).instantiate();
      if (!made.ok) throw new Error('instantiate failed');
      const missing = made.instance.prepare('no_such_export');
      expect(missing).toMatchObject({ ok: false, error: ExecError.InvalidImage });
      if (missing.ok) return;
      expect(missing.instance).toBe(made.instance);
      const prepared = missing.instance.prepare(bytes('do_panic'));
      expect(prepared.ok).toBe(true);
      if (!prepared.ok) return;
      const result = prepared.execution.run(GAS_MAX, 0n);
      expect(result).toMatchObject({ kind: 'error', error: ExecError.Trap });
      if (result.kind === 'error') result.instance.destroy();
    },
  },
  {
    name: 'a syscall reports its symbol, A0..A5 and the gas left, and memory is reachable only then',
    run() {
      const made = moduleOf(VirtModule.fromBytes(FIXTURE)).instantiate();
      if (!made.ok) throw new Error('instantiate failed');
      const prepared = made.instance.prepare('add_99');
      if (!prepared.ok) throw new Error('prepare failed');
      const syscall = prepared.execution.run(10_000n, 0n);
      if (syscall.kind !== 'syscall') throw new Error(`expected a syscall, got ${syscall.kind}`);
      expect(syscall.syscallName).toBe('increment_counter');
      expect(SyscallSymbol.from(syscall.syscallSymbol)?.equals('increment_counter')).toBe(true);
      expect(syscall.gasLeft).toBeLessThan(10_000n);
      expect(syscall.gasLeft).toBeGreaterThan(0n);
      const arg = new Uint8Array(8);
      expect(syscall.execution.readMemory(Number(syscall.a0), arg)).toEqual({ ok: true });
      expect(new DataView(arg.buffer).getBigUint64(0, true)).toBe(99n);
      expect(syscall.execution.readMemory(0, arg)).toEqual({ ok: false, error: MemoryError.OutOfBounds });
      expect(syscall.execution.writeMemory(0xffff_fffc, arg)).toEqual({ ok: false, error: MemoryError.OutOfBounds });
      // A wrong answer makes the guest's check trap: the resume value really reaches A0.
      const wrong = syscall.execution.run(syscall.gasLeft, 7n);
      expect(wrong).toMatchObject({ kind: 'error', error: ExecError.Trap });
      if (wrong.kind === 'error') wrong.instance.destroy();
    },
  },
  {
    name: 'an ecalli past the import table ends the run with InvalidImage',
    run() {
      const module = moduleOf(VirtModule.fromBytes(assemble('%isa = latest64\npub @main:\n    ecalli 5\n    ret\n')));
      const made = module.instantiate();
      if (!made.ok) throw new Error('instantiate failed');
      const prepared = made.instance.prepare('main');
      if (!prepared.ok) throw new Error('prepare failed');
      const result = prepared.execution.run(GAS_MAX, 0n);
      expect(result).toMatchObject({ kind: 'error', error: ExecError.InvalidImage });
      if (result.kind === 'error') result.instance.destroy();
    },
  },
];

describe.each(VIRT_BACKENDS)('sc-virtualization host behaviour [%s]', (name) => {
  it.each(hostCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const manager = new VirtManager({ backend: name });
    const storage = new MemoryStorage();
    const host = new VirtHost({ manager, storage });
    withVirtHost(host, () => c.run(host, storage, manager));
    expect(manager.liveInstances).toBe(0);
  });
});

describe('VirtManager by ids (the state machine the host functions drive)', () => {
  it('cache_does_not_leak_between_instances (one cache per manager)', () => {
    const a = newManager();
    const b = newManager();
    expect(a.compile(FIXTURE, bytes('some-key')).ok).toBe(true);
    expect(a.lookup(bytes('some-key')).ok).toBe(true);
    expect(b.lookup(bytes('some-key'))).toEqual({ ok: false, error: ModuleError.NotCached });
  });

  it('ids count up from 0; a lookup hands out a new module id for the same module', () => {
    const m = newManager();
    const first = m.compile(FIXTURE, bytes('k'));
    const alias = m.lookup(bytes('k'));
    expect([first, alias]).toEqual([
      { ok: true, moduleId: 0 },
      { ok: true, moduleId: 1 },
    ]);
    const instances = [0, 1].map((id) => m.instantiate(id as ModuleId));
    expect(instances).toEqual([
      { ok: true, instanceId: 0 },
      { ok: true, instanceId: 1 },
    ]);
    expect(m.destroy(0 as InstanceId)).toEqual({ ok: true });
    // Ids are never reused: the next instance gets 2, not the freed 0.
    expect(m.instantiate(0 as ModuleId)).toEqual({ ok: true, instanceId: 2 });
  });

  it('operations in the wrong state or on unknown ids are errors, not exceptions', () => {
    const m = newManager();
    const mod = m.compile(FIXTURE, undefined);
    if (!mod.ok) throw new Error('compile failed');
    expect(m.instantiate(99 as ModuleId)).toEqual({ ok: false, error: InstantiateError.InvalidModule });
    const inst = m.instantiate(mod.moduleId);
    if (!inst.ok) throw new Error('instantiate failed');
    const id = inst.instanceId;
    const buf = new Uint8Array(4);
    // Idle: no run, no memory.
    expect(m.run(id, GAS_MAX, 0n)).toEqual({ ok: false, error: ExecError.InvalidInstance });
    expect(m.readMemory(id, 0x20000, buf)).toEqual({ ok: false, error: MemoryError.InvalidInstance });
    expect(m.writeMemory(id, 0x20000, buf)).toEqual({ ok: false, error: MemoryError.InvalidInstance });
    expect(m.prepare(id, bytes('counter'))).toEqual({ ok: true });
    // Ready: no second prepare; memory is reachable (rw data holds OFFSET = 3).
    expect(m.prepare(id, bytes('counter'))).toEqual({ ok: false, error: ExecError.InvalidInstance });
    expect(m.readMemory(id, 0x20000, buf)).toEqual({ ok: true });
    expect([...buf]).toEqual([3, 0, 0, 0]);
    expect(m.destroy(id)).toEqual({ ok: true });
    expect(m.destroy(id)).toEqual({ ok: false, error: DestroyError.InvalidInstance });
    expect(m.run(id, GAS_MAX, 0n)).toEqual({ ok: false, error: ExecError.InvalidInstance });
    expect(m.prepare(id, bytes('counter'))).toEqual({ ok: false, error: ExecError.InvalidInstance });
    expect(m.readMemory(id, 0x20000, buf)).toEqual({ ok: false, error: MemoryError.InvalidInstance });
  });

  it('out of gas sends the instance back to idle: it can be prepared again', () => {
    const m = newManager();
    const mod = m.compile(FIXTURE, undefined);
    if (!mod.ok) throw new Error('compile failed');
    const inst = m.instantiate(mod.moduleId);
    if (!inst.ok) throw new Error('instantiate failed');
    expect(m.prepare(inst.instanceId, bytes('counter'))).toEqual({ ok: true });
    expect(m.run(inst.instanceId, 1n, 0n)).toEqual({ ok: false, error: ExecError.OutOfGas });
    expect(m.prepare(inst.instanceId, bytes('counter'))).toEqual({ ok: true });
    expect(m.run(inst.instanceId, GAS_MAX, 0n)).toMatchObject({ ok: true, status: ExecStatus.Syscall });
  });
});

describe('host functions: RIIntResult wire values', () => {
  it('compile packs the module id in bits 0-31 and the status in bits 32-39; errors are their discriminants', () => {
    const host = newHost();
    const first = host.compileFromBytes(FIXTURE, bytes('id'));
    const second = host.compileFromBytes(FIXTURE, bytes('id'));
    expect(first).toBe(0 + CompileStatus.Compiled * 2 ** 32);
    expect(second).toBe(1 + CompileStatus.Cached * 2 ** 32);
    expect(decodeCompileResult(second)).toEqual({ ok: true, moduleId: 1, status: CompileStatus.Cached });
    expect(host.compileFromBytes(bytes('nope'))).toBe(ModuleError.InvalidImage);
    expect(host.lookup(bytes('missing'))).toBe(ModuleError.NotCached);
    expect(host.instantiate(77)).toBe(InstantiateError.InvalidModule);
    expect(host.destroy(77)).toBe(DestroyError.InvalidInstance);
    expect(host.readMemory(77, 0, new Uint8Array(1))).toBe(MemoryError.InvalidInstance);
  });

  it('run writes the ExecBuffer: status Syscall with the symbol, then Finished with only the gas', () => {
    const host = newHost();
    const moduleId = host.compileFromBytes(FIXTURE) % 2 ** 32;
    const instanceId = host.instantiate(moduleId);
    expect(host.prepare(instanceId, bytes('add_99'))).toBe(0);
    const buffer = new Uint8Array(EXEC_BUFFER_SIZE).fill(0xee);
    expect(host.run(instanceId, 5000n, 0n, buffer)).toBe(ExecStatus.Syscall);
    const syscall = decodeExecBuffer(buffer);
    expect(new TextDecoder().decode(syscall.syscallSymbol)).toBe('increment_counter');
    expect(syscall.gasLeft).toBeLessThan(5000n);
    expect(host.run(instanceId, syscall.gasLeft, 2n << 56n, buffer)).toBe(ExecStatus.Finished);
    const finished = decodeExecBuffer(buffer);
    expect(finished).toMatchObject({ syscallSymbol: new Uint8Array(0), a0: 0n, a5: 0n });
    expect(finished.gasLeft).toBeLessThan(syscall.gasLeft);
    expect(host.run(instanceId, GAS_MAX, 0n, buffer)).toBe(ExecError.InvalidInstance);
    expect(() => host.run(instanceId, GAS_MAX, 0n, new Uint8Array(64))).toThrow(VirtMisuseError);
  });

  it('decoding rejects values no host may send', () => {
    expect(() => decodeCompileResult(-4)).toThrow(VirtMisuseError);
    expect(() => decodeCompileResult(2 ** 40)).toThrow(VirtMisuseError);
    expect(() => decodeCompileResult(5 * 2 ** 32)).toThrow(VirtMisuseError);
  });
});

describe('ExecBuffer', () => {
  it('is 96 little-endian bytes: gas, symbol[32], symbol length, a0..a5', () => {
    const encoded = encodeExecBuffer({ gasLeft: -2n, syscallSymbol: bytes('abc'), a0: 1n, a1: 2n, a2: 3n, a3: 4n, a4: 5n, a5: (1n << 64n) - 1n });
    const v = new DataView(encoded.buffer);
    expect(encoded.length).toBe(96);
    expect(v.getBigInt64(0, true)).toBe(-2n);
    expect([...encoded.subarray(8, 12)]).toEqual([0x61, 0x62, 0x63, 0]);
    expect(v.getBigUint64(40, true)).toBe(3n);
    expect([48, 56, 64, 72, 80, 88].map((at) => v.getBigUint64(at, true))).toEqual([1n, 2n, 3n, 4n, 5n, (1n << 64n) - 1n]);
    expect(decodeExecBuffer(encoded)).toEqual({ gasLeft: -2n, syscallSymbol: bytes('abc'), a0: 1n, a1: 2n, a2: 3n, a3: 4n, a4: 5n, a5: (1n << 64n) - 1n });
  });

  it('refuses a symbol over 32 bytes either way', () => {
    expect(() => encodeExecBuffer({ gasLeft: 0n, syscallSymbol: new Uint8Array(33), a0: 0n, a1: 0n, a2: 0n, a3: 0n, a4: 0n, a5: 0n })).toThrow(VirtMisuseError);
    const corrupt = new Uint8Array(96);
    new DataView(corrupt.buffer).setBigUint64(40, 33n, true);
    expect(() => decodeExecBuffer(corrupt)).toThrow(VirtMisuseError);
  });
});

describe('typestate misuse throws VirtMisuseError', () => {
  const misuse = (kind: string) => expect.objectContaining({ name: 'VirtMisuseError', kind });
  const prepared = () => {
    const made = moduleOf(VirtModule.fromBytes(FIXTURE)).instantiate();
    if (!made.ok) throw new Error('instantiate failed');
    const p = made.instance.prepare('counter');
    if (!p.ok) throw new Error('prepare failed');
    return { instance: made.instance, execution: p.execution };
  };
  const cases: { name: string; act: () => void; kind: string }[] = [
    {
      name: 'an Execution run twice',
      kind: 'consumed-handle',
      act: () => {
        const { execution } = prepared();
        execution.run(GAS_MAX);
        execution.run(GAS_MAX);
      },
    },
    {
      name: 'an Instance prepared twice',
      kind: 'consumed-handle',
      act: () => prepared().instance.prepare('counter'),
    },
    {
      name: 'memory of a consumed Execution',
      kind: 'consumed-handle',
      act: () => {
        const { execution } = prepared();
        execution.run(GAS_MAX);
        execution.readMemory(0x20000, new Uint8Array(1));
      },
    },
    {
      name: 'an Instance after destroy',
      kind: 'consumed-handle',
      act: () => {
        const made = moduleOf(VirtModule.fromBytes(FIXTURE)).instantiate();
        if (!made.ok) throw new Error('instantiate failed');
        made.instance.destroy();
        made.instance.prepare('counter');
      },
    },
    { name: 'gas outside i64', kind: 'bad-argument', act: () => prepared().execution.run(1n << 63n) },
    { name: 'a0 outside u64', kind: 'bad-argument', act: () => prepared().execution.run(GAS_MAX, -1n) },
    { name: 'an offset outside u32', kind: 'bad-argument', act: () => prepared().execution.readMemory(2 ** 32, new Uint8Array(1)) },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    withVirtHost(newHost(), () => expect(c.act).toThrow(misuse(c.kind)));
  });
});

describe('error enums', () => {
  it('carry the Rust discriminants and names', () => {
    expect(Object.entries(ExecError)).toEqual([['InvalidInstance', -1], ['InvalidImage', -2], ['OutOfGas', -3], ['Trap', -4]]);
    expect(Object.entries(ModuleError)).toEqual([['InvalidImage', -1], ['NotCached', -2], ['NotFound', -3]]);
    expect(execErrorName(ExecError.OutOfGas)).toBe('OutOfGas');
    expect(() => execErrorName(-9)).toThrow(RangeError);
    expect(SyscallSymbol.from('x'.repeat(33))).toBeUndefined();
  });
});
