// The seed's PvqExecutorConfig (every field), async extensions, errors as values on bad input, and
// PvqApi; each table on every backend the runtime registers.
import { describe, expect, it } from 'vitest';
import {
  DispatchError,
  ExtensionsExecutor,
  PvqApi,
  PvqExecutor,
  PvqModuleCache,
  PvqProgram,
  T,
  coreExtensionDecl,
  declareExtension,
  encodeExtensionsMetadata,
  executorErrorName,
  extensionsMetadata,
  fungiblesExtensionDecl,
  implementExtension,
  MOCK_FUNGIBLES_TYPES,
  mockExtensions,
  testRunnerExtensions,
  type Extension,
  type ExtensionsExecutorOptions,
  type PvqExecutorConfig,
  type PvqOutcome,
} from '../src/pvq/index.ts';
import { ALICE, BACKENDS, HAVE_SHARED, SUM_BALANCE_ARGS, asm, echoArgs, guestBytes, hex, le, len, pocState, unhex, vecBytes } from './pvq-fixture.ts';

const u32 = (n: number): Uint8Array => unhex(le(n, 4));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One function, `echo(bytes) -> bytes`, answered by `answer` (sync or async). */
const echoDecl = declareExtension('TestEcho', [{ name: 'echo', inputs: [{ name: 'x', type: T.bytes }], output: T.bytes }]);
const echoExtension = (answer: (x: Uint8Array) => unknown): Extension => implementExtension(echoDecl, { echo: answer as (x: never) => unknown });
const echoCall = (payloadHex: string): Uint8Array => echoArgs(echoDecl.id, '00' + vecBytes(payloadHex));

const failure = (outcome: PvqOutcome) => (outcome.ok ? { ok: true, value: hex(outcome.value) } : outcome.error);

describe.each(BACKENDS)('maxCallDepth and the stack on %s', (backend) => {
  const cases: { name: string; depth: number; config?: PvqExecutorConfig; error?: Record<string, unknown> }[] = [
    { name: '1,023 nested calls (pvq calls rec, rec recurses 1,022 more) fit the default 1,024', depth: 1023 },
    { name: 'one more is a call-depth error', depth: 1024, error: { kind: 'runtime', detail: 'call-depth' } },
    { name: 'recursion 2,000 deep stops at the default limit', depth: 2000, error: { kind: 'runtime', detail: 'call-depth', message: expect.stringMatching(/maxCallDepth \(1024\)/) } },
    { name: 'maxCallDepth Infinity: 2,000 deep runs', depth: 2000, config: { maxCallDepth: Infinity } },
    { name: 'maxCallDepth 10: 10 nested calls run', depth: 9, config: { maxCallDepth: 10 } },
    { name: 'maxCallDepth 10: 11 do not', depth: 10, config: { maxCallDepth: 10 }, error: { kind: 'runtime', detail: 'call-depth' } },
    {
      name: 'running off the 64 KiB stack (16-byte frames) is a labelled stack overflow',
      depth: 5000,
      config: { maxCallDepth: Infinity },
      error: { kind: 'runtime', detail: 'stack-overflow', message: expect.stringMatching(/ran off its 65536-byte stack/) },
    },
    { name: 'a blob declaring more stack than stackSize is refused up front', depth: 1, config: { stackSize: 32 * 1024 }, error: { kind: 'invalid-program', reason: 'stack-size' } },
  ];
  it.each((['recurse', 'recurse64'] as const).flatMap((guest) => cases.map((c) => [`${guest}: ${c.name}`, guest, c] as const)))('%s', (_name, guest, c) => {
    const executor = new PvqExecutor({ hostCall: () => new Uint8Array() }, { backend, ...c.config });
    const outcome = executor.execute(asm(guest), u32(c.depth));
    if (c.error) expect(outcome.ok || outcome.error).toMatchObject(c.error);
    else expect(failure(outcome)).toEqual({ ok: true, value: '' });
    // The count starts again at every query.
    if (c.error?.kind === 'runtime') expect(failure(executor.execute(asm(guest), u32(5)))).toEqual({ ok: true, value: '' });
  });

  it.skipIf(!HAVE_SHARED)('guests run with the stack their blob declares (8 KiB), not stackSize', () => {
    const lines: string[] = [];
    const executor = new ExtensionsExecutor(mockExtensions(pocState()), { backend, enableDebugging: true, logger: { debug: (m) => lines.push(m) } });
    const outcome = executor.execute(guestBytes('sumBalance'), unhex(SUM_BALANCE_ARGS));
    expect(outcome.ok).toBe(true);
    expect(lines).toEqual([expect.stringMatching(/^Executing program with 6554 bytes/), expect.stringMatching(/^Memory usage: \d+ bytes \(heap \d+, stack 8192\)$/)]);
    expect(outcome.metrics.memoryUsage).toBe(Number(/Memory usage: (\d+)/.exec(lines[1]!)![1]));
  });
});

describe('PvqExecutorConfig', () => {
  it('has the seed defaults', () => {
    const { config } = new PvqExecutor({ hostCall: () => new Uint8Array() });
    expect(config).toMatchObject({
      maxMemory: 16 * 1024 * 1024,
      maxExecutionTime: 10_000,
      stackSize: 512 * 1024,
      maxCallDepth: 1024,
      enableDebugging: false,
      strictMemory: true,
      extensionWhitelist: undefined,
      precompilePrograms: false,
      enableJit: true,
    });
  });

  const refused: { name: string; config: Record<string, unknown>; message: RegExp }[] = [
    { name: 'strictMemory: false', config: { strictMemory: false }, message: /strictMemory: false cannot be honoured/ },
    { name: 'precompilePrograms without the JIT', config: { enableJit: false, precompilePrograms: true }, message: /precompilePrograms needs enableJit/ },
    { name: 'a JS backend without the JIT', config: { enableJit: false, backend: 'compiled' }, message: /enableJit is false/ },
    { name: 'precompilePrograms on the interpreter', config: { precompilePrograms: true, backend: 'interpreter' }, message: /does not/ },
    { name: 'an unknown field', config: { maxStack: 1 }, message: /no field 'maxStack'/ },
    { name: 'a fractional maxCallDepth', config: { maxCallDepth: 1.5 }, message: /maxCallDepth must be an integer/ },
    { name: 'a negative maxMemory', config: { maxMemory: -1 }, message: /maxMemory must be a non-negative number/ },
    { name: 'a logger without debug()', config: { logger: {} }, message: /logger must have a debug/ },
    { name: 'enableDebugging not a boolean', config: { enableDebugging: 'yes' }, message: /enableDebugging must be a boolean/ },
  ];
  it.each(refused.map((c) => [c.name, c] as const))('refuses %s', (_name, c) => {
    expect(() => new PvqExecutor({ hostCall: () => new Uint8Array() }, c.config as PvqExecutorConfig)).toThrow(c.message);
  });

  it('enableJit false runs the interpreter; precompilePrograms the whole-program compiler', () => {
    const context = { hostCall: () => new Uint8Array() };
    expect(new PvqExecutor(context, { enableJit: false }).config.backend).toBe('interpreter');
    if (BACKENDS.includes('compiled')) expect(new PvqExecutor(context, { precompilePrograms: true }).config.backend).toBe('compiled');
  });

  it('precompile() prepares a program ahead of its first query, or says why it cannot', () => {
    const executor = new PvqExecutor({ hostCall: () => new Uint8Array() }, { moduleCache: new PvqModuleCache(4) });
    expect(executor.precompile(asm('recurse'), 4)).toBeUndefined();
    expect(executor.execute(asm('recurse'), u32(3)).metrics.moduleCached).toBe(true);
    expect(executor.precompile(asm('noPvqExport'))).toMatchObject({ kind: 'invalid-program', reason: 'no-pvq-export' });
  });

  it('prepare() copies and hashes once: later changes to the array do not reach the prepared program', () => {
    const executor = new PvqExecutor({ hostCall: () => new Uint8Array() }, { moduleCache: new PvqModuleCache(4) });
    const bytes = asm('recurse');
    const program = executor.prepare(bytes);
    if (!(program instanceof PvqProgram)) throw new Error('expected a PvqProgram');
    bytes.fill(0);
    expect(failure(executor.execute(program, u32(3)))).toEqual({ ok: true, value: '' });
    expect(program.bytes()).toEqual(asm('recurse'));
    expect(program.hash).toBe(PvqProgram.from(asm('recurse')).hash);
    // The zeroed array is another program now, and not a PVQ one.
    expect(executor.execute(bytes, u32(3))).toMatchObject({ ok: false, error: { kind: 'invalid-program', reason: 'parse' } });
    expect(executor.prepare(unhex('00'))).toMatchObject({ kind: 'invalid-program', reason: 'parse' });
  });

  it('without enableDebugging nothing is logged and metrics carry no memoryUsage', () => {
    const lines: string[] = [];
    const executor = new PvqExecutor({ hostCall: () => new Uint8Array() }, { logger: { debug: (m) => lines.push(m) } });
    expect(executor.execute(asm('recurse'), u32(3)).metrics.memoryUsage).toBeUndefined();
    expect(lines).toEqual([]);
  });
});

// Every case is followed by a good query on the same executor: a failure leaves nothing behind.
describe.each(BACKENDS)('bad input is a typed error value on %s', (backend) => {
  const MiB = 1024 * 1024;
  const cases: { name: string; program: () => Uint8Array; args: Uint8Array; extensions?: Extension[]; options?: ExtensionsExecutorOptions; error: Record<string, unknown>; name2: string }[] = [
    { name: 'a malformed program', program: () => unhex('50564d0001ff'), args: unhex('00'), error: { kind: 'invalid-program', reason: 'parse' }, name2: 'InvalidProgram' },
    { name: "a program without a 'pvq' export", program: () => asm('noPvqExport'), args: unhex('00'), error: { kind: 'invalid-program', reason: 'no-pvq-export' }, name2: 'InvalidProgram' },
    {
      name: 'arguments over maxMemory',
      program: () => asm('echo'),
      args: new Uint8Array(2 * MiB),
      options: { maxMemory: MiB },
      error: { kind: 'out-of-memory', message: expect.stringMatching(/arguments \(2097152 bytes\) exceed maxMemory/) },
      name2: 'OutOfMemory',
    },
    {
      name: 'an unknown extension id',
      program: () => asm('echo'),
      args: echoArgs(42n, '00'),
      error: { kind: 'extension', error: { kind: 'unsupported-extension', extensionId: 42n } },
      name2: 'ExtensionError',
    },
    {
      name: 'an extension result over the memory cap',
      program: () => asm('echo'),
      args: echoCall('00'),
      extensions: [echoExtension(() => new Uint8Array(2 * MiB))],
      options: { maxMemory: MiB },
      error: { kind: 'out-of-memory', message: expect.stringMatching(/host call result would exceed maxMemory/) },
      name2: 'OutOfMemory',
    },
    {
      name: 'a Promise from an extension in a synchronous execute',
      program: () => asm('echo'),
      args: echoCall('00'),
      extensions: [echoExtension(async (x) => x)],
      error: { kind: 'extension', error: { kind: 'async-in-sync', message: expect.stringMatching(/returned a Promise; .* executeAsync/) } },
      name2: 'ExtensionError',
    },
    {
      name: 'an extension throwing',
      program: () => asm('echo'),
      args: echoCall('00'),
      extensions: [
        echoExtension(() => {
          throw new Error('storage backend unreachable');
        }),
      ],
      error: { kind: 'extension', error: { kind: 'exception', message: expect.stringMatching(/TestEcho::echo threw: storage backend unreachable/) } },
      name2: 'ExtensionError',
    },
    {
      name: 'an extension returning a value its output type cannot encode',
      program: () => asm('echo'),
      args: echoCall('00'),
      extensions: [echoExtension(() => 17)],
      error: { kind: 'extension', error: { kind: 'exception', message: expect.stringMatching(/cannot encode/) } },
      name2: 'ExtensionError',
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const executor = new ExtensionsExecutor([...mockExtensions(pocState()), ...(c.extensions ?? [echoExtension((x) => x)])], { backend, ...c.options });
    const outcome = executor.execute(c.program(), c.args);
    expect(outcome.ok || outcome.error).toMatchObject(c.error);
    expect(outcome.ok || executorErrorName(outcome.error)).toBe(c.name2);
    const fungiblesId = fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES).id;
    const good = executor.execute(asm('echo'), echoArgs(fungiblesId, '05' + le(21, 4)));
    expect(failure(good)).toEqual({ ok: true, value: le(2_000_000_000n, 8) });
  });

  it('a context that throws or answers with something other than bytes', () => {
    const answers: unknown[] = [new Uint8Array([7]), 'not bytes'];
    const executor = new PvqExecutor(
      {
        hostCall: () => {
          const next = answers.shift();
          if (next === undefined) throw new TypeError('no more answers');
          return next as Uint8Array;
        },
      },
      { backend },
    );
    expect(failure(executor.execute(asm('echo'), echoArgs(1n, '00')))).toEqual({ ok: true, value: '07' });
    expect(executor.execute(asm('echo'), echoArgs(1n, '00'))).toMatchObject({ ok: false, error: { kind: 'extension', error: { kind: 'exception', message: expect.stringMatching(/\[object String\]/) } } });
    expect(executor.execute(asm('echo'), echoArgs(1n, '00'))).toMatchObject({ ok: false, error: { kind: 'extension', error: { kind: 'exception', message: expect.stringMatching(/no more answers/) } } });
  });
});

describe.each(BACKENDS)('async extensions on %s', (backend) => {
  it('executeAsync suspends the guest at the host call and resumes with the answer', async () => {
    const executor = new ExtensionsExecutor([echoExtension(async (x) => (await sleep(5), Uint8Array.from([...x, 0xee])))], { backend });
    const outcome = await executor.executeAsync(asm('echo'), echoCall('0102'));
    expect(failure(outcome)).toEqual({ ok: true, value: len(3) + '0102ee' });
    expect(outcome.metrics.hostCalls).toBe(1);
  });

  it('sync extensions work through executeAsync too', async () => {
    const executor = new ExtensionsExecutor([echoExtension((x) => x)], { backend });
    expect(failure(await executor.executeAsync(asm('echo'), echoCall('aa')))).toEqual({ ok: true, value: len(1) + 'aa' });
  });

  it('50 concurrent queries on one executor interleave and each gets its own answer', async () => {
    const executor = new ExtensionsExecutor([echoExtension(async (x) => (await sleep((x[0]! * 7) % 13), x))], { backend });
    const payloads = Array.from({ length: 50 }, (_, i) => le(i, 1) + le(i * 3, 2));
    const outcomes = await Promise.all(payloads.map((p) => executor.executeAsync(asm('echo'), echoCall(p))));
    expect(outcomes.map(failure)).toEqual(payloads.map((p) => ({ ok: true, value: len(3) + p })));
  });

  it('maxExecutionTime counts guest time only; maxWallClockTime the whole query', async () => {
    const slow = [echoExtension(async (x) => (await sleep(60), x))];
    const guestOnly = new ExtensionsExecutor(slow, { backend, maxExecutionTime: 30 });
    expect(failure(await guestOnly.executeAsync(asm('echo'), echoCall('01')))).toEqual({ ok: true, value: len(1) + '01' });
    const wall = new ExtensionsExecutor(slow, { backend, maxWallClockTime: 30 });
    const outcome = await wall.executeAsync(asm('echo'), echoCall('01'));
    expect(outcome.ok || outcome.error).toMatchObject({ kind: 'timeout', reason: 'wall-clock' });
    expect(outcome.ok || executorErrorName(outcome.error)).toBe('Timeout');
  });

  it('maxWallClockTime holds for a synchronous execute too', () => {
    const executor = new PvqExecutor({ hostCall: () => new Uint8Array() }, { backend, maxWallClockTime: 20 });
    expect(executor.execute(asm('loop'), unhex('00'))).toMatchObject({ ok: false, error: { kind: 'timeout', reason: 'wall-clock' } });
    const guest = new PvqExecutor({ hostCall: () => new Uint8Array() }, { backend, maxExecutionTime: 20, maxWallClockTime: 10_000 });
    expect(guest.execute(asm('loop'), unhex('00'))).toMatchObject({ ok: false, error: { kind: 'timeout', reason: 'deadline' } });
  });

  it('a rejected answer is an extension error value: DispatchError → dispatch, anything else → exception', async () => {
    const rejectWith = (e: unknown) => new ExtensionsExecutor([echoExtension(() => Promise.reject(e))], { backend });
    const dispatch = await rejectWith(new DispatchError('no such asset')).executeAsync(asm('echo'), echoCall('01'));
    expect(dispatch.ok || dispatch.error).toMatchObject({ kind: 'extension', error: { kind: 'dispatch', message: expect.stringMatching(/no such asset/) } });
    const other = await rejectWith(new Error('rpc timed out')).executeAsync(asm('echo'), echoCall('01'));
    expect(other.ok || other.error).toMatchObject({ kind: 'extension', error: { kind: 'exception', message: expect.stringMatching(/rpc timed out/) } });
  });
});

describe('PvqApi (pvq-runtime-api)', () => {
  it.skipIf(!HAVE_SHARED)('executeQuery: the SCALE PvqResult of the pvq-sdk sum-balance test vector', () => {
    const api = new PvqApi(new ExtensionsExecutor(mockExtensions(pocState())));
    // PVQ.md §B.10: Alice holds 1e9 of asset 21 → Ok(u64 1e9), as `00 ‖ Compact(8) ‖ bytes`.
    expect(hex(api.executeQuery(guestBytes('sumBalance'), unhex(SUM_BALANCE_ARGS)))).toBe('00' + len(8) + le(1_000_000_000n, 8));
    // An entrypoint the guest lacks: Err(Trap), variant 3.
    expect(hex(api.executeQuery(guestBytes('sumBalance'), unhex('05')))).toBe('0103');
    // Too little gas: Err(QueryExceedsWeightLimit), variant 2.
    expect(hex(api.executeQuery(guestBytes('sumBalance'), unhex(SUM_BALANCE_ARGS), 10))).toBe('0102');
    expect(ALICE).toHaveLength(64);
    // PVQ.md §B.10: against the reference test runner's fixed answers the same query gives 100u64.
    const runner = new PvqApi(new ExtensionsExecutor(testRunnerExtensions({ legacyRevisions: true })));
    expect(hex(runner.executeQuery(guestBytes('sumBalance'), unhex(SUM_BALANCE_ARGS)))).toBe('00' + len(8) + '6400000000000000');
  });

  it('metadata: the SCALE Metadata of the extensions served', async () => {
    const api = new PvqApi(new ExtensionsExecutor([implementExtension(coreExtensionDecl(), { has_extension: () => true })]));
    const utf8 = (s: string) => len(s.length) + Buffer.from(s, 'utf8').toString('hex');
    // types [u64, bool], then extension "8702846780458093357" ExtensionCore { has_extension(id: 0) -> 1 }.
    const types = len(2) + '00' + '00' + '00' + '0506' + '00' + '04' + '00' + '00' + '0500' + '00';
    const extension = len(1) + utf8('8702846780458093357') + utf8('ExtensionCore') + len(1) + utf8('has_extension') + len(1) + utf8('id') + '00' + '04';
    expect(hex(api.metadata())).toBe(types + extension);
    expect(api.metadata()).toEqual(encodeExtensionsMetadata(extensionsMetadata([coreExtensionDecl()])));
    expect(hex(await api.executeQueryAsync(asm('echo'), echoArgs(coreExtensionDecl().id, '00' + le(coreExtensionDecl().id, 8))))).toBe('00' + len(1) + '01');
  });
});
