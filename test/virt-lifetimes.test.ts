// What JS lacks and Rust has: Drop (Symbol.dispose, runLoop's cleanup, instances back to the pool),
// externalities (withVirtManager, no default host, the async case), the crate's logging, and bad
// input at the front, each leaving no instance alive.
import { afterEach, describe, expect, it } from 'vitest';
import {
  DestroyError,
  ExecError,
  GAS_MAX,
  HostFunctions as VirtHost,
  InstantiateError,
  LOG_TARGET,
  MAX_LIVE_INSTANCES,
  MemoryError,
  Module,
  ModuleError,
  runLoop,
  setLogger,
  SyscallSymbol,
  VirtManager,
  withVirtManager,
  type Execution,
  type Instance,
  type InstanceId,
  type Logger,
  type ModuleId,
  type VirtMisuseErrorKind,
} from '../src/virt/api.ts';
import { FIXTURE, VIRT_BACKENDS } from './virt-fixture.ts';

const SILENT: Logger = { warn() {} };
setLogger(SILENT);

const backend = VIRT_BACKENDS[0];
function newExt(): { ext: VirtHost; manager: VirtManager } {
  const manager = new VirtManager(backend ? { backend } : {});
  return { ext: new VirtHost({ manager }), manager };
}

function instanceOn(ext: VirtHost): Instance {
  const compiled = Module.fromBytes(FIXTURE, undefined, { host: ext });
  if (!compiled.ok) throw new Error(`compile failed: ${compiled.error}`);
  const made = compiled.module.instantiate();
  if (!made.ok) throw new Error(`instantiate failed: ${made.error}`);
  return made.instance;
}

function prepared(ext: VirtHost, exportName = 'counter'): Execution {
  const r = instanceOn(ext).prepare(exportName);
  if (!r.ok) throw new Error(`prepare failed: ${r.error}`);
  return r.execution;
}

const misuse = (kind: VirtMisuseErrorKind) => expect.objectContaining({ name: 'VirtMisuseError', kind });

describe('lifetimes', () => {
  it('1,000 throwing handlers leave no instance alive, and the next instantiate succeeds', () => {
    const { ext, manager } = newExt();
    const module = Module.fromBytes(FIXTURE, undefined, { host: ext });
    if (!module.ok) throw new Error('compile failed');
    for (let i = 0; i < 1000; i++) {
      const made = module.module.instantiate();
      if (!made.ok) throw new Error(`instantiate ${i} failed: ${made.error}`);
      const p = made.instance.prepare('counter');
      if (!p.ok) throw new Error('prepare failed');
      expect(() =>
        runLoop(p.execution, { gasLeft: GAS_MAX }, () => {
          throw new Error(`handler ${i} failed`);
        }),
      ).toThrow(`handler ${i} failed`);
      expect(manager.liveInstances).toBe(0);
    }
    const next = module.module.instantiate();
    expect(next.ok).toBe(true);
    if (next.ok) next.instance.destroy();
  });

  const loopEndings: [string, (execution: Execution) => unknown][] = [
    ['a handler that returns a number, not a bigint', (e) => runLoop(e, { gasLeft: GAS_MAX }, () => 1 as unknown as bigint)],
    ['gas that is not a bigint', (e) => runLoop(e, { gasLeft: 5 as unknown as bigint }, () => 0n)],
    ['gas outside i64', (e) => runLoop(e, { gasLeft: 1n << 63n }, () => 0n)],
  ];
  it.each(loopEndings)('runLoop destroys the instance it owns when it ends by %s', (_what, act) => {
    const { ext, manager } = newExt();
    expect(() => act(prepared(ext))).toThrow(misuse('bad-argument'));
    expect(manager.liveInstances).toBe(0);
  });

  it('`using` destroys an Instance at the end of its scope, and an Execution that was never run', () => {
    const { ext, manager } = newExt();
    {
      using instance = instanceOn(ext);
      expect(instance.isLive).toBe(true);
      expect(manager.liveInstances).toBe(1);
    }
    expect(manager.liveInstances).toBe(0);
    {
      using execution = prepared(ext);
      expect(execution.isLive).toBe(true);
    }
    expect(manager.liveInstances).toBe(0);
  });

  it('disposing a consumed handle does nothing: the handle the call returned owns the instance', () => {
    const { ext, manager } = newExt();
    let idle: Instance | undefined;
    {
      using instance = instanceOn(ext);
      const p = instance.prepare('counter');
      if (!p.ok) throw new Error('prepare failed');
      using execution = p.execution;
      const r = runLoop(execution, { gasLeft: GAS_MAX }, () => 1n);
      // read_counter expects its answer at a0 = 1 and then checks memory; whatever it did, it ended.
      idle = r.kind === 'exit' ? undefined : r.instance;
    }
    expect(manager.liveInstances).toBe(idle ? 1 : 0);
    idle?.[Symbol.dispose]();
    expect(manager.liveInstances).toBe(0);
  });

  it('also answers to Symbol.for("nodejs.dispose"), for runtimes without Symbol.dispose', () => {
    const { ext, manager } = newExt();
    const instance = instanceOn(ext) as unknown as Record<symbol, () => void>;
    instance[Symbol.for('nodejs.dispose')]!();
    expect(manager.liveInstances).toBe(0);
  });

  it('a destroyed instance goes back to the runtime pool: the next instantiate reuses it', () => {
    const { ext } = newExt();
    const compiled = Module.fromBytes(FIXTURE, undefined, { host: ext });
    if (!compiled.ok) throw new Error('compile failed');
    const inner = (compiled.module.host.manager as unknown as { instances: Map<number, { instance: object }> }).instances;
    const first = compiled.module.instantiate();
    if (!first.ok) throw new Error('instantiate failed');
    const runtimeInstance = inner.get(first.instance.id)!.instance;
    first.instance.destroy();
    const second = compiled.module.instantiate();
    if (!second.ok) throw new Error('instantiate failed');
    expect(inner.get(second.instance.id)!.instance).toBe(runtimeInstance);
    second.instance.destroy();
  });
});

describe('externalities', () => {
  const staticEntries: [string, () => unknown][] = [
    ['Module.fromBytes', () => Module.fromBytes(FIXTURE)],
    ['Module.lookup', () => Module.lookup('key')],
    ['Module.fromStorageKey', () => Module.fromStorageKey('key', '')],
  ];
  it.each(staticEntries)('%s with no VirtManagerExt registered throws, naming the fix', (_entry, act) => {
    expect(act).toThrow(misuse('no-virt-manager'));
    expect(act).toThrow(/^No VirtManagerExt registered: run the call inside withVirtManager\(.*pass one explicitly/);
  });

  it('registers the host for the body, innermost first, and unregisters it when the body throws', () => {
    const outer = newExt();
    const inner = newExt();
    withVirtManager(outer.ext, () => {
      withVirtManager(inner.ext, () => {
        using _ = instanceOn(undefined as unknown as VirtHost);
        expect(inner.manager.liveInstances).toBe(1);
        expect(outer.manager.liveInstances).toBe(0);
      });
      expect(() => withVirtManager(inner.ext, () => { throw new Error('body failed'); })).toThrow('body failed');
      const m = Module.fromBytes(FIXTURE);
      expect(m.ok && m.module.host).toBe(outer.ext);
    });
    expect(() => Module.fromBytes(FIXTURE)).toThrow(misuse('no-virt-manager'));
  });

  it('two concurrent async bodies each reach their own host after await, and code outside both sees none', async () => {
    const a = newExt();
    const b = newExt();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const body = async (host: VirtHost): Promise<[VirtHost, VirtHost]> => {
      const before = Module.fromBytes(FIXTURE);
      await gate;
      expect(() => Module.fromBytes(FIXTURE)).toThrow(misuse('no-virt-manager'));
      const after = Module.fromBytes(FIXTURE, undefined, { host });
      if (!before.ok || !after.ok) throw new Error('compile failed');
      using _instance = (() => {
        const made = after.module.instantiate();
        if (!made.ok) throw new Error('instantiate failed');
        return made.instance;
      })();
      return [before.module.host, after.module.host];
    };
    const pending = Promise.all([withVirtManager(a.ext, body), withVirtManager(b.ext, body)]);
    // Another task, outside any withVirtManager, runs while both bodies await: Rust would panic here.
    expect(() => Module.fromBytes(FIXTURE)).toThrow(misuse('no-virt-manager'));
    release();
    expect(await pending).toEqual([[a.ext, a.ext], [b.ext, b.ext]]);
    expect(a.manager.liveInstances + b.manager.liveInstances).toBe(0);
  });

  it('refuses an explicit host that is not a VirtHost', () => {
    expect(() => Module.fromBytes(FIXTURE, undefined, { host: {} as VirtHost })).toThrow(misuse('bad-argument'));
  });
});

describe('logging', () => {
  afterEach(() => setLogger(SILENT));

  it('logs the unstable notice once per logger, at the first compile, to LOG_TARGET; the embedder redirects or silences it', () => {
    const records: [string, string | undefined][] = [];
    setLogger({ warn: (message, target) => records.push([message, target]) });
    const { ext } = newExt();
    Module.fromBytes(FIXTURE, undefined, { host: ext });
    Module.fromBytes(FIXTURE, undefined, { host: newExt().ext });
    expect(LOG_TARGET).toBe('virtualization');
    expect(records).toEqual([[expect.stringMatching(/UNSTABLE and not meant for production/), 'virtualization']]);
  });
});

describe('bad input: typed errors, Rust discriminants where Rust has one, nothing leaks', () => {
  const other = newExt();
  const otherModule = Module.fromBytes(FIXTURE, undefined, { host: other.ext });
  const otherInstance = otherModule.ok ? otherModule.module.instantiate() : undefined;

  type Row = [what: string, act: (ext: VirtHost) => unknown, expected: { value: unknown } | { throws: VirtMisuseErrorKind }];
  const rows: Row[] = [
    ['an Execution run twice', (ext) => { const e = prepared(ext); const r = e.run(GAS_MAX); if (r.kind !== 'syscall') throw new Error('expected a syscall'); using _ = r.execution; return e.run(GAS_MAX); }, { throws: 'consumed-handle' }],
    ['an Instance used after prepare', (ext) => { const i = instanceOn(ext); using _ = (i.prepare('counter') as { execution: Execution }).execution; return i.prepare('counter'); }, { throws: 'consumed-handle' }],
    ['an Instance destroyed twice', (ext) => { const i = instanceOn(ext); i.destroy(); return i.destroy(); }, { throws: 'consumed-handle' }],
    ['a module id of another manager', (ext) => ext.instantiate(9), { value: InstantiateError.InvalidModule }],
    ['an instance id of another manager (prepare)', (ext) => ext.prepare(otherInstance?.ok ? otherInstance.instance.id + 5 : 5, new TextEncoder().encode('counter')), { value: ExecError.InvalidInstance }],
    ['an instance id of another manager (destroy)', (ext) => ext.destroy(7), { value: DestroyError.InvalidInstance }],
    ['an instance id that is not a u32', (ext) => ext.destroy(-1), { throws: 'bad-argument' }],
    ['a module id that is not a u32', (ext) => ext.instantiate(1.5), { throws: 'bad-argument' }],
    ['an export symbol over 32 bytes', (ext) => { using i = instanceOn(ext); const r = i.prepare('x'.repeat(33)); return r.ok ? 'ok' : r.error; }, { value: ExecError.InvalidImage }],
    ['a syscall symbol over 32 bytes', () => SyscallSymbol.from('s'.repeat(33)), { value: undefined }],
    ['an unknown identifier', () => { const r = Module.lookup('nope'); return r.ok ? 'ok' : r.error; }, { value: ModuleError.NotCached }],
    ['a read past the end of memory', (ext) => { using e = prepared(ext); return (e.readMemory(0xffff_fff0, new Uint8Array(32)) as { error: number }).error; }, { value: MemoryError.OutOfBounds }],
    ['a write at address 0', (ext) => { using e = prepared(ext); return (e.writeMemory(0, new Uint8Array(1)) as { error: number }).error; }, { value: MemoryError.OutOfBounds }],
    ['a memory offset that is not a u32', (ext) => { using e = prepared(ext); return e.readMemory(-4, new Uint8Array(1)); }, { throws: 'bad-argument' }],
    ['gas that is a number', (ext) => { using e = prepared(ext); return e.run(1000 as unknown as bigint); }, { throws: 'bad-argument' }],
    ['gas that is a string', (ext) => { using e = prepared(ext); return e.run('1000' as unknown as bigint); }, { throws: 'bad-argument' }],
    ['gas past i64::MAX', (ext) => { using e = prepared(ext); return e.run(GAS_MAX + 1n); }, { throws: 'bad-argument' }],
    ['more live instances than the cap', (ext) => { const live: Instance[] = []; try { for (let i = 0; i < MAX_LIVE_INSTANCES; i++) live.push(instanceOn(ext)); const m = Module.fromBytes(FIXTURE); const r = m.ok ? m.module.instantiate() : undefined; return r?.ok ? 'ok' : r?.error; } finally { for (const i of live) i.destroy(); } }, { value: InstantiateError.TooManyInstances }],
  ];
  it.each(rows)('%s', (_what, act, expected) => {
    const { ext, manager } = newExt();
    withVirtManager(ext, () => {
      if ('throws' in expected) expect(() => act(ext)).toThrow(misuse(expected.throws));
      else expect(act(ext)).toBe(expected.value);
    });
    expect(manager.liveInstances).toBe(0);
  });

  it('ids are per manager: an id from one host means nothing to another', () => {
    expect(otherInstance?.ok).toBe(true);
    if (!otherInstance?.ok) return;
    const { ext } = newExt();
    expect(ext.destroy(otherInstance.instance.id as InstanceId)).toBe(DestroyError.InvalidInstance);
    expect(ext.instantiate((otherModule.ok ? otherModule.module.id : 0) as ModuleId)).toBe(InstantiateError.InvalidModule);
    otherInstance.instance.destroy();
    expect(other.manager.liveInstances).toBe(0);
  });
});
