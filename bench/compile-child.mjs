// Compile times of one blob in a fresh process, on the built package (dist/, what the CLI and library
// users run), for bench/run.ts. The TypeScript sources under tsx measure ~10-15% slower: tsx's
// transform adds a getter per imported binding and a name helper per closure. Prints one JSON line.
// Usage: node bench/compile-child.mjs <blob path> <name> <warmups> <runs>
import { readFileSync } from 'node:fs';
import { clearModuleCache, compileToJs } from '../dist/codegen/index.js';
import { decodeProgram, parseBlob } from '../dist/decoder/index.js';
import { naiveCostModel } from '../dist/gas/index.js';
import { buildMemoryMap } from '../dist/machine/layout.js';
import { Module } from '../dist/runtime/index.js';

const [path, name, warmupsText, runsText] = process.argv.slice(2);
const bytes = new Uint8Array(readFileSync(path));
const warmups = Number(warmupsText);
const runs = Number(runsText);

/** Bytes → everything codegen reads: the steps `Module.fromBytes` takes, without loading a backend. */
function moduleImage() {
  const blob = parseBlob(bytes);
  const code = decodeProgram(blob);
  return {
    blob,
    code,
    memoryMap: buildMemoryMap({ roDataSize: blob.roDataSize, rwDataSize: blob.rwDataSize, stackSize: blob.stackSize }),
    gasMetering: 'sync',
    blockCosts: naiveCostModel.blockCosts(code),
    dynamicPaging: false,
    stepTracing: false,
  };
}

const median = (values) => [...values].sort((a, b) => a - b)[values.length >> 1];
/**
 * Times the variants with their runs interleaved (warm-ups of all of them first, then one run of each in
 * turn): measured one after the other, the first variant ran while V8 was still optimising the code
 * generator on its compiler thread and the heap was still growing, which this child's CPU time counts
 * (doom to JS text without a map read ~80 ms more CPU than the same compile with a map, which does more).
 */
function timeAll(variants) {
  const wall = variants.map(() => []);
  const cpu = variants.map(() => []);
  for (let i = 0; i < warmups + runs; i++) {
    variants.forEach(({ fn, setup }, k) => {
      setup?.();
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      fn();
      const ms = performance.now() - t0;
      const c = process.cpuUsage(c0);
      if (i >= warmups) {
        wall[k].push(ms);
        cpu[k].push((c.user + c.system) / 1000);
      }
    });
  }
  return variants.map((_, k) => ({ ms: median(wall[k]), cpuMs: median(cpu[k]) }));
}

const result = { jsBytes: 0 };
[result.toJs, result.toJsWithMap, result.toModule] = timeAll([
  { fn: () => (result.jsBytes = compileToJs(moduleImage(), { sourceMap: false }).code.length) },
  { fn: () => compileToJs(moduleImage(), { sourceMap: true, sourceName: name }) },
  // The module cache would turn every run after the first into a lookup.
  { fn: () => Module.fromBytes(bytes, { backend: 'compiled', gasMetering: 'sync' }), setup: clearModuleCache },
]);
process.stdout.write(JSON.stringify(result) + '\n');
