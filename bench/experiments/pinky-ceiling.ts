// How far this design is from its own ceiling on pinky `initialize`: the generated code against
// variants with a safety or accounting feature removed from the text (so not exact any more: only
// the guest's registers are checked), each in a fresh process, plus the cost of one transfer between
// region functions measured alone. Recorded in bench/README.md ("Why not faster").
// Usage: npx tsx bench/experiments/pinky-ceiling.ts            (all variants, child processes)
//        npx tsx bench/experiments/pinky-ceiling.ts <variant>  (one variant in this process)
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compileToJs, CompiledModule, linkRegions } from '../../src/codegen/index.ts';
import { interpreterBackend } from '../../src/interpreter/index.ts';
import { registerBackend } from '../../src/runtime/backends.ts';
import { Module } from '../../src/runtime/index.ts';
import type { ModuleImage } from '../../src/machine/state.ts';
import { sharedPath } from '../../test/shared.ts';

const VARIANTS: Record<string, { what: string; edit: (code: string) => string }> = {
  generated: { what: 'as generated (exact)', edit: (code) => code },
  'no-countdown': {
    what: 'no instruction countdown / gas test at block entry',
    edit: (code) => code.replace(/if \(\(steps -= \d+\) < 0\) \{\nx = -?\d+;\nbreak L;\n\}\n/g, ''),
  },
  'no-bounds': {
    // Only the stack's: pinky really takes the slow path of some rw accesses.
    what: 'stack accesses without the bounds test and slow path',
    edit: (code) =>
      code
        .replace(/if \(t <= stEnd - \d\) (\w+\.set\w+\([^;]*\));? else if \(!m\.store\([^\n]*\) \{\nx = -?\d+;\nbreak L;\n\}\n/g, '$1;\n')
        .replace(/if \(t <= stEnd - \d\) (\w+ = \w+\.get\w+\([^;]*\));? else \{\nv = m\.load\([^\n]*\);\nif \(v < 0\) \{\nx = -?\d+;\nbreak L;\n\}\n\w+ = v;\n\}\n/g, '$1;\n'),
  },
};
VARIANTS['neither'] = { what: 'neither countdown nor stack bounds tests', edit: (code) => VARIANTS['no-bounds']!.edit(VARIANTS['no-countdown']!.edit(code)) };

function runVariant(name: string): void {
  const variant = VARIANTS[name];
  if (!variant) throw new Error(`unknown variant ${name}`);
  let textBytes = 0;
  registerBackend({
    name: 'compiled',
    load(image: ModuleImage) {
      const js = compileToJs(image);
      const code = variant.edit(js.code);
      textBytes = code.length;
      return new CompiledModule(image, js.program, linkRegions({ ...js, code }, image.gasMetering !== undefined), interpreterBackend, true);
    },
  });
  const bytes = readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm'));
  const module = Module.fromBytes(bytes, { backend: 'compiled', gasMetering: 'sync' });
  const times: number[] = [];
  let ok = true;
  for (let k = 0; k < 7; k++) {
    const instance = module.instantiate();
    instance.prepareCall('initialize');
    instance.setGas(10_000_000_000n);
    const c0 = process.cpuUsage();
    const kind = instance.run().kind;
    const c = process.cpuUsage(c0);
    ok &&= kind === 'finished' && instance.reg(2) === 0x53b7d7fan && instance.reg(9) === 0xc7e3n;
    times.push((c.user + c.system) / 1000);
  }
  const warm = times.slice(3).sort((a, b) => a - b);
  console.log(JSON.stringify({ name, what: variant.what, warmMs: warm[warm.length >> 1], textBytes, registersOk: ok }));
}

/**
 * One transfer alone: 64 region-shaped functions, each loading and storing 13 registers, its memory
 * views and the countdown as generated code does, called in turn (a) from a trampoline through the
 * table (as now), (b) from a generated switch of direct calls, (c) each calling the next directly
 * (chained, unwinding every 64 calls). Returns ns per transfer for each.
 */
function transferCost(): Record<string, number> {
  const R = new Int32Array(32);
  const m = { rwView: new DataView(new ArrayBuffer(64)), rwSize: 64, stackView: new DataView(new ArrayBuffer(64)), stackAddress: 0, stackSize: 64 };
  const c = { R, m, s: { gas: 1e15 }, steps: 2 ** 52, d: 0 };
  const N = 64;
  const regs = Array.from({ length: 13 }, (_, k) => `r${k} = R[${2 * k}]`).join(', ');
  const stores = Array.from({ length: 13 }, (_, k) => `R[${2 * k}] = r${k};`).join(' ');
  let text = '';
  for (let k = 0; k < N; k++) {
    const next = (k * 7 + 3) % N;
    text += `function f${k}(c, b) {
const R = c.R, m = c.m; let ${regs}; let steps = c.steps, x = 0;
let rw = m.rwView, rwEnd = m.rwSize, st = m.stackView, stLo = m.stackAddress | 0, stEnd = m.stackSize;
L: for (;;) { switch (b) { case 0: if ((steps -= 25) < 0) { x = -1; break L; }
r5 = r5 + r6 | 0; r1 = r1 + 1 | 0;
${stores} c.steps = steps;
if (CHAINED && c.d++ < 64) return f${next}(c, 0);
return ${next};
default: x = -2; break L; } }
${stores} c.steps = steps; return x; }\n`;
  }
  const names = Array.from({ length: N }, (_, k) => `f${k}`);
  const build = (chained: boolean): ((c: unknown, b: number) => number)[] => new Function('CHAINED', `${text} return [${names.join(',')}];`)(chained);
  const table = build(false);
  const cases = names.map((name, k) => `case ${k}: i = ${name}(c, 0); break;`).join('\n');
  const viaSwitch = new Function(...names, `return function (c, n) { let i = 0; for (let k = 0; k < n; k++) { switch (i) { ${cases} } } return i; }`)(...table) as (c: unknown, n: number) => number;
  const chained = build(true);
  const styles: Record<string, (n: number) => void> = {
    table: (n) => {
      let i = 0;
      for (let k = 0; k < n; k++) i = table[i]!(c, 0);
    },
    switch: (n) => void viaSwitch(c, n),
    chained: (n) => {
      let i = 0;
      for (let k = 0; k < n; ) {
        c.d = 0;
        i = chained[i]!(c, 0);
        k += c.d + 1;
      }
    },
  };
  const result: Record<string, number> = {};
  for (const [name, run] of Object.entries(styles)) {
    let best = Infinity;
    for (let rep = 0; rep < 6; rep++) {
      const t0 = performance.now();
      run(1e7);
      best = Math.min(best, performance.now() - t0);
    }
    result[name] = (best / 1e7) * 1e6;
  }
  return result;
}

const one = process.argv[2];
if (one === 'transfer') console.log(JSON.stringify(transferCost()));
else if (one) runVariant(one);
else {
  const self = fileURLToPath(import.meta.url);
  const run = (arg: string): Record<string, unknown> => JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', self, arg], { encoding: 'utf8' }).trim().split('\n').pop()!);
  const rows = Object.keys(VARIANTS).map(run);
  const base = rows[0]!.warmMs as number;
  console.log('| variant | warm ms (CPU, median of 4 after 3) | vs generated | JS text | registers right |');
  console.log('|---|---:|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.what} | ${(r.warmMs as number).toFixed(0)} | ${((r.warmMs as number) / base).toFixed(2)}x | ${((r.textBytes as number) / 1e6).toFixed(2)} MB | ${r.registersOk ? 'yes' : 'NO'} |`);
  const t = run('transfer');
  console.log(`\nOne transfer between region functions alone, ns: through the table (as generated) ${(t.table as number).toFixed(1)}, a switch of direct calls ${(t.switch as number).toFixed(1)}, chained direct calls ${(t.chained as number).toFixed(1)}; pinky makes 12.99 M per run.`);
}
