// Using pvm2js as a library: assemble a program, bind a host function by import name, call an export,
// then drive the same call by hand with run() to see every interrupt as a value.
// Run: npx tsx examples/library.ts
import { assemble, Linker, Module, Reg } from '../src/index.ts';

const source = `
%import get_third_number
pub @add_numbers:
    s0 = a0 + a1
    ecalli get_third_number
    a0 = a0 + s0
    ret
`;

export function main(log: (line: string) => void = console.log): bigint {
  const blob = assemble(source, { isa: 'latest32' });
  const module = Module.fromBytes(blob, { gasMetering: 'sync' });

  // High level: the linker answers `ecalli` by import name and resumes until the call finishes.
  const instance = new Linker().define('get_third_number', () => 100n).instantiate(module);
  instance.setGas(1_000n);
  const result = instance.call('add_numbers', 1n, 2n);
  log(`call: ${result.interrupt.kind}, add_numbers(1, 2) + 100 = ${result.a0}, gas left ${instance.gas()}`);

  // Low level: every stop is a value; the host writes A0 and resumes with run().
  const raw = module.instantiate();
  raw.setGas(1_000n);
  raw.prepareCall('add_numbers', [40n, 2n]);
  for (;;) {
    const outcome = raw.run();
    log(`  run() -> ${JSON.stringify(outcome)} at pc ${raw.programCounter()}`);
    if (outcome.kind === 'ecalli') raw.setReg(Reg.A0, 0n);
    else break;
  }
  log(`by hand: a0 = ${raw.reg(Reg.A0)}, instructions ${raw.metrics().instructions}`);
  return result.a0;
}

if (import.meta.url === `file://${process.argv[1]}`) main();
