// The PVQ executor on the prebuilt pvq-sdk guests (the reference test runner's queries, PVQ.md
// §B.10) and on small assembled guests for every failure kind; each case on every backend.
import { describe, expect, it } from 'vitest';
import {
  ExtensionsExecutor,
  InvokeSource,
  PVQ_REFERENCE_CONFIG,
  PvqModuleCache,
  coreExtensionDecl,
  decodeQueryResult,
  encodePvqResult,
  fungiblesExtensionDecl,
  mockExtensions,
  parseProgramMetadata,
  referenceError,
  referenceErrorText,
  testRunnerExtensions,
  toJsonValue,
  MOCK_FUNGIBLES_TYPES,
  type Extension,
  type ExtensionsExecutorOptions,
  type PvqOutcome,
} from '../src/pvq/index.ts';
import {
  ALICE,
  BACKENDS,
  BOB,
  DOT_LOCATION,
  DOT_RESERVE,
  HAVE_SHARED,
  SUM_BALANCE_ARGS,
  SWAP_INFO_ARGS,
  USDT_LOCATION,
  USDT_RESERVE,
  asm,
  echoArgs,
  guestBytes,
  guestMetadata,
  hex,
  le,
  len,
  pocState,
  unhex,
  vecBytes,
  type GuestName,
} from './pvq-fixture.ts';

// pallet-asset-conversion's constant-product quotes with a 0.3% LP fee, written out independently.
const amountOut = (a: bigint, rIn: bigint, rOut: bigint) => (a * 997n * rOut) / (rIn * 1000n + a * 997n);
const amountIn = (a: bigint, rIn: bigint, rOut: bigint) => (rIn * a * 1000n) / ((rOut - a) * 997n) + 1n;
const utf8Hex = (s: string) => Buffer.from(s, 'utf8').toString('hex');

type Extensions = 'mock' | 'mock-latest-only' | 'test-runner' | 'test-runner-legacy';
const extensionSets: Record<Extensions, () => Extension[]> = {
  mock: () => mockExtensions(pocState()),
  'mock-latest-only': () => mockExtensions(pocState(), { legacyRevisions: false }),
  'test-runner': () => testRunnerExtensions(),
  'test-runner-legacy': () => testRunnerExtensions({ legacyRevisions: true }),
};

interface BlobCase {
  name: string;
  guest: GuestName;
  extensions: Extensions;
  args: string;
  /** The result bytes, and the value decoded with the guest's metadata JSON. */
  result?: { hex: string; decoded: unknown };
  error?: { kind: string; extension?: string; reference: string };
  /** Part of the error message (an extension's exception carries its own). */
  message?: RegExp;
  hostCalls?: number;
}

const swapAmount = 10_000_000_000n;
const blobCases: BlobCase[] = [
  {
    name: 'sum-balance, PoC state (the reference expectation: Alice holds 1e9 of asset 21)',
    guest: 'sumBalance',
    extensions: 'mock',
    args: SUM_BALANCE_ARGS,
    result: { hex: le(1_000_000_000n, 8), decoded: '1000000000' },
    hostCalls: 1,
  },
  {
    name: 'sum-balance, test runner with the older fungibles revision (every balance 100)',
    guest: 'sumBalance',
    extensions: 'test-runner-legacy',
    args: SUM_BALANCE_ARGS,
    result: { hex: le(100, 8), decoded: '100' },
  },
  {
    name: 'sum-balance, test runner as at PVQ HEAD: the blob calls the stale 2-fn fungibles id',
    guest: 'sumBalance',
    extensions: 'test-runner',
    args: SUM_BALANCE_ARGS,
    error: { kind: 'extension', extension: 'unsupported-extension', reference: 'Host call error: UnsupportedExtension' },
  },
  {
    name: 'sum-balance, mock without older revisions',
    guest: 'sumBalance',
    extensions: 'mock-latest-only',
    args: SUM_BALANCE_ARGS,
    error: { kind: 'extension', extension: 'unsupported-extension', reference: 'Host call error: UnsupportedExtension' },
  },
  {
    name: 'sum-balance over Alice and Bob (Bob holds nothing)',
    guest: 'sumBalance',
    extensions: 'mock',
    args: '00' + le(21, 4) + len(2) + ALICE + BOB,
    result: { hex: le(1_000_000_000n, 8), decoded: '1000000000' },
    hostCalls: 2,
  },
  { name: 'sum-balance over no accounts', guest: 'sumBalance', extensions: 'mock', args: '00' + le(21, 4) + len(0), result: { hex: le(0, 8), decoded: '0' }, hostCalls: 0 },
  { name: 'sum-balance of an unknown asset', guest: 'sumBalance', extensions: 'mock', args: '00' + le(7, 4) + len(1) + ALICE, result: { hex: le(0, 8), decoded: '0' } },
  { name: 'an entrypoint index the guest lacks panics', guest: 'sumBalance', extensions: 'mock', args: '05', error: { kind: 'runtime', reference: 'Trap' } },
  { name: 'arguments too short to decode panic', guest: 'sumBalance', extensions: 'mock', args: '001500', error: { kind: 'runtime', reference: 'Trap' } },
  { name: 'no argument bytes at all', guest: 'sumBalance', extensions: 'mock', args: '', error: { kind: 'runtime', reference: 'Trap' } },
  ...(['swapDemo', 'swapSdk', 'swapFiles'] as const).flatMap((guest): BlobCase[] => [
    {
      name: `${guest}: get_liquidity_pool with the runner's ah arguments`,
      guest,
      extensions: 'mock',
      args: SWAP_INFO_ARGS,
      result: { hex: '01' + le(DOT_RESERVE, 16) + le(USDT_RESERVE, 16), decoded: [DOT_RESERVE.toString(), USDT_RESERVE.toString()] },
    },
    {
      name: `${guest}: get_liquidity_pool on the test runner, whose u32 decode of a 2-byte Location panics`,
      guest,
      extensions: 'test-runner-legacy',
      args: SWAP_INFO_ARGS,
      error: { kind: 'extension', extension: 'exception', reference: 'Host call error: DispatchError(PhantomData)' },
      message: /u32::decode/,
    },
    {
      name: `${guest}: get_liquidity_pool of a pair without a pool`,
      guest,
      extensions: 'mock',
      args: '02' + vecBytes(DOT_LOCATION) + vecBytes('0102'),
      result: { hex: '00', decoded: null },
    },
    {
      name: `${guest}: quote exact DOT for USDT, with fee`,
      guest,
      extensions: 'mock',
      args: '00' + vecBytes(DOT_LOCATION) + vecBytes(USDT_LOCATION) + le(swapAmount, 16),
      result: { hex: '01' + le(amountOut(swapAmount, DOT_RESERVE, USDT_RESERVE), 16), decoded: amountOut(swapAmount, DOT_RESERVE, USDT_RESERVE).toString() },
    },
    {
      name: `${guest}: quote DOT for exact USDT, with fee`,
      guest,
      extensions: 'mock',
      args: '01' + vecBytes(DOT_LOCATION) + vecBytes(USDT_LOCATION) + le(swapAmount, 16),
      result: { hex: '01' + le(amountIn(swapAmount, DOT_RESERVE, USDT_RESERVE), 16), decoded: amountIn(swapAmount, DOT_RESERVE, USDT_RESERVE).toString() },
    },
  ]),
  {
    name: 'swapDemo: list_pools joins pools with assets_info',
    guest: 'swapDemo',
    extensions: 'mock',
    args: '03',
    result: {
      hex:
        len(1) +
        [
          vecBytes(DOT_LOCATION) + vecBytes(utf8Hex('Polkadot')) + vecBytes(utf8Hex('DOT')) + '0a',
          vecBytes(USDT_LOCATION) + vecBytes(utf8Hex('Tether USD')) + vecBytes(utf8Hex('USDT')) + '06',
        ].join(''),
      decoded: [
        [
          { asset_id: '0x' + DOT_LOCATION, name: '0x' + utf8Hex('Polkadot'), symbol: '0x' + utf8Hex('DOT'), decimals: 10 },
          { asset_id: '0x' + USDT_LOCATION, name: '0x' + utf8Hex('Tether USD'), symbol: '0x' + utf8Hex('USDT'), decimals: 6 },
        ],
      ],
    },
    hostCalls: 2,
  },
  { name: 'swapDemo: list_pools on the test runner (no pools)', guest: 'swapDemo', extensions: 'test-runner', args: '03', result: { hex: len(0), decoded: [] } },
  {
    name: 'swapSdk: asset_info',
    guest: 'swapSdk',
    extensions: 'mock',
    args: '04' + vecBytes(USDT_LOCATION),
    result: {
      hex: '01' + vecBytes(USDT_LOCATION) + vecBytes(utf8Hex('Tether USD')) + vecBytes(utf8Hex('USDT')) + '06',
      decoded: { asset_id: '0x' + USDT_LOCATION, name: '0x' + utf8Hex('Tether USD'), symbol: '0x' + utf8Hex('USDT'), decimals: 6 },
    },
  },
  {
    name: 'swapFiles: list_pools of the four-function revision carries the reserves',
    guest: 'swapFiles',
    extensions: 'mock',
    args: '03',
    result: {
      hex: len(1) + vecBytes(DOT_LOCATION) + vecBytes(USDT_LOCATION) + le(DOT_RESERVE, 16) + le(USDT_RESERVE, 16),
      decoded: [['0x' + DOT_LOCATION, '0x' + USDT_LOCATION, DOT_RESERVE.toString(), USDT_RESERVE.toString()]],
    },
  },
];

const check = (outcome: PvqOutcome, c: { result?: { hex: string; decoded?: unknown }; error?: BlobCase['error'] }, metadata?: unknown, args?: Uint8Array) => {
  if (c.result) {
    expect(outcome.ok ? hex(outcome.value) : outcome.error).toBe(c.result.hex);
    if (outcome.ok && metadata !== undefined) expect(toJsonValue(decodeQueryResult(parseProgramMetadata(metadata), args!, outcome.value))).toEqual(c.result.decoded);
  } else {
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.kind).toBe(c.error!.kind);
    if (c.error!.extension) expect(outcome.error.kind === 'extension' && outcome.error.error.kind).toBe(c.error!.extension);
    expect(referenceErrorText(outcome.error)).toBe(c.error!.reference);
  }
};

describe.skipIf(!HAVE_SHARED).each(BACKENDS)('PVQ prebuilt guests on %s', (backend) => {
  it.each(blobCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const executor = new ExtensionsExecutor(extensionSets[c.extensions](), { backend });
    const args = unhex(c.args);
    const outcome = executor.execute(guestBytes(c.guest), args);
    if (c.message) expect(outcome.ok || outcome.error.message).toMatch(c.message);
    check(outcome, c, guestMetadata(c.guest), args);
    if (c.hostCalls !== undefined) expect(outcome.metrics.hostCalls).toBe(c.hostCalls);
    expect(outcome.gasRemaining).toBeUndefined();
    expect(outcome.metrics.gasUsed).toBe(0n);
  });

  it('gas: metered 1 per instruction when a limit is given, remaining gas reported; too little gas stops the query', () => {
    const executor = new ExtensionsExecutor(mockExtensions(pocState()), { backend });
    const program = guestBytes('sumBalance');
    const free = executor.execute(program, unhex(SUM_BALANCE_ARGS));
    const limit = 1_000_000n;
    const metered = executor.execute(program, unhex(SUM_BALANCE_ARGS), limit);
    expect(metered.ok && hex(metered.value)).toBe(le(1_000_000_000n, 8));
    expect(metered.metrics.gasUsed).toBe(BigInt(metered.metrics.instructions));
    expect(metered.metrics.instructions).toBe(free.metrics.instructions);
    expect(metered.gasRemaining).toBe(limit - metered.metrics.gasUsed);
    const exact = executor.execute(program, unhex(SUM_BALANCE_ARGS), metered.metrics.gasUsed);
    expect(exact.ok).toBe(true);
    expect(exact.gasRemaining).toBe(0n);
    const short = executor.execute(program, unhex(SUM_BALANCE_ARGS), metered.metrics.gasUsed - 1n);
    expect(short.ok || short.error.kind).toBe('not-enough-gas');
    expect(short.ok || referenceError(short.error)).toBe('QueryExceedsWeightLimit');
    expect(short.gasRemaining! >= 0n && short.gasRemaining! < metered.metrics.gasUsed).toBe(true);
  });

  it('reference config (blob stack, no limits) gives the same results; modules are cached per program and layout', () => {
    const executor = new ExtensionsExecutor(mockExtensions(pocState()), { ...PVQ_REFERENCE_CONFIG, backend, moduleCache: new PvqModuleCache(4) });
    const first = executor.execute(guestBytes('swapDemo'), unhex(SWAP_INFO_ARGS));
    const second = executor.execute(guestBytes('swapDemo'), unhex(SWAP_INFO_ARGS));
    expect(first.ok && hex(first.value)).toBe('01' + le(DOT_RESERVE, 16) + le(USDT_RESERVE, 16));
    expect([first.metrics.moduleCached, second.metrics.moduleCached]).toEqual([false, true]);
    expect(second.metrics).toMatchObject({ instructions: first.metrics.instructions, hostCalls: first.metrics.hostCalls });
  });

  it('a reused instance starts from clean memory: the same heap-growing query twice gives the same result and heap', () => {
    const executor = new ExtensionsExecutor(mockExtensions(pocState()), { backend });
    const [a, b] = [0, 1].map(() => executor.execute(guestBytes('swapDemo'), unhex('03')));
    expect(a!.ok && b!.ok && hex(b!.value)).toBe(a!.ok && hex(a!.value));
    expect(b!.metrics).toMatchObject({ instructions: a!.metrics.instructions, peakHeapSize: a!.metrics.peakHeapSize, moduleCached: true });
    expect(a!.metrics.peakHeapSize).toBeGreaterThan(0);
  });

  it('a change anywhere in a program array is seen: each byte position class of the word comparison', () => {
    const executor = new ExtensionsExecutor(mockExtensions(pocState()), { backend });
    const original = guestBytes('sumBalance');
    const program = original.slice();
    expect(executor.execute(program, unhex(SUM_BALANCE_ARGS)).ok).toBe(true);
    // First byte, inside the unrolled words, the words after them, the bytes after the last word.
    for (const at of [0, 37, 4 * 8 * 100 + 5, (program.length & ~31) + 3, program.length - 1]) {
      program[at] ^= 0xff;
      const outcome = executor.execute(program, unhex(SUM_BALANCE_ARGS));
      expect(outcome.metrics.moduleCached, `byte ${at}`).toBe(false);
      program[at] ^= 0xff;
      expect(executor.execute(program, unhex(SUM_BALANCE_ARGS)).metrics.moduleCached, `byte ${at} restored`).toBe(true);
    }
  });

  it('a program array changed in place is loaded again, not taken from the cache', () => {
    const executor = new ExtensionsExecutor(mockExtensions(pocState()), { backend });
    const program = guestBytes('sumBalance');
    expect(executor.execute(program, unhex(SUM_BALANCE_ARGS)).ok).toBe(true);
    program[0] = 0x58;
    const outcome = executor.execute(program, unhex(SUM_BALANCE_ARGS));
    expect(outcome.ok || outcome.error).toMatchObject({ kind: 'invalid-program', reason: 'parse', offset: 0 });
  });
});

// ---- failures, on small assembled guests ----

const fungibles = fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES);
const CORE_ID = coreExtensionDecl().id;

interface ErrorCase {
  name: string;
  program: () => Uint8Array;
  args: Uint8Array;
  options?: ExtensionsExecutorOptions;
  gas?: bigint;
  result?: { hex: string };
  error?: { kind: string; detail?: Record<string, unknown>; extension?: string; reference: string };
}

const errorCases: ErrorCase[] = [
  {
    name: 'not a PVM blob',
    program: () => unhex('00112233'),
    args: unhex('00'),
    error: { kind: 'invalid-program', detail: { reason: 'parse', offset: 0 }, reference: 'Invalid PVQ program format' },
  },
  {
    name: 'a truncated blob',
    program: () => guestBytes('sumBalance').subarray(0, 100),
    args: unhex('00'),
    error: { kind: 'invalid-program', detail: { reason: 'parse' }, reference: 'Invalid PVQ program format' },
  },
  {
    name: "no 'pvq' export",
    program: () => asm('noPvqExport'),
    args: unhex('00'),
    error: { kind: 'invalid-program', detail: { reason: 'no-pvq-export' }, reference: "Other error: the program has no 'pvq' export (exports: main)" },
  },
  {
    name: 'an import other than host_call',
    program: () => asm('otherImport'),
    args: unhex('00'),
    error: { kind: 'invalid-program', detail: { reason: 'unsupported-import' }, reference: "Other error: the program imports 'get_storage'; a PVQ program may import only host_call" },
  },
  {
    name: 'host_call: core has_extension(fungibles) → true',
    program: () => asm('echo'),
    args: echoArgs(CORE_ID, '00' + le(fungibles.id, 8)),
    result: { hex: '01' },
  },
  {
    name: 'host_call: fungibles balance (fn 6) of Alice',
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '06' + le(21, 4) + ALICE),
    result: { hex: le(1_000_000_000n, 8) },
  },
  {
    name: 'host_call: an unknown extension id',
    program: () => asm('echo'),
    args: echoArgs(12345n, '00'),
    error: { kind: 'extension', extension: 'unsupported-extension', reference: 'Host call error: UnsupportedExtension' },
  },
  {
    name: 'host_call: a function index past the end',
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '09' + le(21, 4)),
    error: { kind: 'extension', extension: 'decode', reference: 'Host call error: DecodeError' },
  },
  {
    name: "host_call: the index just past the end is the reference's marker variant",
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '07'),
    error: { kind: 'extension', extension: 'dispatch', reference: 'Host call error: DispatchError(PhantomData)' },
  },
  {
    name: 'host_call: arguments too short',
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '06' + le(21, 4) + ALICE.slice(0, 20)),
    error: { kind: 'extension', extension: 'decode', reference: 'Host call error: DecodeError' },
  },
  {
    name: 'host_call: a DispatchError from the implementation (minimum_balance of an unknown asset)',
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '04' + le(99, 4)),
    error: { kind: 'extension', extension: 'dispatch', reference: 'Host call error: DispatchError(PhantomData)' },
  },
  {
    name: 'host_call: bytes after the last argument are ignored',
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '05' + le(21, 4) + 'ffff'),
    result: { hex: le(2_000_000_000n, 8) },
  },
  {
    name: 'whitelist: an extension outside it is refused',
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '05' + le(21, 4)),
    options: { extensionWhitelist: [CORE_ID] },
    error: { kind: 'extension', extension: 'permission', reference: 'Host call error: PermissionError' },
  },
  {
    name: 'whitelist: an extension inside it runs',
    program: () => asm('echo'),
    args: echoArgs(fungibles.id, '05' + le(21, 4)),
    options: { extensionWhitelist: [CORE_ID, fungibles.id] },
    result: { hex: le(2_000_000_000n, 8) },
  },
  {
    name: 'permission controller: refuses calls from XCM',
    program: () => asm('echo'),
    args: echoArgs(CORE_ID, '00' + le(1n, 8)),
    options: { invokeSource: InvokeSource.XCM, permission: (_id, _call, source) => source !== InvokeSource.XCM },
    error: { kind: 'extension', extension: 'permission', reference: 'Host call error: PermissionError' },
  },
  {
    name: 'timeout: instruction budget',
    program: () => asm('loop'),
    args: unhex('00'),
    options: { maxInstructions: 10_000 },
    error: { kind: 'timeout', detail: { reason: 'instructions' }, reference: 'Not enough gas' },
  },
  {
    name: 'timeout: wall-clock deadline',
    program: () => asm('loop'),
    args: unhex('00'),
    options: { maxExecutionTime: 20 },
    error: { kind: 'timeout', detail: { reason: 'deadline' }, reference: 'Not enough gas' },
  },
  {
    name: 'gas: an endless loop stops when the gas runs out',
    program: () => asm('loop'),
    args: unhex('00'),
    gas: 5_000n,
    error: { kind: 'not-enough-gas', reference: 'Not enough gas' },
  },
  {
    name: 'out of memory: the heap would grow past maxMemory',
    program: () => asm('grow'),
    args: unhex('00'),
    options: { maxMemory: 1024 * 1024 },
    error: { kind: 'out-of-memory', reference: 'Not enough gas' },
  },
  {
    name: 'the same heap growth within maxMemory',
    program: () => asm('grow'),
    args: unhex('00'),
    options: { maxMemory: 4 * 1024 * 1024 },
    result: { hex: '' },
  },
  {
    name: 'a result range that is not guest memory',
    program: () => asm('badResult'),
    args: unhex('00'),
    error: { kind: 'runtime', detail: { detail: 'result-access' }, reference: 'Memory access error' },
  },
];

describe.skipIf(!HAVE_SHARED).each(BACKENDS)('PVQ failures on %s', (backend) => {
  it.each(errorCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const executor = new ExtensionsExecutor(mockExtensions(pocState()), { backend, ...c.options });
    const outcome = executor.execute(c.program(), c.args, c.gas);
    if (c.result) {
      expect(outcome.ok ? hex(outcome.value) : outcome.error).toBe(c.result.hex);
      return;
    }
    check(outcome, c);
    if (!outcome.ok && c.error?.detail) expect(outcome.error).toMatchObject(c.error.detail);
    if (!outcome.ok) expect(encodePvqResult(outcome)[0]).toBe(1);
  });
});

describe('PVQ result encoding (PvqApi_execute_query)', () => {
  const cases = [
    { name: 'ok', result: { ok: true as const, value: unhex(le(100, 8)) }, hex: '00' + len(8) + le(100, 8) },
    { name: 'trap', result: { ok: false as const, error: { kind: 'runtime' as const, detail: 'trap' as const, pc: 3, message: '' } }, hex: '0103' },
    { name: 'gas', result: { ok: false as const, error: { kind: 'not-enough-gas' as const, message: '' } }, hex: '0102' },
    {
      name: 'host call',
      result: { ok: false as const, error: { kind: 'extension' as const, error: { kind: 'permission' as const, extensionId: 1n, message: '' }, message: '' } },
      hex: '0105',
    },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(hex(encodePvqResult(c.result))).toBe(c.hex);
  });
});
