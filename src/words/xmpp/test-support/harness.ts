/**
 * A words service with its IRC door (fake clients over `StringTransport`) and its XMPP door (Torsion's
 * `XMPPClient` over the in-memory loopback, STARTTLS included), on one fake clock, for the XMPP door's
 * unit tests.
 * @module
 */
import { connectedServerAndClient, eventually, selfSignedCertificate, type IOPump } from '../../../testing/index.js';
import { XMPPClient } from '../../../xmpp/client/client.js';
import type { Element } from '../../../xmpp/element.js';
import { Harness } from '../../irc/test-support/harness.js';
import { XMPPWordsFactory, type XMPPDoorOptions } from '../door.js';

const CERT = selfSignedCertificate('localhost');

/** An XMPP client that keeps every stanza it was sent. */
export class RecordingXMPPClient extends XMPPClient {
  readonly stanzas: Element[] = [];
  pump!: IOPump;
  override messageReceived(m: Element): void {
    this.stanzas.push(m);
  }
  override presenceReceived(p: Element): void {
    this.stanzas.push(p);
  }
  /** The stanzas received since the last call, as XML. */
  take(): string[] {
    return this.stanzas.splice(0).map((s) => s.toXML());
  }
}

/** The IRC harness plus an XMPP door on the same service. */
export class XMPPHarness extends Harness {
  readonly door: XMPPWordsFactory;
  readonly clients: RecordingXMPPClient[] = [];

  constructor(options: Partial<XMPPDoorOptions> = {}) {
    super();
    this.door = new XMPPWordsFactory(this.service, { domain: 'localhost', tls: { key: CERT.key, cert: CERT.cert }, clock: this.clock, ...options });
  }

  /** An XMPP client for `user@localhost` connected in memory; call {@link settle} to let it log in. */
  xmpp(user: string, password: string, resource = 'r'): RecordingXMPPClient {
    const client = new RecordingXMPPClient({ jid: `${user}@localhost`, password, resource, clock: this.clock, tlsOptions: { ca: CERT.cert } });
    client.pump = connectedServerAndClient(this.door, client).pump;
    this.clients.push(client);
    return client;
  }

  /** Moves bytes (TLS and password hashing included) until nothing moves. */
  async settle(): Promise<void> {
    for (const c of this.clients) await c.pump.settle();
  }

  /** Settles until `check` gives a value (bounded: the password hash runs off the event loop). */
  async until<T>(check: () => T | undefined | false, what: string): Promise<T> {
    return await eventually<T | undefined | false>(
      async () => {
        await this.settle();
        return check();
      },
      { timeout: 20, interval: 0.01, message: what },
    ) as T;
  }
}
