// The printer of generated code: the ESTree subset the NodeFactory (estree.ts) builds, written as
// ASCII bytes into one buffer, one statement per line, no indentation. astring printed the same
// trees before; its general machinery (a handler and a write call per node, precedence lookups by
// name) was 40% of doom's compile time, so this prints the dozen node kinds codegen makes directly,
// and the tests print every fuzz program with both and compare the parsed trees
// (test/codegen-print-astring.test.ts). A node kind outside the subset is a code generator bug and
// throws.
//
// Source map: a statement or switch case that starts a line reports its `loc.start` (the guest pc)
// at that line, column 0, through `onLine`; the sink keeps one mapping per line and origin, as it
// did with astring's mappings.

import type * as ES from 'estree';
import type { Printed } from './estree.ts';

/** Binding strength of each operator (higher binds tighter), as in the ECMAScript grammar. A switch:
 * operators are interned constants, compared by identity, where a keyed lookup hashed every time. */
function binaryPrecedence(operator: string): number {
  switch (operator) {
    case '||':
      return 4;
    case '&&':
      return 5;
    case '|':
      return 6;
    case '^':
      return 7;
    case '&':
      return 8;
    case '==':
    case '!=':
    case '===':
    case '!==':
      return 9;
    case '<':
    case '>':
    case '<=':
    case '>=':
      return 10;
    case '<<':
    case '>>':
    case '>>>':
      return 11;
    case '+':
    case '-':
      return 12;
    case '*':
    case '/':
    case '%':
      return 13;
    default:
      throw new Error(`code generator: cannot print the operator ${operator}`);
  }
}
const ASSIGNMENT = 2;
const CONDITIONAL = 3;
const UNARY = 15;
const CALL = 17;
const PRIMARY = 19;

function precedence(node: ES.Expression): number {
  switch (node.type) {
    case 'Identifier':
      return PRIMARY;
    case 'Literal':
      // A negative number prints with its minus: it binds like a unary expression.
      return typeof node.value === 'number' && (node.value < 0 || Object.is(node.value, -0)) ? UNARY : PRIMARY;
    case 'BinaryExpression':
    case 'LogicalExpression':
      return binaryPrecedence(node.operator);
    case 'AssignmentExpression':
      return ASSIGNMENT;
    case 'ConditionalExpression':
      return CONDITIONAL;
    case 'UnaryExpression':
      return UNARY;
    case 'CallExpression':
    case 'MemberExpression':
      return CALL;
    case 'ArrayExpression':
      return PRIMARY;
    case 'Printed':
      return precedence(node.expression);
    case 'Filled':
      return precedence(node.shape.expression);
    case 'Hole':
      return PRIMARY;
    default:
      throw new Error(`code generator: cannot print a ${node.type}`);
  }
}

const ASCII = new TextDecoder();

/** The ASCII digits of 00 to 99, two bytes each. */
const DIGIT_PAIRS = Uint8Array.from({ length: 200 }, (_, k) => 48 + (k & 1 ? (k >> 1) % 10 : ((k >> 1) / 10) | 0));

/** Called at the start of each printed line that begins a node with a location (1-based line). */
export type LineHook = (line: number, loc: ES.SourceLocation) => void;

export class TextWriter {
  private buffer: Uint8Array;
  /** `capacity`: the bytes to start with (the buffer doubles as needed). A whole program starts at
   * 1 MB; one region for the tiered backend at 64 KB (1 MB each, zeroed, cost swap-info's first
   * queries 40 ms of allocation and the garbage collector more). */
  constructor(capacity = 1 << 20) {
    this.buffer = new Uint8Array(capacity);
  }
  private length = 0;
  /** Lines completed since `take` (the current line is `line + 1`). */
  private line = 0;
  private onLine: LineHook | undefined;

  /** Prints the statements of `program` (each ends its line); `onLine` gets each line's origin. */
  program(program: ES.Program, onLine: LineHook | undefined): void {
    this.onLine = onLine;
    for (const statement of program.body) this.statement(statement as ES.Statement);
    this.onLine = undefined;
  }

  /** Forgets what was printed and not taken (a print that threw left it). */
  clear(): void {
    this.length = 0;
    this.line = 0;
  }

  /** Fixed text of the code generator, written as it is (its line ends counted). */
  text(piece: string): void {
    this.write(piece);
    for (let k = piece.indexOf('\n'); k >= 0; k = piece.indexOf('\n', k + 1)) this.line++;
  }

  /** Whether the text since the last `take` is empty or ends its last line. */
  endsLine(): boolean {
    return this.length === 0 || this.buffer[this.length - 1] === 10;
  }

  /** The text printed since the last call. */
  take(): string {
    // ASCII only (checked as it is written), so UTF-8 decoding is exact.
    const text = ASCII.decode(this.buffer.subarray(0, this.length));
    this.length = 0;
    this.line = 0;
    return text;
  }

  private write(piece: string): void {
    const n = piece.length;
    if (this.length + n > this.buffer.length) this.grow(n);
    const buffer = this.buffer;
    let at = this.length;
    for (let k = 0; k < n; k++) {
      const c = piece.charCodeAt(k);
      if (c > 0x7f) throw new Error(`code generator: non-ASCII character ${c} in generated code`);
      buffer[at++] = c;
    }
    this.length = at;
  }

  private byte(c: number): void {
    if (this.length === this.buffer.length) this.grow(1);
    this.buffer[this.length++] = c;
  }

  /** Makes room for `capacity` bytes in all, so a text of about that size never grows the buffer. */
  reserve(capacity: number): void {
    if (capacity > this.buffer.length) this.grow(capacity - this.length);
  }

  private grow(n: number): void {
    const larger = new Uint8Array(Math.max(2 * this.buffer.length, this.length + n));
    larger.set(this.buffer.subarray(0, this.length));
    this.buffer = larger;
  }

  /** A safe integer's decimal digits, written without making a string. */
  private integer(value: number): void {
    if (value < 0 || (value === 0 && 1 / value < 0)) {
      this.byte(45);
      value = -value;
    }
    if (value < 10) {
      this.byte(48 + value);
      return;
    }
    if (value <= 0x7fffffff) {
      // Int32 arithmetic and two digits per step: exit codes (7 digits) fill most memory accesses,
      // and a division per digit was ~6% of doom's compile time.
      const digits = value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5 : value < 1000000 ? 6 : value < 10000000 ? 7 : value < 100000000 ? 8 : value < 1000000000 ? 9 : 10;
      if (this.length + digits > this.buffer.length) this.grow(digits);
      const buffer = this.buffer;
      let at = this.length + digits;
      this.length = at;
      let v = value | 0;
      while (v >= 100) {
        const q = (v / 100) | 0;
        const pair = (v - q * 100) << 1;
        buffer[--at] = DIGIT_PAIRS[pair + 1]!;
        buffer[--at] = DIGIT_PAIRS[pair]!;
        v = q;
      }
      if (v >= 10) {
        buffer[--at] = DIGIT_PAIRS[(v << 1) + 1]!;
        buffer[--at] = DIGIT_PAIRS[v << 1]!;
      } else buffer[--at] = 48 + v;
      return;
    }
    let digits = 0;
    for (let v = value; v >= 1; v = Math.floor(v / 10)) digits++;
    if (this.length + digits > this.buffer.length) this.grow(digits);
    const buffer = this.buffer;
    let at = this.length + digits;
    this.length = at;
    for (let v = value; v >= 1; v = Math.floor(v / 10)) buffer[--at] = 48 + (v % 10);
  }

  /** The holes of the shape being recorded (offset, index pairs) and where its text starts. */
  private recording: number[] | undefined;
  private recordStart = 0;

  /** Prints a shared expression for the first time and keeps its text and where its holes are. */
  private record(node: Printed): void {
    const outer = this.recording;
    const outerStart = this.recordStart;
    const holes: number[] = [];
    this.recording = holes;
    this.recordStart = this.length;
    this.expression(node.expression, 0);
    node.bytes = this.buffer.slice(this.recordStart, this.length);
    node.holes = Int32Array.from(holes);
    this.recording = outer;
    this.recordStart = outerStart;
  }

  /** Writes `bytes[from, to)`, text this writer printed before (so ASCII). */
  private copy(bytes: Uint8Array, from: number, to: number): void {
    const n = to - from;
    if (this.length + n > this.buffer.length) this.grow(n);
    const buffer = this.buffer;
    let at = this.length;
    for (let k = from; k < to; k++) buffer[at++] = bytes[k]!;
    this.length = at;
  }

  private newline(): void {
    this.byte(10);
    this.line++;
  }

  /** A line starts with `node`: report its origin. */
  private mark(node: ES.Node): void {
    if (this.onLine !== undefined && node.loc) this.onLine(this.line + 1, node.loc);
  }

  private statement(node: ES.Statement): void {
    this.mark(node);
    this.inline(node);
    this.newline();
  }

  /** A statement without its final line end (an `if` branch may be followed by `else`). */
  private inline(node: ES.Statement): void {
    switch (node.type) {
      case 'ExpressionStatement':
        this.expression(node.expression, 0);
        this.byte(59);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        this.write(node.type === 'BreakStatement' ? 'break' : 'continue');
        if (node.label) {
          this.byte(32);
          this.write(node.label.name);
        }
        this.byte(59);
        return;
      case 'ReturnStatement':
        this.write('return');
        if (node.argument) {
          this.byte(32);
          this.expression(node.argument, 0);
        }
        this.byte(59);
        return;
      case 'ThrowStatement':
        this.write('throw ');
        this.expression(node.argument, 0);
        this.byte(59);
        return;
      case 'VariableDeclaration': {
        this.write(node.kind);
        this.byte(32);
        const declarations = node.declarations;
        for (let k = 0; k < declarations.length; k++) {
          if (k > 0) this.write(', ');
          const d = declarations[k]!;
          this.write((d.id as ES.Identifier).name);
          if (d.init) {
            this.write(' = ');
            this.expression(d.init, ASSIGNMENT);
          }
        }
        this.byte(59);
        return;
      }
      case 'IfStatement':
        this.write('if (');
        this.expression(node.test, 0);
        this.write(') ');
        this.inline(node.consequent);
        if (node.alternate) {
          this.write(' else ');
          this.inline(node.alternate);
        }
        return;
      case 'BlockStatement':
        this.byte(123);
        this.newline();
        for (const statement of node.body) this.statement(statement);
        this.byte(125);
        return;
      case 'LabeledStatement':
        this.write(node.label.name);
        this.write(': ');
        this.inline(node.body);
        return;
      case 'ForStatement':
        if (node.init || node.test || node.update) throw new Error('code generator: only for (;;) is printed');
        this.write('for (; ; ) ');
        this.inline(node.body);
        return;
      case 'SwitchStatement':
        this.write('switch (');
        this.expression(node.discriminant, 0);
        this.write(') {');
        this.newline();
        for (const c of node.cases) {
          this.mark(c);
          if (c.test) {
            this.write('case ');
            this.expression(c.test, 0);
            this.byte(58);
          } else this.write('default:');
          this.newline();
          for (const statement of c.consequent) this.statement(statement);
        }
        this.byte(125);
        return;
      case 'TryStatement':
        this.write('try ');
        this.inline(node.block);
        if (node.handler) {
          this.write(' catch (');
          this.write((node.handler.param as ES.Identifier).name);
          this.write(') ');
          this.inline(node.handler.body);
        }
        if (node.finalizer) {
          this.write(' finally ');
          this.inline(node.finalizer);
        }
        return;
      case 'FunctionDeclaration':
        this.write('function ');
        this.write(node.id!.name);
        this.params(node.params);
        this.byte(32);
        this.inline(node.body);
        return;
      default:
        throw new Error(`code generator: cannot print a ${node.type}`);
    }
  }

  private params(params: ES.Pattern[]): void {
    this.byte(40);
    for (let k = 0; k < params.length; k++) {
      if (k > 0) this.write(', ');
      this.write((params[k] as ES.Identifier).name);
    }
    this.byte(41);
  }

  /** Prints `node`, in parentheses when it binds more loosely than `context` needs. */
  private expression(node: ES.Expression, context: number): void {
    if (context > 0 && precedence(node) < context) {
      this.byte(40);
      this.expression(node, 0);
      this.byte(41);
      return;
    }
    switch (node.type) {
      case 'Identifier':
        this.write(node.name);
        return;
      case 'Literal':
        if (typeof node.value === 'number' && Number.isSafeInteger(node.value)) this.integer(node.value);
        else this.write(node.raw ?? String(node.value));
        return;
      case 'BinaryExpression':
      case 'LogicalExpression': {
        const p = binaryPrecedence(node.operator);
        // Left-associative: the right operand needs parentheses at equal precedence.
        this.expression(node.left as ES.Expression, p);
        this.byte(32);
        this.write(node.operator);
        this.byte(32);
        this.expression(node.right, p + 1);
        return;
      }
      case 'AssignmentExpression':
        this.expression(node.left as ES.Expression, CALL);
        this.byte(32);
        this.write(node.operator);
        this.byte(32);
        this.expression(node.right, ASSIGNMENT);
        return;
      case 'ConditionalExpression':
        this.expression(node.test, CONDITIONAL + 1);
        this.write(' ? ');
        this.expression(node.consequent, ASSIGNMENT);
        this.write(' : ');
        this.expression(node.alternate, ASSIGNMENT);
        return;
      case 'UnaryExpression': {
        this.write(node.operator);
        const argument = node.argument;
        // `- -5` and `- -x`, not the decrement `--`.
        if ((node.operator === '-' || node.operator === '+') && startsWithSign(argument)) this.byte(32);
        this.expression(argument, UNARY);
        return;
      }
      case 'CallExpression':
        this.expression(node.callee as ES.Expression, CALL);
        this.byte(40);
        for (let k = 0; k < node.arguments.length; k++) {
          if (k > 0) this.write(', ');
          this.expression(node.arguments[k] as ES.Expression, ASSIGNMENT);
        }
        this.byte(41);
        return;
      case 'MemberExpression':
        // A number literal as the object would need parentheses or a space (`5 .x`): never generated.
        this.expression(node.object as ES.Expression, node.object.type === 'Literal' ? PRIMARY + 1 : CALL);
        if (node.computed) {
          this.byte(91);
          this.expression(node.property as ES.Expression, 0);
          this.byte(93);
        } else {
          this.byte(46);
          this.write((node.property as ES.Identifier).name);
        }
        return;
      case 'Printed':
        if (node.bytes === undefined) this.record(node);
        else this.copy(node.bytes, 0, node.bytes.length);
        if (node.holes!.length > 0) throw new Error('code generator: a shape printed without the values of its holes');
        return;
      case 'Filled': {
        const shape = node.shape;
        if (shape.bytes === undefined) {
          const start = this.length;
          this.record(shape);
          this.length = start;
        }
        const bytes = shape.bytes!;
        const holes = shape.holes!;
        const values = node.values;
        let from = 0;
        for (let h = 0; h < holes.length; h += 2) {
          const at = holes[h]!;
          this.copy(bytes, from, at);
          const value = values[holes[h + 1]!]!;
          if (typeof value === 'string') this.write(value);
          else if (Number.isSafeInteger(value)) this.integer(value);
          else throw new Error(`code generator: cannot fill a hole with ${value}`);
          from = at;
        }
        this.copy(bytes, from, bytes.length);
        return;
      }
      case 'Hole':
        // A value prints as a leaf does only where a negative number needs no parentheses.
        if (this.recording === undefined || context > UNARY) throw new Error('code generator: a hole outside a shape or where its sign matters');
        this.recording.push(this.length - this.recordStart, node.index);
        return;
      case 'ArrayExpression':
        this.byte(91);
        for (let k = 0; k < node.elements.length; k++) {
          if (k > 0) this.write(', ');
          this.expression(node.elements[k] as ES.Expression, ASSIGNMENT);
        }
        this.byte(93);
        return;
      default:
        throw new Error(`code generator: cannot print a ${node.type}`);
    }
  }
}

/** Whether the printed `node` starts with `-` or `+`. */
function startsWithSign(node: ES.Expression): boolean {
  if (node.type === 'Printed') return startsWithSign(node.expression);
  if (node.type === 'Filled' || node.type === 'Hole') throw new Error('code generator: a shape under a unary operator');
  if (node.type === 'UnaryExpression') return node.operator === '-' || node.operator === '+';
  if (node.type === 'Literal') return typeof node.value === 'number' && (node.value < 0 || Object.is(node.value, -0));
  return false;
}
