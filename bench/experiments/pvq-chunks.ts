// Per-chunk timing of many PVQ queries in one process (tiered vs compiled investigation).
import { readFileSync } from 'node:fs';
import { ExtensionsExecutor, mockExtensions, MockRuntimeState } from '../../src/pvq/index.ts';
import type { BackendName } from '../../src/runtime/index.ts';

const SHARED = new URL('../../../shared/blobs/', import.meta.url);
const ALICE = 'd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d';
const QUERIES = {
  'sum-balance': { blob: 'pvq/files_guest-sum-balance.polkavm', args: '00' + '15000000' + '04' + ALICE },
  'swap-info': { blob: 'pvq/demo_guest-swap-info.polkavm', args: '02' + '080100' + '1c00020432053d27' },
} as const;
const [name, backend, countText, chunkText] = process.argv.slice(2) as [keyof typeof QUERIES, BackendName, string, string];
const count = Number(countText ?? 10000);
const chunk = Number(chunkText ?? 1000);
const q = QUERIES[name];
const program = new Uint8Array(readFileSync(new URL(q.blob, SHARED)));
const args = Uint8Array.from(Buffer.from(q.args, 'hex'));
const state = new MockRuntimeState()
  .addAsset(21, { name: 'Test', symbol: 'TST', decimals: 12, totalSupply: 2_000_000_000n })
  .setBalance(21, ALICE, 1_000_000_000n)
  .addPool('0100', '00020432053d27', 10_235_709_412_325n, 12_117_819_770_919n)
  .setSwapAsset('0100', { name: 'Polkadot', symbol: 'DOT', decimals: 10 })
  .setSwapAsset('00020432053d27', { name: 'Tether USD', symbol: 'USDT', decimals: 6 });
const executor = new ExtensionsExecutor(mockExtensions(state), { backend });
const cpu0 = process.cpuUsage();
const t0 = performance.now();
const marks: string[] = [];
let last = t0;
for (let k = 0; k < count; k++) {
  const o = executor.execute(program, args);
  if (!o.ok) throw new Error(JSON.stringify(o.error));
  if (k === 0 || k === 9 || k === 99 || (k + 1) % chunk === 0) {
    const now = performance.now();
    marks.push(`${k + 1}:${(now - last).toFixed(1)}`);
    last = now;
  }
}
const wallMs = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
console.log(`${name} ${backend} total ${wallMs.toFixed(0)} ms cpu ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms | ${marks.join(' ')}`);
