/**
 * Base classes for protocols and factories (Twisted's `internet/protocol.py`). No Node imports:
 * a protocol talks only to the transport it is handed.
 * @module
 */
import { Failure } from '../defer/index.js';
import { ConnectionDone } from './error.js';
import type {
  IAddress,
  IClientFactory,
  IConnector,
  IDatagramProtocol,
  IProcessProtocol,
  IProcessTransport,
  IProtocol,
  IProtocolFactory,
  ITransport,
  IUDPTransport,
} from './interfaces.js';

/** A `Failure(ConnectionDone)`, the reason handed to `connectionLost` on a clean close. */
export function connectionDone(): Failure {
  return new Failure(new ConnectionDone());
}

/**
 * The base of stream protocols. Subclasses override `connectionMade`, `dataReceived` and `connectionLost`.
 *
 * `T` is the transport the protocol needs: `ITransport` (writing and closing) unless it says more, such as
 * `IStreamTransport` (producers, pausing, the write buffer, batching) or `ITLSTransport` (STARTTLS). Every
 * stream transport of Torsion is an `IStreamTransport`, so naming what is used replaces casting to it.
 *
 * @example
 * class Echo extends Protocol {
 *   override dataReceived(data: Uint8Array) { this.transport.write(data); }
 * }
 * class Pump extends Protocol<IStreamTransport> {
 *   override connectionMade() { this.transport.registerProducer(source, true); }
 * }
 */
export class Protocol<T extends ITransport = ITransport> implements IProtocol {
  /** The transport, set by `makeConnection`. */
  transport!: T;
  /** True between `makeConnection` and `connectionLost`. */
  connected = false;
  /** The factory that built this protocol, if any. */
  factory: IProtocolFactory | undefined;

  makeConnection(transport: T): void {
    this.connected = true;
    this.transport = transport;
    this.connectionMade();
  }

  /** The connection is up: `this.transport` is ready. */
  connectionMade(): void {}

  /** Bytes arrived, in chunks of any size: framing is the protocol's business. */
  dataReceived(_data: Uint8Array): void {}

  /** The connection is gone; `reason` wraps `ConnectionDone` or `ConnectionLost`. */
  connectionLost(_reason: Failure): void {
    this.connected = false;
  }
}

/**
 * Builds a protocol per connection. `doStart`/`doStop` are counted over the ports and connectors using it,
 * so `startFactory`/`stopFactory` run once each.
 */
export class Factory<P extends IProtocol = IProtocol> implements IProtocolFactory {
  /** The protocol class `buildProtocol` instantiates. */
  protocol: (new () => P) | undefined;
  /** How many ports/connectors have started this factory. */
  numPorts = 0;

  /** A factory building `protocol` with no arguments. */
  static forProtocol<P extends IProtocol>(protocol: new () => P): Factory<P> {
    const f = new this<P>();
    f.protocol = protocol;
    return f;
  }

  doStart(): void {
    if (this.numPorts++ === 0) this.startFactory();
  }

  doStop(): void {
    if (this.numPorts === 0) return;
    if (--this.numPorts === 0) this.stopFactory();
  }

  /** Called once when the first port starts. */
  startFactory(): void {}

  /** Called once when the last port stops. */
  stopFactory(): void {}

  buildProtocol(_addr: IAddress): P | null {
    if (!this.protocol) throw new TypeError(`${this.constructor.name}.protocol is not set and buildProtocol is not overridden`);
    const p = new this.protocol();
    (p as { factory?: unknown }).factory = this;
    return p;
  }
}

/** A factory for outgoing connections, told when attempts start, fail and connections end. */
export class ClientFactory<P extends IProtocol = IProtocol> extends Factory<P> implements IClientFactory {
  startedConnecting(_connector: IConnector): void {}
  clientConnectionFailed(_connector: IConnector, _reason: Failure): void {}
  clientConnectionLost(_connector: IConnector, _reason: Failure): void {}
}

/** The base of datagram protocols (UDP, multicast). */
export class DatagramProtocol implements IDatagramProtocol {
  transport: IUDPTransport | undefined;
  #numPorts = 0;

  makeConnection(transport: IUDPTransport): void {
    this.transport = transport;
    if (this.#numPorts++ === 0) this.startProtocol();
  }

  /** Called when the protocol starts listening. */
  startProtocol(): void {}

  /** Called when it stops listening. */
  stopProtocol(): void {}

  /** Called by transports when the port closes. */
  doStop(): void {
    if (this.#numPorts === 0) return;
    if (--this.#numPorts === 0) {
      this.stopProtocol();
      this.transport = undefined;
    }
  }

  datagramReceived(_data: Uint8Array, _addr: { host: string; port: number }): void {}

  connectionRefused(): void {}
}

/** The base of child-process protocols. */
export class ProcessProtocol implements IProcessProtocol {
  transport: IProcessTransport | undefined;

  makeConnection(transport: IProcessTransport): void {
    this.transport = transport;
    this.connectionMade();
  }

  connectionMade(): void {}

  childDataReceived(fd: number, data: Uint8Array): void {
    if (fd === 1) this.outReceived(data);
    else if (fd === 2) this.errReceived(data);
  }

  /** Data on the child's stdout. */
  outReceived(_data: Uint8Array): void {}

  /** Data on the child's stderr. */
  errReceived(_data: Uint8Array): void {}

  childConnectionLost(fd: number): void {
    if (fd === 0) this.inConnectionLost();
    else if (fd === 1) this.outConnectionLost();
    else if (fd === 2) this.errConnectionLost();
  }

  inConnectionLost(): void {}
  outConnectionLost(): void {}
  errConnectionLost(): void {}

  processExited(_reason: Failure): void {}

  processEnded(_reason: Failure): void {}
}
