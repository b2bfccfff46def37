// One measurement in a fresh process, for bench/tiered.ts (a process that has compiled or run nothing
// yet, as a one-shot user's), on the built package (dist/, what library users import: the TypeScript
// sources under tsx start slower, tsx adding a getter per imported binding and a name helper per
// closure). Prints one JSON line. Reading files is not timed; the clock starts right before the first
// pvm2js call.
//
//   doom-first BACKEND            Module.fromBytes + instantiate + the first 1,000 instructions of doom
//   pvq QUERY BACKEND COUNT       the first query, then COUNT - 1 more, in one process
//   doom-precompiled FILE         import FILE (doom written by `pvm2js compile`), then loadCompiled +
//                                 instantiate + the first 1,000 instructions, timed separately
//   pinky-warm BACKEND            pinky `initialize` 2 + 5 times in this process (tuneEngine, as the
//                                 CLI): the CPU ms of the 5 timed runs
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { ExtensionsExecutor, mockExtensions, MockRuntimeState } from '../dist/pvq/index.js';
import { loadCompiled, Module, tuneEngine } from '../dist/runtime/index.js';

const SHARED = new URL('../../shared/blobs/', import.meta.url);
const [task, ...rest] = process.argv.slice(2);

function doomFirst(backend) {
  const bytes = new Uint8Array(readFileSync(new URL('polkavm/doom.polkavm', SHARED)));
  const t0 = performance.now();
  const module = Module.fromBytes(bytes, { backend });
  const instance = module.instantiate();
  const t1 = performance.now();
  const stop = firstThousand(instance);
  const t2 = performance.now();
  return { loadMs: t1 - t0, totalMs: t2 - t0, stop, instructions: instance.metrics().instructions };
}

function firstThousand(instance) {
  instance.prepareCall('ext_initialize', []);
  instance.setInstructionBudget(1000);
  let interrupt = instance.run();
  // Host calls answer 0 (as `pvm2js run --ecalli-ret 0`); the budget ends the run.
  while (interrupt.kind === 'ecalli') {
    instance.setReg(7, 0);
    interrupt = instance.run();
  }
  return interrupt.kind;
}

/** (a) the import (V8 parsing the module), (b) loadCompiled + instantiate + the first 1,000 instructions. */
async function doomPrecompiled(file) {
  const t0 = performance.now();
  const ns = await import(pathToFileURL(file).href);
  const t1 = performance.now();
  const module = loadCompiled(ns);
  const instance = module.instantiate();
  const t2 = performance.now();
  const stop = firstThousand(instance);
  const t3 = performance.now();
  return { importMs: t1 - t0, loadMs: t2 - t1, afterImportMs: t3 - t1, totalMs: t3 - t0, stop, instructions: instance.metrics().instructions };
}

// The reference runner's arguments (test/pvq-fixture.ts): sum-balance of asset 21 for Alice, and
// swap-info's pool DOT/USDT.
const ALICE = 'd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d';
const QUERIES = {
  'sum-balance': { blob: 'pvq/files_guest-sum-balance.polkavm', args: '00' + '15000000' + '04' + ALICE },
  'swap-info': { blob: 'pvq/demo_guest-swap-info.polkavm', args: '02' + '080100' + '1c00020432053d27' },
};

function state() {
  return new MockRuntimeState()
    .addAsset(21, { name: 'Test', symbol: 'TST', decimals: 12, totalSupply: 2_000_000_000n })
    .setBalance(21, ALICE, 1_000_000_000n)
    .addPool('0100', '00020432053d27', 10_235_709_412_325n, 12_117_819_770_919n)
    .setSwapAsset('0100', { name: 'Polkadot', symbol: 'DOT', decimals: 10 })
    .setSwapAsset('00020432053d27', { name: 'Tether USD', symbol: 'USDT', decimals: 6 });
}

function pvq(name, backend, count) {
  const q = QUERIES[name];
  const program = new Uint8Array(readFileSync(new URL(q.blob, SHARED)));
  const args = Uint8Array.from(Buffer.from(q.args, 'hex'));
  const extensions = mockExtensions(state());
  const t0 = performance.now();
  const executor = new ExtensionsExecutor(extensions, { backend });
  const first = executor.execute(program, args);
  const t1 = performance.now();
  if (!first.ok) throw new Error(`${name}: ${JSON.stringify(first.error)}`);
  for (let k = 1; k < count; k++) {
    const outcome = executor.execute(program, args);
    if (!outcome.ok) throw new Error(`${name} query ${k}: ${JSON.stringify(outcome.error)}`);
  }
  const t2 = performance.now();
  return { firstMs: t1 - t0, totalMs: t2 - t0, restMs: t2 - t1, instructions: first.metrics.instructions };
}

/** Warm pinky in this fresh process: V8's decisions differ between processes (bench/README.md "Steady
 * warm speed"), so the bench runs this in several and reports each. */
function pinkyWarm(backend) {
  tuneEngine();
  const bytes = new Uint8Array(readFileSync(new URL('polkavm/bench-pinky.polkavm', SHARED)));
  const module = Module.fromBytes(bytes, { backend, gasMetering: 'sync' });
  const cpuMs = [];
  for (let k = 0; k < 7; k++) {
    const instance = module.instantiate();
    instance.prepareCall('initialize');
    instance.setGas(10_000_000_000n);
    const c0 = process.cpuUsage();
    const interrupt = instance.run();
    const c = process.cpuUsage(c0);
    if (interrupt.kind !== 'finished' || 10_000_000_000n - instance.gas() !== 327_668_972n) throw new Error(`pinky on ${backend}: ${interrupt.kind}, gas ${instance.gas()}`);
    if (k >= 2) cpuMs.push((c.user + c.system) / 1000);
  }
  return { cpuMs };
}

let result;
if (task === 'doom-first') result = doomFirst(rest[0]);
else if (task === 'doom-precompiled') result = await doomPrecompiled(rest[0]);
else if (task === 'pinky-warm') result = pinkyWarm(rest[0]);
else if (task === 'pvq') result = pvq(rest[0], rest[1], Number(rest[2] ?? 1));
else throw new Error(`unknown task ${task}`);
process.stdout.write(`${JSON.stringify(result)}\n`);
