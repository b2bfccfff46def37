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
// The runtime (src/runtime): modules, instances, host calls by import name, outcomes as values.
export {
  Module,
  Instance,
  Linker,
  RuntimeError,
  ARG_REGS,
  type ModuleOptions,
  type CallMetrics,
  type CallResult,
  type HostFunction,
  type RuntimeErrorKind,
  type BackendName,
} from './runtime/index.ts';
export type { Interrupt, InterruptKind, BudgetReason } from './machine/interrupt.ts';
export { Reg, REG_NAMES } from './machine/state.ts';
export { MemoryAccessError, type MemoryAccessErrorKind } from './machine/memory.ts';
// sp-virtualization (src/virt): the typestate API, its host functions and backend, the shared test driver.
export {
  VirtModule,
  VirtInstance,
  VirtExecution,
  withVirtHost,
  defaultVirtHost,
  VirtHost,
  VirtManager,
  MemoryStorage,
  VirtMisuseError,
  SyscallSymbol,
  MAX_SYSCALL_SYMBOL_LEN,
  MAX_LIVE_INSTANCES,
  CompileStatus,
  ExecStatus,
  ModuleError,
  InstantiateError,
  ExecError,
  MemoryError,
  DestroyError,
  moduleErrorName,
  instantiateErrorName,
  execErrorName,
  memoryErrorName,
  destroyErrorName,
  EXEC_BUFFER_SIZE,
  encodeExecBuffer,
  decodeExecBuffer,
  GAS_MAX,
  runLoop,
  makeHandler,
  type ModuleId,
  type InstanceId,
  type ExecResult,
  type CompileResult,
  type LookupResult,
  type InstantiateResult,
  type PrepareResult,
  type MemoryResult,
  type ExecBuffer,
  type VirtManagerBackend,
  type VirtManagerOptions,
  type VirtHostOptions,
  type VirtStorage,
  type VirtMisuseErrorKind,
  type RunResult,
  type SyscallHandler,
} from './virt/index.ts';
