/**
 * `torsion/protocols`: reusable framings (lines, netstrings, length prefixes) and policies (idle timeouts,
 * wrapping, throttling, per-peer limits, port forwarding). Everything here but `FileSender` runs in a browser
 * too; `FileSender` lives in its own module (`file-sender.ts`, re-exported here) because it reads files.
 * @module
 */
// Under Node the Node reactor is the environment's: loading it installs it as the timeouts' and throttles' default.
import '../internet/reactor.js';

export * from './browser.js';
export { FileSender, TransferStoppedError } from './file-sender.js';
