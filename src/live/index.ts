/**
 * `torsion/live`: Athena-style live widgets. A `LivePage` serves pages whose `LiveElement`s have twins in
 * the browser (`torsion/live/client`); the two call each other's exposed methods over one WebSocket (or long
 * polling) with reliable, exactly-once delivery across reconnections.
 * @module
 */
export { LivePage, TooManyPages, TooManyPagesFromAddress, type LivePageOptions, type LoadedPage } from './page.js';
export { LiveElement, WIDGET_ATTRIBUTE } from './element.js';
export { callRemoteAll } from './broadcast.js';
export { LiveConnection } from './connection.js';
export { LiveEndpoint, type PageDirectory } from './endpoint.js';
export { PollingResource, type PollingOptions, type ForwardedPoll, type PollAnswer, type RemotePolling } from './polling.js';
export { defaultDocument, liveHead, scriptJSON, type LiveDocumentParts } from './document.js';
export { compileRuntime, compileWidgetModule, RUNTIME_SPECIFIER } from './modules.js';
export { EsbuildNotInstalledError } from './esbuild.js';
export type { FrameSocket, WidgetInfo, BootData } from './interfaces.js';
export { expose } from './shared/expose.js';
export { ReliableSession, type ReliableSessionOptions } from './shared/session.js';
export { RemoteCalls, type RemoteCallsOptions } from './shared/rpc.js';
export { RemoteError, NoSuchMethod, NoSuchWidget, InvalidArguments, PageGone, LiveProtocolError, CallTimeout, TooManyCalls } from './shared/errors.js';
export { DEFAULT_LIVE_LIMITS, resolveLiveLimits, type LiveLimits } from './shared/limits.js';
export { MemoryBudget, type MemoryBudgetOptions } from './shared/budget.js';
// The WebSocket-to-TCP bridge for Torsion protocols running in a page (src/live/bridge).
export { WebSocketBridgeResource, allowTCPDestinations, BRIDGE_MAX_MESSAGE_SIZE, type BridgeDestination, BridgeProtocol, BridgeCloseCode } from './bridge/index.js';
