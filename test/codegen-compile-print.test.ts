// The printer behind compileToJs (emit-text.ts): one ASCII buffer, line-aligned pieces, and a refusal of
// any character outside ASCII (generated code is numbers and a fixed vocabulary only).
import { describe, expect, it } from 'vitest';
import { NodeFactory } from '../src/codegen/estree.ts';
import { Printer } from '../src/codegen/print.ts';

describe('printer', () => {
  const f = new NodeFactory('p.polkavm');
  const cases: { name: string; build: () => Parameters<NodeFactory['program']>[0]; text: string }[] = [
    { name: 'negative literals and unary minus', build: () => [f.set('x', f.bin('-', f.id('a'), f.num(-5))), f.set('y', f.unary('-', f.num(-7)))], text: 'x = a - -5;\ny = - -7;\n' },
    { name: 'if without braces, else-if', build: () => [f.if(f.id('a'), [f.set('x', f.num(1))], [f.if(f.id('b'), [f.set('x', f.num(2)), f.break('L')])])], text: 'if (a) x = 1; else if (b) {\nx = 2;\nbreak L;\n}\n' },
    { name: 'an if inside an if keeps its braces', build: () => [f.if(f.id('a'), [f.if(f.id('b'), [f.set('x', f.num(1))])], [f.set('x', f.num(2))])], text: 'if (a) {\nif (b) x = 1;\n} else x = 2;\n' },
  ];
  for (const c of cases)
    it(c.name, () => {
      const out = new Printer(undefined);
      out.print(f.program(c.build()));
      expect(out.code()).toBe(c.text);
      // The printed text is JavaScript.
      expect(() => new Function('a', 'b', `let x, y; L: { ${out.code()} }`)).not.toThrow();
    });

  it('refuses a character outside ASCII', () => {
    const out = new Printer(undefined);
    expect(() => out.print(f.program([f.expr(f.id('caf\u00e9'))]))).toThrow(/non-ASCII/);
  });
});
