/** What went wrong in assembly text; stable strings, safe to switch on. */
export type AssemblyErrorKind =
  | 'syntax'
  | 'directive'
  | 'duplicate-label'
  | 'undefined-label'
  | 'undefined-import'
  | 'unsupported-instruction'
  | 'out-of-range'
  | 'no-isa';

/**
 * The one error the text assembler throws. `line` and `column` are 1-based positions in the input
 * text (column counts UTF-16 code units, as editors do); they are 0 only for errors about the whole
 * program (no ISA declared).
 */
export class AssemblyError extends Error {
  override readonly name = 'AssemblyError';
  readonly kind: AssemblyErrorKind;
  readonly line: number;
  readonly column: number;
  readonly detail: string;
  /** Lets the CLI print this as a one-line user error (src/cli/args.ts `formatError`). */
  readonly pvm2jsUserError = true;
  constructor(kind: AssemblyErrorKind, line: number, column: number, detail: string) {
    super(line > 0 ? `at line ${line}, column ${column}: ${detail}` : detail);
    this.kind = kind;
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

export type BuildErrorKind = 'unsupported-instruction' | 'bad-operand' | 'undefined-label' | 'duplicate-label' | 'target-out-of-range' | 'too-large';

/** Host misuse of the program builder or writer (a bad operand, an unknown label); never a guest outcome. */
export class ProgramBuildError extends Error {
  override readonly name = 'ProgramBuildError';
  readonly kind: BuildErrorKind;
  readonly detail: string;
  constructor(kind: BuildErrorKind, detail: string) {
    super(`failed to build a program: ${detail}`);
    this.kind = kind;
    this.detail = detail;
  }
}
