// `pvm2js demo` (what `npm start` runs): assembles the bundled prime sieve, compiles it, runs it and
// shows the result next to the same count computed in plain JavaScript.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assemble } from '../../assembler/index.ts';
import { compileToJs } from '../../codegen/index.ts';
import { Module, tuneEngine } from '../../runtime/index.ts';
import { hasBackend } from '../../runtime/backends.ts';
import { parseArgs, UsageError } from '../args.ts';
import { writeOut } from '../output.ts';

const HELP = `usage: pvm2js demo [--limit N] [--backend tiered|compiled|interpreter]

Assembles examples/prime-sieve.pvmasm (a sieve of Eratosthenes in polkavm assembly), compiles it,
runs count_primes(limit) with gas metering on, and checks the answer against plain JavaScript.

options:
  --limit N        count the primes below N (default 5000000, at most 8000000: the sieve's rw data)
  --backend B      tiered (default), compiled or interpreter
`;

const SIEVE_CAPACITY = 8_000_000;

function examplePath(): string {
  // src/cli/commands/demo.ts and dist/cli/commands/demo.js are both three levels below the repo root.
  return join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'examples', 'prime-sieve.pvmasm');
}

function primesBelow(limit: number): number {
  const composite = new Uint8Array(limit);
  let count = 0;
  for (let i = 2; i < limit; i++) {
    if (composite[i]) continue;
    count++;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  return count;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { limit: { value: true }, backend: { value: true } }, HELP);
  if (args.positional.length > 0) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
  const limitText = args.get('limit') ?? '5000000';
  const limit = Number(limitText);
  if (!Number.isSafeInteger(limit) || limit < 2 || limit > SIEVE_CAPACITY)
    throw new UsageError(`--limit must be an integer from 2 to ${SIEVE_CAPACITY}, got '${limitText}'`);
  const backendName = args.get('backend') ?? (hasBackend('tiered') ? 'tiered' : 'interpreter');
  if (backendName !== 'tiered' && backendName !== 'compiled' && backendName !== 'interpreter') throw new UsageError(`unknown backend '${backendName}'`);

  const source = readFileSync(examplePath(), 'utf8');
  const out = (line: string): void => writeOut(line + '\n');

  let t = performance.now();
  const blob = assemble(source, { isa: 'latest32' });
  const assembleMs = performance.now() - t;
  out(`assembled examples/prime-sieve.pvmasm: ${blob.length} bytes of PolkaVM blob (${assembleMs.toFixed(1)} ms)`);

  t = performance.now();
  const module = Module.fromBytes(blob, { backend: backendName, gasMetering: 'sync' });
  if (backendName === 'compiled') {
    // The backend compiled it already (and cached it); this shows what it produced.
    const js = compileToJs(module.image, { sourceName: 'prime-sieve.polkavm' });
    out(`compiled to ${js.code.length} characters of JavaScript`);
  }
  const instance = module.instantiate();
  const loadMs = performance.now() - t;
  out(`loaded on the ${backendName} backend (${loadMs.toFixed(1)} ms)`);

  const gas = 10_000_000_000n;
  instance.setGas(gas);
  instance.prepareCall('count_primes', [limit]);
  // V8 flags for steady generated-code speed (runtime/engine.ts), as `run` sets them.
  tuneEngine();
  t = performance.now();
  const outcome = instance.run();
  const execMs = performance.now() - t;
  if (outcome.kind !== 'finished') {
    out(`the guest stopped with '${outcome.kind}' at pc ${instance.programCounter()}`);
    return 1;
  }
  const primes = Number(instance.reg(7));
  const gasUsed = gas - instance.gas();
  const expected = primesBelow(limit);
  out(`count_primes(${limit}) = ${primes}  (plain JavaScript says ${expected}: ${primes === expected ? 'same' : 'DIFFERENT'})`);
  out(`${gasUsed} guest instructions (naive gas, 1 per instruction) in ${execMs.toFixed(1)} ms = ${(Number(gasUsed) / execMs / 1000).toFixed(0)} M instructions/s`);
  return primes === expected ? 0 : 1;
}
