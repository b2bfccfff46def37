// tuneEngine (runtime/engine.ts): in a fresh Node process it sets its V8 flags once and says so; with
// PVM2JS_KEEP_V8_FLAGS it leaves V8 alone. Child processes, because V8
// flags are process-wide.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const probe = `
import { tuneEngine } from './src/index.ts';
const first = tuneEngine();
const second = tuneEngine();
// With OSR off, a loop in a function called once never runs optimised code inside that call.
const status = new Function('f', 'return %GetOptimizationStatus(f)');
let topmostOptimised = false;
function spin() { let x = 0; for (let i = 0; i < 3e7; i++) { x = (x + i) | 0; if ((i & 0xfffff) === 0 && status(spin) & (1 << 12)) topmostOptimised = true; } return x; }
spin();
console.log(JSON.stringify({ first, same: first === second, topmostOptimised }));
`;

function runProbe(env: Record<string, string>): { first: { applied: boolean; flags: string[]; reason?: string }; same: boolean; topmostOptimised: boolean } {
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '-e', probe], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(out.trim().split('\n').at(-1)!);
}

describe('tuneEngine', () => {
  it('sets --no-use-osr once: a long loop in a single call then stays unoptimised', () => {
    const { PVM2JS_KEEP_V8_FLAGS: _, ...env } = process.env;
    void _;
    const result = runProbe(env as Record<string, string>);
    expect(result.first).toEqual({ applied: true, flags: ['--no-use-osr'] });
    expect(result.same).toBe(true);
    expect(result.topmostOptimised).toBe(false);
  });

  it('PVM2JS_KEEP_V8_FLAGS leaves V8 as it is: the same loop gets OSR code', () => {
    const result = runProbe({ PVM2JS_KEEP_V8_FLAGS: '1' });
    expect(result.first).toMatchObject({ applied: false, reason: 'PVM2JS_KEEP_V8_FLAGS is set' });
    expect(result.topmostOptimised).toBe(true);
  });
});
