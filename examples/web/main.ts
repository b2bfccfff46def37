// The playground page: open or drop a program, see what it contains, its disassembly and the
// JavaScript pvm2js generates for it (each generated line linked to its guest instruction through the
// source map), and run an export. Bundled for the browser by scripts/bundle-browser.ts.
import { SourceMapConsumer } from 'source-map';
import {
  Linker,
  Module,
  REG_NAMES,
  compileModule,
  decodeProgram,
  disassemble,
  isaName,
  parseProgram,
  type BackendName,
} from '../../src/index.ts';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const decoder = new TextDecoder();
const LINE_HEIGHT = 18;

/** A long listing (doom: hundreds of thousands of lines) that renders only the lines in view. */
class Listing {
  private lines: string[] = [];
  private gutters: string[] = [];
  private selected = -1;
  private readonly spacer = document.createElement('div');
  private readonly element: HTMLElement;
  private readonly onPick: (index: number) => void;
  constructor(element: HTMLElement, onPick: (index: number) => void) {
    this.element = element;
    this.onPick = onPick;
    element.append(this.spacer);
    element.addEventListener('scroll', () => this.render());
    element.addEventListener('click', (event) => {
      const line = (event.target as HTMLElement).closest<HTMLElement>('.line');
      if (line) this.onPick(Number(line.dataset.index));
    });
  }
  show(lines: string[], gutters: string[]): void {
    this.lines = lines;
    this.gutters = gutters;
    this.selected = -1;
    this.element.dataset.count = String(lines.length);
    this.spacer.style.height = `${lines.length * LINE_HEIGHT}px`;
    this.element.scrollTop = 0;
    this.render();
  }
  select(index: number): void {
    this.selected = index;
    const top = index * LINE_HEIGHT;
    if (top < this.element.scrollTop || top > this.element.scrollTop + this.element.clientHeight - LINE_HEIGHT)
      this.element.scrollTop = Math.max(0, top - this.element.clientHeight / 3);
    this.render();
  }
  private render(): void {
    for (const old of this.element.querySelectorAll('.line')) old.remove();
    const first = Math.floor(this.element.scrollTop / LINE_HEIGHT);
    const last = Math.min(this.lines.length, first + Math.ceil(this.element.clientHeight / LINE_HEIGHT) + 1);
    for (let i = first; i < last; i++) {
      const div = document.createElement('div');
      div.className = i === this.selected ? 'line selected' : 'line';
      div.dataset.index = String(i);
      div.style.top = `${i * LINE_HEIGHT}px`;
      const gutter = document.createElement('span');
      gutter.className = 'gutter';
      gutter.textContent = this.gutters[i] ?? '';
      div.append(gutter, this.lines[i]!);
      this.element.append(div);
    }
  }
}

interface Loaded {
  name: string;
  bytes: Uint8Array;
  /** Guest pc of each generated JS line (-1: wrapper text with no mapping). */
  jsLinePc: Int32Array;
  /** First generated JS line of each instruction, by instruction index (-1: none). */
  firstJsLine: Map<number, number>;
  indexOfPc: Map<number, number>;
  pcOfIndex: Uint32Array;
}
let loaded: Loaded | undefined;

const status = (text: string) => ($('status').textContent = text);
const disasm = new Listing($('disasm'), (index) => {
  if (!loaded) return;
  disasm.select(index);
  const line = loaded.firstJsLine.get(index);
  if (line !== undefined) js.select(line);
});
const js = new Listing($('js'), (line) => {
  if (!loaded) return;
  js.select(line);
  const index = loaded.indexOfPc.get(loaded.jsLinePc[line]!);
  if (index !== undefined) disasm.select(index);
});

async function load(name: string, bytes: Uint8Array): Promise<void> {
  status(`loading ${name}...`);
  try {
    const blob = parseProgram(bytes);
    const code = decodeProgram(blob);
    const started = performance.now();
    // Same defaults as `pvm2js compile`; the source map names the program, its lines are pc + 1
    // (or the program's own source files when it carries debug line info).
    const compiled = compileModule(bytes, { sourceMap: true, sourceName: name, gasMetering: 'sync' });
    const compileMs = performance.now() - started;
    const jsLines = compiled.code.split('\n');
    const jsLinePc = new Int32Array(jsLines.length).fill(-1);
    await SourceMapConsumer.with(compiled.map!, null, (consumer) => {
      consumer.eachMapping((m) => {
        if (m.source === name && m.originalLine !== null && jsLinePc[m.generatedLine - 1] === -1) jsLinePc[m.generatedLine - 1] = m.originalLine - 1;
      });
    });
    const indexOfPc = new Map<number, number>();
    for (let i = 0; i < code.count; i++) indexOfPc.set(code.pc[i]!, i);
    const firstJsLine = new Map<number, number>();
    jsLinePc.forEach((pc, line) => {
      const index = indexOfPc.get(pc);
      if (pc >= 0 && index !== undefined && !firstJsLine.has(index)) firstJsLine.set(index, line);
    });
    loaded = { name, bytes, jsLinePc, firstJsLine, indexOfPc, pcOfIndex: Uint32Array.from(code.pc.subarray(0, code.count)) };

    const imports = blob.imports.map((s, i) => `  #${i} ${decoder.decode(s)}`);
    const exports = blob.exports.map((e) => `  @${e.pc} ${e.name}`);
    $('info').textContent = [
      `file:          ${name} (${bytes.length} bytes)`,
      `format:        ${blob.format}`,
      `isa:           ${isaName(blob.isa)} (${blob.is64Bit ? 64 : 32}-bit)`,
      `ro data:       ${blob.roDataSize} bytes`,
      `rw data:       ${blob.rwDataSize} bytes`,
      `stack:         ${blob.stackSize} bytes`,
      `code:          ${blob.code.length} bytes, ${code.count} instructions`,
      `jump table:    ${blob.jumpTable.length} entries`,
      `imports:       ${blob.imports.length}`,
      ...imports,
      `exports:       ${blob.exports.length}`,
      ...exports,
      `generated:     ${(compiled.code.length / 1e6).toFixed(2)} MB of JavaScript in ${compileMs.toFixed(0)} ms`,
    ].join('\n');
    disasm.show(disassemble(code).map((l) => l.replace(/^\s*\d+: /, '')), Array.from(code.pc.subarray(0, code.count), (pc) => String(pc)));
    js.show(jsLines, Array.from(jsLinePc, (pc, i) => (pc >= 0 ? `${i + 1} @${pc}` : String(i + 1))));
    $('disasm-count').textContent = `${code.count} instructions`;
    $('js-count').textContent = `${jsLines.length} lines; click one to see its instruction`;
    const select = $<HTMLSelectElement>('export');
    select.replaceChildren(...blob.exports.map((e) => new Option(e.name, e.name)));
    $<HTMLButtonElement>('run').disabled = blob.exports.length === 0;
    $('outcome').textContent = '';
    status(`${name}: ready`);
  } catch (e) {
    loaded = undefined;
    $('info').textContent = `cannot load ${name}: ${(e as Error).message}`;
    status('');
  }
}

function parseNumbers(text: string, what: string): bigint[] {
  return text
    .split(/[\s,]+/)
    .filter((t) => t !== '')
    .map((t) => {
      try {
        return BigInt(t);
      } catch {
        throw new Error(`${what}: '${t}' is not an integer (decimal or 0x-hex)`);
      }
    });
}

function run(): void {
  if (!loaded) return;
  const out = $('outcome');
  try {
    const exportToRun = $<HTMLSelectElement>('export').value;
    const args = parseNumbers($<HTMLInputElement>('args').value, 'arguments');
    const [gas] = parseNumbers($<HTMLInputElement>('gas').value, 'gas');
    if (gas === undefined || gas < 0n) throw new Error('gas: give a non-negative integer');
    const linker = new Linker();
    for (const answer of $<HTMLInputElement>('host').value.split(',').map((s) => s.trim()).filter(Boolean)) {
      const match = /^([^=]+)=(.+)$/.exec(answer);
      if (!match) throw new Error(`host calls: '${answer}' is not import=value`);
      const [value] = parseNumbers(match[2]!, `host call ${match[1]}`);
      linker.define(match[1]!.trim(), () => value!);
    }
    const backend = $<HTMLSelectElement>('backend').value as BackendName;
    const module = Module.fromBytes(loaded.bytes, { backend, gasMetering: 'sync' });
    const instance = linker.instantiate(module);
    instance.setGas(gas);
    const started = performance.now();
    const result = instance.call(exportToRun, ...args);
    const ms = performance.now() - started;
    const i = result.interrupt;
    const detail = i.kind === 'ecalli' ? ` (import #${i.index}: answer it under host calls)` : '';
    out.textContent = [
      `outcome:   ${i.kind}${detail}`,
      `gas used:  ${gas - instance.gas()}`,
      `time:      ${ms.toFixed(1)} ms on ${backend}`,
      ...REG_NAMES.map((name, r) => `${name.padEnd(4)}= ${instance.reg(r)}  (0x${instance.reg(r).toString(16)})`),
    ].join('\n');
  } catch (e) {
    out.textContent = `error: ${(e as Error).message}`;
  }
}

$('runner').addEventListener('submit', (event) => {
  event.preventDefault();
  run();
});
$<HTMLInputElement>('file').addEventListener('change', async (event) => {
  const file = (event.target as HTMLInputElement).files?.[0];
  if (file) await load(file.name, new Uint8Array(await file.arrayBuffer()));
});
document.body.addEventListener('dragover', (event) => {
  event.preventDefault();
  document.body.classList.add('dragging');
});
document.body.addEventListener('dragleave', () => document.body.classList.remove('dragging'));
document.body.addEventListener('drop', async (event) => {
  event.preventDefault();
  document.body.classList.remove('dragging');
  const file = event.dataTransfer?.files[0];
  if (file) await load(file.name, new Uint8Array(await file.arrayBuffer()));
});
// The wasm the source-map reader needs, copied beside the bundle by the build.
(SourceMapConsumer as unknown as { initialize(o: Record<string, string>): void }).initialize({ 'lib/mappings.wasm': new URL('./mappings.wasm', import.meta.url).href });
status('open or drop a .polkavm');
