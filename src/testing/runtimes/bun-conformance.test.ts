// The stream-transport conformance suite under Bun (the npm devDependency "bun"): see suite.ts.
import { foreignConformanceSuite } from './test-support/suite.js';

foreignConformanceSuite('bun');
