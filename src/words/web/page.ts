/**
 * `createWebChat`: the web front door of a words service, a `LivePage` to serve at `/` of a `Site`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { LivePage } from '../../live/index.js';
import type { LiveLimits, RemotePolling } from '../../live/index.js';
import type { IReactorTime } from '../../time/interfaces.js';
import { Element, Tag, raw, tags, type Flattenable } from '../../template/index.js';
import { Resource, type Request } from '../../web/index.js';
import type { LiveDocumentParts } from '../../live/index.js';
import type { WordsService } from '../service.js';
import { WebChat } from './chat-element.js';
import { CHAT_LIVE_LIMITS, resolveWebChatOptions, type WebChatOptions } from './options.js';

/**
 * The page's style: three columns (rooms, the open room, its people) on a wide screen; on a narrow one
 * (a phone) one column — the rooms and the people as short strips above the open room, whose Send button
 * stays on screen. The nick form is centred and never wider than the screen.
 */
const STYLE = `
*,*::before,*::after{box-sizing:border-box}
body{margin:0;font:15px/1.4 system-ui,sans-serif;color:#222;background:#f6f6f4}
.torsion-chat{height:100vh;height:100dvh;display:flex;flex-direction:column}
.login{width:calc(100% - 2em);max-width:24em;margin:10vh auto;padding:1.5em;background:#fff;border:1px solid #ddd;border-radius:6px;display:flex;flex-direction:column;gap:.7em}
.login[hidden]{display:none}
.login h1{margin:0;font-size:1.4em}
.login label{display:flex;flex-direction:column;gap:.2em}
.login input{font:inherit;padding:.3em;min-width:0}
.login .buttons{display:flex;flex-wrap:wrap;gap:.5em}
.error{color:#b00;min-height:1.4em;margin:0}
.chat{flex:1;display:grid;grid-template:"rooms main members" minmax(0,1fr)/12em minmax(0,1fr) 12em;min-height:0}
.chat[hidden]{display:none}
.chat aside{padding:.7em;background:#eceae4;overflow-y:auto;min-width:0}
.chat aside.rooms{grid-area:rooms}.chat aside.members{grid-area:members}
.chat aside h2{font-size:.9em;text-transform:uppercase;color:#666;margin:.2em 0}
.chat aside ul{list-style:none;padding:0;margin:0 0 1em}
.members li{overflow-wrap:anywhere}
.rooms li button{border:0;background:none;padding:.2em .4em;cursor:pointer;font:inherit;width:100%;text-align:left;overflow-wrap:anywhere}
.rooms li.current button{background:#fff;border-radius:4px;font-weight:600}
.rooms form{display:flex;gap:.3em}.rooms input{width:6em;flex:1;min-width:0}
main{grid-area:main;display:flex;flex-direction:column;min-height:0;min-width:0;background:#fff}
main header{padding:.5em 1em;border-bottom:1px solid #ddd;overflow-wrap:anywhere}
main header h2{margin:0;font-size:1.1em}.topic{margin:0;color:#555}
.logs{flex:1;min-height:0;position:relative}
.log{position:absolute;inset:0;overflow-y:auto;padding:.5em 1em}
.log[hidden]{display:none}
.nowhere .hint{color:#555;margin:.5em 0}
.message{padding:.1em 0;overflow-wrap:anywhere}
.message time{color:#999;font-size:.85em}
.message .nick{font-weight:600}.message .nick::before{content:'<'}.message .nick::after{content:'>'}
.message.action .nick::before{content:'* '}.message.action .nick::after{content:''}
.message.private .nick{color:#7a3}.message.notice .text{color:#a60}.message.history{opacity:.75}
.event{color:#777;font-size:.9em;padding:.1em 0;overflow-wrap:anywhere}.event.error{color:#b00}
.say{display:flex;gap:.5em;padding:.5em 1em;border-top:1px solid #ddd}
.say input{flex:1;min-width:0;font:inherit;padding:.3em}.say button{flex:none}
@media (max-width:40em){
  .chat{grid-template:"rooms" auto "members" auto "main" minmax(0,1fr)/minmax(0,1fr)}
  .chat aside{padding:.3em .6em;display:flex;flex-wrap:wrap;align-items:center;gap:.2em .6em;overflow:visible}
  .chat aside h2{display:none}
  .chat aside ul{display:flex;gap:.2em .6em;margin:0;flex:1 1 auto;min-width:0}
  .rooms ul{overflow-x:auto}
  .rooms li button{width:auto;white-space:nowrap}
  .rooms form{flex:1 1 10em}.rooms .me{margin:0;font-size:.85em}
  .members{border-top:1px solid #ddd;font-size:.85em}
  .members ul{flex-wrap:wrap;max-height:2.9em;overflow-y:auto}
  .members ul::before{content:'People:';color:#666}
  main header,.say{padding:.4em .6em}.log{padding:.4em .6em}
  .say input,.rooms input,.login input{font-size:16px}
}
`;

/** The chat's icon: a speech bubble, served as `favicon.svg` next to the page. */
const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#2b7a4b"/>' +
  '<path d="M8 8h16a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3H15l-6 5v-5H8a3 3 0 0 1-3-3v-8a3 3 0 0 1 3-3z" fill="#fff"/></svg>';

/** Seconds browsers may keep the icon. */
const FAVICON_MAX_AGE = 86_400;

/** Serves {@link FAVICON}. */
class FaviconResource extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string {
    request.setHeader('Content-Type', 'image/svg+xml');
    request.setHeader('Cache-Control', `max-age=${FAVICON_MAX_AGE}`);
    request.setHeader('X-Content-Type-Options', 'nosniff');
    return FAVICON;
  }
}

/**
 * The policy of the chat page: scripts and styles only from the page's origin or inline with this
 * response's nonce (the live page boots from an inline import map and module script), connections only to
 * the page's origin (its WebSocket and polling endpoints), and no framing by any page (clickjacking).
 */
export function chatPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Gives every `<script>` and `<style>` in `node` the nonce (the live head's tags are made afresh per page). */
function addNonce(node: Flattenable, nonce: string): void {
  if (node instanceof Tag) {
    if (node.tagName === 'script' || node.tagName === 'style') node.attributes.nonce = nonce;
    for (const child of node.children) addNonce(child, nonce);
  } else if (Array.isArray(node)) {
    for (const child of node as Flattenable[]) addNonce(child, nonce);
  }
}

/** The URL path of the page `request` loaded, ending in `/`, so the icon is found wherever the page is mounted. */
function pageDirectory(request: Request | null): string {
  if (request === null) return '';
  const segments = request.prepath.slice();
  while (segments.length > 0 && segments[segments.length - 1] === '') segments.pop();
  return `/${segments.map(encodeURIComponent).join('/')}${segments.length > 0 ? '/' : ''}`;
}

/** The chat's HTML document; rendering it also sets the response's security headers, nonce included. */
class ChatDocument extends Element {
  constructor(readonly parts: LiveDocumentParts) {
    super();
  }

  override render(request: Request | null): Flattenable {
    const nonce = randomBytes(16).toString('base64');
    if (request !== null) {
      request.setHeader('Content-Security-Policy', chatPolicy(nonce));
      request.setHeader('X-Frame-Options', 'DENY');
      request.setHeader('X-Content-Type-Options', 'nosniff');
      request.setHeader('Referrer-Policy', 'same-origin');
    }
    const style = tags.style(raw(STYLE));
    addNonce([this.parts.head, style], nonce);
    return tags.html(
      { lang: 'en' },
      tags.head(
        tags.meta({ charset: 'utf-8' }),
        tags.meta({ name: 'viewport', content: 'width=device-width, initial-scale=1' }),
        tags.title(this.parts.title),
        tags.link({ rel: 'icon', type: 'image/svg+xml', href: `${pageDirectory(request)}favicon.svg` }),
        style,
        this.parts.head,
      ),
      tags.body(this.parts.body),
    );
  }
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
  clock?: IReactorTime;
  /**
   * The live page's limits (byte budgets, stalled connections, page admission): {@link CHAT_LIVE_LIMITS},
   * then the live layer's defaults, fill in what is not given.
   */
  limits?: Partial<LiveLimits>;
  /**
   * Origins (`https://chat.example.org`) besides the page's own whose pages may use its WebSocket and long
   * polling: the public origin of a chat served behind a proxy under another host name.
   */
  allowedOrigins?: readonly string[];
  /** Several nodes behind one address: polls for another node's pages go there (see `ClusterPolls`). */
  remote?: RemotePolling;
}

/**
 * The chat page of `service`. Serve it as a site's root: `new Site(createWebChat(service))`. The page is
 * sent with a strict Content-Security-Policy (see {@link chatPolicy}) and `X-Frame-Options: DENY`, and its
 * icon is served next to it as `favicon.svg`.
 *
 * @example
 * const service = createWordsService();
 * await service.start();
 * reactor.listenTCP(8080, new Site(createWebChat(service)), { interface: '127.0.0.1' });
 */
export function createWebChat(service: WordsService, options: CreateWebChatOptions = {}): LivePage {
  const resolved = resolveWebChatOptions(options);
  const page = new LivePage({
    title: resolved.title,
    gracePeriod: resolved.gracePeriod,
    document: (parts) => new ChatDocument(parts),
    element: (request) => new WebChat(service, options, peerHost(request)),
    ...(options.transports ? { transports: options.transports } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    limits: { ...CHAT_LIVE_LIMITS, ...options.limits },
    ...(options.allowedOrigins ? { allowedOrigins: [...options.allowedOrigins] } : {}),
    ...(options.remote ? { remote: options.remote } : {}),
  });
  page.putChild('favicon.svg', new FaviconResource());
  return page;
}
