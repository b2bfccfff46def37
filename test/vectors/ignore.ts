// Cases that are known not to pass, each with the reason. An entry must name an existing case (a test
// checks it), so a fixed case cannot hide here. Empty is the goal: every count at its maximum.

export interface IgnoredCase {
  readonly suite: string;
  readonly name: string;
  /** Only on this backend; undefined = on every backend. */
  readonly backend?: string;
  readonly reason: string;
}

export const IGNORED: readonly IgnoredCase[] = [];

export function ignoredReason(suite: string, name: string, backend: string): string | undefined {
  return IGNORED.find((e) => e.suite === suite && e.name === name && (e.backend === undefined || e.backend === backend))?.reason;
}
