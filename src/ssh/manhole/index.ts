/**
 * The manhole: a JavaScript REPL into a running application over a byte stream (an SSH session).
 * @module
 */
export { Manhole, ManholeFactory, type ManholeOptions } from './manhole.js';
