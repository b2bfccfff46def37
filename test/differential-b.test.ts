// The second half of the CI differential run (see differential.test.ts).
import { differentialSuite } from './fuzz/suite.ts';

differentialSuite(1000, 1000);
