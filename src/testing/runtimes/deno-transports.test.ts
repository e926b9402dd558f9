// Torsion's transports under Deno (the npm devDependency "deno"): see suite.ts.
import { foreignTransportSuite } from './suite.js';

foreignTransportSuite('deno');
