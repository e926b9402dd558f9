// A POP3 server over a StringTransport, logging in to in-memory mailboxes, for the unit tests.
import { Deferred } from '../../defer/index.js';
import { IPv4Address } from '../../internet/index.js';
import { InMemoryUsernamePasswordDatabase, Portal } from '../../cred/index.js';
import { Clock, StringTransport } from '../../testing/index.js';
import { IMailAccount } from '../account.js';
import { NoSuchMessage } from '../errors.js';
import type { IMailbox, MailAccount, MessageInfo } from '../interfaces.js';
import { APOPChecker } from '../pop3/apop.js';
import { POP3Factory, type POP3Server, type POP3ServerOptions } from '../pop3/server.js';

/** Messages in memory; `synced` records what `sync` removed. */
export class MemoryMailbox implements IMailbox {
  readonly #deleted = new Set<number>();
  readonly removed: string[] = [];
  constructor(readonly messages: string[]) {}
  listMessages(): readonly MessageInfo[] {
    return this.messages.map((m, i) => ({ uid: `uid-${i + 1}`, size: Buffer.byteLength(m) }));
  }
  getMessage(index: number): Deferred<Uint8Array> {
    const m = this.messages[index];
    return m === undefined ? Deferred.fail(new NoSuchMessage(String(index))) : Deferred.succeed(Buffer.from(m));
  }
  deleteMessage(index: number): void {
    this.#deleted.add(index);
  }
  isDeleted(index: number): boolean {
    return this.#deleted.has(index);
  }
  undeleteMessages(): void {
    this.#deleted.clear();
  }
  sync(): Deferred<void> {
    for (const i of this.#deleted) this.removed.push(`uid-${i + 1}`);
    this.#deleted.clear();
    return Deferred.succeed(undefined);
  }
}

export const MESSAGES = ['Subject: one\r\n\r\nfirst\r\n', 'Subject: two\r\nX: y\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n', 'Subject: three\r\n\r\nno final line end'];

export function pop3Server(options: Partial<POP3ServerOptions> & { secure?: boolean } = {}): {
  proto: POP3Server;
  transport: StringTransport;
  clock: Clock;
  mailbox: MemoryMailbox;
  send(text: string): string;
} {
  const clock = new Clock();
  clock.advance(1000);
  const mailbox = new MemoryMailbox([...MESSAGES]);
  const realm = {
    requestAvatar: (id: unknown) => [IMailAccount, { username: String(id), openMailbox: () => Deferred.succeed(mailbox) } as MailAccount, () => undefined] as never,
  };
  const users = { alice: 'secret' };
  const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase(users), new APOPChecker(users)]);
  const factory = new POP3Factory({ hostname: 'mail.example.test', portal, clock, ...options });
  const transport = new StringTransport({ peerAddress: new IPv4Address('TCP', '127.0.0.1', 40000), secure: options.secure ?? false });
  const proto = factory.buildProtocol(transport.getHost());
  proto.makeConnection(transport);
  return {
    proto,
    transport,
    clock,
    mailbox,
    send(text) {
      transport.clear();
      proto.dataReceived(Buffer.from(text, 'utf8'));
      return transport.valueString();
    },
  };
}
