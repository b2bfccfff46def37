// `pvm2js compile`: a program's generated JavaScript as an importable ES module (+ source map).
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isaName } from '../../decoder/isa.ts';
import { COST_MODEL_NAMES, isCostModelName } from '../../gas/index.ts';
import type { GasMetering } from '../../machine/state.ts';
import { compileModule, RuntimeError } from '../../runtime/index.ts';
import { UsageError, parseArgs, readInputFile } from '../args.ts';
import { PROGRAM_OPTIONS, PROGRAM_OPTIONS_HELP, loadProgram } from '../input.ts';
import { writeOut } from '../output.ts';
import { Progress, grouped } from '../progress.ts';

const HELP = `usage: pvm2js compile <file> -o <out.mjs> [options]

Compiles a program to JavaScript and writes it as an ES module that exports the generated code and
what loading it needs. Run it with:
  import { loadCompiled } from 'pvm2js';
  const module = loadCompiled(await import('./out.mjs'));   // then module.instantiate() ...
Loading does not generate code again; the module works only with the pvm2js version that wrote it.

options:
${PROGRAM_OPTIONS_HELP}
  -o, --output F        the module to write (required)
  --source-map          also write F.map, linked from the module: generated code maps to the original
                        source file and line where the program has debug line info, else to the
                        program itself at line = pc + 1
  --gas-metering M      sync | async (default: no gas metering)
  --cost-model M        ${COST_MODEL_NAMES.join(' | ')} (default naive; with --gas-metering)
  --dynamic-paging      generate code for dynamic paging
  --json                print one JSON object describing what was written
  -q, --quiet           no progress line (shown on a terminal for compilations past ~1 s)

exit code: 0 written, 2 usage or parse errors`;

export async function run(argv: string[]): Promise<number> {
  const args = parseArgs(
    argv,
    {
      ...PROGRAM_OPTIONS,
      output: { value: true, short: 'o' },
      'source-map': {},
      'gas-metering': { value: true },
      'cost-model': { value: true },
      'dynamic-paging': {},
      json: {},
      quiet: { short: 'q' },
    },
    HELP,
  );
  const [file, ...extra] = args.positional;
  if (file === undefined) throw new UsageError('expected <file>');
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
  const output = args.get('output');
  if (output === undefined) throw new UsageError('expected -o <out.mjs>');
  const metering = args.get('gas-metering');
  if (metering !== undefined && metering !== 'sync' && metering !== 'async') throw new UsageError(`unknown gas metering '${metering}' (sync, async)`);
  const costModel = args.get('cost-model') ?? 'naive';
  if (!isCostModelName(costModel)) throw new UsageError(`unknown cost model '${costModel}' (${COST_MODEL_NAMES.join(', ')})`);
  if (args.get('cost-model') !== undefined && metering === undefined) throw new UsageError('--cost-model needs --gas-metering');
  const sourceMap = args.flag('source-map');

  const start = performance.now();
  // Parsed here for the --isa / --format rules and their errors; compileModule parses the bytes again.
  const blob = loadProgram(file, args);
  const bytes = readInputFile(file);
  const fileName = basename(output);
  let compiled;
  const progress = new Progress({ quiet: args.flag('quiet') });
  try {
    compiled = compileModule(bytes, {
      format: blob.format,
      isa: isaName(blob.isa),
      ...(metering !== undefined ? { gasMetering: metering as GasMetering } : {}),
      costModel,
      dynamicPaging: args.flag('dynamic-paging'),
      sourceMap,
      sourceName: basename(file),
      fileName,
      onProgress: (done, total) => progress.update(() => `compiling: ${grouped(done)} of ${grouped(total)} regions (${grouped(blob.code.length)} bytes of code)`),
    });
  } catch (e) {
    if (e instanceof RuntimeError) throw new UsageError(e.message);
    throw e;
  } finally {
    progress.done();
  }
  const mapPath = `${output}.map`;
  const write = (path: string, text: string): void => {
    try {
      writeFileSync(path, text);
    } catch (e) {
      throw new UsageError(`cannot write ${path}: ${(e as Error).message}`);
    }
  };
  write(output, compiled.code);
  if (compiled.map !== undefined) write(mapPath, compiled.map);
  const ms = performance.now() - start;

  const summary = {
    output,
    map: compiled.map !== undefined ? mapPath : null,
    moduleId: compiled.moduleId,
    bytes: compiled.code.length,
    isa: isaName(blob.isa),
    milliseconds: Math.round(ms),
  };
  if (args.flag('json')) writeOut(JSON.stringify(summary) + '\n');
  else
    writeOut(
      `wrote ${output} (${(compiled.code.length / 1e6).toFixed(2)} MB${compiled.map !== undefined ? `, map ${mapPath}` : ''}) for ${summary.isa} in ${ms.toFixed(0)} ms\n`,
    );
  return 0;
}
