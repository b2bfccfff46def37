// Gas counter handling in a 4-instruction block loop: a local double decremented per block and
// checked against 0, against the same counter kept on a state object, and with no gas at all.
import { main, type Variant } from './harness.ts';

const N = 50_000_000;
const state = { gas: 0 };

main(
  import.meta.url,
  [
    { name: 'no gas metering', run() { let a0 = 1, a1 = 3, a2 = 0; for (;;) { a0 = (a0 + a1) | 0; a1 ^= a0; a2 = (a2 + 1) | 0; if (!(a2 >>> 0 < N)) break; } if (a0 === 7) console.log(); return 4 * N; } },
    { name: 'local double, -= cost; < 0 check', run() { let gas = 1e15; let a0 = 1, a1 = 3, a2 = 0; for (;;) { gas -= 4; if (gas < 0) return 0; a0 = (a0 + a1) | 0; a1 ^= a0; a2 = (a2 + 1) | 0; if (!(a2 >>> 0 < N)) break; } state.gas = gas; if (a0 === 7) console.log(); return 4 * N; } },
    { name: 'local double + instruction budget counter', run() { let gas = 1e15, steps = 1e15; let a0 = 1, a1 = 3, a2 = 0; for (;;) { gas -= 4; if (gas < 0) return 0; steps -= 4; if (steps < 0) return 0; a0 = (a0 + a1) | 0; a1 ^= a0; a2 = (a2 + 1) | 0; if (!(a2 >>> 0 < N)) break; } state.gas = gas + steps; if (a0 === 7) console.log(); return 4 * N; } },
    { name: 'state.gas field, -= cost; < 0 check', run() { state.gas = 1e15; let a0 = 1, a1 = 3, a2 = 0; for (;;) { state.gas -= 4; if (state.gas < 0) return 0; a0 = (a0 + a1) | 0; a1 ^= a0; a2 = (a2 + 1) | 0; if (!(a2 >>> 0 < N)) break; } if (a0 === 7) console.log(); return 4 * N; } },
    { name: 'BigInt local gas', run() { let gas = 10n ** 15n; let a0 = 1, a1 = 3, a2 = 0; for (let k = 0; k < N / 10; k++) { gas -= 4n; if (gas < 0n) return 0; a0 = (a0 + a1) | 0; a1 ^= a0; a2 = (a2 + 1) | 0; } if (a0 === 7) console.log(gas); return (4 * N) / 10; } },
  ],
  'gas counter',
);
