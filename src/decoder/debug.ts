import type { ProgramBlob } from './blob.ts';
import { raise } from './errors.ts';
import { Reader } from './reader.ts';

// polkavm's debug info (sections 128-130): a string table, and per function a small "line program"
// whose opcodes set the path/line/column/function of an inline-frame stack and then advance the pc.
// We run every program once and keep, per pc range, the innermost frame: that is what a source map
// or a backtrace wants.

const VERSION_DEBUG_LINE_PROGRAM_V1 = 1;
/** polkavm caps a region at 512 opcodes; we apply the same bound so hostile input cannot spin. */
const OPCODES_PER_REGION_LIMIT = 512;
const FRAME_STACK_LIMIT = 16;

export interface SourceFrame {
  /** Source path, or undefined when the frame has none. */
  readonly path: string | undefined;
  /** 1-based line, or undefined (0 in the blob). */
  readonly line: number | undefined;
  readonly column: number | undefined;
  /** `namespace::function`, or undefined. */
  readonly functionName: string | undefined;
}

export interface SourceRegion {
  /** First pc of the region. */
  readonly start: number;
  /** One past the last pc. */
  readonly end: number;
  /** Outermost first; the last one is where the instruction really comes from (after inlining). */
  readonly frames: readonly SourceFrame[];
}

const utf8 = new TextDecoder('utf-8');
/** Debug strings are shown, not matched, so invalid UTF-8 becomes U+FFFD instead of an error. */
const decodeText = (bytes: Uint8Array): string => utf8.decode(bytes);

interface RawFrame {
  namespace: number;
  functionName: number;
  path: number;
  line: number;
  column: number;
}

const OP = {
  finishProgram: 0,
  setMutationDepth: 1,
  setKindEnter: 2,
  setKindCall: 3,
  setKindLine: 4,
  setNamespace: 5,
  setFunctionName: 6,
  setPath: 7,
  setLine: 8,
  setColumn: 9,
  setStackDepth: 10,
  incrementLine: 11,
  addLine: 12,
  subLine: 13,
  finishInstruction: 14,
  finishMultipleInstructions: 15,
  finishInstructionAndIncrementStackDepth: 16,
  finishMultipleInstructionsAndIncrementStackDepth: 17,
  finishInstructionAndDecrementStackDepth: 18,
  finishMultipleInstructionsAndDecrementStackDepth: 19,
} as const;

/** True when the blob carries line programs. */
export function hasDebugInfo(blob: ProgramBlob): boolean {
  return blob.debugLinePrograms.length > 0 && blob.debugLineProgramRanges.length > 0;
}

/**
 * Decodes every line program of the blob into source regions sorted by pc. Errors are
 * ProgramParseErrors with offsets into the whole blob.
 */
export function readSourceRegions(blob: ProgramBlob): SourceRegion[] {
  if (!hasDebugInfo(blob)) return [];
  const bytes = blob.bytes;
  const programsAt = blob.debugLinePrograms.byteOffset - bytes.byteOffset;
  const rangesAt = blob.debugLineProgramRanges.byteOffset - bytes.byteOffset;
  const stringsAt = blob.debugStrings.byteOffset - bytes.byteOffset;
  if (blob.debugLinePrograms[0] !== VERSION_DEBUG_LINE_PROGRAM_V1)
    raise('bad-section', programsAt, `the debug line programs section has an unsupported version ${blob.debugLinePrograms[0]}`);
  const ranges = blob.debugLineProgramRanges;
  if (ranges.length % 12 !== 0) raise('bad-section', rangesAt, 'the debug line program ranges section has an invalid size');

  const strings = new Map<number, string | undefined>();
  const text = (offset: number): string | undefined => {
    if (strings.has(offset)) return strings.get(offset);
    const r = new Reader(bytes, stringsAt + offset, stringsAt + blob.debugStrings.length);
    if (offset > blob.debugStrings.length) raise('bad-section', stringsAt, `debug string offset ${offset} is out of range`);
    const length = r.varint('a debug string length');
    const value = decodeText(r.slice(length, 'a debug string'));
    const result = value === '' ? undefined : value;
    strings.set(offset, result);
    return result;
  };
  const view = new DataView(ranges.buffer, ranges.byteOffset, ranges.byteLength);
  const regions: SourceRegion[] = [];

  for (let e = 0; e < ranges.length; e += 12) {
    const begin = view.getUint32(e, true);
    const end = view.getUint32(e + 4, true);
    const infoOffset = view.getUint32(e + 8, true);
    if (infoOffset >= blob.debugLinePrograms.length) raise('bad-section', rangesAt + e + 8, `line program offset ${infoOffset} is out of range`);
    const r = new Reader(bytes, programsAt + infoOffset, programsAt + blob.debugLinePrograms.length);
    const stack: RawFrame[] = Array.from({ length: FRAME_STACK_LIMIT }, () => ({ namespace: 0, functionName: 0, path: 0, line: 0, column: 0 }));
    // The materialised frame per stack slot, reused until an opcode changes that slot.
    const cached: (SourceFrame | undefined)[] = new Array(FRAME_STACK_LIMIT).fill(undefined);
    let pc = begin;
    let depth = 0;
    let mutationDepth = 0;
    let opcodes = 0;
    for (;;) {
      if (++opcodes > OPCODES_PER_REGION_LIMIT) raise('bad-section', r.position, 'found a line program with too many instructions');
      const at = r.position;
      const op = r.byte('a line program opcode');
      const frame = stack[mutationDepth];
      if (op >= OP.setNamespace && op <= OP.subLine && op !== OP.setStackDepth) cached[mutationDepth] = undefined;
      let count = -1;
      let frameDepth = depth;
      switch (op) {
        case OP.finishProgram:
          break;
        case OP.setMutationDepth:
          mutationDepth = r.varint('a mutation depth');
          continue;
        case OP.setKindEnter:
        case OP.setKindCall:
        case OP.setKindLine:
          continue;
        case OP.setNamespace:
        case OP.setFunctionName:
        case OP.setPath:
        case OP.setLine:
        case OP.setColumn: {
          const value = r.varint('a line program operand');
          if (frame) {
            if (op === OP.setNamespace) frame.namespace = value;
            else if (op === OP.setFunctionName) frame.functionName = value;
            else if (op === OP.setPath) frame.path = value;
            else if (op === OP.setLine) frame.line = value;
            else frame.column = value;
          }
          continue;
        }
        case OP.setStackDepth:
          depth = r.varint('a stack depth');
          continue;
        case OP.incrementLine:
          if (frame) frame.line = (frame.line + 1) >>> 0;
          continue;
        case OP.addLine:
        case OP.subLine: {
          const value = r.varint('a line delta');
          if (frame) frame.line = (op === OP.addLine ? frame.line + value : frame.line - value) >>> 0;
          continue;
        }
        case OP.finishInstruction:
          count = 1;
          break;
        case OP.finishMultipleInstructions:
          count = r.varint('an instruction count');
          break;
        case OP.finishInstructionAndIncrementStackDepth:
        case OP.finishMultipleInstructionsAndIncrementStackDepth:
          count = op === OP.finishInstructionAndIncrementStackDepth ? 1 : r.varint('an instruction count');
          depth = Math.min(depth + 1, 0xffffffff);
          break;
        case OP.finishInstructionAndDecrementStackDepth:
        case OP.finishMultipleInstructionsAndDecrementStackDepth:
          count = op === OP.finishInstructionAndDecrementStackDepth ? 1 : r.varint('an instruction count');
          depth = Math.max(depth - 1, 0);
          break;
        default:
          raise('bad-section', at, `found an unrecognized line program opcode ${op}`);
      }
      if (count < 0) break;
      opcodes = 0;
      const frames: SourceFrame[] = [];
      for (let d = 0; d < Math.min(frameDepth, FRAME_STACK_LIMIT); d++) {
        const reused = cached[d];
        if (reused) {
          frames.push(reused);
          continue;
        }
        const f = stack[d]!;
        const ns = text(f.namespace);
        const fn = text(f.functionName);
        const made: SourceFrame = {
          path: text(f.path),
          line: f.line === 0 ? undefined : f.line,
          column: f.column === 0 ? undefined : f.column,
          functionName: fn === undefined && ns === undefined ? undefined : ns ? `${ns}::${fn ?? ''}` : fn,
        };
        cached[d] = made;
        frames.push(made);
      }
      if (count > 0 && pc < end) regions.push({ start: pc, end: Math.min(pc + count, end), frames });
      pc += count;
      if (pc >= end) break;
    }
  }
  regions.sort((a, b) => a.start - b.start);
  return regions;
}

/** The innermost source frame covering `pc`, by binary search over sorted regions. */
export function sourceFrameAt(regions: readonly SourceRegion[], pc: number): SourceFrame | undefined {
  let lo = 0;
  let hi = regions.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const r = regions[mid]!;
    if (pc < r.start) hi = mid - 1;
    else if (pc >= r.end) lo = mid + 1;
    else return r.frames[r.frames.length - 1];
  }
  return undefined;
}
