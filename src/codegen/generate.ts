// Program → ESTree → JS text (+ source map). The text is one function expression,
// `(function link(env) { …regions…; return [r0, r1, …]; });`, evaluated by the loader
// (backend.ts `linkRegions`). Source map positions: print.ts.

import type * as ES from 'estree';
import { OP_FLAGS, NO_FALLTHROUGH, END } from '../decoder/table.ts';
import type { ModuleImage } from '../machine/state.ts';
import { REG_COUNT } from '../machine/state.ts';
import { emitter32, type InstructionContext } from './emit32.ts';
import { emitter64 } from './emit64.ts';
import { NodeFactory, type Stmt } from './estree.ts';
import { MemoryEmitter } from './memory.ts';
import { analyse, Exit, type CodegenProgram } from './program.ts';
import { PAIR_HELPER_NAMES } from './pairs.ts';
import { TextWriter } from './emit-text.ts';
import { Printer, SourceMapSink } from './print.ts';
import { blockName, Local, N, RegionBuilder, type RegionOptions } from './region.ts';

export interface CodegenOptions {
  /** Largest number of guest instructions in one region function (default 400): V8 optimises a
   * function only below a bytecode size limit (bench/README.md, Design measurements). */
  readonly regionSize?: number;
  /** Largest number of instructions in a region with the copies of its callees (copies.ts); default
   * 0, none: copies make pinky ~15% faster warm, but its first run 1.5x slower (V8 optimises larger
   * functions later), and a whole program is generated for its first run. The tiered backend adds
   * them to the regions of long-lived programs (tiered/index.ts COPIES_AFTER). */
  readonly copyRegionSize?: number;
  /** Count instructions per block for the instruction budget, deadlines and `instructionsExecuted`
   * (default true). */
  readonly countSteps?: boolean;
  /** Build a source map (default false). */
  readonly sourceMap?: boolean;
  /** The blob's name in the source map (default 'program.polkavm'). */
  readonly sourceName?: string;
  /** The generated file's name in the source map (its `file`). */
  readonly mapFile?: string;
  /** Called after each region is printed (with the count done and the total): a progress hook for
   * long compilations; it must not throw. */
  readonly onProgress?: (regionsDone: number, regionCount: number) => void;
}

export const DEFAULT_REGION_SIZE = 400;

export function wholeProgramCopyRegionSize(options: CodegenOptions): number {
  return options.copyRegionSize ?? 0;
}

/** The names `link(env)` takes from its environment (load.ts provides them). */
export const ENV_NAMES = [
  N.jumpTable,
  N.regionOf,
  N.blockLabel,
  'FAULT',
  'LD',
  'ST',
  'LD64',
  'sbrk',
  'memset32',
  'memset64',
  'divUnsigned32',
  'divSigned32',
  'remUnsigned32',
  'remSigned32',
  'mulUpperSignedSigned32',
  'mulUpperUnsignedUnsigned32',
  'mulUpperSignedUnsigned32',
  'countSetBits32',
  'countTrailingZeroBits32',
  'reverseByte32',
  'rotateLeft32',
  'rotateRight32',
  'H',
  ...PAIR_HELPER_NAMES,
] as const;

/** The generated text evaluated: `link(env)` returns the region functions. */
export type LinkFunction = (env: Record<string, unknown>) => unknown[];

export interface CompiledJs {
  readonly code: string;
  /** The generated code already evaluated (a compiled module imported as an ES module); when absent
   * the loader evaluates `code`. */
  readonly link?: LinkFunction;
  /** Source map v3 JSON text, when asked for. */
  readonly map: string | undefined;
  readonly program: CodegenProgram;
}

/**
 * The writer whole programs are printed with, kept while the garbage collector lets it live. Every
 * megabyte of fresh memory costs ~2.5 ms of page faults here (a Firecracker VM; bench/README.md,
 * session 7), and doom's text is 13 MB: a buffer per program, doubled as it filled, faulted in ~30 MB
 * (~75 ms) per compile, so compilations close together share one.
 */
let programWriter: WeakRef<TextWriter> | undefined;

/** About what a guest instruction becomes (doom: ~80 bytes of text each; doom64 ~95), for the
 * writer's first size: one allocation instead of doubling through the sizes below it. */
const TEXT_BYTES_PER_INSTRUCTION = 96;

export function compileToJs(image: ModuleImage, options: CodegenOptions = {}): CompiledJs {
  const program = analyse(image, { regionSize: options.regionSize ?? DEFAULT_REGION_SIZE, copyRegionSize: wholeProgramCopyRegionSize(options) });
  // Leaves are shared with a source map too: the printer reads the locations of statements and
  // switch cases only (emit-text.ts `mark`).
  const f = new NodeFactory(options.sourceName ?? 'program.polkavm', { shareLeaves: true, locations: options.sourceMap === true });
  const regionOptions: RegionOptions = {
    // Always metered: an unmetered instance runs the same code with a gas counter that cannot run out
    // (backend.ts), so metering does not split the ModuleId.
    metered: true,
    countSteps: options.countSteps ?? true,
    dynamicPaging: image.dynamicPaging,
    copies: true,
  };
  const map = options.sourceMap ? new SourceMapSink(f.source, image, options.mapFile) : undefined;
  let writer = programWriter?.deref();
  if (!writer) programWriter = new WeakRef((writer = new TextWriter(1 << 20)));
  writer.reserve(TEXT_BYTES_PER_INSTRUCTION * image.code.count);
  const out = new Printer(map, writer);
  // The wrapper is fixed text; everything inside is printed from ESTree, one region at a time, so
  // each region's tree dies young (printing the whole program's tree at once spent half the time in
  // the garbage collector).
  out.text('(function link(env) {\n');
  out.print(f.program(ENV_NAMES.map((name) => f.const(name, f.member(f.id('env'), name)))), false);
  const regionCount = program.regionMembers.length;
  const onProgress = options.onProgress;
  for (let r = 0; r < regionCount; r++) {
    out.print(f.program([emitRegion(f, program, image, r, regionOptions)]));
    onProgress?.(r + 1, regionCount);
  }
  f.at(0);
  out.print(f.program([f.return(f.array(Array.from({ length: regionCount }, (_, r) => f.id(`r${r}`))))]), false);
  out.text('});\n');
  return { code: out.code(), map: map?.toString(), program };
}

/**
 * One region's code alone, for the tiered backend, which generates regions as they get hot:
 * `(function link(env) { …env names…; function rK(c, label) {…}; return rK; });`. Regions never call
 * each other (a transfer out of a region returns the target to the trampoline), so a region generated
 * alone is the same function as in the whole program's text.
 */
let regionWriter: TextWriter | undefined;

export function compileRegionJs(
  image: ModuleImage,
  program: CodegenProgram,
  region: number,
  options: CodegenOptions & { readonly copies?: boolean; readonly blockRuns?: Uint8Array; readonly minBlockRuns?: number } = {},
): string {
  const f = new NodeFactory(options.sourceName ?? 'program.polkavm', { shareLeaves: true, locations: false });
  const regionOptions: RegionOptions = {
    // Always metered, as compileToJs: one region's code serves metered and unmetered modules.
    metered: true,
    countSteps: options.countSteps ?? true,
    dynamicPaging: image.dynamicPaging,
    // `copies: false`: the region without the copies its program plans (the tiered backend's first
    // version of a region, which V8 optimises sooner).
    copies: options.copies ?? true,
    ...(options.blockRuns ? { blockRuns: options.blockRuns, minBlockRuns: options.minBlockRuns ?? 1 } : {}),
  };
  // One writer for every region generated alone: a new buffer per region was 21 ms of pinky's first
  // run on tiered (192 regions, 64 KB each) and work for the garbage collector.
  const out = new Printer(undefined, (regionWriter ??= new TextWriter(1 << 16)));
  out.text('(function link(env) {\n');
  out.print(f.program(ENV_NAMES.map((name) => f.const(name, f.member(f.id('env'), name)))), false);
  out.print(f.program([emitRegion(f, program, image, region, regionOptions)]));
  f.at(0);
  out.print(f.program([f.return(f.id(`r${region}`))]), false);
  out.text('});\n');
  return out.code();
}

function emitRegion(f: NodeFactory, p: CodegenProgram, image: ModuleImage, region: number, options: RegionOptions): ES.FunctionDeclaration {
  const code = p.code;
  const b = new RegionBuilder(f, p, region, options);
  const mem = new MemoryEmitter(b, image.memoryMap);
  const emit = code.is64Bit ? emitter64 : emitter32;
  const { r1, r2, r3, imm1, imm2 } = code;
  const members = p.regionMembers[region]!;
  const cases: ES.SwitchCase[] = [];
  // The code between two cases (a segment), as pieces that each begin at a case or at a block
  // without one; `structure` nests them in labeled blocks for the forward breaks between them.
  let pieces: Piece[] = [];
  let current: Stmt[] | undefined;
  let caseLabel = -1;
  const close = (): void => {
    if (caseLabel < 0) return;
    let body = structure(f, pieces, b.breaks);
    // The whole segment is the loop's body; what falls off its end leaves the loop.
    if (b.loopsToHead) body = [f.loop(blockName(b.segmentHead), [...body, f.break(blockName(b.segmentHead))])];
    cases.push(f.switchCase(f.num(caseLabel), body));
  };
  const open = (label: number, i: number, head: number): void => {
    close();
    b.segmentHead = head;
    b.loopsToHead = false;
    caseLabel = label;
    current = [];
    pieces = [{ first: i, target: -1, body: current }];
  };

  // The home blocks, then the copies (program.ts `RegionCopies`): those have their own labels and no
  // resume points.
  const copies = b.copies;
  const blockRuns = options.blockRuns;
  const minBlockRuns = options.minBlockRuns ?? 1;
  // Inside a block left out (`RegionOptions.blockRuns`): its instructions are not generated.
  let skipping = false;
  // One context for every instruction of the region, rewritten for each: emitters use it only while
  // they run, and an object per instruction was garbage.
  const x: { -readonly [K in keyof InstructionContext]: InstructionContext[K] } = { b, mem, i: 0, r1: 0, r2: 0, r3: 0, imm1: 0, imm2: 0 };
  const emitRun = (list: Uint32Array, copy: boolean): void => {
    b.inCopy = copy;
    for (let k = 0; k < list.length; k++) {
      const i = list[k]!;
      f.at(code.pc[i]!);
      const label = copy ? (code.blockStart[i] ? copies!.label.get(i)! : -1) : p.blockLabel[i]!;
      if (code.blockStart[i]) skipping = blockRuns !== undefined && blockRuns[i]! < minBlockRuns;
      if (label >= 0) {
        open(label, i, i);
        for (const statement of skipping ? b.exit(Exit.notRun, i) : b.blockEntry(i)) current!.push(statement);
      } else if (code.blockStart[i]) {
        current = skipping ? b.exit(Exit.notRun, i) : b.blockEntry(i);
        pieces.push({ first: i, target: i, body: current });
      }
      // A resume point inside a block that has not run (a host call or fault the interpreter stopped
      // at): the code from there on is generated, as the trampoline may enter it.
      if (!copy && p.innerLabel[i]! >= 0) {
        open(p.innerLabel[i]!, i, -1);
        skipping = false;
      }
      if (skipping) continue;
      const op = code.op[i]!;
      x.i = i;
      x.r1 = r1[i]!;
      x.r2 = r2[i]!;
      x.r3 = r3[i]!;
      x.imm1 = imm1[i]!;
      x.imm2 = imm2[i]!;
      const statements = emit(op)(x);
      for (let s = 0; s < statements.length; s++) current!.push(statements[s]!);
      // A block that ends the region without a terminator cannot happen (regions hold whole blocks),
      // but a last instruction that falls through must not fall off the switch.
      if (k === list.length - 1 && !(OP_FLAGS[op]! & NO_FALLTHROUGH) && !(OP_FLAGS[op]! & END)) current!.push(...b.transfer(i + 1 < code.count ? i + 1 : -1, i));
    }
  };
  emitRun(members, false);
  if (copies) emitRun(copies.members, true);
  close();
  f.at(code.pc[members[0]!] ?? 0);
  cases.push(f.switchCase(null, b.exit(Exit.trap, members[0]!)));

  const is64 = code.is64Bit;
  // `| 0` on what enters from outside (the label, the countdown, the region sizes) lets V8 keep them as
  // int32 for the whole function: as they came (a tagged label, a double field, tagged sizes) every
  // dispatch of the switch untagged the label and every countdown test subtracted doubles (pinky warm
  // ~4% faster with all three). The countdown never holds more than a period of steps (backend.ts
  // `countdown`) and a size >= 2^31 only sends accesses down the slow path, which checks again.
  const int32 = (e: ES.Expression): ES.Expression => f.bin('|', e, f.num(0));
  const prologue: Stmt[] = [f.set(N.label, int32(f.id(N.label))), f.const(N.regs, f.member(f.id(N.ctx), 'R')), f.const(N.memory, f.member(f.id(N.ctx), 'm')), f.const(N.state, f.member(f.id(N.ctx), 's'))];
  const regs: [string, ES.Expression][] = [];
  for (let k = 0; k < REG_COUNT; k++) {
    if (!(b.readMask & (1 << k))) continue;
    regs.push([`r${k}`, f.index(f.id(N.regs), f.num(2 * k))]);
    if (is64) regs.push([`h${k}`, f.index(f.id(N.regs), f.num(2 * k + 1))]);
  }
  if (regs.length) prologue.push(f.let(regs));
  const locals = b.locals;
  prologue.push(
    f.let([
      ...(locals & Local.gas ? [[N.gas, f.member(f.id(N.state), 'gas')] as [string, ES.Expression]] : []),
      [N.steps, int32(f.member(f.id(N.ctx), 'steps'))],
      [N.exit, f.num(0)],
      [N.temp, f.num(0)],
      ['u', f.num(0)],
      [N.value, f.num(0)],
      [N.wide, f.num(0)],
    ]),
  );
  const views: [string, ES.Expression][] = [];
  if (locals & Local.rw) views.push([N.rwView, f.member(f.id(N.memory), 'rwView')], [N.rwSize, int32(f.member(f.id(N.memory), 'rwSize'))]);
  if (locals & Local.stack)
    views.push(
      [N.stackView, f.member(f.id(N.memory), 'stackView')],
      [N.stackLow, int32(f.member(f.id(N.memory), 'stackAddress'))],
      [N.stackSize, int32(f.member(f.id(N.memory), 'stackSize'))],
    );
  if (locals & Local.ro) views.push([N.roView, f.member(f.id(N.memory), 'roView')], [N.roSize, int32(f.member(f.id(N.memory), 'roSize'))]);
  if (views.length > 0 && !options.dynamicPaging) prologue.push(f.let(views));
  // Calls and returns count in a local: a property store per call and return showed on calls_64.
  if (locals & Local.callDepth) prologue.push(f.let([[N.depth, f.member(f.id(N.state), 'callDepth')], [N.maxDepth, f.member(f.id(N.state), 'maxCallDepth')]]));

  const epilogue: Stmt[] = [];
  for (let k = 0; k < REG_COUNT; k++) {
    if (!(b.writeMask & (1 << k))) continue;
    epilogue.push(f.expr(f.assign(f.index(f.id(N.regs), f.num(2 * k)), f.id(`r${k}`))));
    if (is64) epilogue.push(f.expr(f.assign(f.index(f.id(N.regs), f.num(2 * k + 1)), f.id(`h${k}`))));
  }
  if (locals & Local.gas) epilogue.push(f.expr(f.assign(f.member(f.id(N.state), 'gas'), f.id(N.gas))));
  if (locals & Local.callDepth) epilogue.push(f.expr(f.assign(f.member(f.id(N.state), 'callDepth'), f.id(N.depth))));
  epilogue.push(f.expr(f.assign(f.member(f.id(N.ctx), 'steps'), f.id(N.steps))));
  epilogue.push(f.return(f.id(N.exit)));

  let loop = f.loop(N.loop, [f.switch(f.id(N.label), cases)]);
  // Memory slow paths report a fault by throwing FAULT (backend.ts `regionEnvironment`): one call
  // per access instead of a test and an exit each, about a third less text for memory-heavy code.
  if (locals & Local.fault)
    loop = f.try([loop], 'e', [f.if(f.bin('!==', f.id('e'), f.id('FAULT')), [f.throw(f.id('e'))]), f.set(N.exit, f.member(f.id('FAULT'), 'code'))]);
  return f.func(`r${region}`, [N.ctx, N.label], [...prologue, loop, ...epilogue]);
}

/** A run of a segment's code: from instruction `first`, the start of the block `target` when that
 * block has no case (-1 for the piece a case begins). */
interface Piece {
  readonly first: number;
  readonly target: number;
  readonly body: Stmt[];
}

/**
 * A segment's pieces as statements, each case-less block that something breaks to preceded by a
 * labeled block that ends right before it and begins at (or before) the earliest piece breaking to
 * it. Labeled blocks must nest, so one that would begin inside another and end past it begins
 * where that one does instead: a labeled block has no effect of its own, it only scopes the break.
 */
function structure(f: NodeFactory, pieces: Piece[], breaks: Map<number, number>): Stmt[] {
  const spans: { begin: number; end: number }[] = [];
  for (let q = 1; q < pieces.length; q++) {
    const source = breaks.get(pieces[q]!.target);
    if (source === undefined) continue;
    let begin = q - 1;
    while (begin > 0 && pieces[begin]!.first > source) begin--;
    spans.push({ begin, end: q });
  }
  if (spans.length === 0) {
    if (pieces.length === 1) return pieces[0]!.body;
    const all: Stmt[] = [];
    for (const piece of pieces) for (const statement of piece.body) all.push(statement);
    return all;
  }
  // Ends ascend; widen each span over any earlier one it would cut.
  for (let k = 0; k < spans.length; k++) {
    const span = spans[k]!;
    for (let again = true; again; ) {
      again = false;
      for (let j = 0; j < k; j++) {
        const inner = spans[j]!;
        if (inner.begin < span.begin && span.begin < inner.end) {
          span.begin = inner.begin;
          again = true;
        }
      }
    }
  }
  const opening: { begin: number; end: number }[][] = pieces.map(() => []);
  for (const span of spans) opening[span.begin]!.push(span);
  const root: Stmt[] = [];
  const stack: { end: number; body: Stmt[] }[] = [{ end: Infinity, body: root }];
  for (let q = 0; q < pieces.length; q++) {
    while (stack[stack.length - 1]!.end === q) {
      const done = stack.pop()!;
      stack[stack.length - 1]!.body.push(f.labeled(blockName(pieces[q]!.target), done.body));
    }
    for (const span of opening[q]!.sort((a, c) => c.end - a.end)) stack.push({ end: span.end, body: [] });
    stack[stack.length - 1]!.body.push(...pieces[q]!.body);
  }
  return root;
}
