// HTTP, WebSockets, examples on dist/ and the CLI under Deno (the npm devDependency "deno"): see suite.ts.
// Needs `npm run build` first (npm run test:all does it).
import { foreignApplicationSuite } from './test-support/suite.js';

foreignApplicationSuite('deno');
