/**
 * The simplest protocols (Twisted's `protocols/wire.py`): `Echo` and `Discard`. Browser-safe.
 * @module
 */
import { Protocol } from '../internet/protocol.js';

/** Sends back every byte it receives (RFC 862). */
export class Echo extends Protocol {
  override dataReceived(data: Uint8Array): void {
    this.transport.write(data);
  }
}

/** Reads and drops everything (RFC 863). */
export class Discard extends Protocol {
  override dataReceived(_data: Uint8Array): void {}
}
