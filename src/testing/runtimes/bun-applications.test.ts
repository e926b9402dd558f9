// HTTP, WebSockets, examples on dist/ and the CLI under Bun (the npm devDependency "bun"): see suite.ts.
// Needs `npm run build` first (npm run test:all does it).
import { foreignApplicationSuite } from './test-support/suite.js';

foreignApplicationSuite('bun');
