// The sp-virtualization front: the typestate API (forwarder), its host functions and the
// VirtManager backend they drive, and the shared test driver.
export {
  MAX_SYSCALL_SYMBOL_LEN,
  LOG_TARGET,
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
  VirtInstance,
  VirtExecution,
  withVirtManager,
  withVirtHost,
  registeredVirtHost,
  type VirtManagerExt,
  type HostOption,
  type CompileResult,
  type LookupResult,
  type InstantiateResult,
  type PrepareResult,
  type MemoryResult,
  type ExecResult,
} from './forwarder.ts';
export { GAS_MAX, INCREMENT_COUNTER_ANSWER, runLoop, makeHandler, type RunResult, type SyscallHandler, type GasBox, type CounterBox } from './driver.ts';
export { runTests, type RunTestsOptions, type TestCaseReport } from './run-tests.ts';
