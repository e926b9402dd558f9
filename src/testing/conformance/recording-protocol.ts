/**
 * Protocols that record what happened to them, for the conformance suite.
 * @module
 */
import type { Failure } from '../../defer/index.js';
import { Protocol } from '../../internet/protocol.js';
import type { IHalfCloseableProtocol, ISSLTransport, IStreamTransport, ITCPTransport } from '../../internet/interfaces.js';

/**
 * What the suite runs over: a stream transport; the TCP extras (abort, half-close) and the TLS marker where
 * the transport has them (the suite asks for them only where the transport says it has them).
 */
export type ConformanceTransport = IStreamTransport & Partial<ITCPTransport> & Partial<ISSLTransport>;

/** Records connection events and received bytes. */
export class RecordingProtocol extends Protocol<ConformanceTransport> {
  made = false;
  chunks: Buffer[] = [];
  received = 0;
  lostReason: Failure | undefined;

  override connectionMade(): void {
    this.made = true;
  }

  override dataReceived(data: Uint8Array): void {
    this.chunks.push(Buffer.from(data));
    this.received += data.length;
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lostReason = reason;
  }

  /** Everything received so far. */
  data(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** A recording protocol that accepts half-close. */
export class HalfCloseRecordingProtocol extends RecordingProtocol implements IHalfCloseableProtocol {
  readLost = false;
  writeLost = false;

  readConnectionLost(): void {
    this.readLost = true;
  }

  writeConnectionLost(): void {
    this.writeLost = true;
  }
}
