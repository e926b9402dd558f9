/**
 * `torsion/irc`: the IRC protocol alone (RFC 1459/2812 with IRCv3 tags): the message layer, the line
 * receiver, `IRCClient` and its reconnecting factory. The IRC server is a front door of the chat service,
 * `torsion/words/irc`; importing this module loads no chat service, database or thread code. Browsers use
 * `browser.ts`, which leaves out what needs Node.
 * @module
 */
export * from './browser.js';
export { IRCClientFactory } from './client-factory.js';
