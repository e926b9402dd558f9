/**
 * The IMAP4rev1 server (RFC 3501, with LITERAL+, SASL-IR, IDLE, NAMESPACE, ENABLE, UIDPLUS, MOVE, CONDSTORE,
 * SPECIAL-USE) over any
 * transport, serving the maildir of the account `torsion/cred` logs in as INBOX and its Maildir++ folders
 * as the other mailboxes. Sessions on one maildir share one {@link IMAPFolder}, so each sees the others'
 * changes as untagged EXISTS, EXPUNGE and FETCH.
 * @module
 */
import { Protocol, isSecure } from '../../internet/index.js';
import type { IDelayedCall, IReactorTime, IStreamTransport, ITCPTransport, ITLSTransport, TLSOptions } from '../../internet/interfaces.js';
import { IdleTimeout } from '../../protocols/timeout.js';
import type { Portal } from '../../cred/index.js';
import { decodePlain } from '../account.js';
import { IMAPMailboxError, IMAPParseError, IMAPRefusedError } from '../errors.js';
import type { IMAPLimits } from '../limits.js';
import { IMAPCommandReader, type IMAPReaderEvent } from './framer.js';
import { flagList } from './fetch-response.js';
import { SYSTEM_FLAGS, type IMAPFolder } from './folder.js';
import type { IMAP4Factory } from './factory.js';
import { imapLogin } from './login.js';
import { changeMailbox, listMailboxes, statusOf, type MailboxCommandContext } from './mailbox-commands.js';
import { parseMailboxName } from './mailbox-names.js';
import type { MailboxTree } from './mailboxes.js';
import { copyMessages, expungeMessages, fetchMessages, searchMessages, storeFlags, type MessageCommandContext } from './message-commands.js';
import { selectFolder, untaggedChanges, type Selected, type SessionModes } from './selected.js';
import { valueText, type IMAPCommand, type IMAPValue } from './values.js';

/** Options of an {@link IMAP4Factory}. */
export interface IMAPServerOptions {
  /** The name in the greeting. */
  hostname: string;
  /** Logs users in to `IMailAccount`s whose mailbox is a maildir. */
  portal: Portal;
  /** Key and certificate for `STARTTLS`; without them it is not offered. */
  tls?: TLSOptions;
  /** Allow LOGIN/AUTHENTICATE on a connection TLS does not protect (for local tests only). */
  allowPlaintextAuth?: boolean;
  clock?: IReactorTime;
  limits?: Partial<IMAPLimits>;
  /** Seconds between two looks at the maildir while a client IDLEs (new deliveries come from SMTP). */
  idlePollInterval?: number;
  /**
   * RFC 6154 SPECIAL-USE attributes by mailbox name (`{ Sent: '\\Sent' }`), shown in LIST; by default
   * {@link DEFAULT_SPECIAL_USE}, the names Dovecot's Debian configuration gives.
   */
  specialUse?: Readonly<Record<string, string>>;
}

/** The special-use mailboxes by default: Drafts, Sent, Trash, Junk and Archive under those names. */
export const DEFAULT_SPECIAL_USE: Readonly<Record<string, string>> = { Drafts: '\\Drafts', Sent: '\\Sent', Trash: '\\Trash', Junk: '\\Junk', Archive: '\\Archive' };

/** A transport the server runs over. */
export type IMAPTransport = IStreamTransport & Partial<ITLSTransport> & Partial<Pick<ITCPTransport, 'setTcpNoDelay'>>;

/** One IMAP session. Commands run one at a time, in order; while one waits, nothing more is read. */
export class IMAP4Server extends Protocol<IMAPTransport> {
  declare factory: IMAP4Factory;
  readonly #reader: IMAPCommandReader;
  readonly #limits: IMAPLimits;
  #idle!: IdleTimeout;
  #tree: MailboxTree | null = null;
  #logout: (() => void) | null = null;
  #selected: Selected | null = null;
  readonly #modes: SessionModes = { condstore: false };
  #idling: { tag: string; poll: IDelayedCall | null } | null = null;
  #authenticating: string | null = null;
  #errors = 0;
  #authFailures = 0;
  #busy = false;
  #deleting = false;
  #closed = false;
  readonly #onFolderChange = (): void => {
    if (this.#selected?.folder.gone === true) {
      if (!this.#deleting) this.#bye('Selected mailbox was deleted');
    } else if (this.#idling !== null && !this.#busy) this.#untagged(true);
  };

  constructor(factory: IMAP4Factory) {
    super();
    this.factory = factory;
    this.#limits = factory.limits;
    this.#reader = new IMAPCommandReader(this.#limits);
  }

  override connectionMade(): void {
    this.factory.connections.add(this);
    // A command's last untagged line and its tagged answer are two writes: with Nagle's algorithm the second
    // waited for the client's delayed ACK of the first (about 40 ms on Linux), most of a SEARCH's time.
    this.transport.setTcpNoDelay?.(true);
    this.#idle = new IdleTimeout(() => this.#bye('Autologout; idle for too long'), this.factory.clock);
    this.#idle.setTimeout(this.#limits.idleTimeout);
    this.#write(`* OK [CAPABILITY ${this.#capabilities()}] ${this.factory.hostname} Torsion IMAP4rev1 ready\r\n`);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#closed) return;
    this.#idle.resetTimeout();
    this.#reader.feed(data);
    this.#drain();
  }

  override connectionLost(reason: Parameters<Protocol['connectionLost']>[0]): void {
    this.factory.connections.delete(this);
    this.#closed = true;
    this.#idle?.setTimeout(null);
    this.#stopIdle();
    const folder = this.#selected?.folder;
    this.#unselect();
    // Headers are kept while someone may fetch them again; the last session on the mailbox gone, they go.
    if (folder !== undefined && folder.listeners.size === 0) folder.dropHeaders();
    this.#logout?.();
    this.#logout = null;
    super.connectionLost(reason);
  }

  /** Says BYE and closes (the server is going away). */
  shutdown(): void {
    this.#bye('Server shutting down');
  }

  #write(...pieces: (string | Uint8Array)[]): void {
    if (this.#closed) return;
    if (pieces.length === 1) this.transport.write(pieces[0]!);
    else this.transport.writeSequence(pieces);
  }

  #bye(text: string): void {
    if (this.#closed) return;
    this.#write(`* BYE ${text}\r\n`);
    this.#close();
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#idle.setTimeout(null);
    this.#stopIdle();
    this.transport.loseConnection();
  }

  #drain(): void {
    while (!this.#busy && !this.#closed && !this.transport.disconnecting) {
      const event = this.#reader.next();
      if (event === undefined) return;
      this.#event(event);
    }
  }

  #event(event: IMAPReaderEvent): void {
    switch (event.type) {
      case 'continue':
        return this.#write('+ Ready for literal data\r\n');
      case 'error':
        return this.#bad(event.error.tag || '*', event.error.message);
      case 'line':
        return this.#rawLine(event.text);
      case 'command':
        return this.#command(event.command);
    }
  }

  #bad(tag: string, text: string): void {
    this.#write(`${tag} BAD ${text}\r\n`);
    if (++this.#errors >= this.#limits.maxErrors) this.#bye('Too many errors');
  }

  /** Runs an asynchronous command; reading waits until it is answered. */
  #run(tag: string, work: () => Promise<string>, sendExpunges = true): void {
    this.#busy = true;
    this.transport.pauseProducing();
    work().then(
      (text) => {
        this.#untagged(sendExpunges);
        this.#write(`${tag} OK ${text}\r\n`);
      },
      (error: unknown) => {
        if (error instanceof IMAPParseError) this.#bad(tag, error.message);
        else if (error instanceof IMAPMailboxError) this.#write(`${tag} NO [${error.responseCode}] ${error.message}\r\n`);
        else this.#write(`${tag} NO ${error instanceof IMAPRefusedError ? error.message : 'Server error'}\r\n`);
        if (this.#authFailures >= this.#limits.maxAuthFailures) this.#bye('Too many failed logins');
      },
    ).finally(() => {
      this.#busy = false;
      if (this.#closed) return;
      this.transport.resumeProducing();
      this.#drain();
    });
  }

  #capabilities(): string {
    const caps = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'IDLE', 'NAMESPACE', 'ENABLE', 'UNSELECT', 'UIDPLUS', 'MOVE', 'CONDSTORE', 'SPECIAL-USE'];
    if (this.#tree === null) {
      if (this.#canStartTLS()) caps.push('STARTTLS');
      caps.push(this.#plaintextAllowed() ? 'AUTH=PLAIN' : 'LOGINDISABLED');
    }
    return caps.join(' ');
  }

  #plaintextAllowed(): boolean {
    return isSecure(this.transport) || this.factory.allowPlaintextAuth;
  }

  #canStartTLS(): boolean {
    return this.factory.tls !== undefined && typeof this.transport.startTLS === 'function' && !isSecure(this.transport);
  }

  #command(c: IMAPCommand): void {
    const { tag, name } = c;
    switch (name) {
      case 'CAPABILITY':
        this.#write(`* CAPABILITY ${this.#capabilities()}\r\n`);
        return this.#run(tag, async () => 'CAPABILITY completed');
      case 'NOOP':
      case 'CHECK':
        return this.#run(tag, async () => {
          await this.#selected?.folder.refresh();
          return `${name} completed`;
        });
      case 'LOGOUT':
        this.#write('* BYE Logging out\r\n', `${tag} OK LOGOUT completed\r\n`);
        return this.#close();
    }
    if (this.#tree === null) {
      switch (name) {
        case 'STARTTLS':
          return this.#startTLS(tag);
        case 'LOGIN':
          return this.#login(tag, valueText(c.args[0]), valueText(c.args[1]), c.args.length === 2);
        case 'AUTHENTICATE':
          return this.#authenticate(tag, c.args);
        default:
          return this.#bad(tag, `${name} needs LOGIN first (or is unknown)`);
      }
    }
    switch (name) {
      case 'SELECT':
      case 'EXAMINE':
        return this.#select(tag, c.args, name === 'EXAMINE');
      case 'LIST':
      case 'LSUB':
        // Only the RFC 6154 forms of LIST-EXTENDED: `LIST (SPECIAL-USE) ref pattern`, `... RETURN (SPECIAL-USE)`.
        return this.#run(tag, () => listMailboxes(this.#context(tag), name, c.args));
      case 'STATUS':
        return this.#run(tag, () => statusOf(this.#context(tag), c.args));
      case 'NAMESPACE':
        this.#write('* NAMESPACE (("" "/")) NIL NIL\r\n');
        return this.#run(tag, async () => 'NAMESPACE completed');
      case 'ENABLE': {
        // Only CONDSTORE is known; RFC 5161 says an unknown extension is left out of ENABLED, not refused.
        const wanted = c.args.some((a) => (valueText(a) ?? '').toUpperCase() === 'CONDSTORE');
        const newly = wanted && !this.#modes.condstore;
        this.#modes.condstore ||= wanted;
        this.#write(`* ENABLED${newly ? ' CONDSTORE' : ''}\r\n`);
        return this.#run(tag, async () => 'ENABLE completed');
      }
      case 'SUBSCRIBE':
      case 'UNSUBSCRIBE':
      case 'CREATE':
      case 'RENAME':
        return this.#run(tag, () => changeMailbox(this.#context(tag), name, c.args));
      case 'DELETE':
        return this.#run(tag, async () => {
          // Deleting its own selected mailbox closes it for this session (RFC 7162's [CLOSED]); others get BYE.
          this.#deleting = true;
          try {
            return await changeMailbox(this.#context(tag), name, c.args);
          } finally {
            this.#deleting = false;
            if (this.#selected?.folder.gone === true) {
              this.#unselect();
              this.#write('* OK [CLOSED] Selected mailbox was deleted\r\n');
            }
          }
        });
      case 'APPEND':
        return this.#append(tag, c.args);
      case 'IDLE':
        return this.#startIdle(tag);
    }
    if (this.#selected === null) return this.#bad(tag, `${name} needs a selected mailbox (or is unknown)`);
    let args = c.args;
    let byUid = false;
    let verb = name;
    if (name === 'UID') {
      verb = (valueText(args[0]) ?? '').toUpperCase();
      args = args.slice(1);
      byUid = true;
    }
    const run = (work: (ctx: MessageCommandContext) => Promise<string>, sendExpunges = true): void =>
      this.#run(tag, () => work(this.#messageContext(tag, byUid)), sendExpunges);
    switch (verb) {
      case 'FETCH':
        return run((ctx) => fetchMessages(ctx, args), byUid);
      case 'STORE':
        return run((ctx) => storeFlags(ctx, args), byUid);
      case 'SEARCH':
        return run((ctx) => searchMessages(ctx, args), byUid);
      case 'COPY':
      case 'MOVE':
        return run((ctx) => copyMessages(ctx, verb, args));
      case 'EXPUNGE':
        return run((ctx) => expungeMessages(ctx, byUid ? args[0] : undefined));
      case 'CLOSE':
        return this.#closeMailbox(tag, true);
      case 'UNSELECT':
        return this.#closeMailbox(tag, false);
      default:
        return this.#bad(tag, `unknown command ${verb}`);
    }
  }

  #startTLS(tag: string): void {
    if (!this.#canStartTLS()) return this.#bad(tag, 'STARTTLS not available');
    this.#write(`${tag} OK Begin TLS negotiation now\r\n`);
    // What was sent in the clear behind STARTTLS belongs to TLS, never to the session (RFC 3501 §6.2.1).
    this.transport.startTLS!(this.factory.tls!, true, this.#reader.takeBuffered());
  }

  #login(tag: string, user: string | undefined, password: string | undefined, wellFormed: boolean): void {
    if (!wellFormed || user === undefined || password === undefined) return this.#bad(tag, 'Syntax: LOGIN user password');
    if (!this.#plaintextAllowed()) return this.#write(`${tag} NO [PRIVACYREQUIRED] Use STARTTLS first\r\n`);
    this.#run(tag, async () => {
      const peer = (this.transport.getPeer() as { host?: string }).host ?? 'unknown';
      const login = await imapLogin(this.factory.portal, user, password, peer, this.#limits, () => this.#authFailures++);
      this.#tree = login.tree;
      this.#logout = login.logout;
      return `[CAPABILITY ${this.#capabilities()}] Logged in`;
    });
  }

  #authenticate(tag: string, args: readonly IMAPValue[]): void {
    if ((valueText(args[0]) ?? '').toUpperCase() !== 'PLAIN' || args.length > 2) return this.#write(`${tag} NO Only AUTHENTICATE PLAIN is supported\r\n`);
    if (!this.#plaintextAllowed()) return this.#write(`${tag} NO [PRIVACYREQUIRED] Use STARTTLS first\r\n`);
    const initial = valueText(args[1]);
    if (initial !== undefined) return this.#plain(tag, initial === '=' ? '' : initial);
    this.#authenticating = tag;
    this.#reader.expectRawLine();
    this.#write('+ \r\n');
  }

  #plain(tag: string, response: string): void {
    const plain = decodePlain(response);
    if (plain === null || (plain.authzid !== '' && plain.authzid !== plain.username)) return this.#bad(tag, 'Malformed PLAIN response');
    this.#login(tag, plain.username, plain.password, true);
  }

  #rawLine(text: string): void {
    const tag = this.#authenticating;
    this.#authenticating = null;
    if (tag !== null) {
      if (text === '*') return this.#bad(tag, 'AUTHENTICATE cancelled');
      return this.#plain(tag, text);
    }
    const idling = this.#idling;
    if (idling !== null) {
      this.#stopIdle();
      if (text.toUpperCase() !== 'DONE') return this.#bad(idling.tag, 'Expected DONE');
      return this.#run(idling.tag, async () => 'IDLE terminated');
    }
  }

  #startIdle(tag: string): void {
    this.#idling = { tag, poll: null };
    this.#reader.expectRawLine();
    this.#write('+ idling\r\n');
    this.#untagged(true);
    this.#schedulePoll();
  }

  #schedulePoll(): void {
    const idling = this.#idling;
    const folder = this.#selected?.folder;
    if (idling === null || folder === undefined) return;
    idling.poll = this.factory.clock.callLater(this.factory.idlePollInterval, () => {
      if (this.#idling !== idling) return;
      idling.poll = null;
      // A change found here reaches this session through the folder's listeners.
      folder.refresh().then(
        () => this.#schedulePoll(),
        () => this.#schedulePoll(),
      );
    });
  }

  #stopIdle(): void {
    if (this.#idling?.poll?.active() === true) this.#idling.poll.cancel();
    this.#idling = null;
  }

  /** Tells the client what changed in the selected mailbox since it was last told. */
  #untagged(sendExpunges: boolean): void {
    if (this.#selected === null || this.#closed) return;
    const lines = untaggedChanges(this.#selected, sendExpunges);
    if (lines.length > 0) this.#write(...lines);
  }

  #unselect(): void {
    if (this.#selected === null) return;
    this.#selected.folder.listeners.delete(this.#onFolderChange);
    this.#selected = null;
  }

  #context(tag: string): MailboxCommandContext {
    return { tag, tree: this.#tree!, factory: this.factory, limits: this.#limits, write: (text) => this.#write(text) };
  }

  #messageContext(tag: string, byUid: boolean): MessageCommandContext {
    return {
      tag,
      byUid,
      selected: this.#selected!,
      write: (...pieces) => this.#write(...pieces),
      folderNamed: (value) => this.#folderNamed(value, tag, 'TRYCREATE'),
    };
  }

  /** The open folder of the mailbox named by `value`; `missing` is the response code when there is none. */
  async #folderNamed(value: IMAPValue | undefined, tag: string, missing: 'NONEXISTENT' | 'TRYCREATE'): Promise<IMAPFolder> {
    if (value === undefined || value.type === 'list') throw new IMAPParseError('mailbox name expected', tag);
    const levels = parseMailboxName(valueText(value), this.#limits);
    return this.factory.folderFor(await this.#tree!.open(levels, missing));
  }

  #select(tag: string, args: readonly IMAPValue[], readOnly: boolean): void {
    this.#unselect();
    this.#run(tag, async () => {
      const params = args[1];
      const condstore = params?.type === 'list' && params.items.length === 1 && (valueText(params.items[0]) ?? '').toUpperCase() === 'CONDSTORE';
      if (args.length !== 1 && !(args.length === 2 && condstore)) throw new IMAPParseError('Syntax: SELECT mailbox [(CONDSTORE)]', tag);
      if (condstore) this.#modes.condstore = true;
      const folder = await this.#folderNamed(args[0], tag, 'NONEXISTENT');
      const messages = await folder.refresh();
      this.#selected = selectFolder(folder, messages, readOnly, this.#modes);
      folder.listeners.add(this.#onFolderChange);
      const recent = messages.filter((m) => m.flags.includes('\\Recent')).length;
      const unseen = messages.findIndex((m) => !m.flags.includes('\\Seen'));
      const flags = [...SYSTEM_FLAGS, ...folder.keywords];
      const permanent = readOnly ? [] : [...flags, ...(folder.canCreateKeywords ? ['\\*'] : [])];
      this.#write(
        `* ${messages.length} EXISTS\r\n* ${recent} RECENT\r\n`,
        ...(unseen >= 0 ? [`* OK [UNSEEN ${unseen + 1}] First unseen\r\n`] : []),
        `* OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid\r\n* OK [UIDNEXT ${folder.uidNext}] Predicted next UID\r\n`,
        `* OK [HIGHESTMODSEQ ${folder.highestModseq}] Highest\r\n`,
        `* FLAGS ${flagList(flags)}\r\n* OK [PERMANENTFLAGS ${flagList(permanent)}] Limited\r\n`,
      );
      return `[READ-${readOnly ? 'ONLY' : 'WRITE'}] ${readOnly ? 'EXAMINE' : 'SELECT'} completed`;
    });
  }

  #append(tag: string, args: readonly IMAPValue[]): void {
    this.#run(tag, async () => {
      const message = args[args.length - 1];
      if (args.length < 2 || args.length > 4 || message?.type !== 'string') throw new IMAPParseError('Syntax: APPEND mailbox [(flags)] [date] literal', tag);
      const folder = await this.#folderNamed(args[0], tag, 'TRYCREATE');
      const flagArg = args[1]?.type === 'list' ? args[1].items.map((f) => valueText(f) ?? '') : [];
      await folder.refresh();
      const uid = await folder.append(message.value, flagArg);
      return `[APPENDUID ${folder.uidValidity} ${uid}] APPEND completed`;
    });
  }

  #closeMailbox(tag: string, expunge: boolean): void {
    const s = this.#selected!;
    this.#run(
      tag,
      async () => {
        if (expunge && !s.readOnly) await s.folder.expunge(s.folder.messages.filter((m) => m.flags.includes('\\Deleted')).map((m) => m.uid));
        this.#unselect();
        return `${expunge ? 'CLOSE' : 'UNSELECT'} completed`;
      },
      false,
    );
  }
}
