// `pvm2js/virt`: sp-virtualization 0.4.0 as the crate ships it, under the crate's names. The typestate
// API (Module → Instance → Execution), its host functions with their wire decoders, the VirtManager
// backend they drive, the crate's test driver (`runTests`) and its logging.
//
// UNSTABLE, as the crate itself: not for production. The host functions, the wire format and the gas
// model follow a crate that changes between releases.
export {
  MAX_SYSCALL_SYMBOL_LEN,
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
  compileStatusName,
  execStatusName,
  SyscallSymbol,
  type ModuleId,
  type InstanceId,
  type VirtResult,
} from './types.ts';
export { VirtMisuseError, type VirtMisuseErrorKind } from './errors.ts';
export { EXEC_BUFFER_SIZE, encodeExecBuffer, decodeExecBuffer, emptyExecBuffer, type ExecBuffer } from './exec-buffer.ts';
export { VirtManager, MAX_LIVE_INSTANCES, type VirtManagerBackend, type VirtManagerOptions } from './manager.ts';
export { MemoryStorage, type VirtStorage } from './storage.ts';
export {
  VirtHost,
  VirtHost as VirtManagerExt,
  COMPILED_MODULE_MAX,
  decodeCompileResult,
  decodeModuleIdResult,
  decodeInstantiateResult,
  decodeRunResult,
  decodeUnitResult,
  type VirtHostOptions,
} from './host-functions.ts';
export {
  VirtModule,
  VirtModule as Module,
  VirtInstance,
  VirtInstance as Instance,
  VirtExecution,
  VirtExecution as Execution,
  withVirtManager,
  withVirtHost,
  type CompileResult,
  type LookupResult,
  type InstantiateResult,
  type PrepareResult,
  type MemoryResult,
  type ExecResult,
} from './forwarder.ts';
export { GAS_MAX, INCREMENT_COUNTER_ANSWER, runLoop, makeHandler, type RunResult, type SyscallHandler, type GasBox, type CounterBox } from './driver.ts';
export { runTests, type RunTestsOptions, type TestCaseReport } from './run-tests.ts';
export { LOG_TARGET, UNSTABLE_NOTICE, setVirtLogger, type VirtLogger, type VirtLogLevel } from './log.ts';
