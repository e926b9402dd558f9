/**
 * The server's command table: every verb with whether it needs a login and its handler. A handler
 * answers at once, or returns a Deferred while it waits (reading stops until it fires); a thrown or failed
 * `FTPFileSystemError` becomes its reply code.
 * @module
 */
import type { Deferred } from '../../defer/index.js';
import { FILE_COMMANDS } from './commands-files.js';
import { SESSION_COMMANDS } from './commands-session.js';
import { TRANSFER_COMMANDS } from './commands-transfer.js';
import type { FTPServerProtocol } from './protocol.js';

/** One command's handling. */
export interface CommandHandler {
  /** True if it needs a logged-in user (`530` otherwise). */
  readonly login: boolean;
  run(p: FTPServerProtocol, argument: string): void | Deferred<unknown>;
}

/** Every verb the server answers, upper-case. */
export const COMMANDS: ReadonlyMap<string, CommandHandler> = new Map([...SESSION_COMMANDS, ...FILE_COMMANDS, ...TRANSFER_COMMANDS]);
