// The stream-transport conformance suite under Deno (the npm devDependency "deno"): see suite.ts.
import { foreignConformanceSuite } from './test-support/suite.js';

foreignConformanceSuite('deno');
