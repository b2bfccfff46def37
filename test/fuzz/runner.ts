// Runs one generated program on two configurations in lockstep, resuming both through every interrupt
// in the same way (ecalli answered, segfaulted pages mapped, sync out-of-gas refilled), and compares
// everything observable after each stop: the interrupt and its payload, pc, next pc, all registers, gas
// and the memory the program can touch.
import { formatInstruction } from '../../src/decoder/disasm.ts';
import { isaName } from '../../src/decoder/isa.ts';
import type { Interrupt } from '../../src/machine/interrupt.ts';
import { hostAnswer, type FuzzCase } from './generator.ts';

/** What the comparison needs from an instance; `sides.ts` adapts the runtime to it. */
export interface FuzzInstance {
  run(): Interrupt;
  reg(index: number): bigint;
  setReg(index: number, value: bigint): void;
  gas(): bigint;
  setGas(value: bigint): void;
  programCounter(): number | undefined;
  nextProgramCounter(): number | undefined;
  setNextProgramCounter(pc: number): void;
  /** Throws when any byte is inaccessible. */
  readMemory(address: number, length: number): Uint8Array;
  writeMemory(address: number, bytes: Uint8Array): void;
  mapPages(address: number, length: number, writable: boolean): void;
  protectPages(address: number, length: number, writable: boolean): void;
  heapSize(): number;
  setInstructionBudget(count: number | undefined): void;
}

/** One way of running a program (a backend plus options). */
export interface Side {
  readonly name: string;
  /** Step tracing on: `step` interrupts are run through, not compared (the other side has none). */
  readonly skipSteps: boolean;
  instantiate(c: FuzzCase): FuzzInstance;
}

export const LIMITS = Object.freeze({
  /** Stops compared per program before the run is cut short (both sides agree up to there). */
  stops: 256,
  /** Pages mapped on segfaults per program. */
  pages: 24,
  /** Step interrupts skipped per resumption before giving up on a stepping side. */
  steps: 2_000_000,
});

interface Snapshot {
  readonly interrupt: string;
  readonly pc: string;
  readonly nextPc: string;
  readonly regs: readonly bigint[];
  readonly gas: string;
}

export interface Divergence {
  readonly field: string;
  readonly a: string;
  readonly b: string;
  /** Interrupts both sides agreed on before the divergence. */
  readonly history: readonly string[];
}

export interface DiffResult {
  readonly divergence?: Divergence;
  /** The last interrupt both sides gave (or why the run was cut short). */
  readonly outcome: string;
  /** Every interrupt both sides agreed on, in order. */
  readonly stops: readonly string[];
}

const describeInterrupt = (i: Interrupt): string => {
  switch (i.kind) {
    case 'ecalli':
      return `ecalli(${i.index})`;
    case 'segfault':
      return `segfault(page 0x${i.pageAddress.toString(16)}, size ${i.pageSize}${i.isWriteProtected ? ', write-protected' : ''})`;
    case 'budget':
      return `budget(${i.reason})`;
    default:
      return i.kind;
  }
};

const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

/** `run()`, skipping step interrupts on a tracing side. A throw is reported as its own outcome. */
function runSide(side: Side, inst: FuzzInstance): Interrupt | { kind: 'threw'; error: string } {
  try {
    let interrupt = inst.run();
    for (let n = 0; side.skipSteps && interrupt.kind === 'step'; n++) {
      if (n >= LIMITS.steps) return { kind: 'threw', error: 'step limit reached' };
      interrupt = inst.run();
    }
    return interrupt;
  } catch (e) {
    return { kind: 'threw', error: errorText(e) };
  }
}

function snapshot(inst: FuzzInstance, interrupt: string): Snapshot {
  const regs: bigint[] = [];
  for (let r = 0; r < 13; r++) regs.push(inst.reg(r));
  const show = (f: () => unknown): string => {
    try {
      return String(f());
    } catch (e) {
      return `threw ${errorText(e)}`;
    }
  };
  return { interrupt, pc: show(() => inst.programCounter()), nextPc: show(() => inst.nextProgramCounter()), regs, gas: show(() => inst.gas()) };
}

const REG_NAMES = ['ra', 'sp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5'];
const hex = (v: bigint): string => `0x${v.toString(16)}`;

function firstDifference(a: Snapshot, b: Snapshot): { field: string; a: string; b: string } | undefined {
  if (a.interrupt !== b.interrupt) return { field: 'interrupt', a: a.interrupt, b: b.interrupt };
  if (a.pc !== b.pc) return { field: 'pc', a: a.pc, b: b.pc };
  if (a.nextPc !== b.nextPc) return { field: 'nextPc', a: a.nextPc, b: b.nextPc };
  for (let r = 0; r < 13; r++)
    if (a.regs[r] !== b.regs[r]) return { field: `reg ${REG_NAMES[r]}`, a: hex(a.regs[r]!), b: hex(b.regs[r]!) };
  if (a.gas !== b.gas) return { field: 'gas', a: a.gas, b: b.gas };
  return undefined;
}

/**
 * Pages to compare: every page mapped so far, and with the standard memory map the data regions
 * (ro, rw up to the current heap top, stack). Both sides share one memory implementation, so which
 * pages exist cannot differ; what is in them can.
 */
function pagesToCompare(c: FuzzCase, heapSize: number, mapped: ReadonlySet<number>): number[] {
  const m = c.memoryMap;
  const pages = new Set<number>(mapped);
  const add = (from: number, to: number): void => {
    for (let p = from - (from % m.pageSize); p < to; p += m.pageSize) pages.add(p);
  };
  if (!c.dynamicPaging) {
    add(m.roDataAddress, m.roDataAddress + m.roDataSize);
    add(m.rwDataAddress, Math.max(m.rwDataAddress + m.rwDataSize, m.heapBase + heapSize));
    add(m.stackAddressLow, m.stackAddressHigh);
    add(m.auxDataAddress, m.auxDataAddress + m.auxDataSize);
  }
  return [...pages].sort((x, y) => x - y);
}

function readPage(inst: FuzzInstance, page: number, size: number): Uint8Array | string {
  try {
    return inst.readMemory(page, size);
  } catch (e) {
    return e instanceof Error ? e.name : 'threw';
  }
}

function compareMemory(c: FuzzCase, a: FuzzInstance, b: FuzzInstance, mapped: ReadonlySet<number>) {
  let heap = 0;
  try {
    heap = Math.max(a.heapSize(), b.heapSize());
  } catch {
    heap = 0;
  }
  for (const page of pagesToCompare(c, heap, mapped)) {
    const x = readPage(a, page, c.memoryMap.pageSize);
    const y = readPage(b, page, c.memoryMap.pageSize);
    if (typeof x === 'string' || typeof y === 'string') {
      if (typeof x !== typeof y || (typeof x === 'string' && x !== y))
        return { field: `memory page 0x${page.toString(16)}`, a: typeof x === 'string' ? `inaccessible (${x})` : 'readable', b: typeof y === 'string' ? `inaccessible (${y})` : 'readable' };
      continue;
    }
    if (Buffer.compare(x, y) === 0) continue;
    let k = 0;
    while (x[k] === y[k]) k++;
    const around = (v: Uint8Array): string => Buffer.from(v.subarray(k, k + 8)).toString('hex');
    return { field: `memory 0x${(page + k).toString(16)}`, a: around(x), b: around(y) };
  }
  return undefined;
}

/** Puts one side into the case's start state. */
function start(c: FuzzCase, side: Side): FuzzInstance {
  const inst = side.instantiate(c);
  for (let r = 0; r < 13; r++) inst.setReg(r, c.regs[r]!);
  if (c.gasMetering) inst.setGas(c.gas);
  if (c.auxData.length && !c.dynamicPaging) inst.writeMemory(c.memoryMap.auxDataAddress, c.auxData);
  if (c.instructionBudgets.length) inst.setInstructionBudget(c.instructionBudgets[0]);
  inst.setNextProgramCounter(c.entryPc);
  return inst;
}

export function runDifferential(c: FuzzCase, sideA: Side, sideB: Side): DiffResult {
  const history: string[] = [];
  const diverged = (field: string, a: string, b: string): DiffResult => ({ divergence: { field, a, b, history }, outcome: 'divergence', stops: history });
  let a: FuzzInstance;
  let b: FuzzInstance;
  try {
    a = start(c, sideA);
  } catch (e) {
    return diverged('instantiate', `threw ${errorText(e)}`, '(not reached)');
  }
  try {
    b = start(c, sideB);
  } catch (e) {
    // A backend still being built says so; that is a gap, not a wrong answer.
    if (/not built yet/.test(errorText(e))) return { outcome: 'unsupported', stops: history };
    return diverged('instantiate', 'ok', `threw ${errorText(e)}`);
  }
  const mapped = new Set<number>();
  let ecalls = 0;
  let refills = 0;
  let budgets = 1;
  for (;;) {
    const ia = runSide(sideA, a);
    const ib = runSide(sideB, b);
    const ta = ia.kind === 'threw' ? `threw ${ia.error}` : describeInterrupt(ia);
    const tb = ib.kind === 'threw' ? `threw ${ib.error}` : describeInterrupt(ib);
    // A throw from run() is a backend bug even when both sides throw alike.
    if (ia.kind === 'threw' || ib.kind === 'threw' || ta !== tb) return diverged('interrupt', ta, tb);
    const diff = firstDifference(snapshot(a, ta), snapshot(b, tb)) ?? compareMemory(c, a, b, mapped);
    if (diff) return diverged(diff.field, diff.a, diff.b);
    history.push(ta);
    if (history.length >= LIMITS.stops) return { outcome: `${ta} (stop limit)`, stops: history };

    switch (ia.kind) {
      case 'ecalli': {
        const answer = hostAnswer(c, ecalls);
        a.setReg(7, answer);
        b.setReg(7, answer);
        const jump = c.hostJumpPcs[ecalls++];
        if (jump !== undefined) {
          a.setNextProgramCounter(jump);
          b.setNextProgramCounter(jump);
        }
        continue;
      }
      case 'segfault': {
        // Ro-data pages are mapped read-only (a later write faults as write-protected and is then
        // allowed); everything else writable.
        const page = ia.pageAddress;
        const m = c.memoryMap;
        const fresh = !mapped.has(page);
        if (fresh && mapped.size >= LIMITS.pages) return { outcome: `${ta} (page limit)`, stops: history };
        const readOnly = fresh && page >= m.roDataAddress && page < m.roDataAddress + m.roDataSize;
        const map = (inst: FuzzInstance): string => {
          try {
            if (fresh) inst.mapPages(page, ia.pageSize, !readOnly);
            else inst.protectPages(page, ia.pageSize, true);
            return 'ok';
          } catch (e) {
            return `threw ${errorText(e)}`;
          }
        };
        const ma = map(a);
        const mb = map(b);
        if (ma !== mb) return diverged('mapPages', ma, mb);
        if (ma !== 'ok') return { outcome: `${ta} (unmappable)`, stops: history };
        mapped.add(page);
        continue;
      }
      case 'not-enough-gas':
        if (c.gasMetering !== 'sync' || refills >= c.refills.length) return { outcome: ta, stops: history };
        a.setGas(c.refills[refills]!);
        b.setGas(c.refills[refills]!);
        refills++;
        continue;
      case 'step':
        continue;
      case 'budget': {
        if (ia.reason !== 'instructions' || budgets >= c.instructionBudgets.length) return { outcome: ta, stops: history };
        const more = c.instructionBudgets[budgets++]!;
        a.setInstructionBudget(more);
        b.setInstructionBudget(more);
        continue;
      }
      default:
        return { outcome: ta, stops: history };
    }
  }
}

/** Everything needed to see and replay a failing case. */
export function describeCase(c: FuzzCase): string {
  const lines: string[] = [];
  lines.push(`case ${c.seed}:${c.index}  (replay: npm run fuzz -- --seed ${c.seed} --only ${c.index})`);
  if (c.hostJumpPcs.length) lines.push(`host moves the pc after ecalli #n: ${c.hostJumpPcs.map((pc, n) => `#${n} -> ${pc ?? 'resume'}`).join(', ')}`);
  lines.push(
    `isa ${isaName(c.isa)}, gas metering ${c.gasMetering ?? 'off'}${c.costTable ? ' (cost table)' : ''}, dynamic paging ${c.dynamicPaging ? 'on' : 'off'}, ` +
      `entry pc ${c.entryPc}, fuel ${c.fuel}`,
  );
  if (c.instructionBudgets.length) lines.push(`instruction budgets ${c.instructionBudgets.join(', ')}`);
  if (c.gasMetering) lines.push(`gas ${c.gas}${c.refills.length ? `, refills ${c.refills.join(', ')}` : ''}`);
  if (c.costTable) lines.push(`block costs: ${[...c.costTable].map(([pc, cost]) => `${pc}:${cost}`).join(' ')}`);
  lines.push(`regs: ${c.regs.map((v, r) => `${REG_NAMES[r]}=${hex(v)}`).join(' ')}`);
  const m = c.memoryMap;
  lines.push(
    `memory: page size ${m.pageSize}, aux 0x${m.auxDataAddress.toString(16)}+${m.auxDataSize}, ro 0x${m.roDataAddress.toString(16)}+${m.roDataSize}, rw 0x${m.rwDataAddress.toString(16)}+${m.rwDataSize} (heap base 0x${m.heapBase.toString(16)}), ` +
      `stack 0x${m.stackAddressLow.toString(16)}..0x${m.stackAddressHigh.toString(16)}`,
  );
  if (c.code.jumpTable.length) lines.push(`jump table: ${Array.from(c.code.jumpTable).join(', ')}`);
  // '@' marks a valid jump target, '.' another block start; '>' the entry.
  for (let i = 0; i < c.code.count; i++) {
    const pc = c.code.pc[i]!;
    const mark = pc === c.entryPc ? '>' : c.code.blockStart[i] ? (c.code.validJumpTarget[pc] ? '@' : '.') : ' ';
    lines.push(`${mark}${String(pc).padStart(6)}: ${formatInstruction(c.code, i)}${c.code.implicit[i] ? '  (implicit)' : ''}`);
  }
  return lines.join('\n');
}

export function describeDivergence(c: FuzzCase, r: DiffResult, sideA: Side, sideB: Side): string {
  const d = r.divergence!;
  return [
    `DIVERGENCE ${sideA.name} vs ${sideB.name} at stop ${d.history.length + 1}: ${d.field}: ${d.a} vs ${d.b}`,
    `agreed stops before it: ${d.history.join(', ') || '(none)'}`,
    describeCase(c),
  ].join('\n');
}
