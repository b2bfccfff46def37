// Examples are executable documentation: each one runs here, so a broken example fails CI.
import { describe, expect, it } from 'vitest';
import { main as libraryMain } from '../examples/library.ts';

describe('examples', () => {
  it('examples/library.ts: linker call and hand-driven run loop', () => {
    const lines: string[] = [];
    expect(libraryMain((l) => lines.push(l))).toBe(103n);
    expect(lines[0]).toMatch(/^call: finished, add_numbers\(1, 2\) \+ 100 = 103, gas left \d+$/);
    expect(lines).toContain('  run() -> {"kind":"ecalli","index":0} at pc 3');
    expect(lines.at(-1)).toBe('by hand: a0 = 42, instructions 4');
  });
});
