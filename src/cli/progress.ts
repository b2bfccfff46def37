// Progress for long work, on stderr: only when stderr is a terminal (a pipe or a file gets nothing) and
// only once the work has taken about a second, so short runs print exactly what they printed before.
import { writeErr } from './output.ts';

export interface ProgressOptions {
  /** The stream is a terminal; default: process.stderr.isTTY. */
  isTTY?: boolean;
  /** --quiet. */
  quiet?: boolean;
  /** Show nothing before this many milliseconds (default 1000). */
  delayMs?: number;
  /** Where lines go (default stderr); tests pass their own. */
  write?: (text: string) => void;
  now?: () => number;
}

/** PVM2JS_PROGRESS=always shows progress on a non-terminal stderr too (CI logs, tests); =never hides it everywhere. */
function forcedProgress(): boolean | undefined {
  const v = process.env.PVM2JS_PROGRESS;
  if (v === 'always') return true;
  if (v === 'never') return false;
  return undefined;
}

export class Progress {
  readonly enabled: boolean;
  private readonly start: number;
  private readonly delayMs: number;
  private readonly write: (text: string) => void;
  private readonly now: () => number;
  private shown = false;
  private lastDraw = 0;

  constructor(options: ProgressOptions = {}) {
    this.enabled = !options.quiet && (options.isTTY ?? forcedProgress() ?? process.stderr.isTTY === true);
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
    this.delayMs = options.delayMs ?? 1000;
    this.write = options.write ?? writeErr;
  }

  /** Redraws the status line (at most 10 times a second) once the delay has passed. */
  update(text: () => string): void {
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.start < this.delayMs || t - this.lastDraw < 100) return;
    this.lastDraw = t;
    this.shown = true;
    this.write(`\r\x1b[K${text()} (${((t - this.start) / 1000).toFixed(1)} s)`);
  }

  /** Clears the status line, so the result that follows starts on a clean line. */
  done(): void {
    if (this.shown) this.write('\r\x1b[K');
    this.shown = false;
  }

  elapsedMs(): number {
    return this.now() - this.start;
  }
}

/** 1234567 → "1,234,567". */
export const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');
