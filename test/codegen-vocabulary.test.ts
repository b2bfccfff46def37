// Generated code checked with a parser rather than trusted: every module generated for a few hundred
// fuzz programs is parsed with acorn, and its only leaves are number (and boolean) literals and
// identifiers from the code generator's fixed vocabulary. No string, template, regex or bigint
// literal, so no byte of a program can reach the code as text.
import * as acorn from 'acorn';
import { describe, expect, it } from 'vitest';
import { CODEGEN_IDENTIFIERS, CODEGEN_NUMBERED_IDENTIFIER } from '../src/codegen/region.ts';
import { compileRegionJs, compileToJs } from '../src/codegen/index.ts';
import { Module } from '../src/runtime/index.ts';
import { generateCase } from './fuzz/generator.ts';

const PROGRAMS = 300;

interface Leaves {
  identifiers: Set<string>;
  literals: Set<string>;
  nodeTypes: Set<string>;
}

function collect(node: unknown, into: Leaves): void {
  if (Array.isArray(node)) return node.forEach((n) => collect(n, into));
  if (node === null || typeof node !== 'object') return;
  const n = node as { type?: unknown } & Record<string, unknown>;
  if (typeof n.type !== 'string') return;
  into.nodeTypes.add(n.type);
  if (n.type === 'Identifier') into.identifiers.add(n.name as string);
  if (n.type === 'Literal') into.literals.add(n.regex ? 'regex' : n.bigint !== undefined ? 'bigint' : typeof n.value);
  for (const [key, value] of Object.entries(n)) if (key !== 'loc' && key !== 'start' && key !== 'end') collect(value, into);
}

const outside = (names: Iterable<string>) => [...names].filter((name) => !CODEGEN_IDENTIFIERS.has(name) && !CODEGEN_NUMBERED_IDENTIFIER.test(name));

describe('generated code, parsed with acorn', () => {
  it(`${PROGRAMS} fuzz programs: only number/boolean literals and identifiers from the codegen vocabulary`, () => {
    const all: Leaves = { identifiers: new Set(), literals: new Set(), nodeTypes: new Set() };
    for (let index = 0; index < PROGRAMS; index++) {
      const c = generateCase(11, index);
      const module = Module.fromBytes(c.blob, {
        backend: 'interpreter',
        pageSize: c.pageSize,
        auxDataSize: c.auxDataSize,
        dynamicPaging: c.dynamicPaging,
        ...(c.gasMetering ? { gasMetering: c.gasMetering } : {}),
      });
      const { code, program } = compileToJs(module.image);
      const leaves: Leaves = { identifiers: new Set(), literals: new Set(), nodeTypes: new Set() };
      collect(acorn.parse(code, { ecmaVersion: 2022, sourceType: 'script' }), leaves);
      // And the tiered backend's text for one region alone (its own link wrapper).
      collect(acorn.parse(compileRegionJs(module.image, program, index % 2 === 0 ? 0 : program.regionMembers.length - 1), { ecmaVersion: 2022, sourceType: 'script' }), leaves);
      const foreign = outside(leaves.identifiers);
      const literals = [...leaves.literals].filter((kind) => kind !== 'number' && kind !== 'boolean');
      if (foreign.length > 0 || literals.length > 0) expect({ program: index, foreign, literals }).toEqual({ program: index, foreign: [], literals: [] });
      for (const key of Object.keys(all) as (keyof Leaves)[]) for (const v of leaves[key]) all[key].add(v);
    }
    // The check saw real code: register and region names, helpers, numbers.
    expect(all.identifiers.has('r0') && all.identifiers.has('env') && all.literals.has('number')).toBe(true);
    for (const banned of ['TemplateLiteral', 'TaggedTemplateExpression', 'NewExpression', 'ImportExpression', 'WithStatement']) expect(all.nodeTypes.has(banned)).toBe(false);
  });

  it('the check rejects what it must: a string literal and a foreign identifier', () => {
    const leaves: Leaves = { identifiers: new Set(), literals: new Set(), nodeTypes: new Set() };
    collect(acorn.parse("(function link(env) { return eval('1') + globalThis; })", { ecmaVersion: 2022 }), leaves);
    expect(outside(leaves.identifiers)).toEqual(['eval', 'globalThis']);
    expect(leaves.literals).toEqual(new Set(['string']));
  });
});
