// An IMAP server session over a StringTransport on a real (temporary) maildir, for the server's tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IPv4Address } from '../../internet/index.js';
import { InMemoryUsernamePasswordDatabase, Portal } from '../../cred/index.js';
import { Clock, StringTransport, eventually } from '../../testing/index.js';
import { IMailAccount } from '../account.js';
import type { MailAccount } from '../interfaces.js';
import { Maildir, MaildirMailbox } from '../maildir/index.js';
import { IMAP4Factory } from '../imap/factory.js';
import type { IMAPServerOptions } from '../imap/server.js';

/** A factory serving alice's maildir (in a new temp folder `dir`, or at `maildirPath`) with a fake clock. */
export function setup(options: Partial<IMAPServerOptions> = {}, maildirPath?: string): { factory: IMAP4Factory; maildir: Maildir; clock: Clock; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-imap-'));
  const maildir = new Maildir(maildirPath ?? join(dir, 'alice'), { hostname: 'test' });
  const clock = new Clock();
  clock.advance(1_700_000_000);
  const realm = {
    requestAvatar: (id: unknown) => [IMailAccount, { username: String(id), openMailbox: () => MaildirMailbox.open(maildir) } as MailAccount, () => undefined] as never,
  };
  const portal = new Portal(realm, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
  const factory = new IMAP4Factory({ hostname: 'mail.example.test', portal, clock, allowPlaintextAuth: true, ...options });
  return { factory, maildir, clock, dir };
}

/** A session of `factory` over a StringTransport; `send` resolves with what came back once the command's tagged answer did. */
export function connect(factory: IMAP4Factory, secure = false): { transport: StringTransport; send(text: string, waitFor?: string): Promise<string>; push(text: string): void } {
  const transport = new StringTransport({ peerAddress: new IPv4Address('TCP', '127.0.0.1', 40000), secure });
  const proto = factory.buildProtocol(transport.getHost());
  proto.makeConnection(transport);
  return {
    transport,
    push(text) {
      proto.dataReceived(Buffer.from(text, 'utf8'));
    },
    async send(text, waitFor) {
      transport.clear();
      proto.dataReceived(Buffer.from(text, 'utf8'));
      const tag = waitFor ?? /^(\S+) /.exec(text.split('\r\n').filter((l) => l !== '').pop() ?? '')?.[1] ?? '';
      await eventually(() => new RegExp(`(^|\\r\\n)${tag.replace(/[.*]/g, '\\$&')} (OK|NO|BAD)`).test(transport.valueString()), { timeout: 15 }).catch((e: unknown) => {
        throw new Error(`${String(e)}; sent ${JSON.stringify(text.slice(0, 200))}, got ${JSON.stringify(transport.valueString().slice(0, 500))}`);
      });
      return transport.valueString();
    },
  };
}
