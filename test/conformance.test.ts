// Every conformance suite (test/vectors/suites.ts) on every backend the runtime registers: one `it`
// per case, failing with the runner's diff. Backends, the assembler and cost models that are not there
// yet are skipped with a notice; `npm run conformance` prints the same results as counts.
import { describe, expect, it } from 'vitest';
import { HAVE_SHARED } from './shared.ts';
import { availability, BACKENDS } from './vectors/vm.ts';
import { BLOCK_COST_SUITES, SUITES, skipReason } from './vectors/suites.ts';
import { checkBlockCosts } from './vectors/block-costs.ts';
import { ignoredReason } from './vectors/ignore.ts';
import { formatResult, runCase } from './vectors/runner.ts';

/** pinky `initialize` (327.7 M instructions) on the interpreter runs only when asked (about 15 s of CPU on
 * an idle 2-core machine, several times that on a busy one); `npm run conformance` always runs it. */
const RUN_SLOW = process.env.PVM2JS_SLOW === '1';
const skipSlow = (backend: string): boolean => backend === 'interpreter' && !RUN_SLOW;

const available = HAVE_SHARED ? await availability() : undefined;
if (available) for (const notice of available.notices) console.warn(`NOTICE (conformance): ${notice}`);

(available ? describe : describe.skip)('conformance', () => {
  if (!available) {
    it.skip('needs the shared test data', () => {});
    return;
  }
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
          else if (c.slow && skipSlow(backend)) it.skip(`${c.name} (slow: run by npm run conformance, or PVM2JS_SLOW=1)`, () => {});
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

describe.skipIf(!available)('gas model block costs', () => {
  for (const suite of BLOCK_COST_SUITES) {
    const model = available?.costModel(suite.costModel);
    describe(`${suite.name} [${suite.costModel.name}]`, () => {
      if (!model) {
        it.skip(`skipped: src/gas has no ${suite.costModel.name} cost model yet`, () => {});
        return;
      }
      for (const c of suite.load()) {
        it(c.name, () => {
          const diffs = checkBlockCosts(c, model);
          expect(diffs.map((d) => `${d.field}: expected ${d.expected}, actual ${d.actual}`)).toEqual([]);
        });
      }
    });
  }
});
