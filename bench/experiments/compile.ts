// Compile time of large blobs: decoded code → JS text, without and with the source map, and to a
// runnable (linked) module. Usage: npx tsx bench/experiments/compile.ts [blob ...]
import { readFileSync } from 'node:fs';
import { compileToJs, linkRegions } from '../../src/codegen/index.ts';
import { Module } from '../../src/runtime/index.ts';
import { sharedPath } from '../../test/shared.ts';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['doom', 'doom64', 'quake'];
const cpu = (f: () => void): number => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
for (const name of names) {
  const bytes = readFileSync(sharedPath(`blobs/polkavm/${name}.polkavm`));
  const image = Module.fromBytes(bytes, { backend: 'interpreter', gasMetering: 'sync' }).image;
  let text = 0;
  let js = compileToJs(image);
  const rows: string[] = [];
  for (let k = 0; k < 3; k++) {
    const w0 = performance.now();
    const c = cpu(() => (js = compileToJs(image)));
    rows.push(`text ${(performance.now() - w0).toFixed(0)} ms wall / ${c.toFixed(0)} ms cpu`);
    text = js.code.length;
  }
  const w1 = performance.now();
  const cMap = cpu(() => compileToJs(image, { sourceMap: true, sourceName: `${name}.polkavm` }));
  const w2 = performance.now();
  const cLink = cpu(() => linkRegions(js, true));
  console.log(`${name}: ${image.code.count} instructions, ${(text / 1e6).toFixed(1)} MB of JS; ${rows.join('; ')}; with source map ${(w2 - w1).toFixed(0)} ms wall / ${cMap.toFixed(0)} ms cpu; link (eval) ${(performance.now() - w2).toFixed(0)} ms wall / ${cLink.toFixed(0)} ms cpu`);
}
