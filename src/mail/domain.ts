/**
 * One mail domain served from maildirs: the delivery the SMTP server asks (local users get their maildir,
 * other domains only from authenticated clients, through the outgoing queue) and the realm POP3 logs in to.
 * @module
 */
import { join } from 'node:path';
import { Deferred } from '../defer/index.js';
import { UnsupportedAvatarInterface, type AvatarId, type AvatarInterface, type IRealm, type LoginResult } from '../cred/index.js';
import type { IReactorTime } from '../internet/interfaces.js';
import type { Address } from './address.js';
import { IMailAccount } from './account.js';
import { RelayDenied, SMTPBadRcpt, SenderLoginMismatch } from './errors.js';
import type { IMailbox, IMessage, IMessageDelivery, MailAccount, SMTPRecipient, SMTPSession } from './interfaces.js';
import { Maildir, MaildirMailbox } from './maildir/index.js';

/** Where relayed mail goes: the outgoing queue's `enqueue`. */
export interface IRelayQueue {
  /** Keeps `message` (CRLF text) for `to` on disk; fires once it is safe there. */
  enqueue(from: Address | null, to: readonly Address[], message: Uint8Array): Deferred<void>;
}

/** Options of a {@link MailDomain}. */
export interface MailDomainOptions {
  /** The domain (`example.test`); its users' mail is delivered here. */
  domain: string;
  /** The folder holding one maildir per user (`<root>/<user>`). */
  root: string;
  /** The users who have mailboxes. */
  users: Iterable<string>;
  /** The user who gets mail for `postmaster@<domain>` (RFC 5321 §4.5.1 says it must be taken). */
  postmaster?: string;
  /** Where mail from authenticated clients to other domains goes; without one it is refused. */
  relay?: IRelayQueue;
  /**
   * The sender addresses a logged-in SMTP client may give, beyond its own `<login>@<domain>`: extra
   * addresses by login (lower-case), or `'any'` to not check (RFC 4954 leaves it to the server; a relay
   * that checks nothing lets any user send as any other).
   */
  senders?: ReadonlyMap<string, readonly string[]> | 'any';
  /** Time for the maildirs' unique names. */
  clock?: IReactorTime;
  /** The most messages a POP3 session lists. */
  maxMessages?: number;
}

/**
 * The domain: an `IMessageDelivery` for the SMTP server and an `IRealm` handing out `IMailAccount`s.
 *
 * @example
 * const domain = new MailDomain({ domain: 'example.test', root: './var/mail', users: ['alice'] });
 * const smtp = new SMTPFactory({ hostname: 'mx.example.test', delivery: domain });
 * const portal = new Portal(domain, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
 */
export class MailDomain implements IMessageDelivery, IRealm {
  readonly domain: string;
  readonly #maildirs = new Map<string, Maildir>();
  readonly #relay: IRelayQueue | undefined;
  readonly #maxMessages: number;
  readonly #postmaster: string | undefined;
  readonly #senders: ReadonlyMap<string, readonly string[]> | 'any';

  constructor(options: MailDomainOptions) {
    this.domain = options.domain.toLowerCase();
    this.#postmaster = options.postmaster?.toLowerCase();
    this.#relay = options.relay;
    this.#senders = options.senders ?? new Map();
    this.#maxMessages = options.maxMessages ?? Infinity;
    for (const user of options.users) {
      if (!/^[A-Za-z0-9._+-]+$/.test(user) || user.startsWith('.')) throw new RangeError(`${JSON.stringify(user)} cannot name a maildir`);
      this.#maildirs.set(user.toLowerCase(), new Maildir(join(options.root, user), options.clock ? { clock: options.clock } : {}));
    }
  }

  /** The user's maildir, if the user has one. */
  maildirOf(user: string): Maildir | undefined {
    return this.#maildirs.get(user.toLowerCase());
  }

  /** Makes every user's maildir. */
  create(): Deferred<void> {
    return Deferred.fromPromise(Promise.all([...this.#maildirs.values()].map((m) => m.create().asPromise())).then(() => undefined));
  }

  /**
   * A client that logged in may send only as `<login>@<domain>` or an address {@link MailDomainOptions.senders}
   * gives it; the null sender (`MAIL FROM:<>`, a bounce) claims no one and passes.
   */
  validateFrom(session: SMTPSession, origin: Address | null): Address | null {
    const login = session.authenticated;
    if (login === null || origin === null || this.#senders === 'any') return origin;
    const own = login.includes('@') ? login.toLowerCase() : `${login.toLowerCase()}@${this.domain}`;
    const given = `${origin.local.toLowerCase()}@${origin.domainKey}`;
    if (given === own || (this.#senders.get(login.toLowerCase()) ?? []).some((a) => a.toLowerCase() === given)) return origin;
    throw new SenderLoginMismatch(origin.toString(), login);
  }

  validateTo(recipient: SMTPRecipient): () => IMessage {
    const dest = recipient.dest;
    if (dest.domainKey === this.domain) {
      const local = dest.local.toLowerCase() === 'postmaster' && this.#postmaster !== undefined && !this.#maildirs.has('postmaster') ? this.#postmaster : dest.local;
      const maildir = this.maildirOf(local);
      if (maildir === undefined) throw new SMTPBadRcpt(dest.toString());
      return () => new BufferedMessage((text) => maildir.deliver(text).addCallback(() => undefined));
    }
    const relay = this.#relay;
    if (recipient.session.authenticated === null || relay === undefined) throw new RelayDenied(dest.toString());
    return () => new BufferedMessage((text) => relay.enqueue(recipient.origin, [dest], text));
  }

  requestAvatar(avatarId: AvatarId, _mind: unknown, ...interfaces: AvatarInterface[]): LoginResult {
    if (!interfaces.includes(IMailAccount)) throw new UnsupportedAvatarInterface('the mail realm only gives IMailAccount');
    if (typeof avatarId !== 'string') throw new UnsupportedAvatarInterface('mail accounts are not anonymous');
    const maildir = this.maildirOf(avatarId);
    const max = this.#maxMessages;
    const account: MailAccount = {
      username: avatarId,
      openMailbox: (): Deferred<IMailbox> => (maildir === undefined ? Deferred.succeed(new MaildirMailbox(new Maildir(''), [])) : MaildirMailbox.open(maildir, max)),
    };
    return [IMailAccount, account, () => undefined] as LoginResult;
  }
}

/** A message copy kept in memory (the SMTP server bounds its size) and stored whole at its end. */
export class BufferedMessage implements IMessage {
  #chunks: Uint8Array[] = [];
  #size = 0;

  constructor(readonly store: (text: Uint8Array) => Deferred<void>) {}

  write(chunk: Uint8Array): void {
    this.#chunks.push(chunk.slice());
    this.#size += chunk.length;
  }

  eomReceived(): Deferred<void> {
    const text = Buffer.concat(this.#chunks, this.#size);
    this.#chunks = [];
    return this.store(text);
  }

  connectionLost(): void {
    this.#chunks = [];
  }
}
