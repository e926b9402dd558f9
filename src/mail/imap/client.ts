/**
 * The IMAP client (Twisted's `IMAP4Client`): a Deferred per tagged command, untagged responses handed to
 * hooks and gathered per command, literals sent after the server's `+` (or at once with LITERAL+), and IDLE
 * kept alive by a NOOP on a timer that notices a dead connection. Over any transport; time from its clock.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { Protocol } from '../../internet/index.js';
import type { IDelayedCall, IReactorTime, IStreamTransport } from '../../internet/interfaces.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { IMAPCommandError, MailProtocolError } from '../errors.js';
import { IMAP_CLIENT_LIMITS, type IMAPClientLimits } from '../limits.js';
import { IMAPResponseReader, responseValues, type IMAPResponse } from './response-reader.js';
import { quoteString, valueText, type IMAPValue } from './values.js';

/** A tagged command's outcome: its `OK` text and the untagged responses that came while it ran. */
export interface IMAPResult {
  readonly text: string;
  readonly untagged: readonly IMAPResponse[];
}

/** One name LIST or LSUB answered. */
export interface ListedMailbox {
  /** As on the wire (modified UTF-7). */
  readonly name: string;
  /** The hierarchy separator, or null for a flat server. */
  readonly separator: string | null;
  /** `\Noselect`, `\HasChildren`, ... */
  readonly attributes: readonly string[];
}

/** One `* n FETCH (...)` answer: the sequence number and each attribute's value. */
export interface FetchedMessage {
  readonly seq: number;
  readonly attributes: ReadonlyMap<string, IMAPValue>;
}

/** What SELECT told. */
export interface SelectedMailbox {
  readonly exists: number;
  readonly uidValidity: number;
  readonly uidNext: number;
  readonly readOnly: boolean;
}

interface Pending {
  tag: string;
  /** What is still to send after each `+` (the pieces after a synchronising literal). */
  rest: (string | Uint8Array)[][];
  d: Deferred<IMAPResult>;
  untagged: IMAPResponse[];
  onContinue?: () => void;
}

/** Options of an {@link IMAP4Client}. */
export interface IMAPClientOptions {
  clock?: IReactorTime;
  limits?: Partial<IMAPClientLimits>;
}

/**
 * An IMAP session as a client.
 *
 * @example
 * await client.greeting;
 * await client.login('alice', 'secret');
 * const box = await client.select('INBOX');
 * const [first] = await client.fetch('1', 'BODY.PEEK[]');
 */
export class IMAP4Client extends Protocol<IStreamTransport> {
  /** Fires with the greeting's text. */
  readonly greeting = new Deferred<string>();
  /** Called with every untagged response (`* 3 EXISTS`, `* 1 EXPUNGE`, ...), IDLE's pushes included. */
  onUntagged: ((response: IMAPResponse) => void) | null = null;
  /** The server's capabilities, once `capability()` ran (upper case). */
  capabilities = new Set<string>();
  readonly #limits: IMAPClientLimits;
  readonly #clock: IReactorTime;
  readonly #reader: IMAPResponseReader;
  readonly #pending: Pending[] = [];
  #counter = 0;
  #greeted = false;
  #watchdog: IDelayedCall | null = null;

  constructor(options: IMAPClientOptions = {}) {
    super();
    this.#limits = { ...IMAP_CLIENT_LIMITS, ...options.limits };
    this.#clock = options.clock ?? defaultReactor();
    this.#reader = new IMAPResponseReader(this.#limits);
  }

  override dataReceived(data: Uint8Array): void {
    this.#reader.feed(data);
    try {
      for (let r = this.#reader.next(); r !== undefined; r = this.#reader.next()) {
        this.#response(r);
        if (!this.connected) return;
      }
    } catch (e) {
      this.#failAll(e instanceof Error ? e : new MailProtocolError(String(e)), true);
    }
  }

  override connectionLost(reason: Failure): void {
    this.#failAll(new MailProtocolError(`connection lost: ${reason?.getErrorMessage?.() ?? 'closed'}`), false);
    super.connectionLost(reason);
  }

  #failAll(error: Error, close: boolean): void {
    this.#stopWatchdog();
    if (!this.#greeted) {
      this.#greeted = true;
      this.greeting.errback(error);
    }
    for (const p of this.#pending.splice(0)) p.d.errback(error);
    if (close && this.connected) this.transport.loseConnection();
  }

  #response(r: IMAPResponse): void {
    this.#kick();
    if (!this.#greeted) {
      this.#greeted = true;
      if (/^\* (OK|PREAUTH) /i.test(r.text)) this.greeting.callback(r.text.replace(/^\* \S+ /, ''));
      else this.#failAll(new MailProtocolError(`bad greeting: ${r.text.slice(0, 100)}`), true);
      return;
    }
    const head = this.#pending[0];
    if (r.text.startsWith('+')) {
      if (head === undefined) return this.#failAll(new MailProtocolError('unexpected continuation'), true);
      const next = head.rest.shift();
      if (next !== undefined) this.#writePieces(next);
      else head.onContinue?.();
      return;
    }
    if (r.text.startsWith('* ')) {
      if (head !== undefined) {
        if (head.untagged.length >= this.#limits.maxUntagged) return this.#failAll(new MailProtocolError('too many untagged responses'), true);
        head.untagged.push(r);
      }
      this.onUntagged?.(r);
      return;
    }
    const m = /^(\S+) (OK|NO|BAD)(?: (.*))?$/is.exec(r.text);
    const p = m === null ? undefined : this.#pending.find((x) => x.tag === m[1]);
    if (m === null || p === undefined) return this.#failAll(new MailProtocolError(`unexpected response: ${r.text.slice(0, 100)}`), true);
    this.#pending.splice(this.#pending.indexOf(p), 1);
    if (this.#pending.length === 0) this.#stopWatchdog();
    const status = m[2]!.toUpperCase();
    if (status === 'OK') p.d.callback({ text: m[3] ?? '', untagged: p.untagged });
    else p.d.errback(new IMAPCommandError(status, m[3] ?? ''));
  }

  #writePieces(pieces: (string | Uint8Array)[]): void {
    this.transport.writeSequence(pieces);
  }

  /** Restarts the dead-connection timer while commands wait for answers. */
  #kick(): void {
    this.#stopWatchdog();
    if (this.#pending.length === 0) return;
    this.#watchdog = this.#clock.callLater(this.#limits.timeout, () => {
      this.#watchdog = null;
      this.#failAll(new MailProtocolError(`no answer within ${this.#limits.timeout} seconds: connection dead`), true);
    });
  }

  #stopWatchdog(): void {
    if (this.#watchdog?.active() === true) this.#watchdog.cancel();
    this.#watchdog = null;
  }

  /**
   * Sends `NAME args`; each argument is an atom (string, sent as is) or a literal (Uint8Array). Fires with
   * the OK text and the untagged responses; fails with IMAPCommandError on NO/BAD.
   */
  sendCommand(name: string, ...args: (string | Uint8Array)[]): Deferred<IMAPResult> {
    const tag = `T${++this.#counter}`;
    const literalPlus = this.capabilities.has('LITERAL+');
    const chunks: (string | Uint8Array)[][] = [[`${tag} ${name}`]];
    for (const a of args) {
      const current = chunks[chunks.length - 1]!;
      if (typeof a === 'string') {
        current.push(` ${a}`);
      } else if (literalPlus) {
        current.push(` {${a.length}+}\r\n`, a);
      } else {
        current.push(` {${a.length}}\r\n`);
        chunks.push([a]);
      }
    }
    chunks[chunks.length - 1]!.push('\r\n');
    const d = new Deferred<IMAPResult>();
    const pending: Pending = { tag, rest: chunks.slice(1), d, untagged: [] };
    this.#pending.push(pending);
    this.#writePieces(chunks[0]!);
    this.#kick();
    return d;
  }

  /** CAPABILITY; fires with (and remembers) the list. */
  capability(): Deferred<Set<string>> {
    return this.sendCommand('CAPABILITY').addCallback((r) => {
      const line = r.untagged.find((u) => /^\* CAPABILITY /i.test(u.text));
      this.capabilities = new Set((line?.text.slice('* CAPABILITY '.length) ?? '').toUpperCase().split(' ').filter((c) => c !== ''));
      return this.capabilities;
    });
  }

  /** LOGIN with both strings quoted (literals when they hold CR/LF). */
  login(username: string, password: string): Deferred<IMAPResult> {
    return this.sendCommand('LOGIN', quoteString(username), quoteString(password));
  }

  /** SELECT (or EXAMINE when `readOnly`). */
  select(mailbox: string, readOnly = false): Deferred<SelectedMailbox> {
    return this.sendCommand(readOnly ? 'EXAMINE' : 'SELECT', quoteString(mailbox)).addCallback((r) => {
      const find = (re: RegExp): number => Number(r.untagged.map((u) => re.exec(u.text)?.[1]).find((v) => v !== undefined) ?? 0);
      return { exists: find(/^\* (\d+) EXISTS/i), uidValidity: find(/\[UIDVALIDITY (\d+)\]/i), uidNext: find(/\[UIDNEXT (\d+)\]/i), readOnly: /\[READ-ONLY\]/i.test(r.text) };
    });
  }

  /** FETCH (UID FETCH when `byUid`) `items` (an attribute or a parenthesised list) of `set`. */
  fetch(set: string, items: string, byUid = false): Deferred<FetchedMessage[]> {
    return this.sendCommand(byUid ? 'UID FETCH' : 'FETCH', set, items).addCallback((r) =>
      r.untagged.flatMap((u) => {
        if (!/^\* \d+ FETCH /i.test(u.text)) return [];
        const [seq, , list] = responseValues(u);
        if (list?.type !== 'list') return [];
        const attributes = new Map<string, IMAPValue>();
        for (let i = 0; i + 1 < list.items.length; i += 2) attributes.set((valueText(list.items[i]) ?? '').toUpperCase(), list.items[i + 1]!);
        return [{ seq: Number(valueText(seq)), attributes }];
      }),
    );
  }

  /** SEARCH (UID SEARCH when `byUid`); fires with the numbers. */
  search(criteria: string, byUid = false): Deferred<number[]> {
    return this.sendCommand(byUid ? 'UID SEARCH' : 'SEARCH', criteria).addCallback((r) =>
      r.untagged.flatMap((u) => (/^\* SEARCH\b/i.test(u.text) ? u.text.slice('* SEARCH'.length).trim().split(' ').filter((n) => n !== '').map(Number) : [])),
    );
  }

  /** STORE `mode`FLAGS (`+`, `-` or '') on `set`. */
  store(set: string, mode: '+' | '-' | '', flags: readonly string[], byUid = false): Deferred<IMAPResult> {
    return this.sendCommand(byUid ? 'UID STORE' : 'STORE', set, `${mode}FLAGS`, `(${flags.join(' ')})`);
  }

  /** APPEND `message` to `mailbox` with `flags`. */
  append(mailbox: string, message: Uint8Array, flags: readonly string[] = []): Deferred<IMAPResult> {
    return this.sendCommand('APPEND', quoteString(mailbox), `(${flags.join(' ')})`, message);
  }

  /** LIST (or LSUB when `subscribed`) `reference pattern`; fires with each name, its attributes and the server's separator. */
  list(reference: string, pattern: string, subscribed = false): Deferred<ListedMailbox[]> {
    const verb = subscribed ? 'LSUB' : 'LIST';
    return this.sendCommand(verb, quoteString(reference), quoteString(pattern)).addCallback((r) =>
      r.untagged.flatMap((u) => {
        const [kind, attributes, separator, name] = responseValues(u);
        if ((valueText(kind) ?? '').toUpperCase() !== verb || attributes?.type !== 'list') return [];
        return [{ name: valueText(name) ?? '', separator: valueText(separator) ?? null, attributes: attributes.items.map((a) => valueText(a) ?? '') }];
      }),
    );
  }

  /** CREATE, DELETE, SUBSCRIBE or UNSUBSCRIBE `mailbox` (a modified UTF-7 name, see `encodeMailboxName`). */
  mailboxCommand(verb: 'CREATE' | 'DELETE' | 'SUBSCRIBE' | 'UNSUBSCRIBE', mailbox: string): Deferred<IMAPResult> {
    return this.sendCommand(verb, quoteString(mailbox));
  }

  /** RENAME `from` to `to`. */
  rename(from: string, to: string): Deferred<IMAPResult> {
    return this.sendCommand('RENAME', quoteString(from), quoteString(to));
  }

  /** COPY or MOVE (UID COPY/MOVE when `byUid`) `set` into `mailbox`; the result's text holds a COPYUID code when the server gives one. */
  copy(set: string, mailbox: string, move = false, byUid = false): Deferred<IMAPResult> {
    return this.sendCommand(`${byUid ? 'UID ' : ''}${move ? 'MOVE' : 'COPY'}`, set, quoteString(mailbox));
  }

  /** EXPUNGE; fires with the sequence numbers expunged, in the order told. */
  expunge(): Deferred<number[]> {
    return this.sendCommand('EXPUNGE').addCallback((r) => r.untagged.flatMap((u) => /^\* (\d+) EXPUNGE/i.exec(u.text)?.[1] ?? []).map(Number));
  }

  noop(): Deferred<IMAPResult> {
    return this.sendCommand('NOOP');
  }

  /** LOGOUT; fires once the server said OK. */
  logout(): Deferred<IMAPResult> {
    return this.sendCommand('LOGOUT');
  }

  /**
   * IDLE (RFC 2177): pushes reach `onUntagged`. Every `keepaliveInterval` seconds IDLE is ended, a NOOP
   * sent and IDLE begun again; an answer that does not come within `timeout` fails the session as dead.
   * Fires once IDLE is running, with a function that ends it (its Deferred fires after the server's OK).
   */
  idle(): Deferred<() => Deferred<void>> {
    let stopped = false;
    let timer: IDelayedCall | null = null;
    let current: Deferred<IMAPResult> | null = null;
    const begin = (): Deferred<void> => {
      const started = new Deferred<void>();
      current = this.sendCommand('IDLE');
      this.#pending[this.#pending.length - 1]!.onContinue = () => {
        // Waiting in IDLE is not waiting for an answer: only the keepalive may call the connection dead.
        this.#stopWatchdog();
        started.callback(undefined);
        timer = this.#clock.callLater(this.#limits.keepaliveInterval, () => {
          timer = null;
          void end().addCallback(() => this.noop()).addCallback(() => (stopped ? undefined : begin()));
        });
      };
      current.addErrback((f) => {
        if (!started.called) started.errback(f);
        return null;
      });
      return started;
    };
    const end = (): Deferred<void> => {
      if (timer?.active() === true) timer.cancel();
      timer = null;
      const running = current;
      if (running === null || !this.connected) return Deferred.succeed(undefined);
      this.transport.write('DONE\r\n');
      this.#kick();
      return running.addCallback(() => undefined);
    };
    return begin().addCallback(() => () => {
      stopped = true;
      return end();
    });
  }
}
