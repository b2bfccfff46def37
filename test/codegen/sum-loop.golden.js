(function link(env) {
const JT = env.JT;
const REGION = env.REGION;
const LABEL = env.LABEL;
const FAULT = env.FAULT;
const LD = env.LD;
const ST = env.ST;
const LD64 = env.LD64;
const sbrk = env.sbrk;
const memset32 = env.memset32;
const memset64 = env.memset64;
const divUnsigned32 = env.divUnsigned32;
const divSigned32 = env.divSigned32;
const remUnsigned32 = env.remUnsigned32;
const remSigned32 = env.remSigned32;
const mulUpperSignedSigned32 = env.mulUpperSignedSigned32;
const mulUpperUnsignedUnsigned32 = env.mulUpperUnsignedUnsigned32;
const mulUpperSignedUnsigned32 = env.mulUpperSignedUnsigned32;
const countSetBits32 = env.countSetBits32;
const countTrailingZeroBits32 = env.countTrailingZeroBits32;
const reverseByte32 = env.reverseByte32;
const rotateLeft32 = env.rotateLeft32;
const rotateRight32 = env.rotateRight32;
const H = env.H;
const mul64 = env.mul64;
const divUnsigned64 = env.divUnsigned64;
const divSigned64 = env.divSigned64;
const remUnsigned64 = env.remUnsigned64;
const remSigned64 = env.remSigned64;
const mulUpperSignedSigned64 = env.mulUpperSignedSigned64;
const mulUpperUnsignedUnsigned64 = env.mulUpperUnsignedUnsigned64;
const mulUpperSignedUnsigned64 = env.mulUpperSignedUnsigned64;
const shl64 = env.shl64;
const shr64 = env.shr64;
const sar64 = env.sar64;
const rotl64 = env.rotl64;
const rotr64 = env.rotr64;
const countSetBits64 = env.countSetBits64;
const countTrailingZeroBits64 = env.countTrailingZeroBits64;
function r0(c, b) {
b = b | 0;
const R = c.R;
const m = c.m;
const s = c.s;
let r0 = R[0], r1 = R[2], r5 = R[10], r7 = R[14], r8 = R[16], r9 = R[18];
let steps = c.steps | 0, x = 0, t = 0, u = 0, v = 0, w = 0;
let st = m.stackView, stLo = m.stackAddress | 0, stEnd = m.stackSize | 0;
let cd = s.callDepth, cdMax = s.maxCallDepth;
try {
L: for (; ; ) {
switch (b) {
case 0:
if ((steps -= 4) < 0) {
x = -5;
break L;
}
r8 = 0;
r1 = r1 + -16 | 0;
t = r1 + 4 - stLo | 0;
if (t >>> 0 <= stEnd - 4) st.setInt32(t, r8, true); else ST(m, r1 + 4 >>> 0, 4, r8, 0, -34);
case 1:
B4: for (; ; ) {
if ((steps -= 5) < 0) {
x = -69;
break L;
}
t = r1 + 4 - stLo | 0;
r9 = t >>> 0 <= stEnd - 4 ? st.getInt32(t, true) : LD(m, r1 + 4 >>> 0, 4, -66) | 0;
r9 = r9 + r7 | 0;
t = r1 + 4 - stLo | 0;
if (t >>> 0 <= stEnd - 4) st.setInt32(t, r9, true); else ST(m, r1 + 4 >>> 0, 4, r9, 0, -98);
r7 = r7 + -1 | 0;
if (r7 !== 0) continue B4;
if ((steps -= 3) < 0) {
x = -149;
break L;
}
r5 = r0;
r0 = 2;
b = 3;
continue L;
break B4;
}
case 2:
if ((steps -= 3) < 0) {
x = -197;
break L;
}
r0 = r5;
r1 = r1 + 16 | 0;
cd -= 1;
t = r0 + 0 >>> 0;
switch (t) {
case 2:
b = 2;
continue L;
}
if (t === 4294901760) {
x = -228;
break L;
}
v = (t & 1) === 0 && (t !== 0 && t <= 2) ? JT[(t >>> 1) - 1] : -1;
if (v < 0) {
x = -225;
break L;
}
if (REGION[v] === 0) {
b = LABEL[v];
continue L;
}
x = v;
break L;
case 3:
if ((steps -= 2) < 0) {
x = -245;
break L;
}
t = r1 + 4 - stLo | 0;
r8 = t >>> 0 <= stEnd - 4 ? st.getInt32(t, true) : LD(m, r1 + 4 >>> 0, 4, -242) | 0;
cd -= 1;
t = r0 + 0 >>> 0;
switch (t) {
case 2:
b = 2;
continue L;
}
if (t === 4294901760) {
x = -260;
break L;
}
v = (t & 1) === 0 && (t !== 0 && t <= 2) ? JT[(t >>> 1) - 1] : -1;
if (v < 0) {
x = -257;
break L;
}
if (REGION[v] === 0) {
b = LABEL[v];
continue L;
}
x = v;
break L;
default:
x = -1;
break L;
}
}
} catch (e) {
if (e !== FAULT) {
throw e;
}
x = FAULT.code;
}
R[0] = r0;
R[2] = r1;
R[10] = r5;
R[14] = r7;
R[16] = r8;
R[18] = r9;
s.callDepth = cd;
c.steps = steps;
return x;
}
return [r0];
});
