// Runs each variant of an experiment in its own Node process (so one variant's type feedback and
// deopts never colour another's) and prints million guest instructions per second. Time is the
// process's CPU time, best of the last 5 of 7 runs: the machine is shared, so wall time is noise.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface Variant {
  name: string;
  /** Returns the number of guest instructions executed; called several times, best time kept. */
  run(): number;
}

export function main(importMetaUrl: string, variants: Variant[], title: string): void {
  const which = process.argv[2];
  if (which !== undefined) {
    const v = variants.find((x) => x.name === which)!;
    let best = Infinity;
    let insns = 0;
    for (let i = 0; i < 7; i++) {
      const c0 = process.cpuUsage();
      insns = v.run();
      const c = process.cpuUsage(c0);
      const dt = (c.user + c.system) / 1000;
      if (i >= 2 && dt < best) best = dt;
    }
    process.stdout.write(JSON.stringify({ name: v.name, ms: best, mips: insns / best / 1000 }) + '\n');
    return;
  }
  console.log(`## ${title} (node ${process.version})`);
  const file = fileURLToPath(importMetaUrl);
  for (const v of variants) {
    const out = execFileSync(process.execPath, ['--import', 'tsx', file, v.name], { encoding: 'utf8' });
    const r = JSON.parse(out.trim().split('\n').pop()!) as { name: string; ms: number; mips: number };
    console.log(`| ${r.name.padEnd(40)} | ${r.ms.toFixed(1).padStart(8)} ms | ${r.mips.toFixed(0).padStart(6)} M insn/s |`);
  }
}
