// sp-virtualization from JavaScript (`pvm2js/virt`, the crate's names): register a VirtManager as Rust
// registers a VirtManagerExt, compile a program once, run an export, answer its syscalls by symbol,
// resume with a return value, reuse the instance, cache the module by an identifier, and check a
// backend with the crate's own test driver (runTests).
// Run: npx tsx examples/virt/counter.ts   (prints what happened; exits non-zero if anything is off)
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assemble } from '../../src/assembler/index.ts';
import { ExecError, execErrorName, GAS_MAX, Module, runTests, VirtManager, withVirtManager, type Instance } from '../../src/virt/api.ts';

// The program: the sp-virtualization test fixture, written in polkavm assembly next to this file.
const program = assemble(readFileSync(join(import.meta.dirname, 'fixture.pvmasm'), 'utf8'));

// Rust: `ext.register_extension(VirtManagerExt::new(VirtManager::default())); ext.execute_with(|| ...)`.
withVirtManager(new VirtManager(), () => {
  // Compile and cache under an identifier; a second fromBytes with it is a cache hit.
  const compiled = Module.fromBytes(program, 'example:fixture');
  if (!compiled.ok) throw new Error(`invalid program (${compiled.error})`);
  const again = Module.fromBytes(program, 'example:fixture');
  console.log(`module ${compiled.module.id}: ${compiled.status}; again: ${again.ok ? again.status : 'failed'}`);

  let counter = 0n;

  /** Drives one call: run, answer each syscall, resume with the answer in A0, until it ends. */
  function call(instance: Instance, exportName: string, gas: bigint): Instance {
    const prepared = instance.prepare(exportName);
    if (!prepared.ok) throw new Error(`no export ${exportName}`);
    let result = prepared.execution.run(gas, 0n);
    let syscalls = 0;
    while (result.kind === 'syscall') {
      syscalls++;
      const { execution, a0 } = result;
      const buffer = new Uint8Array(8);
      const view = new DataView(buffer.buffer);
      let answer: bigint;
      switch (result.syscallName) {
        case 'read_counter':
          view.setBigUint64(0, counter, true);
          if (!execution.writeMemory(Number(a0), buffer).ok) throw new Error('bad pointer');
          answer = 1n;
          break;
        case 'increment_counter':
          if (!execution.readMemory(Number(a0), buffer).ok) throw new Error('bad pointer');
          counter += view.getBigUint64(0, true);
          answer = 2n << 56n;
          break;
        default:
          throw new Error(`unexpected syscall ${result.syscallName}`);
      }
      result = execution.run(result.gasLeft, answer);
    }
    if (result.kind === 'error') {
      console.log(`${exportName}: ${execErrorName(result.error)} after ${syscalls} syscalls, counter ${counter}`);
      return result.instance;
    }
    console.log(`${exportName}: finished after ${syscalls} syscalls, ${gas - result.gasLeft} gas, counter ${counter}`);
    return result.instance;
  }

  const made = compiled.module.instantiate();
  if (!made.ok) throw new Error(`instantiate failed (${made.error})`);
  let instance = call(made.instance, 'counter', GAS_MAX);
  instance = call(instance, 'counter', GAS_MAX); // the same instance, prepared again
  if (counter !== 16n) throw new Error(`counter is ${counter}, expected 16`);

  // A budget: increment_forever stops with OutOfGas, and the instance is idle again.
  counter = 0n;
  instance = call(instance, 'increment_forever', 10_000n);
  if (counter === 0n) throw new Error('increment_forever made no progress');

  // A trap is a value too.
  const trapped = instance.prepare('do_panic');
  if (!trapped.ok) throw new Error('no do_panic');
  const outcome = trapped.execution.run(GAS_MAX, 0n);
  if (outcome.kind !== 'error' || outcome.error !== ExecError.Trap) throw new Error('do_panic did not trap');
  console.log('do_panic: Trap');

  // JS has no Drop: `using` destroys the instance when the scope ends (or call destroy() yourself;
  // the host keeps at most 30 alive).
  using done = outcome.instance;
  console.log(`instance ${done.id} is destroyed when this scope ends`);
});

// The crate's test driver (Rust: sp_virtualization::run_tests), here on the interpreter.
const failed = runTests(program, { backend: 'interpreter' }).filter((r) => !r.passed);
if (failed.length > 0) throw new Error(`runTests: ${failed.map((r) => `${r.name}: ${r.reason}`).join('; ')}`);
console.log('runTests: every case passed');
