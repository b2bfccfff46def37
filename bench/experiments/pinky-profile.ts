// Where pinky `initialize` spends its guest instructions, as the compiled backend sees it: per-block
// execution counts (a counter inserted at every switch case of the generated text) and the number of
// transfers between region functions. Usage: npx tsx bench/experiments/pinky-profile.ts [regionSize]
import { readFileSync } from 'node:fs';
import { compileToJs, CompiledModule, linkRegions } from '../../src/codegen/index.ts';
import { interpreterBackend } from '../../src/interpreter/index.ts';
import { Module } from '../../src/runtime/index.ts';
import { registerBackend } from '../../src/runtime/backends.ts';
import type { ModuleImage } from '../../src/machine/state.ts';
import { sharedPath } from '../../test/shared.ts';
import { OP_NAMES, Op } from '../../src/decoder/table.ts';

const regionSize = Number(process.argv[2] ?? 400);
const counts = new Float64Array(1 << 24);
(globalThis as unknown as { PROF: Float64Array }).PROF = counts;
let module!: CompiledModule;
registerBackend({
  name: 'compiled',
  load(image: ModuleImage) {
    const js = compileToJs(image, { regionSize });
    // Region k's case n counts into PROF[k * 4096 + n].
    const parts = js.code.split(/(?=function r\d+\(c, b\))/);
    const code = parts
      .map((part) => {
        const m = /^function r(\d+)\(/.exec(part);
        if (!m) return part;
        const base = Number(m[1]) * 4096;
        return part.replace(/case (\d+):/g, (_, n: string) => `case ${n}:globalThis.PROF[${base + Number(n)}]++;`);
      })
      .join('');
    module = new CompiledModule(image, js.program, linkRegions({ ...js, code }, image.gasMetering !== undefined), interpreterBackend, true);
    return module;
  },
});
const bytes = readFileSync(sharedPath('blobs/polkavm/bench-pinky.polkavm'));
const m = Module.fromBytes(bytes, { backend: 'compiled', gasMetering: 'sync' });
const p = module.program;
let transfers = 0;
const perRegion = new Float64Array(module.regions.length);
const regions = module.regions as ((c: unknown, l: number) => number)[];
// Transfers between regions by (from, to instruction): which edges of the call graph cross regions.
const edges = new Map<string, number>();
let last = -1;
for (let r = 0; r < regions.length; r++) {
  const fn = regions[r]!;
  regions[r] = (c, l) => {
    transfers++;
    perRegion[r]!++;
    const x = fn(c, l);
    if (x >= 0) {
      const key = `r${r}->r${module.program.regionOf[x]} @${x}`;
      edges.set(key, (edges.get(key) ?? 0) + 1);
    }
    last = x;
    return x;
  };
}
const inst = m.instantiate();
inst.prepareCall('initialize');
inst.setGas(10_000_000_000n);
console.log(inst.run().kind, 'instructions', 10_000_000_000n - inst.gas());
const code = p.code;
console.log(`code: ${code.count} instructions, ${p.regionMembers.length} regions; region calls ${transfers}`);
void last;
// What the transfers are: into a call's target, onto a return point (the instruction after a call), or other.
{
  const callTargets = new Set<number>();
  for (let i = 0; i < code.count; i++) if (code.op[i] === Op.load_imm_and_jump || code.op[i] === Op.jump) callTargets.add(p.jumpIndex[i]!);
  const kinds = new Map<string, number>();
  for (const [key, n] of edges) {
    const x = Number(key.split('@')[1]);
    const prev = x > 0 ? OP_NAMES[code.op[x - 1]!] : '';
    const kind = prev === 'load_imm_and_jump' || prev === 'jump' || prev === 'load_imm_and_jump_indirect' ? `return point (after ${prev})` : callTargets.has(x) ? 'jump/call target' : `other (after ${prev})`;
    kinds.set(kind, (kinds.get(kind) ?? 0) + n);
  }
  // Call targets by the size of what is reached until the first return or call (a leaf estimate).
  const leafSize = (x: number): number => {
    const seen = new Set<number>();
    const stack = [x];
    let size = 0;
    while (stack.length) {
      const b = stack.pop()!;
      if (seen.has(b) || size > 200) continue;
      seen.add(b);
      let i = b;
      for (; i < code.count; i++) {
        size++;
        const name = OP_NAMES[code.op[i]!];
        if (name === 'load_imm_and_jump' || name === 'load_imm_and_jump_indirect') return -1;
        if (name === 'jump_indirect' && code.r1[i] !== 0) return -1;
        if (name === 'jump' && callTargets.has(p.jumpIndex[i]!) && p.jumpIndex[i] !== b) { /* tail jump or call */ }
        if (i + 1 < code.count && code.blockStart[i + 1]) break;
      }
      if (i >= code.count) continue;
      const name = OP_NAMES[code.op[i]!]!;
      if (name.startsWith('branch') && p.jumpIndex[i]! >= 0) stack.push(p.jumpIndex[i]!);
      if (name === 'jump' && p.jumpIndex[i]! >= 0) stack.push(p.jumpIndex[i]!);
      if (!name.startsWith('jump') && name !== 'trap' && name !== 'load_imm_and_jump') stack.push(i + 1);
    }
    return size;
  };
  const bySize = new Map<string, number>();
  for (const [key, n] of edges) {
    const x = Number(key.split('@')[1]);
    if (!callTargets.has(x)) continue;
    const size = leafSize(x);
    const bucket = size < 0 ? 'calls further' : size <= 32 ? 'leaf <= 32' : size <= 64 ? 'leaf <= 64' : size <= 200 ? 'leaf <= 200' : 'leaf > 200';
    bySize.set(bucket, (bySize.get(bucket) ?? 0) + n);
  }
  console.log('transfers into call targets by callee:', [...bySize].map(([k, n]) => `${k} ${(n / 1e6).toFixed(2)}M`).join(', '));
  console.log('transfers by kind:', [...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${(n / 1e6).toFixed(2)}M`).join(', '));
}
console.log('busiest transfers (from region -> to region @ target instruction):', [...edges].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, n]) => `${k} ${(n / 1e6).toFixed(2)}M`).join(', '));
// Per block: executions × length.
const blocks: { i: number; runs: number; insns: number }[] = [];
for (let i = 0; i < code.count; i++) {
  if (p.blockLabel[i]! < 0) continue;
  const runs = counts[p.regionOf[i]! * 4096 + p.blockLabel[i]!]!;
  if (runs > 0) blocks.push({ i, runs, insns: runs * p.blockLength[i]! });
}
const total = blocks.reduce((a, b) => a + b.insns, 0);
blocks.sort((a, b) => b.insns - a.insns);
let acc = 0;
let k = 0;
for (const b of blocks) {
  acc += b.insns;
  k++;
  if (k === 10 || k === 50 || k === 100 || k === 200 || k === 500 || k === 1000) console.log(`top ${k} blocks: ${((100 * acc) / total).toFixed(1)}% of instructions`);
}
console.log(`blocks executed: ${blocks.length}, total block instructions ${total}`);
console.log('hottest blocks:', blocks.slice(0, 12).map((b) => `r${p.regionOf[b.i]}/case ${p.blockLabel[b.i]} x${(b.runs / 1e6).toFixed(2)}M len ${p.blockLength[b.i]}`).join(', '));
const hotRegions = [...perRegion.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
console.log('region entries:', hotRegions.map(([r, n]) => `r${r}:${n} (${p.regionMembers[r]!.length} insns)`).join(' '));
const byRegion = new Map<number, number>();
for (const b of blocks) byRegion.set(p.regionOf[b.i]!, (byRegion.get(p.regionOf[b.i]!) ?? 0) + b.insns);
console.log('instructions per region:', [...byRegion.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([r, n]) => `r${r}:${(n / 1e6).toFixed(1)}M`).join(' '));
// Terminators of the hottest blocks.
const ends = new Map<string, number>();
for (const b of blocks) {
  const last = b.i + p.blockLength[b.i]! - 1;
  const name = OP_NAMES[code.op[last]!]!;
  ends.set(name, (ends.get(name) ?? 0) + b.runs);
}
console.log('block ends (executions):', [...ends.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([n, c]) => `${n}:${(c / 1e6).toFixed(1)}M`).join(' '));
const ops = new Map<string, number>();
for (const b of blocks) for (let i = b.i; i < b.i + p.blockLength[b.i]!; i++) ops.set(OP_NAMES[code.op[i]!]!, (ops.get(OP_NAMES[code.op[i]!]!) ?? 0) + b.runs);
console.log('ops:', [...ops.entries()].sort((a, b) => b[1] - a[1]).slice(0, 30).map(([n, c]) => `${n}:${(c / 1e6).toFixed(1)}M`).join(' '));

// Static view: guest functions (connected components as program.ts builds them) holding the hot blocks.
if (process.argv[3] === 'transfers') {
  const pairs = new Map<string, number>();
  let prev = -1;
  const base = module.regions.map((f) => f);
  void base;
  // Re-run with a wrapper that remembers the caller region and the entry label.
  const orig = regions.slice();
  for (let r = 0; r < regions.length; r++) {
    const fn = orig[r]!;
    regions[r] = (c, l) => {
      const key = `${prev}->r${r}:${l}`;
      pairs.set(key, (pairs.get(key) ?? 0) + 1);
      const x = fn(c, l);
      prev = r;
      return x;
    };
  }
  const i2 = m.instantiate();
  i2.prepareCall('initialize');
  i2.setGas(10_000_000_000n);
  i2.run();
  const sorted = [...pairs.entries()].sort((a, b) => b[1] - a[1]).slice(0, 40);
  for (const [k, n] of sorted) {
    const [, to] = k.split('->');
    const [rr, ll] = to!.slice(1).split(':');
    const r = Number(rr), l = Number(ll);
    const idx = p.regionMembers[r]!.find((i) => p.blockLabel[i] === l || p.innerLabel[i] === l)!;
    const prevEnd = idx > 0 ? OP_NAMES[code.op[idx - 1]!] : '';
    console.log(`${k} pc ${code.pc[idx]} idx ${idx} (after ${prevEnd}) ${(n / 1e6).toFixed(2)}M`);
  }
}
