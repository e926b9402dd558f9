/**
 * The web front door of `torsion/words`: a live chat page (`torsion/live`) on the same service as the IRC
 * server, so a line typed in a browser reaches IRC users and the other way round.
 * @module
 */
export type * from './interfaces.js';
export { createWebChat, type CreateWebChatOptions } from './page.js';
export { WebChat } from './chat-element.js';
export { WebChatSession, toWebLine } from './session.js';
export { runCommand, HELP, NO_ROOM } from './commands.js';
export { CHAT_LIVE_LIMITS, resolveWebChatOptions, type WebChatOptions, type ResolvedWebChatOptions } from './options.js';
