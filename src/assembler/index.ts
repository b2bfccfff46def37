export { assemble, assembleProgram, rwDataAddress, RO_DATA_ADDRESS, type AssembleOptions, type AssembledProgram } from './assemble.ts';
export { ProgramBuilder, type FormOperands, type OperandsOf, type RegOperand, type TargetOperand, type LabelOptions } from './builder.ts';
export { AssemblyError, ProgramBuildError, type AssemblyErrorKind, type BuildErrorKind } from './errors.ts';
export { writeProgram, serializeCode, jumpTableEntrySize, type ProgramParts, type ProgramInstruction, type ProgramExport, type Target } from './writer.ts';
export { encodeInstruction, simpleVarintLength, type EncodableInstruction } from './encode.ts';
export { genericOperandKinds } from './syntax.ts';
export { Reg, REG_NAMES, type RegName } from './numbers.ts';
