// Torsion's transports under Deno (the npm devDependency "deno"): see suite.ts.
import { foreignTransportSuite } from './test-support/suite.js';

foreignTransportSuite('deno');
