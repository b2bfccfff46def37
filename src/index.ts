// The public API of pvm2js, chosen export by export.
export { VERSION } from './version.ts';
export { ProgramParseError, type ProgramParseErrorKind } from './decoder/errors.ts';
export { Isa, type IsaName, parseIsaName, isaName } from './decoder/isa.ts';
export { parseBlob, parseJamProgram, parseJamService, type ProgramBlob, type Export } from './decoder/blob.ts';
export { decodeProgram, type DecodedCode } from './decoder/code.ts';
export { parseProgram } from './decoder/input.ts';
export { disassemble, formatInstruction } from './decoder/disasm.ts';
export { readSourceRegions, sourceFrameAt, type SourceFrame, type SourceRegion } from './decoder/debug.ts';
export { assemble, ProgramBuilder, AssemblyError, ProgramBuildError, type AssembleOptions } from './assembler/index.ts';
export { costModelByName, naiveCostModel, tableCostModel, type CostModel } from './gas/index.ts';
