// The page's WebSocket stream transport passes the stream-transport conformance suite, end to end: the
// client protocol runs over WebSocketStreamTransport (on a Node stand-in for the browser's WebSocket, made
// of Torsion's WebSocket client), the WebSocket bridge relays to TCP, and the server protocol is on TCP.
import { after } from 'node:test';
import type { Failure } from '../../defer/index.js';
import { TCPClientEndpoint } from '../../internet/endpoints/stream-endpoints.js';
import type { IListeningPort, IProtocol } from '../../internet/interfaces.js';
import { Factory } from '../../internet/protocol.js';
import { reactor } from '../../internet/reactor.js';
import { streamTransportConformance } from '../../testing/conformance/index.js';
import { eventually } from '../../testing/index.js';
import { Resource } from '../../web/resource.js';
import { Site } from '../../web/site.js';
import { connectWebSocket } from '../../web/websocket/client.js';
import type { WebSocketClosedError } from '../../web/websocket/errors.js';
import { WebSocketProtocol } from '../../web/websocket/protocol.js';
import { WebSocketStreamTransport } from '../../internet/browser/transport.js';
import type { WebSocketCloseLike, WebSocketLike, WebSocketMessageLike } from '../../internet/browser/interfaces.js';
import { WebSocketBridgeResource } from './resource.js';

/** The browser's `WebSocket`, as far as the stream transport uses it, over Torsion's WebSocket client. */
class NodeWebSocket extends WebSocketProtocol implements WebSocketLike {
  binaryType = 'blob';
  readyState = 0;
  protocol = '';
  onopen: ((event: unknown) => void) | null = null;
  onmessage: ((event: WebSocketMessageLike) => void) | null = null;
  onclose: ((event: WebSocketCloseLike) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    super();
    connectWebSocket(url, this, { reactor }).addErrback((f: Failure) => {
      this.readyState = 3;
      this.onclose?.({ code: 1006, reason: f.getErrorMessage(), wasClean: false });
    });
  }

  /** What the connection has not sent yet, as `bufferedAmount` counts it in a browser. */
  get bufferedAmount(): number {
    return this.readyState === 1 ? this.transport.getWriteBufferSize() : 0;
  }

  send(data: Uint8Array | ArrayBuffer | string): void {
    if (typeof data === 'string') this.transport.sendTextMessage(data);
    else this.transport.sendBytesMessage(data instanceof ArrayBuffer ? new Uint8Array(data) : data);
  }

  close(code?: number, reason?: string): void {
    if (this.readyState !== 1) return;
    this.readyState = 2;
    this.transport.loseConnection(code, reason);
  }

  override negotiationFinished(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  override bytesMessageReceived(data: Uint8Array): void {
    // A copy into a buffer of its own: a Buffer's `slice` is a view into the read, not a copy.
    this.onmessage?.({ data: new Uint8Array(data).buffer });
  }

  override connectionLost(reason: Failure): void {
    this.readyState = 3;
    const e = reason.value as WebSocketClosedError;
    this.onclose?.({ code: e.closeCode, reason: e.reason, wasClean: e.wasClean });
  }
}

const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 2));
const ports: IListeningPort[] = [];

after(async () => {
  for (const port of ports) await port.stopListening();
});

// A browser cannot drop what its WebSocket has buffered (so no abort that loses data) nor half-close.
streamTransportConformance(
  'the WebSocket stream transport, through the bridge to TCP',
  async (server: IProtocol, client: IProtocol) => {
    const upstream = new Factory();
    upstream.buildProtocol = () => server;
    const tcp = reactor.listenTCP(0, upstream, { interface: '127.0.0.1' });
    const root = new Resource();
    root.putChild('bridge', new WebSocketBridgeResource(new TCPClientEndpoint(reactor, '127.0.0.1', (tcp.getHost() as unknown as { port: number }).port)));
    const web = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
    ports.push(tcp, web);
    const socket = new NodeWebSocket(`ws://127.0.0.1:${(web.getHost() as unknown as { port: number }).port}/bridge`);
    socket.onopen = () => new WebSocketStreamTransport(socket, client, { reactor }).start();
    await eventually(
      () => {
        if (socket.readyState === 3) throw new Error('the WebSocket stream did not connect');
        return (server as { connected?: boolean }).connected && (client as { connected?: boolean }).connected;
      },
      { message: 'the WebSocket stream to connect', step: tick },
    );
    return {
      settle: tick,
      async cleanup() {
        for (const p of [client, server] as { transport?: { abortConnection?(): void }; connected?: boolean }[]) {
          if (p.connected) p.transport?.abortConnection?.();
        }
      },
    };
  },
  { halfClose: false, abort: false },
);
