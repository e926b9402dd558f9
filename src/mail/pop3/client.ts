/**
 * The POP3 client (Twisted's `AdvancedPOP3Client`): a Deferred per command, commands sent at once and
 * answered in order (RFC 2449 pipelining), multi-line answers dot-unstuffed and bounded, STLS with the
 * server's certificate verified. Over any transport; time from the clock it is given.
 * @module
 */
import { Deferred, type Failure } from '../../defer/index.js';
import { Protocol, isSecure } from '../../internet/index.js';
import type { IReactorTime, IStreamTransport, ITLSTransport, TLSOptions } from '../../internet/interfaces.js';
import { IdleTimeout } from '../../protocols/timeout.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { MailProtocolError, POP3Error, TLSRequiredError } from '../errors.js';
import { MAIL_CLIENT_LIMITS, type MailClientLimits } from '../limits.js';
import { LineReader } from '../lines.js';
import { apopDigest } from './apop.js';

interface Pending {
  multi: boolean;
  /** A message (RETR, TOP): bounded by bytes, not by lines. */
  large: boolean;
  d: Deferred<string[] | string>;
  lines: string[] | null;
  size: number;
}

/** Options of a {@link POP3Client}. */
export interface POP3ClientOptions {
  clock?: IReactorTime;
  limits?: Partial<MailClientLimits>;
}

/**
 * A POP3 session as a client.
 *
 * @example
 * await client.greeting;
 * await client.login('alice', 'secret');
 * const sizes = await client.listSize();
 * const first = await client.retrieve(0);
 * await client.quit();
 */
export class POP3Client extends Protocol<IStreamTransport & Partial<ITLSTransport>> {
  /** Fires with the greeting's text once the server said `+OK`. */
  readonly greeting = new Deferred<string>();
  readonly #limits: MailClientLimits;
  readonly #reader: LineReader;
  readonly #pending: Pending[] = [];
  readonly #clock: IReactorTime;
  #idle!: IdleTimeout;
  #greeted = false;
  #challenge: string | null = null;

  constructor(options: POP3ClientOptions = {}) {
    super();
    this.#limits = { ...MAIL_CLIENT_LIMITS, ...options.limits };
    this.#reader = new LineReader(this.#limits.maxReplyLength);
    this.#clock = options.clock ?? defaultReactor();
  }

  override connectionMade(): void {
    this.#idle = new IdleTimeout(() => this.#failAll(new MailProtocolError(`no answer within ${this.#limits.timeout} seconds`), true), this.#clock);
    this.#idle.setTimeout(this.#limits.timeout);
  }

  override dataReceived(data: Uint8Array): void {
    this.#idle.resetTimeout();
    this.#reader.feed(data);
    for (let e = this.#reader.next(); e !== null; e = this.#reader.next()) {
      if (e.kind === 'tooLong') return this.#failAll(new MailProtocolError('answer line too long'), true);
      this.#line(Buffer.from(e.line).toString('latin1'));
      if (!this.connected) return;
    }
  }

  override connectionLost(reason: Failure): void {
    this.#idle?.setTimeout(null);
    this.#failAll(new MailProtocolError(`connection lost: ${reason?.getErrorMessage?.() ?? 'closed'}`), false);
    super.connectionLost(reason);
  }

  #failAll(e: Error, drop: boolean): void {
    if (!this.greeting.called) this.greeting.errback(e);
    for (const p of this.#pending.splice(0)) p.d.errback(e);
    if (drop && this.connected) this.transport.loseConnection();
  }

  #line(line: string): void {
    if (!this.#greeted) {
      this.#greeted = true;
      if (!line.startsWith('+OK')) return this.#failAll(new POP3Error(line), true);
      this.#challenge = /<[^<>]+>/.exec(line)?.[0] ?? null;
      return this.greeting.callback(line.slice(3).trim());
    }
    const p = this.#pending[0];
    if (p === undefined) return this.#failAll(new MailProtocolError(`unexpected answer ${JSON.stringify(line.slice(0, 80))}`), true);
    if (p.lines === null) {
      if (line.startsWith('-ERR')) {
        this.#pending.shift();
        return p.d.errback(new POP3Error(line.slice(4).trim()));
      }
      if (!line.startsWith('+OK')) return this.#failAll(new MailProtocolError(`malformed status ${JSON.stringify(line.slice(0, 80))}`), true);
      if (!p.multi) {
        this.#pending.shift();
        return p.d.callback(line.slice(3).trim());
      }
      p.lines = [];
      return;
    }
    if (line === '.') {
      this.#pending.shift();
      return p.d.callback(p.lines);
    }
    const text = line.startsWith('.') ? line.slice(1) : line;
    p.size += text.length + 2;
    if (p.size > this.#limits.maxMessageSize) return this.#failAll(new MailProtocolError(`answer larger than ${this.#limits.maxMessageSize} bytes`), true);
    p.lines.push(text);
    if (p.lines.length > this.#limits.maxReplyLines && !p.large) return this.#failAll(new MailProtocolError('too many lines in an answer'), true);
  }

  /** Sends a command; fires with the `+OK` text, or its lines for a multi-line answer. */
  sendCommand(line: string, multi: false): Deferred<string>;
  sendCommand(line: string, multi: true, large?: boolean): Deferred<string[]>;
  sendCommand(line: string, multi: boolean, large = false): Deferred<string | string[]> {
    if (/[\r\n]/.test(line)) return Deferred.fail(new MailProtocolError('a command cannot hold a line end'));
    const d = new Deferred<string[] | string>();
    this.#pending.push({ multi, large, d, lines: null, size: 0 });
    this.transport.write(`${line}\r\n`);
    return d;
  }

  /** The server's capabilities (CAPA), upper-cased names to their arguments. */
  capabilities(): Deferred<Map<string, string>> {
    return this.sendCommand('CAPA', true).addCallback((lines) => new Map(lines.map((l) => [l.split(' ')[0]!.toUpperCase(), l.split(' ').slice(1).join(' ')])));
  }

  /**
   * Logs in with USER/PASS. Refuses to send the password in the clear unless `allowInsecure`; use
   * `startTLS` first.
   */
  login(username: string, password: string, { allowInsecure = false }: { allowInsecure?: boolean } = {}): Deferred<string> {
    if (!allowInsecure && !isSecure(this.transport)) return Deferred.fail(new TLSRequiredError('refusing to send a password without TLS: startTLS first, or allowInsecure'));
    this.sendCommand(`USER ${username}`, false).addErrback(() => undefined);
    return this.sendCommand(`PASS ${password}`, false);
  }

  /** Logs in with APOP (the password never crosses the wire); fails if the greeting had no timestamp. */
  apop(username: string, password: string): Deferred<string> {
    if (this.#challenge === null) return Deferred.fail(new POP3Error('the server offers no APOP timestamp'));
    return this.sendCommand(`APOP ${username} ${apopDigest(this.#challenge, password)}`, false);
  }

  /** Switches to TLS (STLS); the server's certificate is verified against `options`. */
  startTLS(options: TLSOptions): Deferred<void> {
    if (typeof this.transport.startTLS !== 'function') return Deferred.fail(new TLSRequiredError('this transport cannot start TLS'));
    return this.sendCommand('STLS', false).addCallback(() => {
      this.transport.startTLS!(options, false);
    });
  }

  /** `[count, size]` (STAT). */
  stat(): Deferred<[number, number]> {
    return this.sendCommand('STAT', false).addCallback((text) => {
      const m = /^(\d+) (\d+)/.exec(text);
      if (m === null) throw new MailProtocolError(`malformed STAT answer ${JSON.stringify(text)}`);
      return [Number(m[1]), Number(m[2])] as [number, number];
    });
  }

  /** Message sizes by 0-based index (LIST); deleted messages are missing (undefined). */
  listSize(): Deferred<(number | undefined)[]> {
    return this.sendCommand('LIST', true).addCallback((lines) => this.#numbered(lines, Number));
  }

  /** Unique ids by 0-based index (UIDL). */
  listUID(): Deferred<(string | undefined)[]> {
    return this.sendCommand('UIDL', true).addCallback((lines) => this.#numbered(lines, (s) => s));
  }

  #numbered<T>(lines: string[], parse: (s: string) => T): (T | undefined)[] {
    const found = new Map<number, T>();
    for (const line of lines) {
      const m = /^(\d{1,9}) (\S+)/.exec(line);
      if (m === null) throw new MailProtocolError(`malformed listing line ${JSON.stringify(line)}`);
      found.set(Number(m[1]) - 1, parse(m[2]!));
    }
    const length = Math.max(0, ...[...found.keys()].map((i) => i + 1));
    return Array.from({ length }, (_, i) => found.get(i));
  }

  /** The message at 0-based `index` (RETR), as bytes with CRLF line ends. */
  retrieve(index: number): Deferred<Uint8Array> {
    return this.sendCommand(`RETR ${index + 1}`, true, true).addCallback((lines) => joinLines(lines));
  }

  /** The header and the first `lines` body lines of the message at `index` (TOP). */
  top(index: number, lines: number): Deferred<Uint8Array> {
    return this.sendCommand(`TOP ${index + 1} ${lines}`, true, true).addCallback((l) => joinLines(l));
  }

  delete(index: number): Deferred<string> {
    return this.sendCommand(`DELE ${index + 1}`, false);
  }

  reset(): Deferred<string> {
    return this.sendCommand('RSET', false);
  }

  noop(): Deferred<string> {
    return this.sendCommand('NOOP', false);
  }

  /** Ends the session: the server applies the deletions; then both sides close. */
  quit(): Deferred<string> {
    return this.sendCommand('QUIT', false).addCallback((text) => {
      this.transport.loseConnection();
      return text;
    });
  }
}

function joinLines(lines: string[]): Uint8Array {
  return Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
}
