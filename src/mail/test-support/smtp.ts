// An SMTP server over a StringTransport with a delivery that records what it is given, for the unit tests.
import { Deferred } from '../../defer/index.js';
import { IPv4Address } from '../../internet/index.js';
import { Portal, InMemoryUsernamePasswordDatabase } from '../../cred/index.js';
import { Clock, StringTransport } from '../../testing/index.js';
import type { Address } from '../address.js';
import { BufferedMessage } from '../domain.js';
import { IMailAccount } from '../account.js';
import { RelayDenied, SMTPBadRcpt } from '../errors.js';
import type { IMessageDelivery, MailAccount } from '../interfaces.js';
import { SMTPFactory, type ESMTPServer, type SMTPServerOptions } from '../smtp/server.js';

export interface Delivered {
  to: string;
  text: string;
}

export interface TestServer {
  proto: ESMTPServer;
  transport: StringTransport;
  clock: Clock;
  delivered: Delivered[];
  /** Stores wait until the test fires these (null: stores finish at once). */
  pendingStores: Deferred<void>[] | null;
  /** Feeds `text` and returns what the server wrote in answer. */
  send(text: string | Uint8Array): string;
}

export const TEST_PORTAL_USERS = { alice: 'secret' };

export function testPortal(): Portal {
  const realm = {
    requestAvatar: (id: unknown) => [IMailAccount, { username: String(id), openMailbox: () => Deferred.fail(new Error('none')) } as MailAccount, () => undefined] as never,
  };
  return new Portal(realm, [new InMemoryUsernamePasswordDatabase(TEST_PORTAL_USERS)]);
}

/** `open`: take mail for any domain (a smarthost standing in for the internet). */
export function smtpFactory(options: Partial<SMTPServerOptions> & { holdStores?: boolean; open?: boolean } = {}): {
  factory: SMTPFactory;
  clock: Clock;
  delivered: Delivered[];
  pendingStores: Deferred<void>[] | null;
} {
  const clock = new Clock();
  const delivered: Delivered[] = [];
  const pendingStores: Deferred<void>[] | null = options.holdStores ? [] : null;
  const delivery: IMessageDelivery = {
    validateFrom: (_s, origin) => origin,
    validateTo: (r) => {
      const dest: Address = r.dest;
      if (!options.open && dest.domainKey !== 'example.test' && r.session.authenticated === null) throw new RelayDenied(dest.toString());
      if (dest.local === 'nobody') throw new SMTPBadRcpt(dest.toString());
      return () =>
        new BufferedMessage((text) => {
          const done = (): void => void delivered.push({ to: dest.toString(), text: Buffer.from(text).toString('utf8') });
          if (pendingStores === null) {
            done();
            return Deferred.succeed(undefined);
          }
          const d = new Deferred<void>();
          pendingStores.push(d);
          return d.addCallback(done);
        });
    },
  };
  const factory = new SMTPFactory({ hostname: 'mx.example.test', domain: 'example.test', delivery, clock, ...options });
  return { factory, clock, delivered, pendingStores };
}

export function smtpServer(options: Partial<SMTPServerOptions> & { holdStores?: boolean; secure?: boolean } = {}): TestServer {
  const { factory, clock, delivered, pendingStores } = smtpFactory(options);
  const transport = new StringTransport({ peerAddress: new IPv4Address('TCP', '127.0.0.1', 40000), secure: options.secure ?? false });
  const proto = factory.buildProtocol(transport.getHost());
  proto.makeConnection(transport);
  return {
    proto,
    transport,
    clock,
    delivered,
    pendingStores,
    send(text) {
      transport.clear();
      proto.dataReceived(typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
      return transport.valueString();
    },
  };
}

/** The reply codes in `output`, one per reply (continuation lines skipped). */
export function codes(output: string): string[] {
  return output
    .split('\r\n')
    .filter((l) => /^\d{3} /.test(l))
    .map((l) => l.slice(0, 3));
}
