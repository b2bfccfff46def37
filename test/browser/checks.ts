// Runs in the page (bundled by esbuild with the library): each check loads real programs over HTTP,
// runs them with the library as a browser user would, and reports plain JSON the driver asserts on.
import { Binary, type HexString } from '@polkadot-api/substrate-bindings';
import {
  ExtensionsExecutor,
  Linker,
  MockRuntimeState,
  Module,
  decodeQueryResult,
  encodeQueryArgs,
  mockExtensions,
  parseProgramMetadata,
  type BackendName,
} from '../../src/index.ts';

const fetchBytes = async (url: string): Promise<Uint8Array> => {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};
const fetchJson = async (url: string): Promise<unknown> => (await fetch(url)).json();

/** Whether this page lets code be generated from strings (a CSP without 'unsafe-eval' does not). */
function evalError(): string | undefined {
  try {
    new Function('return 1')();
    return undefined;
  } catch (e) {
    return (e as Error).name;
  }
}

async function helloWorld(backend: BackendName) {
  const notices: string[] = [];
  const module = Module.fromBytes(await fetchBytes('/blobs/polkavm/example-hello-world.polkavm'), {
    backend,
    gasMetering: 'sync',
    logger: { warn: (message: string) => notices.push(message) },
  });
  const instance = new Linker().define('get_third_number', () => 100n).instantiate(module);
  instance.setGas(1_000_000n);
  const result = instance.call('add_numbers', 1n, 2n);
  return { interrupt: result.interrupt.kind, a0: String(result.a0), notices };
}

async function pinky(backend: BackendName) {
  const module = Module.fromBytes(await fetchBytes('/blobs/polkavm/bench-pinky.polkavm'), { backend, gasMetering: 'sync' });
  const instance = new Linker().instantiate(module);
  const gas = 10_000_000_000n;
  instance.setGas(gas);
  const started = performance.now();
  const result = instance.call('initialize');
  return {
    interrupt: result.interrupt.kind,
    regs: Array.from({ length: 13 }, (_, r) => String(instance.reg(r))),
    gasUsed: String(gas - instance.gas()),
    ms: Math.round(performance.now() - started),
  };
}

async function pvq() {
  const state = MockRuntimeState.fromJSON(await fetchJson('/examples/pvq/state.json'));
  const metadata = parseProgramMetadata(await fetchJson('/blobs/pvq/files_guest-sum-balance-metadata_.json'));
  const alice = Binary.fromHex('0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d' as HexString);
  const bob = Binary.fromHex('0x8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48' as HexString);
  const args = encodeQueryArgs(metadata, 'sum_balance', [21, [alice, bob]]);
  const outcome = new ExtensionsExecutor(mockExtensions(state)).execute(await fetchBytes('/blobs/pvq/files_guest-sum-balance.polkavm'), args);
  return { ok: outcome.ok, value: outcome.ok ? String(decodeQueryResult(metadata, args, outcome.value)) : outcome.error.kind };
}

const checks: Record<string, () => Promise<unknown>> = {
  evalError: async () => evalError() ?? null,
  'hello-world/compiled': () => helloWorld('compiled'),
  'hello-world/tiered': () => helloWorld('tiered'),
  'hello-world/interpreter': () => helloWorld('interpreter'),
  'pinky/compiled': () => pinky('compiled'),
  pvq,
};

/** Called by the driver: one named check, its result or its error as a value. */
(globalThis as { runCheck?: unknown }).runCheck = async (name: string) => {
  // Leave the driver's evaluate call first: DevTools' Runtime.evaluate lets code inside its own
  // synchronous stack eval despite the page's CSP, which would hide the no-eval case.
  await new Promise((resolve) => setTimeout(resolve, 0));
  try {
    return { ok: true, value: await checks[name]!() };
  } catch (e) {
    return { ok: false, error: `${(e as Error).name}: ${(e as Error).message}\n${(e as Error).stack ?? ''}` };
  }
};
// The driver waits for this (the repo's type-check has no DOM lib, on purpose: the core must not need it).
(globalThis as unknown as { document: { title: string } }).document.title = 'ready';
