// src/machine/gas.ts: the hot double counter plus a bigint reserve must hold every i64 exactly,
// and refilling across the chunk boundary must never lose or invent gas.
import { describe, expect, it } from 'vitest';
import { GAS_CHUNK, getGas, I64_MAX, I64_MIN, refillGas, setGas, type GasCounter } from '../src/machine/gas.ts';

const counter = (): GasCounter => ({ gas: 0, gasReserve: 0n });
const CHUNK = BigInt(GAS_CHUNK);

describe('gas counter', () => {
  const values = [0n, 1n, -1n, CHUNK - 1n, CHUNK, CHUNK + 1n, 2n ** 53n + 1n, I64_MAX, I64_MAX - 1n, I64_MIN, I64_MIN + 1n, -(2n ** 53n) - 1n, -CHUNK - 1n];
  it.each(values.map((v) => [v]))('setGas(%s) then getGas gives it back exactly', (value) => {
    const c = counter();
    setGas(c, value);
    expect(getGas(c)).toBe(value);
    expect(Number.isSafeInteger(c.gas)).toBe(true);
  });

  it('rejects values outside the i64 range', () => {
    expect(() => setGas(counter(), I64_MAX + 1n)).toThrow(RangeError);
    expect(() => setGas(counter(), I64_MIN - 1n)).toThrow(RangeError);
  });

  const refills = [
    { name: 'enough in the counter: nothing moves', value: 100n, spend: 40, cost: 10, ok: true },
    { name: 'short by one across the chunk boundary', value: CHUNK + 5n, spend: GAS_CHUNK, cost: 6, ok: false },
    { name: 'exactly enough across the chunk boundary', value: CHUNK + 5n, spend: GAS_CHUNK, cost: 5, ok: true },
    { name: 'i64::MAX, one chunk spent', value: I64_MAX, spend: GAS_CHUNK, cost: 1, ok: true },
    { name: 'negative gas never refills', value: -5n, spend: 0, cost: 1, ok: false },
  ];
  it.each(refills)('refill: $name', ({ value, spend, cost, ok }) => {
    const c = counter();
    setGas(c, value);
    c.gas -= spend;
    const before = getGas(c);
    expect(refillGas(c, cost)).toBe(ok);
    expect(getGas(c)).toBe(before);
    if (ok) expect(c.gas).toBeGreaterThanOrEqual(cost);
    // The counter stays far below 2^53, so charging from it stays exact.
    expect(c.gas).toBeLessThanOrEqual(cost + GAS_CHUNK);
  });

  it('draining i64::MAX chunk by chunk stays exact', () => {
    const c = counter();
    setGas(c, I64_MAX);
    let spent = 0n;
    for (let k = 0; k < 5; k++) {
      c.gas -= GAS_CHUNK;
      spent += CHUNK;
      expect(refillGas(c, 1)).toBe(true);
      expect(getGas(c)).toBe(I64_MAX - spent);
    }
  });
});
