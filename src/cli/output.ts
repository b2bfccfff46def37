// Everything the command prints goes through here, synchronously, so a reader that goes away
// (`pvm2js disasm x | head -3`) is noticed at the write that failed (EPIPE) rather than as an
// unhandled 'error' event later, and a long trace never piles up in a stream's buffer.
import { writeSync } from 'node:fs';

/** The reader of stdout or stderr closed its end: the command stops and exits 0 (output was partial by the reader's choice). */
export class OutputClosed extends Error {
  override readonly name = 'OutputClosed';
}

const STDOUT = 1;
const STDERR = 2;

function writeAll(fd: number, data: string | Uint8Array): void {
  let bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  while (bytes.length > 0) {
    let n: number;
    try {
      n = writeSync(fd, bytes);
    } catch (e) {
      const code = (e as { code?: string }).code;
      // A non-blocking pipe that is full: wait for the reader rather than buffer without bound.
      if (code === 'EAGAIN') {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        continue;
      }
      if (code === 'EPIPE' || code === 'EBADF' || code === 'ECONNRESET') throw new OutputClosed(`output closed (${code})`);
      throw e;
    }
    bytes = bytes.subarray(n);
  }
}

// Whoever calls main() in-process and replaces a stream's write (a test capturing output, an embedder
// redirecting it) gets the output there instead of on the file descriptor.
const nativeStdoutWrite = process.stdout.write;
const nativeStderrWrite = process.stderr.write;

export function writeOut(data: string | Uint8Array): void {
  if (process.stdout.write !== nativeStdoutWrite) process.stdout.write(data);
  else writeAll(STDOUT, data);
}

export function writeErr(data: string | Uint8Array): void {
  if (process.stderr.write !== nativeStderrWrite) process.stderr.write(data);
  else writeAll(STDERR, data);
}

/** Collects lines and writes them in 64 KiB chunks: a trace of millions of lines costs few system calls and bounded memory. */
export class LineSink {
  private parts: string[] = [];
  private size = 0;
  private readonly write: (text: string) => void;
  constructor(write: (text: string) => void) {
    this.write = write;
  }

  line(text: string): void {
    this.parts.push(text, '\n');
    this.size += text.length + 1;
    if (this.size >= 1 << 16) this.flush();
  }

  flush(): void {
    if (this.size === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    this.write(text);
  }
}
