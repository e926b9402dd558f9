/**
 * `torsion/words/irc`: the IRC server, a front door of the `torsion/words` chat service (as in Twisted
 * Words). It speaks the protocol of `torsion/irc` and maps it to and from the service's neutral model.
 * @module
 */
export { IRCServerFactory } from './factory.js';
export { IRCServerProtocol, userPrefix, type RegistrationState } from './connection.js';
export { InputThrottle } from './throttle.js';
export { CAPABILITIES, isupportTokens } from './welcome.js';
export type { IRCServerOptions, FloodOptions, ResolvedServerOptions } from './options.js';
export { IRC_SERVER_LIMITS } from './options.js';
export { MAX_MODE_ARGS, MAX_WHOWAS_REPLIES } from './limits.js';
