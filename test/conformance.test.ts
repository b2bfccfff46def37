// Every conformance suite (test/vectors/suites.ts) on every backend the runtime registers: one `it`
// per case, failing with the runner's diff. Backends, the assembler and cost models that are not there
// yet are skipped with a notice; `npm run conformance` prints the same results as counts.
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED } from './shared.ts';
import { availability, BACKENDS } from './vectors/vm.ts';
import { SUITES, skipReason } from './vectors/suites.ts';
import { ignoredReason } from './vectors/ignore.ts';
import { formatResult, runCase } from './vectors/runner.ts';

/** pinky `initialize` (327.7 M instructions) runs only when asked; `npm run conformance` always runs it. */
const RUN_SLOW = process.env.PVM2JS_SLOW === '1';

const available = HAVE_SHARED ? await availability() : undefined;
if (available) for (const notice of available.notices) console.warn(`NOTICE (conformance): ${notice}`);

describe.skipIf(!available)('conformance', () => {
  for (const suite of SUITES) {
    for (const backend of BACKENDS) {
      describe(`${suite.name} [${backend}]`, () => {
        const reason = skipReason(suite, backend, available!);
        if (reason) {
          it.skip(`skipped: ${reason}`, () => {});
          return;
        }
        const vm = available!.vms.find((v) => v.backend === backend)!;
        for (const c of suite.load()) {
          const ignored = ignoredReason(c.suite, c.name, backend);
          if (ignored) it.skip(`${c.name} (ignored: ${ignored})`, () => {});
          else if (c.slow && !RUN_SLOW) it.skip(`${c.name} (slow: run by npm run conformance, or PVM2JS_SLOW=1)`, () => {});
          else
            it(c.name, () => {
              const result = runCase(c, vm);
              expect(result.passed, formatResult(result).join('\n')).toBe(true);
            });
        }
      });
    }
  }
});
