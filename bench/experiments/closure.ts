// Registers as locals of the running function vs as variables of an enclosing function (V8 context
// slots): the ALU loop of regs64.ts on int32, with a gas charge per iteration.
import { main, type Variant } from './harness.ts';

const N = 100_000_000;
const DECL = `let a0 = 1, a1 = 3, a2 = 0, a3 = ${N}; let gas = 1e15;`;
const LOOP = 'for (;;) { gas -= 4; if (gas < 0) break; a0 = (a0 + a1) | 0; a1 = a1 ^ a0; a2 = (a2 + 1) | 0; if (!((a2 >>> 0) < (a3 >>> 0))) break; }';

const make = (name: string, source: string): Variant => {
  const fn = new Function(source)() as () => number;
  return { name, run: () => (fn(), 4 * N) };
};

main(
  import.meta.url,
  [
    make('locals', `return function () { ${DECL} ${LOOP} return a0; };`),
    make('closure (context) variables', `${DECL} return function () { a0 = 1; a1 = 3; a2 = 0; ${LOOP} return a0; };`),
  ],
  'registers as locals or closure variables',
);
