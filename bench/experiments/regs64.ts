// 64-bit register representations on two guest loops, written as a code generator would emit them.
// ALU loop (4 guest instructions per iteration): a0 = a0 + a1; a1 = a1 ^ a0; a2 = a2 + 1; branch a2 <u a3.
// Memory loop (5 per iteration): a1 = u64 [a0 + 0]; a1 = a1 + a2; u64 [a0 + 0] = a1; a0 = a0 + 8; branch a0 <u a3.
import { main, type Variant } from './harness.ts';

const N = 20_000_000;
const MEM_WORDS = 4096;
const MEM_ITERS = 5000;

const bigArray: Variant = {
  name: 'alu: BigUint64Array + asUintN',
  run() {
    const R = new BigUint64Array(13);
    R[7] = 1n; R[8] = 3n; R[9] = 0n; R[10] = BigInt(N);
    for (;;) {
      R[7] = BigInt.asUintN(64, R[7]! + R[8]!);
      R[8] = R[8]! ^ R[7]!;
      R[9] = BigInt.asUintN(64, R[9]! + 1n);
      if (!(R[9]! < R[10]!)) break;
    }
    if (R[7] === 0n) console.log('x');
    return 4 * N;
  },
};
const bigLocals: Variant = {
  name: 'alu: BigInt locals + asUintN',
  run() {
    let a0 = 1n, a1 = 3n, a2 = 0n;
    const a3 = BigInt(N);
    for (;;) {
      a0 = BigInt.asUintN(64, a0 + a1);
      a1 = a1 ^ a0;
      a2 = BigInt.asUintN(64, a2 + 1n);
      if (!(a2 < a3)) break;
    }
    if (a0 === 0n) console.log('x');
    return 4 * N;
  },
};
const bigMask: Variant = {
  name: 'alu: BigInt locals + & mask',
  run() {
    const M = (1n << 64n) - 1n;
    let a0 = 1n, a1 = 3n, a2 = 0n;
    const a3 = BigInt(N / 10);
    for (;;) {
      a0 = (a0 + a1) & M;
      a1 = a1 ^ a0;
      a2 = (a2 + 1n) & M;
      if (!(a2 < a3)) break;
    }
    if (a0 === 0n) console.log('x');
    return (4 * N) / 10;
  },
};
const pairs: Variant = {
  name: 'alu: int32 pair locals',
  run() {
    let a0l = 1, a0h = 0, a1l = 3, a1h = 0, a2l = 0, a2h = 0;
    const a3l = N, a3h = 0;
    for (;;) {
      let lo = (a0l + a1l) | 0;
      a0h = (a0h + a1h + ((lo >>> 0) < (a0l >>> 0) ? 1 : 0)) | 0;
      a0l = lo;
      a1l ^= a0l; a1h ^= a0h;
      lo = (a2l + 1) | 0;
      a2h = (a2h + ((lo >>> 0) < (a2l >>> 0) ? 1 : 0)) | 0;
      a2l = lo;
      if (!((a2h >>> 0) < (a3h >>> 0) || (a2h === a3h && (a2l >>> 0) < (a3l >>> 0)))) break;
    }
    if (a0l === 0) console.log('x');
    return 4 * N;
  },
};
const int32: Variant = {
  name: 'alu: int32 locals (32-bit ISA)',
  run() {
    let a0 = 1, a1 = 3, a2 = 0;
    const a3 = N;
    for (;;) {
      a0 = (a0 + a1) | 0;
      a1 = a1 ^ a0;
      a2 = (a2 + 1) | 0;
      if (!((a2 >>> 0) < (a3 >>> 0))) break;
    }
    if (a0 === 0) console.log('x');
    return 4 * N;
  },
};

const memBigArray: Variant = {
  name: 'mem: BigUint64Array regs, DataView',
  run() {
    const mem = new DataView(new ArrayBuffer(MEM_WORDS * 8));
    const R = new BigUint64Array(13);
    let count = 0;
    for (let it = 0; it < MEM_ITERS; it++) {
      R[7] = 0x20000n; R[9] = 5n; R[10] = BigInt(0x20000 + MEM_WORDS * 8);
      for (;;) {
        let addr = Number(BigInt.asUintN(32, R[7]!)) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 8) return -1;
        R[8] = mem.getBigUint64(addr, true);
        R[8] = BigInt.asUintN(64, R[8]! + R[9]!);
        addr = Number(BigInt.asUintN(32, R[7]!)) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 8) return -1;
        mem.setBigUint64(addr, R[8]!, true);
        R[7] = BigInt.asUintN(64, R[7]! + 8n);
        count++;
        if (!(R[7]! < R[10]!)) break;
      }
    }
    return count * 5;
  },
};
const memPairs: Variant = {
  name: 'mem: int32 pairs, Int32Array aligned',
  run() {
    const buf = new ArrayBuffer(MEM_WORDS * 8);
    const m32 = new Int32Array(buf);
    let count = 0;
    for (let it = 0; it < MEM_ITERS; it++) {
      let a0l = 0x20000, a0h = 0, a1l = 0, a1h = 0;
      const a2l = 5, a2h = 0, a3l = 0x20000 + MEM_WORDS * 8, a3h = 0;
      for (;;) {
        let addr = ((a0l + 0) >>> 0) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 8 || (addr & 7) !== 0) return -1;
        a1l = m32[addr >> 2]!; a1h = m32[(addr >> 2) + 1]!;
        const lo = (a1l + a2l) | 0;
        a1h = (a1h + a2h + ((lo >>> 0) < (a1l >>> 0) ? 1 : 0)) | 0;
        a1l = lo;
        addr = ((a0l + 0) >>> 0) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 8 || (addr & 7) !== 0) return -1;
        m32[addr >> 2] = a1l; m32[(addr >> 2) + 1] = a1h;
        const l2 = (a0l + 8) | 0;
        a0h = (a0h + ((l2 >>> 0) < (a0l >>> 0) ? 1 : 0)) | 0;
        a0l = l2;
        count++;
        if (!((a0h >>> 0) < (a3h >>> 0) || (a0h === a3h && (a0l >>> 0) < (a3l >>> 0)))) break;
      }
    }
    return count * 5;
  },
};
const memBigLocals: Variant = {
  name: 'mem: BigInt locals, DataView',
  run() {
    const mem = new DataView(new ArrayBuffer(MEM_WORDS * 8));
    let count = 0;
    for (let it = 0; it < MEM_ITERS / 5; it++) {
      let a0 = 0x20000n, a1 = 0n;
      const a2 = 5n, a3 = BigInt(0x20000 + MEM_WORDS * 8);
      for (;;) {
        let addr = Number(BigInt.asUintN(32, a0)) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 8) return -1;
        a1 = mem.getBigUint64(addr, true);
        a1 = BigInt.asUintN(64, a1 + a2);
        addr = Number(BigInt.asUintN(32, a0)) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 8) return -1;
        mem.setBigUint64(addr, a1, true);
        a0 = BigInt.asUintN(64, a0 + 8n);
        count++;
        if (!(a0 < a3)) break;
      }
    }
    return count * 5;
  },
};
const memInt32: Variant = {
  name: 'mem: int32 locals (32-bit ISA, u32 words)',
  run() {
    const buf = new ArrayBuffer(MEM_WORDS * 8);
    const m32 = new Int32Array(buf);
    let count = 0;
    for (let it = 0; it < MEM_ITERS; it++) {
      let a0 = 0x20000, a1 = 0;
      const a2 = 5, a3 = 0x20000 + MEM_WORDS * 8;
      for (;;) {
        let addr = ((a0 + 0) >>> 0) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 4 || (addr & 3) !== 0) return -1;
        a1 = m32[addr >> 2]!;
        a1 = (a1 + a2) | 0;
        addr = ((a0 + 0) >>> 0) - 0x20000;
        if (addr >>> 0 > MEM_WORDS * 8 - 4 || (addr & 3) !== 0) return -1;
        m32[addr >> 2] = a1;
        a0 = (a0 + 8) | 0;
        count++;
        if (!((a0 >>> 0) < (a3 >>> 0))) break;
      }
    }
    return count * 5;
  },
};

main(import.meta.url, [int32, bigArray, pairs, bigLocals, bigMask, memInt32, memBigArray, memPairs, memBigLocals], '64-bit register representation');
