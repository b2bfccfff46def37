// Steady-state PVQ queries on one workload, for `node --cpu-prof`: the bytes path against the
// prepared one (issue 10). `npx tsx bench/experiments/pvq-bytes.ts [sum-balance|swap-info] [bytes|prepared] [queries] [backend]`
import { readFileSync } from 'node:fs';
import { ExtensionsExecutor, PvqProgram, mockExtensions } from '../../src/pvq/index.ts';
import type { BackendName } from '../../src/runtime/index.ts';
import { benchState } from '../pvq.ts';

const [which = 'sum-balance', path = 'bytes', count = '100000', backend = 'tiered'] = process.argv.slice(2);
const BLOBS = new URL('../../../shared/blobs/pvq/', import.meta.url);
const unhex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const bytes = new Uint8Array(readFileSync(new URL(which === 'swap-info' ? 'demo_guest-swap-info.polkavm' : 'files_guest-sum-balance.polkavm', BLOBS)));
const args =
  which === 'swap-info'
    ? unhex('02080100' + '1c00020432053d27')
    : unhex('00' + '15000000' + '04' + 'd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d');
const executor = new ExtensionsExecutor(mockExtensions(benchState()), { backend: backend as BackendName });
const prepared = executor.executor.prepare(bytes);
if (!(prepared instanceof PvqProgram)) throw new Error(prepared.message);
const program = path === 'prepared' ? prepared : bytes;
const n = Number(count);
for (let round = 0; round < 3; round++) {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const o = executor.execute(program, args);
    if (!o.ok) throw new Error(o.error.message);
  }
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  console.log(`${which} ${path} ${backend}: ${((ms * 1000) / n).toFixed(2)} us/query wall, ${((cpu.user + cpu.system) / n).toFixed(2)} us CPU`);
}
