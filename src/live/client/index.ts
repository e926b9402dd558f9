/**
 * `torsion/live/client`: the browser runtime of `torsion/live`. Widget modules import `Widget` and `expose`
 * from here; the page's import map points this specifier at the runtime the `LivePage` serves. No Node
 * imports: it runs in the page (and `LiveClient` in Node with a WebSocket implementation).
 * @module
 */
import { LiveClient, type LiveClientOptions } from './client.js';
import { buildWidgets, installBuiltins, showGone, type WidgetInfo } from './dom.js';
import type { Widget } from './widget.js';

export { LiveClient, type LiveClientOptions } from './client.js';
export { Widget, NODE_ID_ATTRIBUTE, EVENTS_ATTRIBUTE, WIDGET_ATTRIBUTE } from './widget.js';
export { buildWidgets, wireEvents, type WidgetInfo } from './dom.js';
export { PollingLink, WebSocketLink, type Link, type LinkHandlers, type WebSocketConstructor } from './links.js';
export { expose } from '../shared/expose.js';
export { RemoteError, NoSuchMethod, NoSuchWidget, InvalidArguments, PageGone, LiveProtocolError, CallTimeout, TooManyCalls } from '../shared/errors.js';
export { Deferred, Failure } from '../../defer/index.js';

/** A connected page: its client and its widgets. */
export interface LivePageHandle {
  client: LiveClient;
  /** The root widget. */
  root: Widget;
  /** Every widget on the page by id (updated as widgets come and go). */
  widget(id: number): Widget | undefined;
}

declare global {
  // For tests and debugging: the page's live handle once `connect` has built the widgets.
  var torsionLive: Promise<LivePageHandle> | undefined;
}

/**
 * Boots the page from the data the `LivePage` embedded: builds the widgets, then connects. The returned
 * promise (also kept in `globalThis.torsionLive`) resolves once the widgets exist.
 */
export function connect(options: Partial<LiveClientOptions> = {}): Promise<LivePageHandle> {
  const bootNode = document.getElementById('torsion-live-boot');
  if (bootNode === null) throw new Error('no live boot data in this page');
  const boot = JSON.parse(bootNode.textContent ?? '{}') as LiveClientOptions & { widgets: WidgetInfo[] };
  const client = new LiveClient({ ...boot, ...options });
  installBuiltins(client);
  client.addEventListener('gone', (e) => showGone(String((e as CustomEvent).detail)));
  // A page really leaving (not kept in the back/forward cache) ends its server state at once.
  addEventListener('pagehide', (e) => {
    if (!e.persisted) client.close();
  });
  for (const state of ['connected', 'disconnected', 'gone']) client.addEventListener(state, () => document.documentElement.setAttribute('data-live-state', state));
  const handle = buildWidgets(client, boot.widgets, document).then((built) => {
    client.start();
    return { client, root: built[0]!, widget: (id: number) => client.widget(id) as Widget | undefined };
  });
  globalThis.torsionLive = handle;
  return handle;
}

// Torsion in the page (src/internet/browser, also torsion/internet/browser): a browser reactor and a stream transport over a WebSocket.
export { BrowserReactor, browserReactor, pageTimers, WebSocketAddress, pageAddress, WebSocketStreamTransport, WebSocketConnector, connectWebSocketStream, HIGH_WATER, LOW_WATER, MAX_MESSAGE_SIZE } from '../../internet/browser/index.js';
export type { BrowserTimers, IBrowserReactor, WebSocketLike, WebSocketMessageLike, WebSocketCloseLike, StreamTransportOptions, WebSocketConnectOptions, WebSocketConnectorState } from '../../internet/browser/index.js';
export type { WebSocketConstructor as StreamWebSocketConstructor } from '../../internet/browser/index.js';
