/**
 * `torsion/irc`: IRC (RFC 1459/2812 with IRCv3 tags): the message layer, `IRCClient` and its reconnecting
 * factory, and the IRC server. Browsers use `browser.ts`, which leaves out what needs Node.
 * @module
 */
export * from './browser.js';
export { IRCClientFactory } from './client-factory.js';
export * from './server/index.js';
