// Differential fuzzing in CI: a fixed seed, 2,000 generated programs (this file and
// differential-b.test.ts take half each), every one run on the interpreter and on compiled code in
// lockstep, comparing every interrupt, pc, register, gas and the touched memory. More programs:
// `npm run fuzz -- --count N --seed S`.
import { differentialSuite } from './fuzz/suite.ts';

differentialSuite(0, 1000);
