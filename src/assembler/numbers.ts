// Number and register parsing with exactly the acceptance rules of polkavm's assembler, which uses
// Rust's `str::parse` and `from_str_radix`: an optional leading `+` (and `-` for signed types), digits
// only (no `_`, no whitespace), overflow rejected, `0x`/`0b` prefixes lower-case only. Reproducing
// these rules is what keeps "text polkavm accepts" and "text we accept unchanged" the same set.

const DIGITS_10 = /^[0-9]+$/;
const DIGITS_16 = /^[0-9a-fA-F]+$/;
const DIGITS_2 = /^[01]+$/;

const I32_MIN = -(2n ** 31n);
const I32_MAX = 2n ** 31n - 1n;
const U32_MAX = 2n ** 32n - 1n;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const U64_MAX = 2n ** 64n - 1n;

function digitsFor(radix: 2 | 10 | 16): RegExp {
  return radix === 16 ? DIGITS_16 : radix === 2 ? DIGITS_2 : DIGITS_10;
}

/** Rust `uN::from_str_radix` / `uN::from_str`: optional `+`, then digits; undefined on overflow. */
export function parseUnsigned(text: string, radix: 2 | 10 | 16, max: bigint): bigint | undefined {
  const body = text.startsWith('+') ? text.slice(1) : text;
  if (!digitsFor(radix).test(body)) return undefined;
  // Short inputs fit a double exactly; skip the BigInt parse (a measurable share of assembly time).
  if (body.length <= (radix === 16 ? 12 : radix === 10 ? 15 : 48)) {
    const v = BigInt(Number.parseInt(body, radix));
    return v > max ? undefined : v;
  }
  const prefix = radix === 16 ? '0x' : radix === 2 ? '0b' : '';
  const value = BigInt(prefix + body);
  return value > max ? undefined : value;
}

/** Rust `iN::from_str` (decimal): optional sign, then digits; undefined on overflow. */
export function parseSigned(text: string, min: bigint, max: bigint): bigint | undefined {
  let body = text;
  let negative = false;
  if (body.startsWith('+')) body = body.slice(1);
  else if (body.startsWith('-')) {
    body = body.slice(1);
    negative = true;
  }
  if (!DIGITS_10.test(body)) return undefined;
  const value = negative ? -BigInt(body) : BigInt(body);
  return value < min || value > max ? undefined : value;
}

export const toI32 = (v: bigint): number => Number(BigInt.asIntN(32, v));

/**
 * polkavm `parse_imm`: a 32-bit immediate (memory offsets, branch operands). Hex and binary are read
 * as u32 and reinterpreted; decimal as i32, else as u32 reinterpreted.
 */
export function parseImm(input: string): number | undefined {
  const text = input.trim();
  if (text.startsWith('0x')) {
    const v = parseUnsigned(text.slice(2), 16, U32_MAX);
    return v === undefined ? undefined : toI32(v);
  }
  if (text.startsWith('0b')) {
    const v = parseUnsigned(text.slice(2), 2, U32_MAX);
    return v === undefined ? undefined : toI32(v);
  }
  const signed = parseSigned(text, I32_MIN, I32_MAX);
  if (signed !== undefined) return Number(signed);
  const unsigned = parseUnsigned(text, 10, U32_MAX);
  return unsigned === undefined ? undefined : toI32(unsigned);
}

/**
 * Extension of `parseImm` used only when polkavm's own parse failed: also accepts a 64-bit hex or
 * decimal value that is the sign extension of an i32, which is how polkavm's disassembler prints a
 * negative immediate on a 64-bit ISA (`jump [a0 + 0xfffffffffffffff8]`).
 */
export function parseImmRelaxed(input: string): number | undefined {
  const strict = parseImm(input);
  if (strict !== undefined) return strict;
  const parsed = parseImmediate(input);
  return parsed?.kind === 'i32' ? parsed.value : undefined;
}

/** polkavm `ParsedImmediate`: what `a0 = <value>` means (load_imm vs load_imm64). */
export type ParsedImmediate = { kind: 'i32'; value: number } | { kind: 'u64'; value: bigint };

/**
 * polkavm `parse_immediate`: hex/binary as u64, decimal as i64 (then u64); the result is an i32 if
 * the 64-bit value is the sign extension of one, else a u64. A leading `i64 ` forces the u64 kind.
 */
export function parseImmediate(input: string): ParsedImmediate | undefined {
  let text = input.trim();
  let forceImm64 = false;
  if (text.startsWith('i64 ')) {
    forceImm64 = true;
    text = text.slice(4).trim();
  }
  let value: ParsedImmediate;
  if (text.startsWith('0x') || text.startsWith('0b')) {
    const v = parseUnsigned(text.slice(2), text[1] === 'x' ? 16 : 2, U64_MAX);
    if (v === undefined) return undefined;
    value = { kind: 'u64', value: v };
  } else {
    const signed = parseSigned(text, I64_MIN, I64_MAX);
    if (signed !== undefined) {
      if (signed >= I32_MIN && signed <= I32_MAX) value = { kind: 'i32', value: Number(signed) };
      else if (signed >= 0n) value = { kind: 'u64', value: signed };
      else return undefined;
    } else {
      const unsigned = parseUnsigned(text, 10, U64_MAX);
      if (unsigned === undefined) return undefined;
      value = { kind: 'u64', value: unsigned };
    }
  }
  if (forceImm64) {
    return value.kind === 'i32' ? { kind: 'u64', value: BigInt.asUintN(64, BigInt(value.value)) } : value;
  }
  if (value.kind === 'u64') {
    const asSigned = BigInt.asIntN(64, value.value);
    if (asSigned >= I32_MIN && asSigned <= I32_MAX) return { kind: 'i32', value: Number(asSigned) };
  }
  return value;
}

/** The i32 polkavm would use for an arithmetic immediate (`value.try_into()`), if any. */
export function immediateI32(input: string): number | undefined {
  const parsed = parseImmediate(input);
  return parsed?.kind === 'i32' ? parsed.value : undefined;
}

/**
 * Extension for 32-bit operations (a 32-bit ISA, or an `i32`-prefixed line): a u32 bit pattern such as
 * `0xfffffffb` is accepted as the i32 it encodes, which is how polkavm's disassembler prints negative
 * immediates there. Only consulted after polkavm's own parse failed.
 */
export function immediateI32Wrapping(input: string): number | undefined {
  const parsed = parseImmediate(input);
  if (parsed === undefined) return undefined;
  if (parsed.kind === 'i32') return parsed.value;
  return parsed.value <= U32_MAX ? toI32(parsed.value) : undefined;
}

/** Rust `u32::from_str` on trimmed text (directive sizes, `ecalli`). */
export function parseU32(input: string): number | undefined {
  const v = parseUnsigned(input.trim(), 10, U32_MAX);
  return v === undefined ? undefined : Number(v);
}

/** A u32 written in decimal or `0x` hex (numeric jump targets, an extension). */
export function parseU32Any(input: string): number | undefined {
  const text = input.trim();
  if (text.startsWith('0x')) {
    const v = parseUnsigned(text.slice(2), 16, U32_MAX);
    return v === undefined ? undefined : Number(v);
  }
  return parseU32(text);
}

/**
 * polkavm `parse_slice`: hex bytes, spaces anywhere ignored (only U+0020; other whitespace only at the
 * ends), an even number of characters, each pair read by `u8::from_str_radix` (so `+f` is 15).
 */
export function parseHexBytes(input: string): Uint8Array | undefined {
  const text = input.trim().replaceAll(' ', '');
  const bytes = new TextEncoder().encode(text);
  if (bytes.length % 2 !== 0) return undefined;
  const out = new Uint8Array(bytes.length / 2);
  for (let i = 0; i < bytes.length; i += 2) {
    if (bytes[i]! >= 0x80 || bytes[i + 1]! >= 0x80) return undefined;
    const v = parseUnsigned(String.fromCharCode(bytes[i]!, bytes[i + 1]!), 16, 255n);
    if (v === undefined) return undefined;
    out[i / 2] = Number(v);
  }
  return out;
}

/** ABI register names in register-number order (polkavm `Reg::name`). */
export const REG_NAMES = ['ra', 'sp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'] as const;
export type RegName = (typeof REG_NAMES)[number];

/** Register numbers by ABI name: `Reg.a0` is 7. */
export const Reg = Object.freeze(Object.fromEntries(REG_NAMES.map((n, i) => [n, i]))) as { readonly [K in RegName]: number };

const REG_BY_NAME: ReadonlyMap<string, number> = new Map([
  ...REG_NAMES.map((n, i) => [n, i] as const),
  ...REG_NAMES.map((_, i) => [`r${i}`, i] as const),
]);

/** polkavm `parse_reg`: an ABI name or `r0`..`r12`, surrounding whitespace ignored. */
export function parseReg(input: string): number | undefined {
  return REG_BY_NAME.get(input) ?? REG_BY_NAME.get(input.trim());
}
