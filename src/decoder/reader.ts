import { raise } from './errors.ts';

/**
 * Reads polkavm's prefix-length varint at `offset`; returns the value and writes the byte length
 * to `out[0]`. Mirrors polkavm varint.rs exactly, quirks included: with four continuation bytes the
 * first byte's low bits are shifted by 32 (a wrapping shift, i.e. by 0), so 0xF1..0xF7 OR their low
 * bits into the value; 0xF8 and above are rejected.
 */
export function readVarint(bytes: Uint8Array, offset: number, end: number, out: Int32Array | number[]): number {
  if (offset >= end) return raise('unexpected-end', offset, 'unexpected end of input: expected a varint, found 0 bytes');
  const first = bytes[offset]!;
  if (first < 0x80) {
    out[0] = 1;
    return first;
  }
  const length = Math.clz32(~first << 24);
  if (length > 4 || offset + 1 + length > end) return raise('bad-varint', offset, 'failed to parse a varint');
  let value = 0;
  for (let i = length - 1; i >= 0; i--) value = value * 256 + bytes[offset + 1 + i]!;
  const upper = first & (0xff >>> length);
  value = length === 4 ? (value | upper) >>> 0 : value + upper * 2 ** (8 * length);
  out[0] = 1 + length;
  return value;
}

/** Writes `value` (u32) as polkavm's varint. */
export function writeVarint(value: number, out: number[]): void {
  if (value < 0x80) out.push(value);
  else if (value < 0x4000) out.push(0x80 | (value >>> 8), value & 0xff);
  else if (value < 0x200000) out.push(0xc0 | (value >>> 16), value & 0xff, (value >>> 8) & 0xff);
  else if (value < 0x10000000) out.push(0xe0 | (value >>> 24), value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff);
  else out.push(0xf0, value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff);
}

/** A bounds-checked cursor over the input; every failure names the absolute offset. */
export class Reader {
  private readonly lenOut = [0];
  readonly bytes: Uint8Array;
  position: number;
  readonly end: number;
  constructor(bytes: Uint8Array, position: number, end: number = bytes.length) {
    this.bytes = bytes;
    this.position = position;
    this.end = end;
  }

  byte(what: string): number {
    if (this.position >= this.end) this.unexpectedEnd(1, what);
    return this.bytes[this.position++]!;
  }

  varint(what: string): number {
    if (this.position >= this.end) this.unexpectedEnd(1, what);
    const value = readVarint(this.bytes, this.position, this.end, this.lenOut);
    this.position += this.lenOut[0]!;
    return value;
  }

  slice(length: number, what: string): Uint8Array {
    if (length > this.end - this.position) this.unexpectedEnd(length, what);
    const out = this.bytes.subarray(this.position, this.position + length);
    this.position += length;
    return out;
  }

  u32(what: string): number {
    const s = this.slice(4, what);
    return (s[0]! | (s[1]! << 8) | (s[2]! << 16) | (s[3]! << 24)) >>> 0;
  }

  remaining(): number {
    return this.end - this.position;
  }

  private unexpectedEnd(expected: number, what: string): never {
    return raise(
      'unexpected-end',
      this.position,
      `unexpected end of input while reading ${what}: expected at least ${expected} bytes, found ${this.end - this.position}`,
    );
  }
}
