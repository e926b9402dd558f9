// Torsion's transports under Bun (the npm devDependency "bun"): see suite.ts.
import { foreignTransportSuite } from './test-support/suite.js';

foreignTransportSuite('bun');
