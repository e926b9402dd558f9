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
 *
 * Its buffer also counts the records TLS has handed to the bridge that the outer transport has not taken
 * yet (`wire.writableLength`): Node's and Deno's TLS socket keep cleartext in their own buffer while the
 * bridge is busy, but Bun's encrypts every write at once and leaves the records queued on the bridge, with
 * its own buffer empty and a 'drain' after each write. So a push producer is resumed once both are empty.
 *
 * Pausing it pauses the outer transport's reading too: Bun's TLS socket goes on taking records from the
 * bridge while paused, and would hold whatever the peer sends, decrypted, without bound.
 */
class WrappedTLSTransport extends SocketTransport {
  constructor(
    socket: tls.TLSSocket,
    protocol: IProtocol,
    addresses: AddressPolicy,
    resources: undefined,
    owner: undefined,
    readonly outer: OuterTransport,
    readonly wire: Duplex,
    readonly holdOuter: (paused: boolean) => void,
  ) {
    super(socket, protocol, addresses, resources, owner);
  }

  override pauseProducing(): void {
    super.pauseProducing();
    this.holdOuter(true);
  }

  override resumeProducing(): void {
    super.resumeProducing();
    this.holdOuter(false);
  }

  override getWriteBufferSize(): number {
    return super.getWriteBufferSize() + this.wire.writableLength + this.outer.getWriteBufferSize();
  }

  /** @internal TLS's own buffer drained; Bun's says so after each write, while the records wait on the bridge. */
  override _drained(): void {
    if (this.wire.writableLength === 0) super._drained();
  }

  /** @internal the bridge passed records on: a paused producer resumes once TLS and the bridge hold none. */
  _wireDrained(): void {
    if (this._producerPaused && this.socket.writableLength === 0 && this.wire.writableLength === 0) super._drained();
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
  /** TLS is not reading from the bridge: the outer transport's reading waits. */
  #readPaused = false;
  /** The wrapped protocol's transport is paused: the outer transport's reading waits too. */
  #innerPaused = false;
  /** Whether we paused the outer transport's reading (for either reason above). */
  #outerPaused = false;

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
        self.#readPaused = false;
        self.#holdOuter();
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
          (this.tlsTransport as WrappedTLSTransport | undefined)?._wireDrained();
        },
        stopProducing: () => {},
      },
      true,
    );
    const socket = this.isClient ? tls.connect({ ...clientTLSOptions(this.tlsOptions), socket: wire }) : new tls.TLSSocket(wire, serverTLSOptions(this.tlsOptions));
    const addresses: AddressPolicy = { host: (): IAddress => outer.getHost(), peer: (): IAddress => outer.getPeer() };
    socket.once(this.isClient ? 'secureConnect' : 'secure', () => {
      this.#handshakeDone = true;
      const transport = new WrappedTLSTransport(socket, this.wrapped, addresses, undefined, undefined, outer, wire, (paused) => {
        this.#innerPaused = paused;
        this.#holdOuter();
      });
      wire.on('drain', () => transport._wireDrained());
      this.tlsTransport = transport.start();
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
    if (wire && !wire.push(data)) {
      this.#readPaused = true;
      this.#holdOuter();
    }
  }

  /** Pauses or resumes the outer transport's reading to match `#readPaused || #innerPaused`. */
  #holdOuter(): void {
    const hold = this.#readPaused || this.#innerPaused;
    if (hold === this.#outerPaused) return;
    this.#outerPaused = hold;
    if (hold) this.transport.pauseProducing();
    else this.transport.resumeProducing();
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
