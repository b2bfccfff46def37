// Plain-JS models of the kernels in this folder: each computes what the kernel leaves in a0, so the
// benchmark checks every backend against an answer that no backend produced. The 64-bit models work on
// pairs of uint32 halves because the BigInt form of the ALU model alone takes seconds.

const TWO_32 = 2 ** 32;

/** Low 64 bits of (hi:lo) * k + (bHi:bLo) for 0 <= k < 2^31, as [hi, lo]; every partial product stays below 2^53. */
function mulAdd(hi: number, lo: number, k: number, bHi: number, bLo: number, out: Uint32Array): void {
  const p1 = lo * (k & 0xffff);
  const p2 = lo * (k >>> 16);
  const below = p1 + (p2 % 0x10000) * 0x10000;
  let outLo = (below % TWO_32) + bLo;
  let carry = 0;
  if (outLo >= TWO_32) {
    outLo -= TWO_32;
    carry = 1;
  }
  out[0] = Math.floor(below / TWO_32) + Math.floor(p2 / 0x10000) + Math.imul(hi, k) + bHi + carry;
  out[1] = outLo;
}

export function alu32(iterations: number): bigint {
  let x = 0x12345678;
  let acc = 0;
  for (let i = 0; i < iterations; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    acc = (Math.imul(acc, 0x5bd1e995) + x) | 0;
  }
  return BigInt(acc >>> 0);
}

export function alu64(iterations: number): bigint {
  let hi = 0x9e3779b9;
  let lo = 0x7f4a7c15;
  const acc = new Uint32Array(2);
  for (let i = 0; i < iterations; i++) {
    // x ^= x << 13
    hi ^= (hi << 13) | (lo >>> 19);
    lo ^= lo << 13;
    // x ^= x >> 7
    lo ^= (lo >>> 7) | (hi << 25);
    hi ^= hi >>> 7;
    // x ^= x << 17
    hi ^= (hi << 17) | (lo >>> 15);
    lo ^= lo << 17;
    mulAdd(acc[0]!, acc[1]!, 0x5bd1e995, hi >>> 0, lo >>> 0, acc);
  }
  return (BigInt(acc[0]!) << 32n) | BigInt(acc[1]!);
}

const BUFFER_BYTES = 0x10000;

export function memory32(passes: number): bigint {
  const words = new Int32Array(BUFFER_BYTES / 4);
  let carry = 0;
  for (let pass = passes; pass > 0; pass--) {
    for (let i = 0; i < words.length; i++) {
      const v = (words[i]! + carry) | 0;
      words[i] = v;
      carry = v ^ pass;
    }
  }
  return BigInt(carry >>> 0);
}

export function memory64(passes: number): bigint {
  const halves = new Uint32Array(BUFFER_BYTES / 4);
  let carryHi = 0;
  let carryLo = 0;
  for (let pass = passes; pass > 0; pass--) {
    for (let i = 0; i < halves.length; i += 2) {
      let lo = halves[i]! + carryLo;
      let hi = halves[i + 1]! + carryHi;
      if (lo >= TWO_32) {
        lo -= TWO_32;
        hi += 1;
      }
      halves[i] = lo;
      halves[i + 1] = hi;
      carryLo = (lo ^ pass) >>> 0;
      carryHi = hi >>> 0;
    }
  }
  return (BigInt(carryHi) << 32n) | BigInt(carryLo);
}

/** Total Collatz steps of 1..n; the values stay far below 2^53 for any n a benchmark uses. */
export function collatzSteps(n: number): number {
  let steps = 0;
  for (let start = 1; start <= n; start++) {
    let x = start;
    while (x !== 1) {
      x = x % 2 === 0 ? x / 2 : 3 * x + 1;
      steps++;
    }
  }
  return steps;
}

export const branchy32 = (n: number): bigint => BigInt(collatzSteps(n) >>> 0);
export const branchy64 = (n: number): bigint => BigInt(collatzSteps(n));

function fibonacci(n: number, bits: 32 | 64): bigint {
  let a = 0n;
  let b = 1n;
  for (let i = 0; i < n; i++) [a, b] = [b, BigInt.asUintN(bits, a + b)];
  return a;
}

export const calls32 = (n: number): bigint => fibonacci(n, 32);
export const calls64 = (n: number): bigint => fibonacci(n, 64);
