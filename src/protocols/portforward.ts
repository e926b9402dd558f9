/**
 * A TCP port forwarder (Twisted's `protocols/portforward.py`): `ProxyFactory` accepts connections and relays
 * each to a destination through a `ProxyServer`/`ProxyClient` pair, with backpressure both ways. Browser-safe:
 * the destination is reached through an endpoint or a reactor handed in.
 * @module
 */
import { Deferred, type Failure } from '../defer/index.js';
import { ClientFactory, Factory, Protocol } from '../internet/protocol.js';
import type { IProtocolFactory, IReactorTCP, IStreamTransport } from '../internet/interfaces.js';

/** A client endpoint, as `clientFromString` returns: connects a factory, resolving or failing. */
export interface ClientEndpointLike {
  connect(factory: IProtocolFactory): PromiseLike<unknown>;
}

/** Where a {@link ProxyFactory} forwards to: an endpoint, or a host and port reached with `reactor.connectTCP`. */
export type ProxyTarget = ClientEndpointLike | { host: string; port: number; reactor: IReactorTCP };

/** Unregisters whatever producer `p`'s transport holds (the other side's transport), if any. */
function unregister(p: Proxy): void {
  try {
    p.transport.unregisterProducer();
  } catch {
    // Some transports (test fakes) throw when no producer is registered: nothing to undo then.
  }
}

/** One side of a forwarded connection: what it receives goes out through its peer's transport. */
export class Proxy extends Protocol<IStreamTransport> {
  /** The other side, once both are connected. */
  peer: Proxy | null = null;

  setPeer(peer: Proxy): void {
    this.peer = peer;
  }

  /** Bytes that arrived before the peer was connected (reading is paused then, but a chunk may be in flight). */
  #held: Uint8Array[] = [];

  override dataReceived(data: Uint8Array): void {
    if (this.peer === null) this.#held.push(data);
    else this.peer.transport.write(data);
  }

  /** Sends what arrived before the peer was connected. */
  flushHeld(): void {
    const held = this.#held;
    this.#held = [];
    if (this.peer !== null && held.length > 0) this.peer.transport.writeSequence(held);
  }

  /**
   * The peer stopped sending: close this side (as Twisted does for protocols without half-close), which in
   * turn closes the other side. Our transport has the other transport registered as its producer and would
   * wait for it to go away before closing, so it is unregistered first.
   */
  readConnectionLost(): void {
    unregister(this);
    this.transport.loseConnection();
  }

  /** Closes the other side too, after it has sent what it holds. */
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const peer = this.peer;
    this.peer = null;
    if (peer === null) return;
    // The peer's transport has our transport registered as its producer; a close would wait for it forever.
    unregister(peer);
    peer.transport.loseConnection();
    peer.peer = null;
  }
}

/** The outgoing side: once connected it ties the two transports together as each other's producer. */
export class ProxyClient extends Proxy {
  override connectionMade(): void {
    const server = this.peer;
    if (server === null) return;
    server.setPeer(this);
    server.flushHeld();
    // A side whose write buffer fills pauses reading on the other, so a fast sender cannot flood the proxy's memory.
    this.transport.registerProducer(server.transport, true);
    server.transport.registerProducer(this.transport, true);
    server.transport.resumeProducing();
  }
}

/** Builds the one `ProxyClient` of a `ProxyServer`, and closes the server side if connecting fails. */
export class ProxyClientFactory extends ClientFactory<ProxyClient> {
  override protocol = ProxyClient;

  constructor(readonly server: ProxyServer) {
    super();
  }

  override buildProtocol(): ProxyClient {
    const p = new ProxyClient();
    p.factory = this;
    p.setPeer(this.server);
    return p;
  }

  override clientConnectionFailed(): void {
    this.server.transport.loseConnection();
  }
}

/** The accepted side: reads nothing until the outgoing connection is up, then relays. */
export class ProxyServer extends Proxy {
  override connectionMade(): void {
    this.transport.pauseProducing();
    const target = (this.factory as ProxyFactory).target;
    const clientFactory = new ProxyClientFactory(this);
    if ('connect' in target) {
      const attempt = target.connect(clientFactory);
      const drop = (): void => this.transport.loseConnection();
      // A Deferred reports failure synchronously; a plain promise-like only through then().
      if (attempt instanceof Deferred) attempt.addErrback(drop);
      else attempt.then(undefined, drop);
    } else {
      target.reactor.connectTCP(target.host, target.port, clientFactory);
    }
  }
}

/**
 * Forwards every accepted connection to `target`.
 *
 * @example
 * reactor.listenTCP(8080, new ProxyFactory({ host: '127.0.0.1', port: 80, reactor }));
 * reactor.listenTCP(8081, new ProxyFactory(clientFromString(reactor, 'tcp:host=127.0.0.1:port=80')));
 */
export class ProxyFactory extends Factory<ProxyServer> {
  override protocol = ProxyServer;

  constructor(readonly target: ProxyTarget) {
    super();
  }
}
