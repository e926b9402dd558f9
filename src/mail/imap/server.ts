/**
 * The IMAP4rev1 server (RFC 3501, with LITERAL+, SASL-IR, IDLE, NAMESPACE, ENABLE, UIDPLUS, MOVE) over any
 * transport, serving the maildir of the account `torsion/cred` logs in as INBOX and its Maildir++ folders
 * as the other mailboxes. Sessions on one maildir share one {@link IMAPFolder}, so each sees the others'
 * changes as untagged EXISTS, EXPUNGE and FETCH.
 * @module
 */
import { Protocol, isSecure } from '../../internet/index.js';
import { TorsionError } from '../../errors/index.js';
import type { IDelayedCall, IReactorTime, IStreamTransport, ITLSTransport, TLSOptions } from '../../internet/interfaces.js';
import { IdleTimeout } from '../../protocols/timeout.js';
import { UsernamePassword, type Portal } from '../../cred/index.js';
import { IMailAccount, decodePlain } from '../account.js';
import { IMAPMailboxError, IMAPParseError } from '../errors.js';
import type { IMAPLimits } from '../limits.js';
import { MaildirMailbox } from '../maildir/mailbox.js';
import { IMAPCommandReader, type IMAPReaderEvent } from './framer.js';
import { parseFetchItems } from './fetch-att.js';
import { flagList, setsSeen, writeFetch } from './fetch-response.js';
import { SYSTEM_FLAGS, type IMAPFolder, type IMAPMessage } from './folder.js';
import type { IMAP4Factory } from './factory.js';
import { changeMailbox, listMailboxes, statusOf, type MailboxCommandContext } from './mailbox-commands.js';
import { parseMailboxName } from './mailbox-names.js';
import { MailboxTree } from './mailboxes.js';
import { compileSearch } from './search.js';
import { inSequenceSet, parseSequenceSet, uidSet } from './sequence.js';
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
}

/** A transport the server runs over. */
export type IMAPTransport = IStreamTransport & Partial<ITLSTransport>;

/** A refusal answered `tag NO text`. */
class Refused extends TorsionError {
  override readonly code = 'TORSION_IMAP_REFUSED';
}

interface Selected {
  folder: IMAPFolder;
  readOnly: boolean;
  /** The session's view: sequence number - 1 to UID. */
  uids: number[];
  /** The flags last told, by UID, to notice other sessions' changes. */
  told: Map<number, string>;
}

/** One IMAP session. Commands run one at a time, in order; while one waits, nothing more is read. */
export class IMAP4Server extends Protocol<IMAPTransport> {
  declare factory: IMAP4Factory;
  readonly #reader: IMAPCommandReader;
  readonly #limits: IMAPLimits;
  #idle!: IdleTimeout;
  #tree: MailboxTree | null = null;
  #logout: (() => void) | null = null;
  #selected: Selected | null = null;
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
        else this.#write(`${tag} NO ${error instanceof Refused ? error.message : 'Server error'}\r\n`);
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
    const caps = ['IMAP4rev1', 'LITERAL+', 'SASL-IR', 'IDLE', 'NAMESPACE', 'ENABLE', 'UNSELECT', 'UIDPLUS', 'MOVE'];
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
        return this.#run(tag, () => listMailboxes(this.#context(tag), name, c.args));
      case 'STATUS':
        return this.#run(tag, () => statusOf(this.#context(tag), c.args));
      case 'NAMESPACE':
        this.#write('* NAMESPACE (("" "/")) NIL NIL\r\n');
        return this.#run(tag, async () => 'NAMESPACE completed');
      case 'ENABLE':
        this.#write('* ENABLED\r\n');
        return this.#run(tag, async () => 'ENABLE completed');
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
    switch (verb) {
      case 'FETCH':
        return this.#fetch(tag, args, byUid);
      case 'STORE':
        return this.#store(tag, args, byUid);
      case 'SEARCH':
        return this.#search(tag, args, byUid);
      case 'COPY':
      case 'MOVE':
        return this.#copy(tag, verb, args, byUid);
      case 'EXPUNGE':
        return this.#expunge(tag, byUid ? args[0] : undefined, 'EXPUNGE completed');
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
      try {
        const [, account, logout] = await this.factory.portal.login(new UsernamePassword(user, password, peer), null, IMailAccount).asPromise();
        const box = await account.openMailbox().asPromise();
        if (!(box instanceof MaildirMailbox)) {
          logout();
          throw new Refused('[UNAVAILABLE] This account has no maildir');
        }
        this.#tree = new MailboxTree(box.maildir, this.#limits);
        this.#logout = logout;
      } catch (e) {
        if (e instanceof Refused) throw e;
        this.#authFailures++;
        throw new Refused('[AUTHENTICATIONFAILED] Invalid credentials');
      }
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
    const s = this.#selected;
    if (s === null || this.#closed) return;
    const now = new Map(s.folder.messages.map((m) => [m.uid, m]));
    if (sendExpunges) {
      for (let i = s.uids.length - 1; i >= 0; i--) {
        if (!now.has(s.uids[i]!)) {
          this.#write(`* ${i + 1} EXPUNGE\r\n`);
          s.told.delete(s.uids[i]!);
          s.uids.splice(i, 1);
        }
      }
    }
    const known = new Set(s.uids);
    const added = s.folder.messages.filter((m) => !known.has(m.uid) && m.uid > (s.uids[s.uids.length - 1] ?? 0));
    if (added.length > 0) {
      for (const m of added) {
        s.uids.push(m.uid);
        s.told.set(m.uid, flagList(m.flags));
      }
      this.#write(`* ${s.uids.length} EXISTS\r\n`);
    }
    s.uids.forEach((uid, i) => {
      const m = now.get(uid);
      if (m === undefined) return;
      const flags = flagList(m.flags);
      if (s.told.get(uid) !== flags) {
        s.told.set(uid, flags);
        this.#write(`* ${i + 1} FETCH (UID ${uid} FLAGS ${flags})\r\n`);
      }
    });
  }

  #unselect(): void {
    if (this.#selected === null) return;
    this.#selected.folder.listeners.delete(this.#onFolderChange);
    this.#selected = null;
  }

  #context(tag: string): MailboxCommandContext {
    return { tag, tree: this.#tree!, factory: this.factory, limits: this.#limits, write: (text) => this.#write(text) };
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
      if (args.length !== 1) throw new IMAPParseError('Syntax: SELECT mailbox', tag);
      const folder = await this.#folderNamed(args[0], tag, 'NONEXISTENT');
      const messages = await folder.refresh();
      const s: Selected = { folder, readOnly, uids: messages.map((m) => m.uid), told: new Map(messages.map((m) => [m.uid, flagList(m.flags)])) };
      this.#selected = s;
      folder.listeners.add(this.#onFolderChange);
      const recent = messages.filter((m) => m.flags.includes('\\Recent')).length;
      const unseen = messages.findIndex((m) => !m.flags.includes('\\Seen'));
      const flags = [...SYSTEM_FLAGS, ...folder.keywords];
      const permanent = readOnly ? [] : [...flags, ...(folder.canCreateKeywords ? ['\\*'] : [])];
      this.#write(
        `* ${messages.length} EXISTS\r\n* ${recent} RECENT\r\n`,
        ...(unseen >= 0 ? [`* OK [UNSEEN ${unseen + 1}] First unseen\r\n`] : []),
        `* OK [UIDVALIDITY ${folder.uidValidity}] UIDs valid\r\n* OK [UIDNEXT ${folder.uidNext}] Predicted next UID\r\n`,
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

  /** The messages named by a sequence set (or UID set) in the session's view, with their sequence numbers. */
  #pick(value: IMAPValue | undefined, byUid: boolean, tag: string): { seq: number; message: IMAPMessage }[] {
    const s = this.#selected!;
    const text = valueText(value);
    if (value?.type !== 'atom' || text === undefined) throw new IMAPParseError('sequence set expected', tag);
    const set = parseSequenceSet(text, tag);
    const byUidMap = new Map(s.folder.messages.map((m) => [m.uid, m]));
    const maxUid = s.uids[s.uids.length - 1] ?? 0;
    const out: { seq: number; message: IMAPMessage }[] = [];
    s.uids.forEach((uid, i) => {
      const m = byUidMap.get(uid);
      if (m !== undefined && (byUid ? inSequenceSet(set, uid, maxUid) : inSequenceSet(set, i + 1, s.uids.length))) out.push({ seq: i + 1, message: m });
    });
    return out;
  }

  #fetch(tag: string, args: readonly IMAPValue[], byUid: boolean): void {
    this.#run(
      tag,
      async () => {
        if (args.length !== 2) throw new IMAPParseError('Syntax: FETCH set items', tag);
        const attributes = parseFetchItems(args[1], tag);
        const s = this.#selected!;
        let picked = this.#pick(args[0], byUid, tag);
        const unseen = setsSeen(attributes) && !s.readOnly ? new Set(picked.filter((p) => !p.message.flags.includes('\\Seen')).map((p) => p.message.uid)) : new Set<number>();
        if (unseen.size > 0) {
          await s.folder.store([...unseen], '+', ['\\Seen']);
          picked = this.#pick(args[0], byUid, tag);
        }
        await writeFetch(s.folder, picked, attributes, { byUid, unseen, told: s.told }, (pieces) => this.#write(...pieces));
        return `${byUid ? 'UID ' : ''}FETCH completed`;
      },
      byUid,
    );
  }

  #store(tag: string, args: readonly IMAPValue[], byUid: boolean): void {
    this.#run(
      tag,
      async () => {
        const s = this.#selected!;
        const what = /^([+-]?)FLAGS(\.SILENT)?$/i.exec(valueText(args[1]) ?? '');
        const flags = args[2]?.type === 'list' ? args[2].items.map((f) => valueText(f) ?? '') : args.slice(2).map((f) => valueText(f) ?? '');
        if (what === null || args.length < 3) throw new IMAPParseError('Syntax: STORE set [+-]FLAGS[.SILENT] (flags)', tag);
        if (s.readOnly) throw new Refused('[READ-ONLY] Mailbox is read-only');
        const picked = this.#pick(args[0], byUid, tag);
        await s.folder.store(picked.map((p) => p.message.uid), what[1] as '+' | '-' | '', flags);
        const after = new Map(s.folder.messages.map((m) => [m.uid, m]));
        for (const { seq, message } of picked) {
          const m = after.get(message.uid);
          if (m === undefined) continue;
          s.told.set(m.uid, flagList(m.flags));
          if (what[2] === undefined) this.#write(`* ${seq} FETCH (${byUid ? `UID ${m.uid} ` : ''}FLAGS ${flagList(m.flags)})\r\n`);
        }
        return `${byUid ? 'UID ' : ''}STORE completed`;
      },
      byUid,
    );
  }

  #search(tag: string, args: readonly IMAPValue[], byUid: boolean): void {
    this.#run(
      tag,
      async () => {
        const s = this.#selected!;
        const search = compileSearch(args, tag);
        const byUidMap = new Map(s.folder.messages.map((m) => [m.uid, m]));
        const found: number[] = [];
        for (let i = 0; i < s.uids.length; i++) {
          const message = byUidMap.get(s.uids[i]!);
          if (message === undefined) continue;
          const reading = search.needsText || search.needsHeader;
          const text = reading ? await (search.needsText ? s.folder.read(message) : s.folder.header(message)).catch(() => undefined) : undefined;
          if (reading && text === undefined) continue;
          if (search.test({ message, seq: i + 1, maxSeq: s.uids.length, maxUid: s.uids[s.uids.length - 1] ?? 0, text })) found.push(byUid ? message.uid : i + 1);
        }
        this.#write(`* SEARCH${found.map((n) => ` ${n}`).join('')}\r\n`);
        return `${byUid ? 'UID ' : ''}SEARCH completed`;
      },
      byUid,
    );
  }

  /** COPY, or MOVE (RFC 6851): the COPYUID goes in an untagged OK, then the EXPUNGEs, then the tagged OK. */
  #copy(tag: string, verb: string, args: readonly IMAPValue[], byUid: boolean): void {
    this.#run(tag, async () => {
      if (args.length !== 2) throw new IMAPParseError(`Syntax: ${verb} set mailbox`, tag);
      const s = this.#selected!;
      const move = verb === 'MOVE';
      if (move && s.readOnly) throw new Refused('[READ-ONLY] Mailbox is read-only');
      const picked = this.#pick(args[0], byUid, tag);
      const target = await this.#folderNamed(args[1], tag, 'TRYCREATE');
      await target.refresh();
      if (move && target === s.folder) throw new Refused('[CANNOT] Source and destination are the same mailbox');
      const pairs = await target.copyFrom(s.folder, picked.map((p) => p.message), move);
      const code = pairs.length === 0 ? '' : `[COPYUID ${target.uidValidity} ${uidSet(pairs.map((p) => p[0]))} ${uidSet(pairs.map((p) => p[1]))}] `;
      if (!move) return `${code}${byUid ? 'UID ' : ''}COPY completed`;
      if (code !== '') this.#write(`* OK ${code}Moved\r\n`);
      await s.folder.refresh();
      return `${byUid ? 'UID ' : ''}MOVE completed`;
    });
  }

  #expunge(tag: string, uidSet: IMAPValue | undefined, done: string): void {
    this.#run(tag, async () => {
      const s = this.#selected!;
      if (s.readOnly) throw new Refused('[READ-ONLY] Mailbox is read-only');
      const limit = uidSet === undefined ? undefined : new Set(this.#pick(uidSet, true, tag).map((p) => p.message.uid));
      const doomed = s.folder.messages.filter((m) => m.flags.includes('\\Deleted') && (limit === undefined || limit.has(m.uid))).map((m) => m.uid);
      await s.folder.expunge(doomed);
      return done;
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
