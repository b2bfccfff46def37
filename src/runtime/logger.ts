// Where the runtime tells the embedder about things that are not errors (a backend it could not use).
// An embedder silences or redirects them with `setLogger` or the module option `logger`.

export interface Logger {
  /** `target` names the part of pvm2js speaking, as Rust's log targets do (e.g. 'virtualization'). */
  warn(message: string, target?: string): void;
}

const consoleLogger: Logger = { warn: (message, target) => console.warn(`pvm2js${target ? ` [${target}]` : ''}: ${message}`) };
let current: Logger = consoleLogger;
/** What each logger has been told, so an embedder's own logger hears a notice once too. */
const told = new WeakMap<Logger, Set<string>>();

/** Replaces the runtime's logger (undefined: back to console.warn). `{ warn() {} }` silences it. */
export function setLogger(logger: Logger | undefined): void {
  current = logger ?? consoleLogger;
}

/** Tells `logger` (default: the runtime's) once per `key`. */
export function noticeOnce(key: string, message: string, logger: Logger = current, target?: string): void {
  let keys = told.get(logger);
  if (!keys) told.set(logger, (keys = new Set()));
  if (keys.has(key)) return;
  keys.add(key);
  if (target === undefined) logger.warn(message);
  else logger.warn(message, target);
}
