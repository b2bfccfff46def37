// V8 settings under which generated code runs at a steady speed, for processes that run guest programs
// for long: the CLI applies them at start; a library user may call `tuneEngine()` once, early.
//
// What they fix (bench/README.md, "Steady warm speed"): V8 replaces a deoptimised function that is
// still running a loop by on-stack-replacement (OSR) code. A region function is such a loop, entered
// again and again, and once V8 has OSR code for it, it enters that code from every call and may never
// optimise the function itself again. OSR code receives the loop's values from the interpreter frame
// untyped and runs the region 1.6x slower; on pinky a third of processes ended up so (warm ~950 ms
// against ~580). Without OSR a deoptimised region runs unoptimised until its next call: at most 2^17
// instructions (backend.ts PERIOD_STEPS), then V8 optimises it the usual way.
//
// The flags are process-wide: they also apply to the embedder's own code (its long loops first run
// unoptimised until their function is called again), which is why the library does not set them itself.

/** The flags `tuneEngine` sets. */
export const ENGINE_FLAGS: readonly string[] = ['--no-use-osr'];

export interface EngineTuning {
  /** Whether the flags were set (false where the engine is not V8 under Node, or the host said no). */
  readonly applied: boolean;
  readonly flags: readonly string[];
  /** Why not, when not applied. */
  readonly reason?: string;
}

interface NodeProcess {
  readonly env?: Record<string, string | undefined>;
  getBuiltinModule?(id: string): unknown;
}

let tuned: EngineTuning | undefined;

/**
 * Sets ENGINE_FLAGS once per process (later calls return the first result). A no-op outside Node, and
 * when the environment variable PVM2JS_KEEP_V8_FLAGS is set (to compare, or to keep OSR for the
 * embedder's code).
 */
export function tuneEngine(): EngineTuning {
  if (tuned) return tuned;
  const proc = (globalThis as { process?: NodeProcess }).process;
  const v8 = proc?.getBuiltinModule?.('node:v8') as { setFlagsFromString?: (flags: string) => void } | undefined;
  if (!v8?.setFlagsFromString) tuned = { applied: false, flags: ENGINE_FLAGS, reason: 'not running on Node (no node:v8)' };
  else if (proc?.env?.PVM2JS_KEEP_V8_FLAGS) tuned = { applied: false, flags: ENGINE_FLAGS, reason: 'PVM2JS_KEEP_V8_FLAGS is set' };
  else {
    for (const flag of ENGINE_FLAGS) v8.setFlagsFromString(flag);
    tuned = { applied: true, flags: ENGINE_FLAGS };
  }
  return tuned;
}
