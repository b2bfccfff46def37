// The memory fast path of a 32-bit guest load/add/store loop (5 guest instructions per iteration):
// a1 = u32 [a0]; a1 = a1 + a2; u32 [a0] = a1; a0 = a0 + 4; branch a0 <u a3. Addresses are guest
// addresses; the region check is one unsigned compare against a size held in a local.
import { main, type Variant } from './harness.ts';

const BYTES = 64 * 1024;
const BASE = 0x30000;
const ITERS = 4000;
type Loop = (mem: ArrayBuffer, slow: (a: number) => number) => number;

function variant(name: string, fn: Loop): Variant {
  return {
    name,
    run() {
      const buf = new ArrayBuffer(BYTES);
      let count = 0;
      for (let i = 0; i < ITERS; i++) count += fn(buf, () => 0);
      return count * 5;
    },
  };
}

main(
  import.meta.url,
  [
    variant('DataView getInt32/setInt32', (buf, slow) => {
      const dv = new DataView(buf);
      const limit = BYTES - 3;
      let a0 = BASE, a1 = 0, n = 0;
      const a2 = 5, a3 = BASE + BYTES;
      for (;;) {
        let x = (a0 - BASE) >>> 0;
        a1 = x < limit ? dv.getInt32(x, true) : slow(x);
        a1 = (a1 + a2) | 0;
        x = (a0 - BASE) >>> 0;
        if (x < limit) dv.setInt32(x, a1, true); else slow(x);
        a0 = (a0 + 4) | 0;
        n++;
        if (!(a0 >>> 0 < a3 >>> 0)) break;
      }
      return n;
    }),
    variant('Int32Array if aligned, else DataView', (buf, slow) => {
      const dv = new DataView(buf);
      const i32 = new Int32Array(buf);
      const limit = BYTES - 3;
      let a0 = BASE, a1 = 0, n = 0;
      const a2 = 5, a3 = BASE + BYTES;
      for (;;) {
        let x = (a0 - BASE) >>> 0;
        a1 = x < limit ? ((x & 3) === 0 ? i32[x >> 2]! : dv.getInt32(x, true)) : slow(x);
        a1 = (a1 + a2) | 0;
        x = (a0 - BASE) >>> 0;
        if (x < limit) { if ((x & 3) === 0) i32[x >> 2] = a1; else dv.setInt32(x, a1, true); } else slow(x);
        a0 = (a0 + 4) | 0;
        n++;
        if (!(a0 >>> 0 < a3 >>> 0)) break;
      }
      return n;
    }),
    variant('bytes composed from Uint8Array', (buf, slow) => {
      const u8 = new Uint8Array(buf);
      const limit = BYTES - 3;
      let a0 = BASE, a1 = 0, n = 0;
      const a2 = 5, a3 = BASE + BYTES;
      for (;;) {
        let x = (a0 - BASE) >>> 0;
        a1 = x < limit ? u8[x]! | (u8[x + 1]! << 8) | (u8[x + 2]! << 16) | (u8[x + 3]! << 24) : slow(x);
        a1 = (a1 + a2) | 0;
        x = (a0 - BASE) >>> 0;
        if (x < limit) { u8[x] = a1; u8[x + 1] = a1 >> 8; u8[x + 2] = a1 >> 16; u8[x + 3] = a1 >> 24; } else slow(x);
        a0 = (a0 + 4) | 0;
        n++;
        if (!(a0 >>> 0 < a3 >>> 0)) break;
      }
      return n;
    }),
    variant('generic helper call (non-throwing load/store)', (buf) => {
      const dv = new DataView(buf);
      const load = (a: number): number => { const x = (a - BASE) >>> 0; return x < BYTES - 3 ? dv.getUint32(x, true) : -1; };
      const store = (a: number, v: number): boolean => { const x = (a - BASE) >>> 0; if (x < BYTES - 3) { dv.setInt32(x, v, true); return true; } return false; };
      let a0 = BASE, a1 = 0, n = 0;
      const a2 = 5, a3 = BASE + BYTES;
      for (;;) {
        const v = load(a0 >>> 0);
        if (v < 0) return -1;
        a1 = (v + a2) | 0;
        if (!store(a0 >>> 0, a1)) return -1;
        a0 = (a0 + 4) | 0;
        n++;
        if (!(a0 >>> 0 < a3 >>> 0)) break;
      }
      return n;
    }),
  ],
  'memory fast path (32-bit words)',
);
