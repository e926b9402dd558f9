/**
 * TLS over ANY stream transport (Twisted's `TLSMemoryBIOProtocol` / `TLSMemoryBIOFactory`): a protocol that
 * sits on the outer transport (TCP, the in-memory loopback, a WebSocket bridge, ...), runs Node's
 * `TLSSocket` over a `Duplex` bridged to it, and drives the wrapped protocol through a `SocketTransport` on
 * that TLS socket, so the wrapped protocol sees the same transport as over `connectSSL`.
 * @module
 */
import { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import type { Failure } from '../defer/index.js';
import type { IAddress, IHalfCloseableProtocol, IProtocol, IProtocolFactory, IStreamTransport, ITCPTransport, TLSOptions } from './interfaces.js';
import { Protocol } from './protocol.js';
import { SocketTransport } from './socket-transport.js';
import type { AddressPolicy } from './transport-context.js';
import { clientTLSOptions, serverTLSOptions } from './tls-options.js';
import { ConnectionDone } from './error.js';

/** The transport TLS runs over: any stream transport; half-close and abort are used where it has them. */
export type OuterTransport = IStreamTransport & Partial<ITCPTransport>;

/**
 * The wrapped protocol's transport: aborting it also aborts the outer connection the records travel on,
 * and its write buffer includes the records the outer transport still holds.
 */
class WrappedTLSTransport extends SocketTransport {
  constructor(socket: tls.TLSSocket, protocol: IProtocol, addresses: AddressPolicy, resources: undefined, owner: undefined, readonly outer: OuterTransport) {
    super(socket, protocol, addresses, resources, owner);
  }

  override getWriteBufferSize(): number {
    return super.getWriteBufferSize() + this.outer.getWriteBufferSize();
  }

  override abortConnection(): void {
    super.abortConnection();
    if (typeof this.outer.abortConnection === 'function') this.outer.abortConnection();
    else this.outer.loseConnection();
  }
}

/** Runs TLS on the transport it is connected to, for the protocol it wraps. */
export class TLSWrapperProtocol extends Protocol<OuterTransport> implements IHalfCloseableProtocol {
  /** The transport the wrapped protocol sees (once the outer connection is made). */
  tlsTransport: SocketTransport | undefined;
  /**
   * Why the handshake failed (the peer's certificate did not verify, its name did not match...), once it
   * has; the outer connection is then dropped and its `connectionLost` reason says only that it closed.
   */
  handshakeError: Error | undefined;
  #wire: Duplex | undefined;
  #handshakeDone = false;
  /** The outer transport asked us (as its producer) to stop writing: TLS records wait. */
  #writePaused = false;
  #pendingDone: (() => void) | undefined;
  /** We paused the outer transport's reading because TLS is not reading. */
  #readPaused = false;

  /**
   * @param wrapped the protocol that speaks in the clear inside TLS
   * @param tlsOptions Node's TLS options; a client verifies the peer unless `dangerouslyDisableVerification`
   * @param isClient which side of the handshake this is
   */
  constructor(readonly wrapped: IProtocol, readonly tlsOptions: TLSOptions, readonly isClient: boolean) {
    super();
  }

  override connectionMade(): void {
    const outer = this.transport;
    const self = this;
    const wire = new Duplex({
      read() {
        if (self.#readPaused) {
          self.#readPaused = false;
          outer.resumeProducing();
        }
      },
      write(chunk: Buffer, _encoding, done) {
        outer.write(chunk);
        if (self.#writePaused) self.#pendingDone = () => done();
        else done();
      },
      // TLS has sent close_notify: half-close the outer connection (its FIN follows the records), so the
      // peer can still answer; the outer connection closes once both directions are done.
      final(done) {
        if (typeof outer.loseWriteConnection === 'function') outer.loseWriteConnection();
        else {
          outer.unregisterProducer();
          outer.loseConnection();
        }
        done();
      },
      destroy(_error, done) {
        if (!outer.disconnecting) {
          outer.unregisterProducer();
          outer.loseConnection();
        }
        done(null);
      },
    });
    this.#wire = wire;
    // Backpressure both ways: the outer transport pauses our TLS records; TLS not reading pauses the outer one.
    outer.registerProducer(
      {
        pauseProducing: () => (this.#writePaused = true),
        resumeProducing: () => {
          this.#writePaused = false;
          const done = this.#pendingDone;
          this.#pendingDone = undefined;
          done?.();
        },
        stopProducing: () => {},
      },
      true,
    );
    const socket = this.isClient ? tls.connect({ ...clientTLSOptions(this.tlsOptions), socket: wire }) : new tls.TLSSocket(wire, serverTLSOptions(this.tlsOptions));
    const addresses: AddressPolicy = { host: (): IAddress => outer.getHost(), peer: (): IAddress => outer.getPeer() };
    socket.once(this.isClient ? 'secureConnect' : 'secure', () => {
      this.#handshakeDone = true;
      this.tlsTransport = new WrappedTLSTransport(socket, this.wrapped, addresses, undefined, undefined, outer).start();
    });
    socket.on('error', (error: Error) => {
      // Before the handshake there is no inner transport yet: the outer connection is simply dropped.
      if (!this.#handshakeDone) {
        this.handshakeError ??= error;
        wire.destroy();
      }
    });
  }

  override dataReceived(data: Uint8Array): void {
    const wire = this.#wire;
    if (wire && !wire.push(data) && !this.#readPaused) {
      this.#readPaused = true;
      this.transport.pauseProducing();
    }
  }

  /** The peer's outer connection half-closed: end of the TLS stream (TLS tells the wrapped protocol). */
  readConnectionLost(): void {
    this.#wire?.push(null);
  }

  /** Our outer connection's half-close is done; the wrapped protocol was told by its own TLS socket. */
  writeConnectionLost(): void {}

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    const wire = this.#wire;
    if (!wire) return;
    if (reason.check(ConnectionDone)) wire.push(null);
    else wire.destroy(reason.value);
    // Node's TLSSocket over a JS stream does not always emit 'close' once its stream is gone; the outer
    // connection is the truth, so the wrapped protocol is told after this turn either way (at most once).
    setImmediate(() => {
      this.tlsTransport?.socket.destroy();
      this.tlsTransport?._closed();
    });
  }
}

/**
 * Wraps a factory so each of its protocols runs inside TLS on whatever transport the port or connector
 * provides (Twisted's `TLSMemoryBIOFactory`).
 *
 * @example
 * reactor.listenTCP(8443, new TLSWrappingFactory(new MyFactory(), { key, cert }, false));
 */
export class TLSWrappingFactory implements IProtocolFactory {
  constructor(readonly wrappedFactory: IProtocolFactory, readonly tlsOptions: TLSOptions, readonly isClient: boolean) {}

  doStart(): void {
    this.wrappedFactory.doStart();
  }

  doStop(): void {
    this.wrappedFactory.doStop();
  }

  buildProtocol(addr: IAddress): TLSWrapperProtocol | null {
    const inner = this.wrappedFactory.buildProtocol(addr);
    return inner ? new TLSWrapperProtocol(inner, this.tlsOptions, this.isClient) : null;
  }
}

/** Wraps one protocol in TLS (for code that builds protocols itself, such as tests over a loopback). */
export function wrapTLS(protocol: IProtocol, tlsOptions: TLSOptions, isClient: boolean): TLSWrapperProtocol {
  return new TLSWrapperProtocol(protocol, tlsOptions, isClient);
}

/** The transport type the wrapped protocol sees. */
export type TLSWrappedTransport = SocketTransport;
