// `npm run conformance`: every conformance suite on every backend the runtime registers, one line per
// suite and backend (`<suite> [<backend>]: N passed, M failed`), then the first failures' diffs.
// Exit 0 when everything that ran passed, 1 when anything failed (or nothing could run), 2 on bad usage.
import { HAVE_SHARED, SHARED } from '../test/shared.ts';
import { availability, BACKENDS } from '../test/vectors/vm.ts';
import { BLOCK_COST_SUITES, SUITES, selectBlockCostSuites, selectSuites, skipReason } from '../test/vectors/suites.ts';
import { checkBlockCosts } from '../test/vectors/block-costs.ts';
import { ignoredReason } from '../test/vectors/ignore.ts';
import { formatResult, runCase, type CaseResult } from '../test/vectors/runner.ts';

const USAGE = `usage: npm run conformance -- [--backend interpreter|compiled|tiered|tiered-eager] [--suite NAME] [--verbose] [--failures N]

  --backend B   only this backend (default: every backend the runtime has)
  --suite S     only suite S, or the suites S/... (e.g. polkavm-spec); one of:
                ${[...SUITES, ...BLOCK_COST_SUITES].map((s) => s.name).join(', ')}
  --failures N  diffs shown per suite and backend (default 3)
  --verbose     every failure, ignored cases, and the time of each suite`;

interface Options {
  backend?: string;
  suite?: string;
  verbose: boolean;
  failures: number;
}

function parseOptions(argv: readonly string[]): Options | string {
  const options: Options = { verbose: false, failures: 3 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const value = (): string | undefined => argv[++i];
    switch (arg) {
      case '--backend': {
        const b = value();
        if (!b || !(BACKENDS as readonly string[]).includes(b)) return `--backend takes one of ${BACKENDS.join(', ')}`;
        options.backend = b;
        break;
      }
      case '--suite': {
        const s = value();
        if (!s || selectSuites(s).length + selectBlockCostSuites(s).length === 0)
          return `--suite takes one of ${[...SUITES, ...BLOCK_COST_SUITES].map((x) => x.name).join(', ')}`;
        options.suite = s;
        break;
      }
      case '--failures': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 0) return '--failures takes a count';
        options.failures = n;
        break;
      }
      case '--verbose':
        options.verbose = true;
        break;
      case '--help':
      case '-h':
        return '';
      default:
        return `unknown argument ${arg}`;
    }
  }
  return options;
}

async function main(argv: readonly string[]): Promise<number> {
  const options = parseOptions(argv);
  if (typeof options === 'string') {
    if (options) console.error(`error: ${options}`);
    console.error(USAGE);
    return options ? 2 : 0;
  }
  if (!HAVE_SHARED) {
    console.error(`error: shared test data not found at ${SHARED} (set PVM2JS_SHARED)`);
    return 1;
  }
  const available = await availability();
  for (const notice of available.notices) console.log(`notice: ${notice}`);
  const backends = BACKENDS.filter((b) => (options.backend ? b === options.backend : true)).filter((b) => available.vms.some((v) => v.backend === b));
  if (backends.length === 0) {
    console.error(options.backend ? `error: backend '${options.backend}' is not available` : 'error: no backend is available');
    return 1;
  }

  let failed = 0;
  let ran = 0;
  for (const suite of selectSuites(options.suite)) {
    for (const backend of backends) {
      const label = `${suite.name} [${backend}]`;
      const reason = skipReason(suite, backend, available);
      if (reason) {
        console.log(`${label}: skipped: ${reason}`);
        continue;
      }
      const vm = available.vms.find((v) => v.backend === backend)!;
      const started = performance.now();
      const results: CaseResult[] = [];
      const ignored: string[] = [];
      for (const c of suite.load()) {
        const why = ignoredReason(c.suite, c.name, backend);
        if (why) ignored.push(`${c.name}: ${why}`);
        else results.push(runCase(c, vm));
      }
      const failures = results.filter((r) => !r.passed);
      failed += failures.length;
      ran += results.length;
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(`${label}: ${results.length - failures.length} passed, ${failures.length} failed`);
      if (options.verbose) console.log(`  (${seconds} s)`);
      if (ignored.length > 0) console.log(`  ${ignored.length} ignored (test/vectors/ignore.ts${options.verbose ? '' : '; --verbose lists them'})`);
      for (const r of options.verbose ? failures : failures.slice(0, options.failures)) for (const line of formatResult(r)) console.log(`  ${line}`);
      if (!options.verbose && failures.length > options.failures) console.log(`  ... and ${failures.length - options.failures} more failures (--verbose shows all)`);
      if (options.verbose) for (const line of ignored) console.log(`  ignored: ${line}`);
      // The slow cases are the interpreter's benchmark as well: say how long they took.
      for (const r of results) {
        const c = suite.load().find((x) => x.name === r.name);
        if (!c?.slow) continue;
        const last = c.actions.at(-1);
        const gasUsed = c.initialGas !== undefined && last?.kind === 'run' && last.expect.gas !== undefined ? c.initialGas - last.expect.gas : undefined;
        // With the naive model gas used is the instruction count.
        const speed = gasUsed !== undefined && c.costModel.kind === 'naive' ? `, ${(Number(gasUsed) / r.ms / 1000).toFixed(1)} M instructions/s` : '';
        console.log(`  ${r.name}: ${(r.ms / 1000).toFixed(2)} s${speed}`);
      }
    }
  }
  // Cost model checks involve no backend; they run whatever --backend says.
  for (const suite of selectBlockCostSuites(options.suite)) {
    const label = `${suite.name} [${suite.costModel.name}]`;
    const model = available.costModel(suite.costModel);
    if (!model) {
      console.log(`${label}: skipped: src/gas has no ${suite.costModel.name} cost model yet`);
      continue;
    }
    const started = performance.now();
    const failures = suite.load().flatMap((c) => {
      const diffs = checkBlockCosts(c, model);
      return diffs.length > 0 ? [{ name: c.name, diffs }] : [];
    });
    const count = suite.load().length;
    failed += failures.length;
    ran += count;
    console.log(`${label}: ${count - failures.length} passed, ${failures.length} failed`);
    if (options.verbose) console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    for (const f of options.verbose ? failures : failures.slice(0, options.failures)) {
      console.log(`  ${suite.name} ${f.name}: FAILED`);
      for (const d of f.diffs) console.log(`    ${d.field}: expected ${d.expected}, actual ${d.actual}`);
    }
  }
  if (ran === 0) {
    console.error('error: no suite could run');
    return 1;
  }
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
