/** Bumped with every release; part of the module cache key so compiled code never outlives its compiler. */
export const VERSION = '0.1.0';
