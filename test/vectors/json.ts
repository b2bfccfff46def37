// JSON.parse turns u64 values such as 18446744073709519489 into the nearest double, which would make
// every expected register above 2^53 wrong before a single comparison. parseJson keeps integers that
// a double cannot hold exactly as bigint (and all others as number), so nothing is lost.

export type JsonValue = null | boolean | number | bigint | string | JsonValue[] | { [key: string]: JsonValue };

export class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

// Strings are matched first so that digits inside them are left alone; an integer literal of 16 or
// more digits (every shorter one is exact as a double) becomes a marked string, turned back into a
// number below. The mark is made of control characters that no vector's names contain.
const LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(-?\d{16,})(?![.eE\d])/g;
const MARK = '\u0000\u0001#';
const MARK_JSON = '\\u0000\\u0001#';

export function parseJson(text: string): JsonValue {
  let found = false;
  const marked = text.replace(LONG_INTEGER, (token, integer: string | undefined) => {
    if (integer === undefined) return token;
    found = true;
    return `"${MARK_JSON}${integer}"`;
  });
  try {
    if (!found) return JSON.parse(text) as JsonValue;
    return JSON.parse(marked, (_key, value: unknown) => {
      if (typeof value !== 'string' || !value.startsWith(MARK)) return value;
      const big = BigInt(value.slice(MARK.length));
      return big >= BigInt(Number.MIN_SAFE_INTEGER) && big <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(big) : big;
    }) as JsonValue;
  } catch (error) {
    throw new JsonSyntaxError((error as Error).message);
  }
}

/** An integer from parsed JSON as a bigint (the loaders validate types before calling this). */
export const big = (v: JsonValue): bigint => BigInt(v as number | bigint);
