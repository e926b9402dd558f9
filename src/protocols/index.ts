/**
 * `torsion/protocols`: reusable framings (lines, netstrings, length prefixes) and policies (idle timeouts,
 * wrapping, throttling, per-peer limits, port forwarding). Everything here but `FileSender` runs in a browser
 * too; `FileSender` lives in its own module (`file-sender.ts`, re-exported here) because it reads files.
 * @module
 */
export * from './browser.js';
export { FileSender, TransferStoppedError } from './file-sender.js';
