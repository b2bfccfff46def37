// Generates src/interpreter/gen/loops.generated.ts: the interpreter's three dispatch loops, with a
// `case` per instruction of the instruction table whose label is the op id as a numeric literal.
// V8 turns a `switch` whose labels are all small integer literals into a jump table; with labels
// read from an object (`case Op.add_32:`) it compares them one by one, which made the dispatch the
// slowest part of the old loop (bench/README.md, "Interpreter").
//
// The loops:
// - `loop32`: the 32-bit ISA with registers as int32 (their canonical, sign-extended form);
// - `loopPairs32`: the 32-bit ISA with registers as int32 (lo, hi) pairs, for the rare moments when a
//   register holds a value that is not sign-extended (only `memset` makes one: polkavm writes A0 + n
//   and the remaining count as raw 64-bit values); it hands back to `loop32` at the first block edge
//   where every register is canonical again;
// - `loopPairs64`: the 64-bit ISAs, registers as pairs, BigInt only for division, remainder and mulh.
//
// Nothing here runs at run time: `generateLoops()` returns the file's text, and
// test/interpreter-generated.test.ts checks that the committed file is exactly that text
// (PVM2JS_UPDATE_GENERATED=1 rewrites it).

import { INSTRUCTIONS, type OpName } from '../../decoder/table.ts';
import { Isa } from '../../decoder/isa.ts';

type Snippet = string;
type Table = Partial<Record<OpName, Snippet>>;

// Resume phases (src/machine/state.ts Resume): full 0, afterStep 1, execute 2.
const FULL = 0;
const AFTER_STEP = 1;
const EXECUTE = 2;

// ---- operand expressions over the packed instruction word `w = P[k]` (see program.ts `packed`) ----
const r1 = '((w >>> 8) & 15)';
const r2 = '((w >>> 12) & 15)';
const r3 = '((w >>> 16) & 15)';
/** Twice the register number: the index of its low word in a pair array. */
const p1 = '((w >>> 7) & 30)';
const p2 = '((w >>> 11) & 30)';
const p3 = '((w >>> 15) & 30)';
const X = 'P[k + 1]';
const Y = 'P[k + 2]';
const T = 'P[k + 3]';

interface Flavour {
  /** The exit call: `(next, resume, interrupt, inBlock)`; inBlock = a final stop there leaves the rest of the block unexecuted. */
  exit(next: string, resume: number, interrupt: string, inBlock: boolean): string;
}
type Exit = Flavour['exit'] & { readonly fault: string };
/** Exits for a failed memory access (or sbrk): `memory.fault` says whether it is final (a trap) or resumable. */
const narrowExit: Exit = Object.assign(
  (next: string, resume: number, interrupt: string, inBlock: boolean) =>
    `return c.stop32(j, ${next}, ${resume}, ${interrupt}, gas, counted, ${inBlock});`,
  { fault: 'return c.fault32(j, gas, counted);' },
);
const pairExit: Exit = Object.assign(
  (next: string, resume: number, interrupt: string, inBlock: boolean) =>
    `return c.stop(j, ${next}, ${resume}, ${interrupt}, gas, counted, ${inBlock});`,
  { fault: 'return c.fault(j, gas, counted);' },
);

// ---- memory: the standard memory's regions read directly, the GuestMemory methods otherwise ----

const GET = { u8: 'getUint8', i8: 'getInt8', u16: 'getUint16', i16: 'getInt16', u32: 'getInt32', i32: 'getInt32' } as const;
const WIDTH = { u8: 1, i8: 1, u16: 2, i16: 2, u32: 4, i32: 4 } as const;
const SLOW_FIX = { u8: 'v', i8: '(v << 24) >> 24', u16: 'v', i16: '(v << 16) >> 16', u32: 'v | 0', i32: 'v | 0' } as const;
type Kind = keyof typeof GET;

/** Loads into `v` (int32: the value's low word, sign- or zero-extended per kind). */
function load(kind: Kind, address: string, exit: Exit): string {
  const w = WIDTH[kind];
  const g = GET[kind];
  const le = w > 1 ? ', true' : '';
  return `a = ${address};
        if ((o = (a - rwA) >>> 0) <= rwL${w}) v = rwV.${g}(o${le});
        else if ((o = (a - stA) >>> 0) <= stL${w}) v = stV.${g}(o${le});
        else if ((o = (a - roA) >>> 0) <= roL${w}) v = roV.${g}(o${le});
        else {
          v = memory.load(a, ${w});
          if (v < 0) ${exit.fault}
          v = ${SLOW_FIX[kind]};
        }`;
}

/** Loads 8 bytes into `v` (low word) and `t` (high word). */
function load64(address: string, exit: Exit): string {
  return `a = ${address};
        if ((o = (a - rwA) >>> 0) <= rwL8) { v = rwV.getInt32(o, true); t = rwV.getInt32(o + 4, true); }
        else if ((o = (a - stA) >>> 0) <= stL8) { v = stV.getInt32(o, true); t = stV.getInt32(o + 4, true); }
        else if ((o = (a - roA) >>> 0) <= roL8) { v = roV.getInt32(o, true); t = roV.getInt32(o + 4, true); }
        else {
          if (memory.load64(a) < 0) ${exit.fault}
          v = memory.lo | 0;
          t = memory.hi | 0;
        }`;
}

const SET = { 1: 'setUint8', 2: 'setUint16', 4: 'setInt32' } as const;

/** Stores the low `width` bytes of `lo` (and, for 8, `hi` above them). Only rw data and the stack are writable. */
function store(width: 1 | 2 | 4 | 8, address: string, lo: string, hi: string, exit: Exit): string {
  const put = (view: string): string =>
    width === 8
      ? `{ ${view}.setInt32(o, ${lo}, true); ${view}.setInt32(o + 4, ${hi}, true); }`
      : `${view}.${SET[width]}(o, ${lo}${width > 1 ? ', true' : ''});`;
  return `a = ${address};
        if ((o = (a - rwA) >>> 0) <= rwL${width}) ${put('rwV')}
        else if ((o = (a - stA) >>> 0) <= stL${width}) ${put('stV')}
        else if (!memory.store(a, ${width}, ${lo}, ${hi})) ${exit.fault}`;
}

// ---- control flow, shared by all loops ----

const branch = (condition: string, exit: Exit): Snippet =>
  `t = ${T};
        if (t < 0) ${exit('-1', FULL, 'TRAP', true)}
        j = ${condition} ? t : j + 1;
        continue outer;`;
const jump = (exit: Exit): Snippet =>
  `t = ${T};
        if (t < 0) ${exit('-1', FULL, 'TRAP', true)}
        j = t;
        continue outer;`;
/** `a` holds the u32 address; jumps through the jump table (indirectIndex), or finishes, or traps. */
const indirect = (exit: Exit): Snippet =>
  `if (a === ${0xffff0000}) ${exit('-1', FULL, 'FINISHED', false)}
        t = (a & 1) === 0 && a !== 0 && (a >>> 1) <= indirect.length ? indirect[(a >>> 1) - 1]! : -1;
        if (t < 0) ${exit('-1', FULL, 'TRAP', true)}
        j = t;
        continue outer;`;

/** A jump writing `ra` (register 0, `reg` is its number or twice it) is a call in polkavm's ABI: counted
 * against `maxCallDepth` (Infinity unless a host set one), a final stop past it. */
const call = (reg: string, exit: Exit): Snippet =>
  `if (${reg} === 0 && ++s.callDepth > s.maxCallDepth) ${exit('-1', FULL, "budget('call-depth')", true)}`;
/** A jump through `ra` is a return. */
const ret = (reg: string): Snippet => `if (${reg} === 0) s.callDepth--;`;

// ---- the 32-bit ISA on int32 registers ----

function narrowTable(): Table {
  const e = narrowExit;
  const R = (r: string): string => `R[${r}]`;
  const d = R(r1);
  const s1 = R(r2);
  const s2 = R(r3);
  const loadTo = (kind: Kind, address: string): Snippet => `${load(kind, address, e)}
        ${d} = v;`;
  const base = `(${s1} + ${X}) >>> 0`;
  const t: Table = {
    unlikely: '',
    ecalli: e('j + 1', FULL, `ecalli(${X})`, false),
    fallthrough: jump(e),
    jump: jump(e),
    load_imm_and_jump: `${call(r1, e)}
        ${d} = ${X};
        ${jump(e)}`,
    jump_indirect: `${ret(r1)}
        a = (${d} + ${X}) >>> 0;
        ${indirect(e)}`,
    // The address comes from the base before `ra` is written: they may be the same register.
    load_imm_and_jump_indirect: `${call(r1, e)}
        a = (${s1} + ${Y}) >>> 0;
        ${d} = ${X};
        ${indirect(e)}`,
    load_imm: `${d} = ${X};`,
    move_reg: `${d} = ${s1};`,
    load_u8: loadTo('u8', `${X} >>> 0`),
    load_i8: loadTo('i8', `${X} >>> 0`),
    load_u16: loadTo('u16', `${X} >>> 0`),
    load_i16: loadTo('i16', `${X} >>> 0`),
    load_i32: loadTo('i32', `${X} >>> 0`),
    load_indirect_u8: loadTo('u8', base),
    load_indirect_i8: loadTo('i8', base),
    load_indirect_u16: loadTo('u16', base),
    load_indirect_i16: loadTo('i16', base),
    load_indirect_i32: loadTo('i32', base),
    store_u8: store(1, `${X} >>> 0`, d, '0', e),
    store_u16: store(2, `${X} >>> 0`, d, '0', e),
    store_u32: store(4, `${X} >>> 0`, d, '0', e),
    store_indirect_u8: store(1, base, d, '0', e),
    store_indirect_u16: store(2, base, d, '0', e),
    store_indirect_u32: store(4, base, d, '0', e),
    store_imm_u8: store(1, `${X} >>> 0`, Y, '0', e),
    store_imm_u16: store(2, `${X} >>> 0`, Y, '0', e),
    store_imm_u32: store(4, `${X} >>> 0`, Y, '0', e),
    store_imm_indirect_u8: store(1, `(${d} + ${X}) >>> 0`, Y, '0', e),
    store_imm_indirect_u16: store(2, `(${d} + ${X}) >>> 0`, Y, '0', e),
    store_imm_indirect_u32: store(4, `(${d} + ${X}) >>> 0`, Y, '0', e),
    add_imm_32: `${d} = (${s1} + ${X}) | 0;`,
    and_imm: `${d} = ${s1} & ${X};`,
    xor_imm: `${d} = ${s1} ^ ${X};`,
    or_imm: `${d} = ${s1} | ${X};`,
    mul_imm_32: `${d} = Math.imul(${s1}, ${X});`,
    set_less_than_unsigned_imm: `${d} = ${s1} >>> 0 < ${X} >>> 0 ? 1 : 0;`,
    set_less_than_signed_imm: `${d} = ${s1} < ${X} ? 1 : 0;`,
    set_greater_than_unsigned_imm: `${d} = ${s1} >>> 0 > ${X} >>> 0 ? 1 : 0;`,
    set_greater_than_signed_imm: `${d} = ${s1} > ${X} ? 1 : 0;`,
    shift_logical_left_imm_32: `${d} = ${s1} << ${X};`,
    shift_logical_right_imm_32: `${d} = (${s1} >>> ${X}) | 0;`,
    shift_arithmetic_right_imm_32: `${d} = ${s1} >> ${X};`,
    negate_and_add_imm_32: `${d} = (${X} - ${s1}) | 0;`,
    shift_logical_left_imm_alt_32: `${d} = ${X} << ${s1};`,
    shift_logical_right_imm_alt_32: `${d} = (${X} >>> ${s1}) | 0;`,
    shift_arithmetic_right_imm_alt_32: `${d} = ${X} >> ${s1};`,
    rotate_right_imm_32: `${d} = rotateRight32(${s1}, ${X});`,
    rotate_right_imm_alt_32: `${d} = rotateRight32(${X}, ${s1});`,
    cmov_if_zero_imm: `if (${s1} === 0) ${d} = ${X};`,
    cmov_if_not_zero_imm: `if (${s1} !== 0) ${d} = ${X};`,
    add_32: `${d} = (${s1} + ${s2}) | 0;`,
    sub_32: `${d} = (${s1} - ${s2}) | 0;`,
    mul_32: `${d} = Math.imul(${s1}, ${s2});`,
    div_unsigned_32: `${d} = divUnsigned32(${s1}, ${s2});`,
    div_signed_32: `${d} = divSigned32(${s1}, ${s2});`,
    rem_unsigned_32: `${d} = remUnsigned32(${s1}, ${s2});`,
    rem_signed_32: `${d} = remSigned32(${s1}, ${s2});`,
    shift_logical_left_32: `${d} = ${s1} << ${s2};`,
    shift_logical_right_32: `${d} = (${s1} >>> ${s2}) | 0;`,
    shift_arithmetic_right_32: `${d} = ${s1} >> ${s2};`,
    and: `${d} = ${s1} & ${s2};`,
    xor: `${d} = ${s1} ^ ${s2};`,
    or: `${d} = ${s1} | ${s2};`,
    mul_upper_signed_signed: `${d} = mulUpperSignedSigned32(${s1}, ${s2});`,
    mul_upper_unsigned_unsigned: `${d} = mulUpperUnsignedUnsigned32(${s1}, ${s2});`,
    mul_upper_signed_unsigned: `${d} = mulUpperSignedUnsigned32(${s1}, ${s2});`,
    set_less_than_unsigned: `${d} = ${s1} >>> 0 < ${s2} >>> 0 ? 1 : 0;`,
    set_less_than_signed: `${d} = ${s1} < ${s2} ? 1 : 0;`,
    cmov_if_zero: `if (${s2} === 0) ${d} = ${s1};`,
    cmov_if_not_zero: `if (${s2} !== 0) ${d} = ${s1};`,
    rotate_left_32: `${d} = rotateLeft32(${s1}, ${s2});`,
    rotate_right_32: `${d} = rotateRight32(${s1}, ${s2});`,
    and_inverted: `${d} = ${s1} & ~${s2};`,
    or_inverted: `${d} = ${s1} | ~${s2};`,
    xnor: `${d} = ~(${s1} ^ ${s2});`,
    maximum: `${d} = Math.max(${s1}, ${s2});`,
    maximum_unsigned: `${d} = maximumUnsigned32(${s1}, ${s2});`,
    minimum: `${d} = Math.min(${s1}, ${s2});`,
    minimum_unsigned: `${d} = minimumUnsigned32(${s1}, ${s2});`,
    count_set_bits_32: `${d} = countSetBits32(${s1});`,
    count_leading_zero_bits_32: `${d} = Math.clz32(${s1});`,
    count_trailing_zero_bits_32: `${d} = countTrailingZeroBits32(${s1});`,
    sign_extend_8: `${d} = (${s1} << 24) >> 24;`,
    sign_extend_16: `${d} = (${s1} << 16) >> 16;`,
    zero_extend_16: `${d} = ${s1} & 0xffff;`,
    reverse_byte: `${d} = reverseByte32(${s1});`,
    sbrk: `v = memory.sbrk(${s1} >>> 0) ?? -1;
        if (v === -1) {
          if (memory.fault.kind === 'budget') ${e.fault}
          ${d} = 0;
        } else ${d} = v | 0;
        REFRESH_REGIONS`,
    // polkavm leaves A0 = A0 + written and A2 = the bytes not written as raw 64-bit values, which
    // are not sign-extended when the low word crosses 2^31 upwards or 2^31 or more bytes remain.
    // Such a memset runs on the pair loop instead (`hand`), which keeps both words.
    memset: `a = R[7] >>> 0;
        o = R[9] >>> 0;
        if (o > 0x7fffffff || (a <= 0x7fffffff && a + o > 0x7fffffff)) {
          c.writeBack();
          return c.hand(j, ${EXECUTE}, gas, counted);
        }
        s.gas = gas;
        v = c.memset(a, R[8] & 0xff, o, metered);
        gas = s.gas;
        R[7] = (a + v) | 0;
        R[9] = (o - v) | 0;
        if (c.memsetStop === 1) ${e.fault}
        if (c.memsetStop === 2) {
          if (sync) ${e('j', EXECUTE, 'NOT_ENOUGH_GAS', true)}
          ${e('-1', FULL, 'NOT_ENOUGH_GAS', true)}
        }`,
  };
  const cmp = (op: string, signed: boolean, imm: boolean): string => {
    const a = signed ? R(r1) : `${R(r1)} >>> 0`;
    const b = imm ? (signed ? X : `${X} >>> 0`) : signed ? R(r2) : `${R(r2)} >>> 0`;
    return branch(`${a} ${op} ${b}`, e);
  };
  Object.assign(t, {
    branch_eq: branch(`${R(r1)} === ${R(r2)}`, e),
    branch_not_eq: branch(`${R(r1)} !== ${R(r2)}`, e),
    branch_less_unsigned: cmp('<', false, false),
    branch_less_signed: cmp('<', true, false),
    branch_greater_or_equal_unsigned: cmp('>=', false, false),
    branch_greater_or_equal_signed: cmp('>=', true, false),
    branch_eq_imm: branch(`${R(r1)} === ${X}`, e),
    branch_not_eq_imm: branch(`${R(r1)} !== ${X}`, e),
    branch_less_unsigned_imm: cmp('<', false, true),
    branch_less_or_equal_unsigned_imm: cmp('<=', false, true),
    branch_greater_or_equal_unsigned_imm: cmp('>=', false, true),
    branch_greater_unsigned_imm: cmp('>', false, true),
    branch_less_signed_imm: cmp('<', true, true),
    branch_less_or_equal_signed_imm: cmp('<=', true, true),
    branch_greater_or_equal_signed_imm: cmp('>=', true, true),
    branch_greater_signed_imm: cmp('>', true, true),
  } satisfies Table);
  return t;
}

// ---- registers as (lo, hi) pairs: the 64-bit ISAs, and the 32-bit ISA's rare raw-value case ----

function pairTable(is64: boolean): Table {
  const e = pairExit;
  const lo = (p: string): string => `L[${p}]`;
  const hi = (p: string): string => `L[${p} + 1]`;
  /** A `_32` result, sign-extended. */
  const set32 = (value: string): string => `v = ${value};
        q = ${p1};
        L[q] = v;
        L[q + 1] = v >> 31;`;
  /** A result that is a u32 (zero-extended). */
  const setU32 = (value: string): string => `v = ${value};
        q = ${p1};
        L[q] = v;
        L[q + 1] = 0;`;
  const copy = (from: string): string => `q = ${p1};
        L[q] = L[${from}];
        L[q + 1] = L[${from} + 1];`;
  const loadTo = (kind: Kind, address: string): Snippet =>
    `${load(kind, address, e)}
        ${kind[0] === 'u' ? setU32('v') : set32('v')}`;
  const loadTo64 = (address: string): Snippet => `${load64(address, e)}
        q = ${p1};
        L[q] = v;
        L[q + 1] = t;`;
  const base = `(${lo(p2)} + ${X}) >>> 0`;
  const immBase = `(${lo(p1)} + ${X}) >>> 0`;
  const three = (fn: string): string => `${fn}(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${lo(p3)}, ${hi(p3)});`;
  const withImm = (fn: string): string => `${fn}(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${X}, ${X} >> 31);`;
  const immFirst = (fn: string): string => `${fn}(L, ${p1}, ${X}, ${X} >> 31, ${lo(p2)}, ${hi(p2)});`;
  const bitwise = (op: string, b: [string, string], invert = false, negateB = false): string => {
    const nb = (x: string): string => (negateB ? `~${x}` : x);
    const wrap = (x: string): string => (invert ? `~(${x})` : x);
    return `q = ${p1};
        v = ${wrap(`${lo(p2)} ${op} ${nb(b[0])}`)};
        t = ${wrap(`${hi(p2)} ${op} ${nb(b[1])}`)};
        L[q] = v;
        L[q + 1] = t;`;
  };
  const reg3: [string, string] = [lo(p3), hi(p3)];
  const imm: [string, string] = [X, `(${X} >> 31)`];
  const big = (fn: string): string => `R64[${r1}] = ${fn}(R64[${r2}]!, R64[${r3}]!);`;
  /** Picks s1 or s2 whole: `s1` when `condition` (over the two pairs) holds. */
  const select = (condition: (a: string, b: string) => string): string => `a = ${p2};
        o = ${p3};
        if (!(${condition('a', 'o')})) a = o;
        ${copy('a')}`;
  const lts = (x: string, y: string): string => `lessSigned64(L[${x}], L[${x} + 1], L[${y}], L[${y} + 1])`;
  const ltu = (x: string, y: string): string => `lessUnsigned64(L[${x}], L[${x} + 1], L[${y}], L[${y} + 1])`;
  const eqPair = (a: string, b: string): string => `(L[${a}] === L[${b}] && L[${a} + 1] === L[${b} + 1])`;
  const eqImm = `(L[${p1}] === ${X} && L[${p1} + 1] === ${X} >> 31)`;
  const isZero = (p: string): string => `(L[${p}] | L[${p} + 1]) === 0`;
  const A0 = 14;
  const A1 = 16;
  const A2 = 18;

  const t: Table = {
    unlikely: '',
    ecalli: e('j + 1', FULL, `ecalli(${X})`, false),
    fallthrough: jump(e),
    jump: jump(e),
    load_imm_and_jump: `${call(p1, e)}
        ${set32(X)}
        ${jump(e)}`,
    jump_indirect: `${ret(p1)}
        a = (${lo(p1)} + ${X}) >>> 0;
        ${indirect(e)}`,
    // The address comes from the base before `ra` is written: they may be the same register.
    load_imm_and_jump_indirect: `${call(p1, e)}
        a = (${lo(p2)} + ${Y}) >>> 0;
        ${set32(X)}
        ${indirect(e)}`,
    load_imm: set32(X),
    load_imm64: `q = ${p1};
        L[q] = ${X};
        L[q + 1] = ${Y};`,
    move_reg: copy(p2),
    load_u8: loadTo('u8', `${X} >>> 0`),
    load_i8: loadTo('i8', `${X} >>> 0`),
    load_u16: loadTo('u16', `${X} >>> 0`),
    load_i16: loadTo('i16', `${X} >>> 0`),
    load_u32: loadTo('u32', `${X} >>> 0`),
    load_i32: loadTo('i32', `${X} >>> 0`),
    load_u64: loadTo64(`${X} >>> 0`),
    load_indirect_u8: loadTo('u8', base),
    load_indirect_i8: loadTo('i8', base),
    load_indirect_u16: loadTo('u16', base),
    load_indirect_i16: loadTo('i16', base),
    load_indirect_u32: loadTo('u32', base),
    load_indirect_i32: loadTo('i32', base),
    load_indirect_u64: loadTo64(base),
    store_u8: store(1, `${X} >>> 0`, lo(p1), hi(p1), e),
    store_u16: store(2, `${X} >>> 0`, lo(p1), hi(p1), e),
    store_u32: store(4, `${X} >>> 0`, lo(p1), hi(p1), e),
    store_u64: store(8, `${X} >>> 0`, lo(p1), hi(p1), e),
    store_indirect_u8: store(1, base, lo(p1), hi(p1), e),
    store_indirect_u16: store(2, base, lo(p1), hi(p1), e),
    store_indirect_u32: store(4, base, lo(p1), hi(p1), e),
    store_indirect_u64: store(8, base, lo(p1), hi(p1), e),
    store_imm_u8: store(1, `${X} >>> 0`, Y, `${Y} >> 31`, e),
    store_imm_u16: store(2, `${X} >>> 0`, Y, `${Y} >> 31`, e),
    store_imm_u32: store(4, `${X} >>> 0`, Y, `${Y} >> 31`, e),
    store_imm_u64: store(8, `${X} >>> 0`, Y, `${Y} >> 31`, e),
    store_imm_indirect_u8: store(1, immBase, Y, `${Y} >> 31`, e),
    store_imm_indirect_u16: store(2, immBase, Y, `${Y} >> 31`, e),
    store_imm_indirect_u32: store(4, immBase, Y, `${Y} >> 31`, e),
    store_imm_indirect_u64: store(8, immBase, Y, `${Y} >> 31`, e),
    // ---- 32-bit operations: the low words in, a sign-extended result out ----
    add_imm_32: set32(`(${lo(p2)} + ${X}) | 0`),
    mul_imm_32: set32(`Math.imul(${lo(p2)}, ${X})`),
    shift_logical_left_imm_32: set32(`${lo(p2)} << ${X}`),
    shift_logical_right_imm_32: set32(`(${lo(p2)} >>> ${X}) | 0`),
    shift_arithmetic_right_imm_32: set32(`${lo(p2)} >> ${X}`),
    negate_and_add_imm_32: set32(`(${X} - ${lo(p2)}) | 0`),
    shift_logical_left_imm_alt_32: set32(`${X} << ${lo(p2)}`),
    shift_logical_right_imm_alt_32: set32(`(${X} >>> ${lo(p2)}) | 0`),
    shift_arithmetic_right_imm_alt_32: set32(`${X} >> ${lo(p2)}`),
    rotate_right_imm_32: set32(`rotateRight32(${lo(p2)}, ${X})`),
    rotate_right_imm_alt_32: set32(`rotateRight32(${X}, ${lo(p2)})`),
    add_32: set32(`(${lo(p2)} + ${lo(p3)}) | 0`),
    sub_32: set32(`(${lo(p2)} - ${lo(p3)}) | 0`),
    mul_32: set32(`Math.imul(${lo(p2)}, ${lo(p3)})`),
    div_unsigned_32: set32(`divUnsigned32(${lo(p2)}, ${lo(p3)})`),
    div_signed_32: set32(`divSigned32(${lo(p2)}, ${lo(p3)})`),
    rem_unsigned_32: set32(`remUnsigned32(${lo(p2)}, ${lo(p3)})`),
    rem_signed_32: set32(`remSigned32(${lo(p2)}, ${lo(p3)})`),
    shift_logical_left_32: set32(`${lo(p2)} << ${lo(p3)}`),
    shift_logical_right_32: set32(`(${lo(p2)} >>> ${lo(p3)}) | 0`),
    shift_arithmetic_right_32: set32(`${lo(p2)} >> ${lo(p3)}`),
    rotate_left_32: set32(`rotateLeft32(${lo(p2)}, ${lo(p3)})`),
    rotate_right_32: set32(`rotateRight32(${lo(p2)}, ${lo(p3)})`),
    count_set_bits_32: setU32(`countSetBits32(${lo(p2)})`),
    count_leading_zero_bits_32: setU32(`Math.clz32(${lo(p2)})`),
    count_trailing_zero_bits_32: setU32(`countTrailingZeroBits32(${lo(p2)})`),
    // ---- full-width operations (on both ISAs: polkavm compares and combines all 64 bits) ----
    and_imm: bitwise('&', imm),
    xor_imm: bitwise('^', imm),
    or_imm: bitwise('|', imm),
    and: bitwise('&', reg3),
    xor: bitwise('^', reg3),
    or: bitwise('|', reg3),
    set_less_than_unsigned: setU32(`${ltu(p2, p3)} ? 1 : 0`),
    set_less_than_signed: setU32(`${lts(p2, p3)} ? 1 : 0`),
    set_less_than_unsigned_imm: setU32(`lessUnsigned64(${lo(p2)}, ${hi(p2)}, ${X}, ${X} >> 31) ? 1 : 0`),
    set_less_than_signed_imm: setU32(`lessSigned64(${lo(p2)}, ${hi(p2)}, ${X}, ${X} >> 31) ? 1 : 0`),
    set_greater_than_unsigned_imm: setU32(`lessUnsigned64(${X}, ${X} >> 31, ${lo(p2)}, ${hi(p2)}) ? 1 : 0`),
    set_greater_than_signed_imm: setU32(`lessSigned64(${X}, ${X} >> 31, ${lo(p2)}, ${hi(p2)}) ? 1 : 0`),
    cmov_if_zero_imm: `if (${isZero(p2)}) {
          ${set32(X)}
        }`,
    cmov_if_not_zero_imm: `if (!(${isZero(p2)})) {
          ${set32(X)}
        }`,
    cmov_if_zero: `if (${isZero(p3)}) {
          ${copy(p2)}
        }`,
    cmov_if_not_zero: `if (!(${isZero(p3)})) {
          ${copy(p2)}
        }`,
    // ---- 64-bit only ----
    add_imm_64: withImm('add64'),
    mul_imm_64: withImm('mul64'),
    negate_and_add_imm_64: immFirst('sub64'),
    shift_logical_left_imm_64: `shiftLogicalLeft64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${X});`,
    shift_logical_right_imm_64: `shiftLogicalRight64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${X});`,
    shift_arithmetic_right_imm_64: `shiftArithmeticRight64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${X});`,
    shift_logical_left_imm_alt_64: `shiftLogicalLeft64(L, ${p1}, ${X}, ${X} >> 31, ${lo(p2)});`,
    shift_logical_right_imm_alt_64: `shiftLogicalRight64(L, ${p1}, ${X}, ${X} >> 31, ${lo(p2)});`,
    shift_arithmetic_right_imm_alt_64: `shiftArithmeticRight64(L, ${p1}, ${X}, ${X} >> 31, ${lo(p2)});`,
    rotate_right_imm_64: `rotateRight64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${X});`,
    rotate_right_imm_alt_64: `rotateRight64(L, ${p1}, ${X}, ${X} >> 31, ${lo(p2)});`,
    add_64: three('add64'),
    sub_64: three('sub64'),
    mul_64: three('mul64'),
    div_unsigned_64: big('divUnsigned64'),
    div_signed_64: big('divSigned64'),
    rem_unsigned_64: big('remUnsigned64'),
    rem_signed_64: big('remSigned64'),
    shift_logical_left_64: `shiftLogicalLeft64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${lo(p3)});`,
    shift_logical_right_64: `shiftLogicalRight64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${lo(p3)});`,
    shift_arithmetic_right_64: `shiftArithmeticRight64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${lo(p3)});`,
    rotate_left_64: `rotateLeft64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${lo(p3)});`,
    rotate_right_64: `rotateRight64(L, ${p1}, ${lo(p2)}, ${hi(p2)}, ${lo(p3)});`,
    count_set_bits_64: setU32(`countSetBits32(${lo(p2)}) + countSetBits32(${hi(p2)})`),
    count_leading_zero_bits_64: setU32(`countLeadingZeroBits64(${lo(p2)}, ${hi(p2)})`),
    count_trailing_zero_bits_64: setU32(`countTrailingZeroBits64(${lo(p2)}, ${hi(p2)})`),
    // ---- operations whose width follows the ISA ----
    mul_upper_signed_signed: big('mulUpperSignedSigned64'),
    mul_upper_unsigned_unsigned: big('mulUpperUnsignedUnsigned64'),
    mul_upper_signed_unsigned: big('mulUpperSignedUnsigned64'),
    and_inverted: bitwise('&', reg3, false, true),
    or_inverted: bitwise('|', reg3, false, true),
    xnor: bitwise('^', reg3, true),
    maximum: select((a, b) => lts(b, a)),
    maximum_unsigned: select((a, b) => ltu(b, a)),
    minimum: select((a, b) => lts(a, b)),
    minimum_unsigned: select((a, b) => ltu(a, b)),
    sign_extend_8: set32(`(${lo(p2)} << 24) >> 24`),
    sign_extend_16: set32(`(${lo(p2)} << 16) >> 16`),
    zero_extend_16: setU32(`${lo(p2)} & 0xffff`),
    reverse_byte: `a = ${p2};
        v = reverseByte32(L[a + 1]);
        t = reverseByte32(L[a]);
        q = ${p1};
        L[q] = v;
        L[q + 1] = t;`,
    // A 64-bit size that is not a u32 asks for nothing (polkavm `sbrk`).
    sbrk: `a = ${p2};
        v = memory.sbrk(L[a + 1] !== 0 ? 0 : L[a] >>> 0) ?? -1;
        if (v === -1) {
          if (memory.fault.kind === 'budget') ${e.fault}
          q = ${p1};
          L[q] = 0;
          L[q + 1] = 0;
        } else {
          ${set32('v | 0')}
        }
        REFRESH_REGIONS`,
    // A0 += bytes written and A2 = bytes left, both as raw 64-bit values (polkavm `memset`).
    memset: `o = L[${A2}] >>> 0;
        s.gas = gas;
        v = c.memset(L[${A0}] >>> 0, L[${A1}] & 0xff, o, metered);
        gas = s.gas;
        add64(L, ${A0}, L[${A0}], L[${A0 + 1}], v, 0);
        L[${A2}] = (o - v) | 0;
        L[${A2 + 1}] = 0;
        if (c.memsetStop === 1) ${e.fault}
        if (c.memsetStop === 2) {
          if (sync) ${e('j', EXECUTE, 'NOT_ENOUGH_GAS', true)}
          ${e('-1', FULL, 'NOT_ENOUGH_GAS', true)}
        }`,
    branch_eq: branch(eqPair(p1, p2), e),
    branch_not_eq: branch(`!${eqPair(p1, p2)}`, e),
    branch_less_unsigned: branch(ltu(p1, p2), e),
    branch_less_signed: branch(lts(p1, p2), e),
    branch_greater_or_equal_unsigned: branch(`!${ltu(p1, p2)}`, e),
    branch_greater_or_equal_signed: branch(`!${lts(p1, p2)}`, e),
    branch_eq_imm: branch(eqImm, e),
    branch_not_eq_imm: branch(`!${eqImm}`, e),
    branch_less_unsigned_imm: branch(`lessUnsigned64(${lo(p1)}, ${hi(p1)}, ${X}, ${X} >> 31)`, e),
    branch_less_or_equal_unsigned_imm: branch(`!lessUnsigned64(${X}, ${X} >> 31, ${lo(p1)}, ${hi(p1)})`, e),
    branch_greater_or_equal_unsigned_imm: branch(`!lessUnsigned64(${lo(p1)}, ${hi(p1)}, ${X}, ${X} >> 31)`, e),
    branch_greater_unsigned_imm: branch(`lessUnsigned64(${X}, ${X} >> 31, ${lo(p1)}, ${hi(p1)})`, e),
    branch_less_signed_imm: branch(`lessSigned64(${lo(p1)}, ${hi(p1)}, ${X}, ${X} >> 31)`, e),
    branch_less_or_equal_signed_imm: branch(`!lessSigned64(${X}, ${X} >> 31, ${lo(p1)}, ${hi(p1)})`, e),
    branch_greater_or_equal_signed_imm: branch(`!lessSigned64(${lo(p1)}, ${hi(p1)}, ${X}, ${X} >> 31)`, e),
    branch_greater_signed_imm: branch(`lessSigned64(${X}, ${X} >> 31, ${lo(p1)}, ${hi(p1)})`, e),
  };
  if (!is64) {
    // The 32-bit ISA's forms of the ISA-width operations (polkavm emits its `_32` handlers for them).
    Object.assign(t, {
      mul_upper_signed_signed: set32(`mulUpperSignedSigned32(${lo(p2)}, ${lo(p3)})`),
      mul_upper_unsigned_unsigned: set32(`mulUpperUnsignedUnsigned32(${lo(p2)}, ${lo(p3)})`),
      mul_upper_signed_unsigned: set32(`mulUpperSignedUnsigned32(${lo(p2)}, ${lo(p3)})`),
      and_inverted: set32(`${lo(p2)} & ~${lo(p3)}`),
      or_inverted: set32(`${lo(p2)} | ~${lo(p3)}`),
      xnor: set32(`~(${lo(p2)} ^ ${lo(p3)})`),
      maximum: set32(`Math.max(${lo(p2)}, ${lo(p3)})`),
      maximum_unsigned: set32(`maximumUnsigned32(${lo(p2)}, ${lo(p3)})`),
      minimum: set32(`Math.min(${lo(p2)}, ${lo(p3)})`),
      minimum_unsigned: set32(`minimumUnsigned32(${lo(p2)}, ${lo(p3)})`),
      reverse_byte: set32(`reverseByte32(${lo(p2)})`),
      sbrk: `v = memory.sbrk(${lo(p2)} >>> 0) ?? -1;
        if (v === -1) {
          if (memory.fault.kind === 'budget') ${e.fault}
          q = ${p1};
          L[q] = 0;
          L[q + 1] = 0;
        } else {
          ${set32('v | 0')}
        }
        REFRESH_REGIONS`,
    } satisfies Table);
  }
  return t;
}

// ---- the loop skeleton ----

const REFRESH = `if (std !== undefined) {
      rwA = std.rwAddress;
      rwV = std.rwView;
      rwL1 = std.rwSize - 1;
      rwL2 = std.rwSize - 2;
      rwL4 = std.rwSize - 4;
      rwL8 = std.rwSize - 8;
      stA = std.stackAddress;
      stV = std.stackView;
      stL1 = std.stackSize - 1;
      stL2 = std.stackSize - 2;
      stL4 = std.stackSize - 4;
      stL8 = std.stackSize - 8;
      roA = std.roAddress;
      roV = std.roView;
      roL1 = std.roSize - 1;
      roL2 = std.roSize - 2;
      roL4 = std.roSize - 4;
      roL8 = std.roSize - 8;
    }`;

interface LoopSpec {
  name: string;
  doc: string;
  /** Column of the instruction table whose instructions get a case. */
  isas: readonly Isa[];
  table: Table;
  narrow: boolean;
  /** Hand back to the narrow loop at a block edge once every register is canonical. */
  handBack: boolean;
}

function indentBody(body: string): string {
  return body.replace(/REFRESH_REGIONS/g, REFRESH.replace(/\n {4}/g, '\n        '));
}

function loop(spec: LoopSpec): string {
  const exit = spec.narrow ? narrowExit : pairExit;
  const cases: string[] = [];
  INSTRUCTIONS.forEach((row, id) => {
    if (!spec.isas.some((isa) => row.opcodes[isa] !== null)) return;
    if (row.name === 'trap') return; // `default` traps
    const body = spec.table[row.name as OpName];
    if (body === undefined) throw new Error(`${spec.name}: no case for ${row.name}`);
    cases.push(`      case ${id}: { // ${row.name}
        ${indentBody(body)}
        break;
      }`);
  });
  const prelude = spec.narrow
    ? `const R = c.R;
  for (let r = 0; r < 13; r++) R[r] = L[2 * r]!;`
    : `const R64 = c.R64;`;
  const handBack = spec.handBack
    ? `
        for (q = 1; q < 26; q += 2) if (L[q] !== L[q - 1]! >> 31) break;
        if (q >= 26) return c.hand(j, phase, gas, counted);`
    : '';
  return `/** ${spec.doc} */
export function ${spec.name}(c: LoopHost, j: number, phase: number): Interrupt | null {
  const s = c.state;
  const p = c.program;
  const P = p.packed;
  const indirect = p.indirectIndex;
  const blockStart = p.code.blockStart;
  const runs = p.blockRuns;
  const blockLength = p.blockLength;
  const costs = p.blockCosts;
  const metered = p.image.gasMetering !== undefined;
  const sync = p.image.gasMetering === 'sync';
  const tracing = p.image.stepTracing;
  const hasDeadline = s.deadline !== Infinity;
  const memory = s.memory;
  const std = memory instanceof StandardMemory ? memory : undefined;
  const L = c.L;
  const ready = p.ready;
  // Entered inside a block (a resume, a host's pc): its words may not be filled yet.
  if (j >= 0 && j < ready.length && ready[blockStartOf(p, j)] === 0) prepareBlock(p, blockStartOf(p, j));
  ${prelude}
  let gas = s.gas;
  let counted = 0;
  let left = s.instructionBudget;
  // Region bases, views and last valid offsets per access width; -1 sends every access to \`memory\`.
  let rwA = 0, rwV = NO_VIEW, rwL1 = -1, rwL2 = -1, rwL4 = -1, rwL8 = -1;
  let stA = 0, stV = NO_VIEW, stL1 = -1, stL2 = -1, stL4 = -1, stL8 = -1;
  let roA = 0, roV = NO_VIEW, roL1 = -1, roL2 = -1, roL4 = -1, roL8 = -1;
  ${REFRESH.replace(/\n {4}/g, '\n  ')}
  let a = 0, o = 0, v = 0, t = 0, q = 0;
  outer: for (;;) {
    // ---- block edge: budget, deadline, step, gas, in that order (polkavm: step, then charge_gas) ----
    if (phase !== ${EXECUTE}) {
      if (blockStart[j] === 1) {${handBack}
        let length = blockLength[j]!;
        // 0 until the block's words are filled, on its first entry.
        if (length === 0) {
          prepareBlock(p, j);
          length = blockLength[j]!;
        }
        if (phase === ${FULL}) {
          if (left < length) ${exit('j', FULL, "budget('instructions')", false)}
          if (hasDeadline && --c.deadlineCountdown <= 0) {
            c.deadlineCountdown = DEADLINE_CHECK_INTERVAL;
            if (performance.now() >= s.deadline) ${exit('j', FULL, "budget('deadline')", false)}
          }
          if (tracing) ${exit('j', AFTER_STEP, 'STEP', false)}
        }
        if (metered) {
          const cost = costs[j]!;
          if (gas < cost) {
            s.gas = gas;
            const enough = refillGas(s, cost);
            gas = s.gas;
            if (!enough) {
              if (sync) ${exit('j', AFTER_STEP, 'NOT_ENOUGH_GAS', false)}
              gas -= cost;
              ${exit('-1', FULL, 'NOT_ENOUGH_GAS', false)}
            }
          }
          gas -= cost;
        }
        if (runs[j] !== 255) runs[j]++;
        counted += length;
        left -= length;
      } else if (phase === ${FULL} && tracing) ${exit('j', AFTER_STEP, 'STEP', false)}
    }
    phase = ${FULL};
    // ---- the block body: non-terminators continue here, terminators go back to the block edge ----
    for (;;) {
      const k = j << 2;
      const w = P[k]!;
      switch (w & 255) {
${cases.join('\n')}
      default: // \`trap\`, and the implicit or unknown \`invalid\`
        ${exit('-1', FULL, 'TRAP', true)}
      }
      j++;
      if (tracing) ${exit('j', AFTER_STEP, 'STEP', false)}
    }
  }
}
`;
}

export function generateLoops(): string {
  const header = `// GENERATED by src/interpreter/gen/generate.ts from the instruction table: do not edit by hand.
// Regenerate: PVM2JS_UPDATE_GENERATED=1 npx vitest run test/interpreter-generated.test.ts
/* eslint-disable */
import { budget, ecalli, FINISHED, NOT_ENOUGH_GAS, STEP, TRAP, type Interrupt } from '../../machine/interrupt.ts';
import { refillGas } from '../../machine/gas.ts';
import { StandardMemory } from '../../machine/memory.ts';
import {
  countSetBits32,
  countTrailingZeroBits32,
  divSigned32,
  divSigned64,
  divUnsigned32,
  divUnsigned64,
  maximumUnsigned32,
  minimumUnsigned32,
  mulUpperSignedSigned32,
  mulUpperSignedSigned64,
  mulUpperSignedUnsigned32,
  mulUpperSignedUnsigned64,
  mulUpperUnsignedUnsigned32,
  mulUpperUnsignedUnsigned64,
  remSigned32,
  remSigned64,
  remUnsigned32,
  remUnsigned64,
  reverseByte32,
  rotateLeft32,
  rotateRight32,
} from '../../machine/ops.ts';
import {
  add64,
  countLeadingZeroBits64,
  countTrailingZeroBits64,
  lessSigned64,
  lessUnsigned64,
  mul64,
  rotateLeft64,
  rotateRight64,
  shiftArithmeticRight64,
  shiftLogicalLeft64,
  shiftLogicalRight64,
  sub64,
} from '../pairs.ts';
import { DEADLINE_CHECK_INTERVAL, NO_VIEW, type LoopHost } from '../host.ts';
import { blockStartOf, prepareBlock } from '../program.ts';
`;
  const isa32 = [Isa.Latest32] as const;
  const isa64 = [Isa.ReviveV1, Isa.Latest64, Isa.JamV1] as const;
  return [
    header,
    loop({ name: 'loop32', doc: 'The 32-bit ISA, registers as canonical int32 values in `c.R`.', isas: isa32, table: narrowTable(), narrow: true, handBack: false }),
    loop({
      name: 'loopPairs32',
      doc: 'The 32-bit ISA with registers as (lo, hi) pairs in the state, while some register is not sign-extended.',
      isas: isa32,
      table: pairTable(false),
      narrow: false,
      handBack: true,
    }),
    loop({ name: 'loopPairs64', doc: 'The 64-bit ISAs, registers as (lo, hi) pairs in the state.', isas: isa64, table: pairTable(true), narrow: false, handBack: false }),
  ].join('\n');
}
