// An IMAP client connected over real TCP on 127.0.0.1, for tests against Torsion's server or Dovecot.
import { ClientFactory, reactor } from '../../internet/index.js';
import { IMAP4Client } from '../imap/client.js';

/** A new `IMAP4Client`, connecting to 127.0.0.1:`port` (wait for its greeting as usual). */
export function connectIMAPClient(port: number): IMAP4Client {
  const client = new IMAP4Client();
  reactor.connectTCP('127.0.0.1', port, new (class extends ClientFactory<IMAP4Client> {
    override buildProtocol() {
      return client;
    }
  })());
  return client;
}
