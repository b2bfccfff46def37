// PVQ from JavaScript (the seed's "Basic Usage" and "Custom Configuration"): a runtime with the
// built-in extensions over a mock chain state, a custom extension, the seed's PvqExecutorConfig,
// queries with gas and limits, errors as values, an async extension, metrics, and the runtime API.
// Run: npx tsx examples/pvq/query.ts [guest-sum-balance.polkavm]
// (prints what happened; exits non-zero if anything is off). In a package: import from 'pvm2js/pvq'.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/assembler/index.ts';
import {
  ExtensionsExecutor,
  MockRuntimeState,
  PvqApi,
  T,
  declareExtension,
  executorErrorName,
  implementExtension,
  mockExtensions,
  fungiblesExtensionDecl,
  MOCK_FUNGIBLES_TYPES,
  parseProgramMetadata,
  decodeQueryResult,
  encodeQueryArgs,
  referenceErrorText,
  type PvqExecutorConfig,
  type PvqOutcome,
} from '../../src/pvq/index.ts';

const here = import.meta.dirname;
function fail(message: string): never {
  throw new Error(message);
}
const hex = (b: Uint8Array) => '0x' + Buffer.from(b).toString('hex');
const le64 = (v: bigint) => {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, v, true);
  return out;
};
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));
const show = (what: string, o: PvqOutcome) =>
  console.log(
    `${what}: ${o.ok ? hex(o.value) : `${o.error.kind} (${referenceErrorText(o.error)})`}; ` +
      `${o.metrics.instructions} instructions, ${o.metrics.hostCalls} host calls, gas used ${o.metrics.gasUsed}, ${o.metrics.timeMs.toFixed(2)} ms`,
  );

// 1. The chain state the extensions answer from, as `pvm2js query --state` reads it.
const state = MockRuntimeState.fromJSON(JSON.parse(readFileSync(join(here, 'state.json'), 'utf8')));

// 2. A custom extension next to the built-in ones: its id is derived from its names, as in PVQ.
const clock = declareExtension('ExtensionClock', [{ name: 'block_number', inputs: [], output: T.u32 }]);
const extensions = [...mockExtensions(state), implementExtension(clock, { block_number: () => 4_242 })];
// The seed's config, every field (these are the defaults except maxExecutionTime).
const config: PvqExecutorConfig = {
  maxMemory: 16 * 1024 * 1024,
  maxExecutionTime: 1_000,
  stackSize: 512 * 1024,
  maxCallDepth: 1024,
  enableDebugging: false,
  strictMemory: true,
  extensionWhitelist: undefined,
  precompilePrograms: false,
  enableJit: true,
};
const runtime = new ExtensionsExecutor(extensions, config);

// 3. A tiny guest that forwards its arguments to host_call (examples/pvq/echo.pvmasm).
const echo = assemble(readFileSync(join(here, 'echo.pvmasm'), 'utf8'));
const fungibles = fungiblesExtensionDecl(MOCK_FUNGIBLES_TYPES);
const alice = Uint8Array.from(Buffer.from('d43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d', 'hex'));
const balanceCall = concat(Uint8Array.of(6), T.u32.codec.enc(21), alice); // fn 6 = balance(asset, who)

const balance = runtime.execute(echo, concat(le64(fungibles.id), balanceCall), 10_000n);
show('balance(21, Alice) through the echo guest', balance);
if (!balance.ok || T.u64.codec.dec(balance.value) !== 1_000_000_000n) fail('wrong balance');
console.log(`  decoded: ${T.u64.codec.dec(balance.value)}, gas left ${balance.gasRemaining}`);

const block = runtime.execute(echo, concat(le64(clock.id), Uint8Array.of(0)));
show(`block_number() of custom extension ${clock.id}`, block);
if (!block.ok || T.u32.codec.dec(block.value) !== 4_242) fail('wrong block number');

// 4. Failures are values: an unknown extension, a whitelist, running out of gas.
const unknown = runtime.execute(echo, concat(le64(42n), Uint8Array.of(0)));
show('an unknown extension', unknown);
if (unknown.ok || unknown.error.kind !== 'extension' || unknown.error.error.kind !== 'unsupported-extension') fail('expected unsupported-extension');
const strict = new ExtensionsExecutor(extensions, { extensionWhitelist: [clock.id] });
const refused = strict.execute(echo, concat(le64(fungibles.id), balanceCall));
show('fungibles outside the whitelist', refused);
if (refused.ok || refused.error.kind !== 'extension' || refused.error.error.kind !== 'permission') fail('expected permission');
const starved = runtime.execute(echo, concat(le64(fungibles.id), balanceCall), 3n);
show('with 3 gas', starved);
if (starved.ok || starved.error.kind !== 'not-enough-gas') fail('expected not-enough-gas');

// 4b. The seed's error kinds: match on executorErrorName (or on `kind` for the detail).
console.log(`error names: ${[unknown, refused, starved].map((o) => (o.ok ? 'ok' : executorErrorName(o.error))).join(', ')}`);
if (unknown.ok || executorErrorName(unknown.error) !== 'ExtensionError') fail('expected ExtensionError');

// 4c. An async extension (a light client fetching storage on demand): executeAsync waits for it;
// execute refuses it with a clear error value.
const remote = declareExtension('ExtensionRemote', [{ name: 'fetch', inputs: [], output: T.u32 }]);
const lightClient = new ExtensionsExecutor([implementExtension(remote, { fetch: async () => (await new Promise((r) => setTimeout(r, 5)), 77) })]);
const fetched = await lightClient.executeAsync(echo, concat(le64(remote.id), Uint8Array.of(0)));
show('an async extension through executeAsync', fetched);
if (!fetched.ok || T.u32.codec.dec(fetched.value) !== 77) fail('wrong async answer');
const refusedSync = lightClient.execute(echo, concat(le64(remote.id), Uint8Array.of(0)));
console.log(`the same through execute: ${refusedSync.ok ? 'ok?!' : refusedSync.error.message}`);
if (refusedSync.ok || refusedSync.error.kind !== 'extension' || refusedSync.error.error.kind !== 'async-in-sync') fail('expected async-in-sync');

// 5. Metadata of what this runtime serves (the reference's PvqApi_metadata).
const metadata = runtime.metadata();
console.log(`metadata: ${Object.values(metadata.extensions).map((e) => `${e.name}/${e.functions.length}`).join(', ')}; ${metadata.types.types.length} types; ${runtime.encodedMetadata().length} bytes SCALE`);

// 5b. The runtime API itself: SCALE in, SCALE out, as PvqApi_execute_query / PvqApi_metadata answer.
const api = new PvqApi(runtime);
const answer = api.executeQuery(echo, concat(le64(clock.id), Uint8Array.of(0)));
console.log(`PvqApi.executeQuery: ${hex(answer)} (Ok, Compact(4), u32 4242); PvqApi.metadata: ${api.metadata().length} bytes`);
if (hex(answer) !== '0x0010' + '92100000') fail('wrong PvqResult bytes');

// 6. A real PVQ guest (pvq-sdk's prebuilt sum-balance), if at hand: arguments encoded from values
// with its metadata, the result decoded with it.
const guest = process.argv[2] ?? join(here, '..', '..', '..', 'shared', 'blobs', 'pvq', 'files_guest-sum-balance.polkavm');
if (existsSync(guest)) {
  const programMetadata = parseProgramMetadata(JSON.parse(readFileSync(guest.replace(/\.polkavm$/, '-metadata_.json'), 'utf8')));
  const bob = Uint8Array.from(Buffer.from('8eaf04151687736326c9fea17e25fc5287613693c912909cb226aa4794f26a48', 'hex'));
  const args = encodeQueryArgs(programMetadata, 'sum_balance', [21, [alice, bob]]);
  const sum = runtime.execute(new Uint8Array(readFileSync(guest)), args);
  show(`sum_balance(21, [Alice, Bob]) on ${guest.split('/').pop()}`, sum);
  const value = sum.ok ? decodeQueryResult(programMetadata, args, sum.value) : fail('sum_balance failed');
  console.log(`  decoded: ${value}`);
  if (value !== 1_250_000_000n) fail('wrong sum');
} else console.log(`(no ${guest}: skipping the prebuilt guest)`);
console.log('ok');
