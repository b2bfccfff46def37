// Whether this JS context lets code be generated from strings (`new Function`). A page served with a
// Content-Security-Policy without 'unsafe-eval', or Node with --disallow-code-generation-from-strings,
// throws an EvalError there; the runtime then runs generated-code backends on the interpreter instead.

let allowed: boolean | undefined;

/** Asked once per context: the answer cannot change while it runs. */
export function codeGenerationAllowed(): boolean {
  if (allowed === undefined) {
    try {
      allowed = new Function('return 1')() === 1;
    } catch {
      allowed = false;
    }
  }
  return allowed;
}
