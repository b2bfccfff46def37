// `pvm2js/virt`: the sp-virtualization API under the crate's own names (0.4.0 item list: Module,
// Instance, Execution, ExecResult, ExecBuffer, SyscallSymbol, the error enums, VirtManagerBackend,
// LOG_TARGET, MAX_SYSCALL_SYMBOL_LEN, the host functions and `run_tests`), so a Rust harness ports
// line by line. UNSTABLE, as the crate says: not for production.
export {
  VirtModule as Module,
  VirtInstance as Instance,
  VirtExecution as Execution,
  withVirtManager,
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
export {
  LOG_TARGET,
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
// The host functions (Rust `HostFunctions`, a `#[runtime_interface]`): integer wire results and their decoders.
export {
  VirtHost,
  VirtHost as HostFunctions,
  COMPILED_MODULE_MAX,
  decodeCompileResult,
  decodeModuleIdResult,
  decodeInstantiateResult,
  decodeRunResult,
  decodeUnitResult,
  type VirtHostOptions,
} from './host-functions.ts';
// `sp_virtualization::tests` and `run_tests`.
export { GAS_MAX, INCREMENT_COUNTER_ANSWER, runLoop, makeHandler, type RunResult, type SyscallHandler, type GasBox, type CounterBox } from './driver.ts';
export { runTests, type RunTestsOptions, type TestCaseReport } from './run-tests.ts';
export { setLogger, type Logger } from '../runtime/logger.ts';
