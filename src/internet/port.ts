/**
 * `ListeningPort`: a listening `net.Server` (TCP, TLS or Unix) that builds a protocol per connection.
 * Binding is synchronous, as in Twisted: `listenTCP(0, f).getHost().port` works at once, and a port that
 * cannot be bound throws `CannotListenError` from the listen call.
 * @module
 */
import cluster from 'node:cluster';
import * as net from 'node:net';
import { Deferred } from '../defer/index.js';
import { CannotListenError } from './error.js';
import type { IAddress, IListeningPort, IProtocolFactory } from './interfaces.js';
import { acceptedPeer } from './addresses.js';
import { logError } from './log.js';
import type { ReactorResources } from './reactor-resources.js';
import { SocketTransport } from './socket-transport.js';
import type { AddressPolicy, TransportContext } from './transport-context.js';

/** Where to bind: a TCP port on an interface, or a Unix path. */
export type BindTarget = { port: number; host?: string; backlog?: number } | { path: string; backlog?: number };

type InternalServer = net.Server & {
  _handle?: unknown;
  _listen2?: (address: string | null, port: number, addressType: number, backlog: number, fd?: number, flags?: number) => void;
};

/**
 * Binds `server` synchronously. Node resolves even literal IP hosts through `dns.lookup` (a tick later);
 * for a literal we call the bind step Node's own `listen` ends in, so the address is known on return.
 */
export function bindNow(server: net.Server, target: BindTarget): void {
  const s = server as InternalServer;
  let asyncError: Error | undefined;
  const onError = (e: Error): void => {
    asyncError = e;
  };
  const backlog = target.backlog ?? 511;
  if (cluster.isWorker && !('path' in target)) {
    // A cluster worker asks its primary for the listening socket, which every worker shares; the answer
    // comes later, so the port reports it through `whenBound`.
    server.listen({ port: target.port, host: target.host === '' ? undefined : target.host, backlog });
    return;
  }
  server.once('error', onError);
  if ('path' in target) {
    server.listen({ path: target.path, backlog });
  } else if (target.host === undefined || target.host === '') {
    server.listen({ port: target.port, backlog });
  } else if (net.isIP(target.host) === 0) {
    throw new CannotListenError(`cannot listen on ${target.host}:${target.port}: the interface must be an IP address`);
  } else if (typeof s._listen2 === 'function') {
    s._listen2(target.host, target.port, net.isIP(target.host), backlog);
  } else {
    // Bun has no `_listen2`, and its `listen` binds a literal address at once.
    server.listen({ port: target.port, host: target.host, backlog });
  }
  if (!(typeof s._listen2 === 'function' ? s._handle : server.listening)) {
    // The bind failed; the error event comes on a later tick (Node stores its reason before, Bun not).
    const where = 'path' in target ? target.path : `${target.host ?? '*'}:${target.port}`;
    server.removeListener('error', onError);
    server.once('error', () => {});
    throw new CannotListenError(`cannot listen on ${where}${asyncError ? `: ${asyncError.message}` : ' (address in use or not available)'}`);
  }
  server.removeListener('error', onError);
}

/** A listening socket that hands each accepted connection to a protocol from `factory`. */
export class ListeningPort implements IListeningPort {
  #stopped: Deferred<void> | undefined;
  readonly #context: TransportContext;

  /**
   * @param server a server already bound (see `bindNow`) whose connection event is `event`
   * @param factory builds a protocol per connection (`doStart` is called now, `doStop` when it stops)
   * @param addresses how connections name their ends
   * @param host this port's address
   */
  constructor(
    readonly server: net.Server,
    readonly factory: IProtocolFactory,
    readonly addresses: AddressPolicy,
    readonly resources: ReactorResources | undefined,
    readonly event: 'connection' | 'secureConnection',
    readonly host: () => IAddress,
  ) {
    this.#context = { addresses, resources };
    factory.doStart();
    server.on(event, (socket: net.Socket) => this.#accepted(socket));
    server.on('error', (e: Error) => logError(`listening port ${this.getHost()} failed`, e));
    resources?.add(this);
  }

  #accepted(socket: net.Socket): void {
    let protocol;
    try {
      protocol = this.factory.buildProtocol(acceptedPeer(this.addresses, socket));
    } catch (e) {
      logError('buildProtocol failed; connection refused', e);
    }
    if (!protocol) {
      socket.destroy();
      return;
    }
    SocketTransport.connect(socket, protocol, this.#context);
  }

  /**
   * Fires once the socket is bound: at once, except in a cluster worker, where the primary binds it; fails
   * with `CannotListenError` if that bind fails.
   */
  whenBound(): Deferred<void> {
    if (this.server.listening) return Deferred.succeed<void>(undefined);
    const d = new Deferred<void>();
    const onError = (e: Error): void => {
      this.server.removeListener('listening', onListening);
      this.resources?.delete(this);
      d.errback(new CannotListenError(`cannot listen on ${this.getHost()}: ${e.message}`, { cause: e }));
    };
    const onListening = (): void => {
      this.server.removeListener('error', onError);
      d.callback(undefined);
    };
    this.server.once('error', onError);
    this.server.once('listening', onListening);
    return d;
  }

  /** The bound address (with the real port when 0 was asked for). */
  getHost(): IAddress {
    return this.host();
  }

  /** Stops accepting connections (live ones stay); fires once the listening socket is closed. */
  stopListening(): Deferred<void> {
    if (this.#stopped) return this.#stopped;
    const d = (this.#stopped = new Deferred<void>());
    this.resources?.delete(this);
    this.server.close();
    setImmediate(() => {
      try {
        this.factory.doStop();
      } catch (e) {
        logError('factory.doStop failed', e);
      }
      d.callback(undefined);
    });
    return d;
  }

  /** For reactor shutdown. */
  closeForShutdown(): Promise<void> {
    return this.stopListening().asPromise();
  }

  toString(): string {
    return `<ListeningPort ${this.getHost()}>`;
  }
}
