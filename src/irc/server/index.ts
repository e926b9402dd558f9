/**
 * The IRC server: a front door of the `torsion/words` chat service.
 * @module
 */
export { IRCServerFactory } from './factory.js';
export { IRCServerProtocol, userPrefix, type RegistrationState } from './connection.js';
export { InputThrottle } from './throttle.js';
export { CAPABILITIES, isupportTokens } from './welcome.js';
export type { IRCServerOptions, FloodOptions, ResolvedServerOptions } from './options.js';
