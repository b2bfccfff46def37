// Dispatch shapes for generated code, on a synthetic program shaped like compiled guest code:
// groups of 16 basic blocks that loop 8 times, inner blocks branching on data to the next or the
// one after; each block runs 5 guest-like int32 ops and charges gas (a local double, checked < 0).
import { main, type Variant } from './harness.ts';

const G = 16;
const LOOPS = 8;
const STEPS = 30_000_000;

function blockBody(i: number, K: number, emitNext: (expr: string) => string): string {
  const groupStart = i - (i % G);
  const last = i % G === G - 1;
  const body = `r1 = (r1 + r2) | 0; r2 = r2 ^ (r1 >>> 3); r3 = (r3 + ${i}) | 0; r4 = (r4 + 1) | 0;`;
  const gas = `gas -= 5; if (gas < 0) { ${emitNext('-1')} }`;
  let transfer: string;
  if (last) {
    const nextGroup = (groupStart + G) % K;
    transfer = `r6 = (r6 - 1) | 0; if (r6 !== 0) { ${emitNext(String(groupStart))} } r6 = ${LOOPS}; ${emitNext(String(nextGroup))}`;
  } else {
    const two = Math.min(i + 2, groupStart + G - 1);
    transfer = `if ((r1 & 64) !== 0) { ${emitNext(String(i + 1))} } ${emitNext(String(two))}`;
  }
  return `${gas} ${body} ${transfer}`;
}

const REGS = 'r1, r2, r3, r4, r6';
const load = `let r1 = R[1], r2 = R[2], r3 = R[3], r4 = R[4], r6 = R[6];`;
const spill = `R[1] = r1; R[2] = r2; R[3] = r3; R[4] = r4; R[6] = r6;`;

function switchFunction(K: number): string {
  let src = `return function run(R, entry, budget) { ${load} let gas = budget; let b = entry; for (;;) { switch (b) {`;
  for (let i = 0; i < K; i++) src += `case ${i}: { ${blockBody(i, K, (e) => (e === '-1' ? `${spill} return gas;` : `b = ${e}; continue;`))} }`;
  src += `default: ${spill} return gas; } } };`;
  return src;
}

function regionFunctions(K: number, regionBlocks: number, closureRegs: boolean): string {
  let src = closureRegs ? `let ${REGS.split(', ').map((r) => `${r} = 0`).join(', ')}; let gas = 0;` : 'let gas = 0;';
  const regions = Math.ceil(K / regionBlocks);
  for (let g = 0; g < regions; g++) {
    const lo = g * regionBlocks;
    const hi = Math.min(K, lo + regionBlocks);
    src += `function region${g}(R, b) { ${closureRegs ? '' : load} for (;;) { switch (b - ${lo}) {`;
    for (let i = lo; i < hi; i++)
      src += `case ${i - lo}: { ${blockBody(i, K, (e) => {
        const t = Number(e);
        if (t >= lo && t < hi) return `b = ${e}; continue;`;
        return `${closureRegs ? '' : spill} return ${e};`;
      })} }`;
    src += `} } }`;
  }
  src += `const regions = [${Array.from({ length: regions }, (_, g) => `region${g}`).join(', ')}];`;
  src += `return function run(R, entry, budget) { gas = budget; ${closureRegs ? load : ''} let b = entry; while (b >= 0) b = regions[(b / ${regionBlocks}) | 0](R, b); ${closureRegs ? spill : ''} return gas; };`;
  return src;
}

function fnPerBlock(K: number): string {
  let src = `let gas = 0;`;
  const wrap = (e: string) => (e === '-1' ? 'return -1;' : `return ${e};`);
  for (let i = 0; i < K; i++) src += `function b${i}(R) { let r1 = R[1], r2 = R[2], r3 = R[3], r4 = R[4], r6 = R[6]; ${blockBody(i, K, (e) => `${spill} ${wrap(e)}`)} }`;
  src += `const blocks = [${Array.from({ length: K }, (_, i) => `b${i}`).join(', ')}];`;
  src += `return function run(R, entry, budget) { gas = budget; let b = entry; while (b >= 0) b = blocks[b](R); return gas; };`;
  return src;
}

function variant(name: string, makeSource: () => string): Variant {
  let run: ((R: Int32Array, entry: number, budget: number) => number) | undefined;
  return {
    name,
    run() {
      if (!run) {
        const t0 = performance.now();
        run = new Function(makeSource())() as typeof run;
        if (process.env.SHOW_COMPILE) console.error(name, 'eval ms', performance.now() - t0);
      }
      const R = new Int32Array(16);
      R[1] = 1; R[2] = 7; R[6] = LOOPS;
      const left = run!(R, 0, STEPS * 5);
      return (STEPS * 5 - left);
    },
  };
}

main(
  import.meta.url,
  [
    variant('switch loop, 64 blocks', () => switchFunction(64)),
    variant('switch loop, 1024 blocks', () => switchFunction(1024)),
    variant('switch loop, 16384 blocks (one function)', () => switchFunction(16384)),
    variant('function per block, 64 blocks', () => fnPerBlock(64)),
    variant('function per block, 16384 blocks', () => fnPerBlock(16384)),
    variant('regions of 256 blocks, 16384 blocks', () => regionFunctions(16384, 256, false)),
    variant('regions of 64 blocks, 16384 blocks', () => regionFunctions(16384, 64, false)),
    variant('regions of 256, closure registers', () => regionFunctions(16384, 256, true)),
    variant('regions of 16, 16384 blocks', () => regionFunctions(16384, 16, false)),
  ],
  'dispatch shape',
);
