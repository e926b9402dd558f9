/**
 * `createWebChat`: the web front door of a words service, a `LivePage` to serve at `/` of a `Site`.
 * @module
 */
import { LivePage } from '../../live/index.js';
import type { LiveClock } from '../../live/index.js';
import { raw, tags, type Flattenable } from '../../template/index.js';
import type { Request } from '../../web/index.js';
import type { LiveDocumentParts } from '../../live/index.js';
import type { WordsService } from '../service.js';
import { WebChat } from './chat-element.js';
import { resolveWebChatOptions, type WebChatOptions } from './options.js';

/** The page's style: three columns (rooms, the open room, its people), the nick form centred. */
const STYLE = `
body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#222;background:#f6f6f4}
.torsion-chat{height:100vh;display:flex;flex-direction:column}
.login{max-width:24em;margin:10vh auto;padding:1.5em;background:#fff;border:1px solid #ddd;border-radius:6px;display:flex;flex-direction:column;gap:.7em}
.login[hidden]{display:none}
.login h1{margin:0;font-size:1.4em}
.login label{display:flex;flex-direction:column;gap:.2em}
.login .buttons{display:flex;gap:.5em}
.error{color:#b00;min-height:1.4em;margin:0}
.chat{flex:1;display:grid;grid-template-columns:12em 1fr 12em;min-height:0}
.chat[hidden]{display:none}
.chat aside{padding:.7em;background:#eceae4;overflow-y:auto}
.chat aside h2{font-size:.9em;text-transform:uppercase;color:#666;margin:.2em 0}
.chat aside ul{list-style:none;padding:0;margin:0 0 1em}
.rooms li button{border:0;background:none;padding:.2em .4em;cursor:pointer;font:inherit;width:100%;text-align:left}
.rooms li.current button{background:#fff;border-radius:4px;font-weight:600}
.rooms form{display:flex;gap:.3em}.rooms input{width:6em;flex:1}
main{display:flex;flex-direction:column;min-height:0;background:#fff}
main header{padding:.5em 1em;border-bottom:1px solid #ddd}
main header h2{margin:0;font-size:1.1em}.topic{margin:0;color:#555}
.logs{flex:1;min-height:0;position:relative}
.log{position:absolute;inset:0;overflow-y:auto;padding:.5em 1em}
.log[hidden]{display:none}
.message{padding:.1em 0;overflow-wrap:anywhere}
.message time{color:#999;font-size:.85em}
.message .nick{font-weight:600}.message .nick::before{content:'<'}.message .nick::after{content:'>'}
.message.action .nick::before{content:'* '}.message.action .nick::after{content:''}
.message.private .nick{color:#7a3}.message.notice .text{color:#a60}.message.history{opacity:.75}
.event{color:#777;font-size:.9em;padding:.1em 0}.event.error{color:#b00}
.say{display:flex;gap:.5em;padding:.5em 1em;border-top:1px solid #ddd}.say input{flex:1;font:inherit;padding:.3em}
`;

function chatDocument(parts: LiveDocumentParts): Flattenable {
  return tags.html(
    { lang: 'en' },
    tags.head(
      tags.meta({ charset: 'utf-8' }),
      tags.meta({ name: 'viewport', content: 'width=device-width, initial-scale=1' }),
      tags.title(parts.title),
      tags.style(raw(STYLE)),
      parts.head,
    ),
    tags.body(parts.body),
  );
}

/** The peer's address of the request that loaded the page, as the web user's host. */
function peerHost(request: Request | null): string {
  const peer = request?.getClientAddress() as { host?: unknown } | undefined;
  return typeof peer?.host === 'string' && peer.host !== '' ? peer.host : 'web';
}

/** Options of {@link createWebChat}: the chat's and the live page's. */
export interface CreateWebChatOptions extends WebChatOptions {
  /** Transports the page tries (WebSocket then long polling by default). */
  transports?: ('websocket' | 'polling')[];
  /** Time source of the live page (the reactor by default). */
  clock?: LiveClock;
}

/**
 * The chat page of `service`. Serve it as a site's root: `new Site(createWebChat(service))`.
 *
 * @example
 * const service = createWordsService();
 * await service.start();
 * reactor.listenTCP(8080, new Site(createWebChat(service)), { interface: '127.0.0.1' });
 */
export function createWebChat(service: WordsService, options: CreateWebChatOptions = {}): LivePage {
  const resolved = resolveWebChatOptions(options);
  return new LivePage({
    title: resolved.title,
    gracePeriod: resolved.gracePeriod,
    document: chatDocument,
    element: (request) => new WebChat(service, options, peerHost(request)),
    ...(options.transports ? { transports: options.transports } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}
