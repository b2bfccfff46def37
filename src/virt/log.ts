// The crate's logging: records go to a target named LOG_TARGET, as Rust's `log::warn!(target: ...)`
// does, through a logger the embedder chooses. The default writes to the console (browsers have one
// too); `setVirtLogger(null)` silences it.

/** sp-virtualization `LOG_TARGET`. */
export const LOG_TARGET = 'virtualization';

export type VirtLogLevel = 'warn' | 'info' | 'debug';

/** Where virt log records go: the level, the target (always LOG_TARGET) and the message. */
export type VirtLogger = (level: VirtLogLevel, target: string, message: string) => void;

/**
 * The one-time notice the host logs at its first compile: the crate marks the whole API unstable.
 * (Our wording of the crate's banner; the Rust text is not part of any API.)
 */
export const UNSTABLE_NOTICE =
  'sp-virtualization is UNSTABLE and not meant for production: its host functions, wire format and gas ' +
  'model may change in any release, and a runtime that uses it today may not run tomorrow.';

const consoleLogger: VirtLogger = (level, target, message) => {
  const line = `[${target}] ${message}`;
  if (level === 'warn') console.warn(line);
  else if (level === 'info') console.info(line);
  else console.debug(line);
};

let logger: VirtLogger | null = consoleLogger;
let noticeLogged = false;

/** Redirects virt log records to `next` (null silences them). Returns the logger it replaces. */
export function setVirtLogger(next: VirtLogger | null): VirtLogger | null {
  if (next !== null && typeof next !== 'function') throw new TypeError(`setVirtLogger needs a function or null, got ${typeof next}`);
  const previous = logger;
  logger = next;
  return previous;
}

export function virtLog(level: VirtLogLevel, message: string): void {
  logger?.(level, LOG_TARGET, message);
}

/** Logs UNSTABLE_NOTICE the first time any host compiles in this process (Rust: a `Once`). */
export function logUnstableNoticeOnce(): void {
  if (noticeLogged) return;
  noticeLogged = true;
  virtLog('warn', UNSTABLE_NOTICE);
}

/** For tests: the next compile logs the notice again. */
export function resetUnstableNotice(): void {
  noticeLogged = false;
}
