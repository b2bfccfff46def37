// Gas is an i64 at the API. The hot counter is a double, which is exact only up to 2^53, so the
// counter holds at most GAS_CHUNK and the rest waits in a bigint reserve; a block whose cost drives
// the counter negative first refills from the reserve. Total gas = reserve + counter, exactly, over
// the whole i64 range (including i64::MAX).

export const I64_MAX = (1n << 63n) - 1n;
export const I64_MIN = -(1n << 63n);
/** Largest amount the hot counter holds; far below 2^53 so that subtracting any block cost stays exact. */
export const GAS_CHUNK = 2 ** 52;

export interface GasCounter {
  /** The hot counter (a double, exact integer). May go negative in async mode. */
  gas: number;
  /** Gas not yet moved into `gas` (>= 0n), or for a total below -GAS_CHUNK the part of it the counter cannot hold (< 0n, never refilled). */
  gasReserve: bigint;
}

export function setGas(c: GasCounter, value: bigint): void {
  if (value > I64_MAX || value < I64_MIN) throw new RangeError(`gas ${value} is outside the i64 range`);
  if (value > BigInt(GAS_CHUNK)) {
    c.gas = GAS_CHUNK;
    c.gasReserve = value - BigInt(GAS_CHUNK);
  } else if (value < -BigInt(GAS_CHUNK)) {
    // A double cannot hold every i64 below -2^53 either (i64::MIN + 1 would round to i64::MIN).
    c.gas = -GAS_CHUNK;
    c.gasReserve = value + BigInt(GAS_CHUNK);
  } else {
    c.gas = Number(value);
    c.gasReserve = 0n;
  }
}

export function getGas(c: GasCounter): bigint {
  return c.gasReserve + BigInt(c.gas);
}

/**
 * Called when charging `cost` would take the hot counter below zero. Moves reserve into the counter
 * if there is any; returns true if `gas >= cost` now (the caller then charges normally).
 */
export function refillGas(c: GasCounter, cost: number): boolean {
  while (c.gas < cost && c.gasReserve > 0n) {
    const move = c.gasReserve > BigInt(GAS_CHUNK) ? BigInt(GAS_CHUNK) : c.gasReserve;
    c.gasReserve -= move;
    c.gas += Number(move);
  }
  return c.gas >= cost;
}
