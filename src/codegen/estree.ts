// The one node factory for generated code. Every node it makes carries `loc`, so the printer's source
// map comes for free: the "original" position of a node is the guest instruction it implements,
// as line = pc + 1 (source-map lines start at 1), column 0, in a source named after the blob.
//
// Safety: the only leaves are numbers and identifiers from the fixed vocabulary of the code
// generator (never text taken from a blob), so no byte of a program can become code.

import type * as ES from 'estree';

declare module 'estree' {
  interface ExpressionMap {
    Printed: Printed;
    Hole: Hole;
    Filled: Filled;
  }
}

/**
 * An expression that is the same wherever it occurs (`st.getInt32(t, true)`, a bounds test), made once
 * per factory and shared by every occurrence (`NodeFactory.shared`); the printer prints it once and
 * copies its bytes after that. Memory accesses are ~40% of doom's instructions and more than half of
 * its text, and these were most of their nodes. Not an ESTree node: only the code generator's printer
 * knows it.
 */
export interface Printed extends ES.BaseExpression {
  type: 'Printed';
  readonly expression: ES.Expression;
  /** Its text, once printed (without the values of its holes). */
  bytes: Uint8Array | undefined;
  /** Where its holes are in `bytes`, in printed order: pairs of (offset, hole index). */
  holes: Int32Array | undefined;
}

/**
 * A place in a shared expression (a shape) that each occurrence fills with a value of its own
 * (`Filled`): a register or an integer. The printer writes values where a leaf would print the
 * same way whatever the value (never where a negative number would need parentheses or a space).
 */
export interface Hole extends ES.BaseExpression {
  type: 'Hole';
  readonly index: number;
}

/** A shape (a shared expression with holes) with the values of its holes: an identifier's name
 * or a safe integer each. Two nodes where the expression was a dozen. */
export interface Filled extends ES.BaseExpression {
  type: 'Filled';
  readonly shape: Printed;
  readonly values: readonly (string | number)[];
}

export type HoleValue = string | number;

export type Expr = ES.Expression;
export type Stmt = ES.Statement;

/** Whether `statement` can stand as an `if` branch without a block around it. */
function bareable(statement: Stmt, isElse: boolean): boolean {
  switch (statement.type) {
    case 'ExpressionStatement':
    case 'BreakStatement':
    case 'ContinueStatement':
    case 'ReturnStatement':
      return true;
    case 'IfStatement':
      return isElse;
    default:
      return false;
  }
}

/** Number literals from 0 up to this are shared nodes (with `shareLeaves`). */
const SHARED_NUMBERS = 4096;

/** Where the nodes being built come from: set once per instruction by the emitter. */
export class NodeFactory {
  private loc: ES.SourceLocation;
  readonly source: string;

  /** Identifier and small number nodes, shared with `shareLeaves` (the code generator always asks:
   * its printer reads the locations of statements and switch cases only, and a leaf never starts a
   * line, so a shared leaf's location is never read): most nodes are leaves, and each was garbage. */
  private readonly sharedIds: Map<string, ES.Identifier> | undefined;
  private readonly sharedNums: (Expr | undefined)[] | undefined;
  private readonly printed = new Map<string, Printed>();

  /** Whether `at` moves the location: only a source map reads locations. */
  private readonly locations: boolean;

  constructor(source: string, options: { readonly shareLeaves?: boolean; readonly locations?: boolean } = {}) {
    this.source = source;
    this.locations = options.locations ?? true;
    this.loc = { source, start: { line: 1, column: 0 }, end: { line: 1, column: 0 } };
    if (options.shareLeaves) {
      this.sharedIds = new Map();
      this.sharedNums = [];
    }
  }

  /** Nodes made from now on map to guest `pc`. */
  at(pc: number): void {
    if (!this.locations) return;
    const p = { line: pc + 1, column: 0 };
    this.loc = { source: this.source, start: p, end: p };
  }

  id(name: string): ES.Identifier {
    const shared = this.sharedIds;
    if (shared === undefined) return { type: 'Identifier', name, loc: this.loc };
    let node = shared.get(name);
    if (node === undefined) shared.set(name, (node = { type: 'Identifier', name, loc: this.loc }));
    return node;
  }

  /** A number literal. A negative one is one node printed as `-5` rather than a unary minus over a
   * literal: exit codes and address offsets are mostly negative, and every node costs compile time.
   * `unary` keeps `- -5` from printing as `--5`; generated code uses no `**`. */
  num(value: number): Expr {
    if (!Number.isFinite(value)) throw new Error(`code generator: non-finite literal ${value}`);
    if (Object.is(value, -0)) return this.unary('-', this.num(0));
    // No `raw`: the printer writes the digits itself, and a string per literal was garbage.
    const shared = this.sharedNums;
    if (shared !== undefined && value >= 0 && value < SHARED_NUMBERS && Number.isInteger(value)) return (shared[value] ??= { type: 'Literal', value, loc: this.loc });
    return { type: 'Literal', value, loc: this.loc };
  }

  /** The shared expression made for `key` (a name for all of its text), if any (`share`). */
  shared(key: string): Expr | undefined {
    return this.printed.get(key);
  }

  /** Shares `expression` as `key` from now on: the printer prints it once. Its nodes keep the
   * location of this occurrence, and the printer never reads the location of an expression. */
  share(key: string, expression: Expr): Printed {
    const node: Printed = { type: 'Printed', expression, bytes: undefined, holes: undefined, loc: this.loc };
    this.printed.set(key, node);
    return node;
  }

  /** The hole `index` of a shape (`share`, `fill`). */
  hole(index: number): Expr {
    return (this.holes[index] ??= { type: 'Hole', index, loc: this.loc });
  }
  private readonly holes: Hole[] = [];

  /** The shared expression `shape` (made with `share`, holes from `hole`) with `values` in its holes. */
  fill(shape: Expr, values: HoleValue[]): Expr {
    return { type: 'Filled', shape: shape as Printed, values, loc: this.loc };
  }

  bool(value: boolean): Expr {
    return { type: 'Literal', value, raw: String(value), loc: this.loc };
  }

  unary(operator: ES.UnaryOperator, argument: Expr): Expr {
    if ((operator === '-' || operator === '+') && argument.type === 'Literal' && typeof argument.value === 'number' && argument.value < 0)
      argument = { type: 'UnaryExpression', operator: '-', prefix: true, argument: this.num(-argument.value), loc: this.loc };
    return { type: 'UnaryExpression', operator, prefix: true, argument, loc: this.loc };
  }

  bin(operator: ES.BinaryOperator, left: Expr, right: Expr): Expr {
    return { type: 'BinaryExpression', operator, left, right, loc: this.loc };
  }

  logical(operator: ES.LogicalOperator, left: Expr, right: Expr): Expr {
    return { type: 'LogicalExpression', operator, left, right, loc: this.loc };
  }

  cond(test: Expr, consequent: Expr, alternate: Expr): Expr {
    return { type: 'ConditionalExpression', test, consequent, alternate, loc: this.loc };
  }

  assign(target: string | ES.Identifier | ES.MemberExpression, value: Expr, operator: ES.AssignmentOperator = '='): Expr {
    const left = typeof target === 'string' ? this.id(target) : target;
    return { type: 'AssignmentExpression', operator, left, right: value, loc: this.loc };
  }

  member(object: Expr, property: string): ES.MemberExpression {
    return { type: 'MemberExpression', object, property: this.id(property), computed: false, optional: false, loc: this.loc };
  }

  index(object: Expr, property: Expr): ES.MemberExpression {
    return { type: 'MemberExpression', object, property, computed: true, optional: false, loc: this.loc };
  }

  call(callee: Expr, args: Expr[]): Expr {
    return { type: 'CallExpression', callee, arguments: args, optional: false, loc: this.loc };
  }

  /** `object.method(args)` */
  method(object: string, name: string, args: Expr[]): Expr {
    return this.call(this.member(this.id(object), name), args);
  }

  expr(expression: Expr): Stmt {
    return { type: 'ExpressionStatement', expression, loc: this.loc };
  }

  /** `name = value;` */
  set(name: string, value: Expr, operator: ES.AssignmentOperator = '='): Stmt {
    return this.expr(this.assign(name, value, operator));
  }

  let(declarations: [string, Expr | null][]): Stmt {
    return {
      type: 'VariableDeclaration',
      kind: 'let',
      declarations: declarations.map(([name, init]) => ({ type: 'VariableDeclarator', id: this.id(name), init, loc: this.loc })),
      loc: this.loc,
    };
  }

  const(name: string, init: Expr): Stmt {
    return {
      type: 'VariableDeclaration',
      kind: 'const',
      declarations: [{ type: 'VariableDeclarator', id: this.id(name), init, loc: this.loc }],
      loc: this.loc,
    };
  }

  /** Branches of one statement go without braces (`if (a) x = 1; else if (b) {…}`): fewer nodes and
   * lines to print. A consequent that is itself an `if` keeps its braces so an `else` cannot attach
   * to it, and declarations keep theirs (a lone `let` is not a statement). */
  if(test: Expr, consequent: Stmt[], alternate?: Stmt[]): Stmt {
    return {
      type: 'IfStatement',
      test,
      consequent: consequent.length === 1 && bareable(consequent[0]!, false) ? consequent[0]! : this.block(consequent),
      alternate: alternate ? (alternate.length === 1 && bareable(alternate[0]!, true) ? alternate[0]! : this.block(alternate)) : null,
      loc: this.loc,
    };
  }

  block(body: Stmt[]): ES.BlockStatement {
    return { type: 'BlockStatement', body, loc: this.loc };
  }

  return(argument: Expr | null): Stmt {
    return { type: 'ReturnStatement', argument, loc: this.loc };
  }

  continue(label?: string): Stmt {
    if (!this.locations && label !== undefined) {
      let node = this.continues.get(label);
      if (node === undefined) this.continues.set(label, (node = { type: 'ContinueStatement', label: this.id(label), loc: this.loc }));
      return node;
    }
    return { type: 'ContinueStatement', label: label ? this.id(label) : null, loc: this.loc };
  }

  break(label?: string): Stmt {
    if (!this.locations && label !== undefined) {
      let node = this.breaks.get(label);
      if (node === undefined) this.breaks.set(label, (node = { type: 'BreakStatement', label: this.id(label), loc: this.loc }));
      return node;
    }
    return { type: 'BreakStatement', label: label ? this.id(label) : null, loc: this.loc };
  }

  /** Without locations a statement is the same wherever it stands: `break L` and `continue L` (in
   * every exit and transfer) are one node each, by label. */
  private readonly breaks = new Map<string, Stmt>();
  private readonly continues = new Map<string, Stmt>();

  switchCase(test: Expr | null, consequent: Stmt[]): ES.SwitchCase {
    return { type: 'SwitchCase', test, consequent, loc: this.loc };
  }

  switch(discriminant: Expr, cases: ES.SwitchCase[]): Stmt {
    return { type: 'SwitchStatement', discriminant, cases, loc: this.loc };
  }

  throw(argument: Expr): Stmt {
    return { type: 'ThrowStatement', argument, loc: this.loc };
  }

  /** `try { block } catch (param) { handler }` */
  try(block: Stmt[], param: string, handler: Stmt[]): Stmt {
    return { type: 'TryStatement', block: this.block(block), handler: { type: 'CatchClause', param: this.id(param), body: this.block(handler), loc: this.loc }, finalizer: null, loc: this.loc };
  }

  /** `label: { body }`: a `break label` inside goes to what follows. */
  labeled(label: string, body: Stmt[]): Stmt {
    return { type: 'LabeledStatement', label: this.id(label), body: this.block(body), loc: this.loc };
  }

  /** `label: for (;;) body` */
  loop(label: string, body: Stmt[]): Stmt {
    const forever: ES.ForStatement = { type: 'ForStatement', init: null, test: null, update: null, body: this.block(body), loc: this.loc };
    return { type: 'LabeledStatement', label: this.id(label), body: forever, loc: this.loc };
  }

  func(name: string, params: string[], body: Stmt[]): ES.FunctionDeclaration {
    return {
      type: 'FunctionDeclaration',
      id: this.id(name),
      params: params.map((p) => this.id(p)),
      body: this.block(body),
      generator: false,
      async: false,
      loc: this.loc,
    };
  }

  funcExpr(name: string, params: string[], body: Stmt[]): Expr {
    return {
      type: 'FunctionExpression',
      id: this.id(name),
      params: params.map((p) => this.id(p)),
      body: this.block(body),
      generator: false,
      async: false,
      loc: this.loc,
    };
  }

  array(elements: Expr[]): Expr {
    return { type: 'ArrayExpression', elements, loc: this.loc };
  }

  object(properties: [string, Expr][]): Expr {
    return {
      type: 'ObjectExpression',
      properties: properties.map(([key, value]) => ({
        type: 'Property',
        key: this.id(key),
        value,
        kind: 'init',
        method: false,
        shorthand: false,
        computed: false,
        loc: this.loc,
      })),
      loc: this.loc,
    };
  }

  program(body: Stmt[]): ES.Program {
    return { type: 'Program', sourceType: 'script', body, loc: this.loc };
  }
}
