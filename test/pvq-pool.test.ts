// PvqWorkerPool: queries on worker threads, each worker with its own executor built from an
// extensions module; results and errors come back as values.
import { afterAll, describe, expect, it } from 'vitest';
import { PvqProgram } from '../src/pvq/index.ts';
import { PvqWorkerPool } from '../src/pvq-pool/index.ts';
import { echoDecl } from './pvq-pool-extensions.ts';
import { ALICE, HAVE_SHARED, SUM_BALANCE_ARGS, asm, echoArgs, guestBytes, hex, le, len, unhex, vecBytes } from './pvq-fixture.ts';

const EXTENSIONS = new URL('./pvq-pool-extensions.ts', import.meta.url);

describe('PvqWorkerPool', () => {
  const pool = new PvqWorkerPool({ extensionsModule: EXTENSIONS, threads: 2, concurrentQueriesPerThread: 4 });
  afterAll(() => pool.destroy());

  it.skipIf(!HAVE_SHARED)('runs the real sum-balance guest on the workers', async () => {
    const program = PvqProgram.from(guestBytes('sumBalance'));
    const outcomes = await Promise.all(Array.from({ length: 8 }, () => pool.execute(program, unhex(SUM_BALANCE_ARGS))));
    for (const o of outcomes) expect(o.ok && hex(o.value)).toBe(le(1_000_000_000n, 8));
  });

  it('async extensions, concurrent queries, each its own answer', async () => {
    const payloads = Array.from({ length: 16 }, (_, i) => le(i, 2));
    const outcomes = await Promise.all(payloads.map((p) => pool.execute(asm('echo'), echoArgs(echoDecl.id, '00' + vecBytes(p)))));
    expect(outcomes.map((o) => (o.ok ? hex(o.value) : o.error.message))).toEqual(payloads.map((p) => len(2) + p));
  });

  it("errors are values: a DispatchError, a bad program, the module's config (maxCallDepth 64)", async () => {
    const refused = await pool.execute(asm('echo'), echoArgs(echoDecl.id, '00' + vecBytes('ff')));
    expect(refused.ok || refused.error).toMatchObject({ kind: 'extension', error: { kind: 'dispatch', message: expect.stringMatching(/0xff refused/) } });
    const bad = await pool.execute(unhex('00112233'), unhex('00'));
    expect(bad.ok || bad.error).toMatchObject({ kind: 'invalid-program', reason: 'parse' });
    const deep = await pool.execute(asm('recurse'), unhex(le(100, 4)));
    expect(deep.ok || deep.error).toMatchObject({ kind: 'runtime', detail: 'call-depth' });
  });

  it('refuses config that cannot cross to a worker, and bad sizes', () => {
    expect(() => new PvqWorkerPool({ extensionsModule: EXTENSIONS, config: { logger: console } })).toThrow(/config.logger cannot cross/);
    expect(() => new PvqWorkerPool({ extensionsModule: EXTENSIONS, threads: 0 })).toThrow(/threads must be a positive integer/);
  });

  it('an extensions module that does not load rejects the query (a host problem, not a guest outcome)', async () => {
    const broken = new PvqWorkerPool({ extensionsModule: new URL('./pvq-fixture.ts', import.meta.url) });
    try {
      await expect(broken.execute(asm('echo'), unhex('00'))).rejects.toThrow(/exports no 'extensions'/);
    } finally {
      await broken.destroy();
    }
  });
});

describe('PvqWorkerPool.executeMany', () => {
  it.skipIf(!HAVE_SHARED)('runs a batch on one worker and answers in order', async () => {
    const pool = new PvqWorkerPool({ extensionsModule: EXTENSIONS });
    try {
      const accounts = [1, 0, 2];
      const args = accounts.map((n) => unhex('00' + le(21, 4) + len(n) + ALICE.repeat(n)));
      const outcomes = await pool.executeMany(guestBytes('sumBalance'), args);
      expect(outcomes.map((o) => o.ok && hex(o.value))).toEqual([le(1_000_000_000n, 8), le(0, 8), le(2_000_000_000n, 8)]);
    } finally {
      await pool.destroy();
    }
  });
});
