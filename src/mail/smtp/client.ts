/**
 * The ESMTP client protocol (Twisted's `ESMTPSender`): greeting, EHLO (HELO if refused), STARTTLS with the
 * server's certificate verified, AUTH PLAIN or LOGIN, then the envelope pipelined when the server offers
 * PIPELINING, the dot-stuffed message, and QUIT. Over any transport; time from the clock it is given.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { Protocol, isSecure } from '../../internet/index.js';
import type { IReactorTime, IStreamTransport, ITLSTransport, TLSOptions } from '../../internet/interfaces.js';
import { IdleTimeout } from '../../protocols/timeout.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { encodePlain } from '../account.js';
import { hasNonAscii } from '../address.js';
import { MailProtocolError, SMTPReplyError, TLSRequiredError } from '../errors.js';
import { MAIL_CLIENT_LIMITS, type MailClientLimits } from '../limits.js';
import { dotStuff, normalizeLineEnds } from '../lines.js';
import { SMTPReplyReader, type SMTPReply } from '../replies.js';

/** What one message sent to one server came to. */
export interface SendResult {
  /** Recipients the server took. */
  accepted: string[];
  /** Recipients it refused, with its reply. */
  rejected: { address: string; code: number; text: string }[];
  /** The server's reply to the message text (`250 2.0.0 OK: queued as ...`). */
  response: string;
}

/** What the client sends, and how. */
export interface SMTPClientOptions {
  /** The reverse-path; '' for the null sender of bounces. */
  from: string;
  to: readonly string[];
  /** The message, headers and body; line ends are normalised to CRLF. */
  message: Uint8Array;
  /** The name given in EHLO. */
  hostname?: string;
  username?: string;
  password?: string;
  /** Fail unless TLS protects the connection before anything is sent (default: true when a username is given). */
  requireTransportSecurity?: boolean;
  /** TLS options for STARTTLS (`servername`, `ca`); the server's certificate is verified against them. */
  tls?: TLSOptions;
  /** Use STARTTLS when offered (default true). */
  startTLS?: boolean;
  clock?: IReactorTime;
  limits?: Partial<MailClientLimits>;
}

/** One SMTP client conversation; `result` fires once the message is accepted (or fails). */
export class ESMTPClient extends Protocol<IStreamTransport & Partial<ITLSTransport>> {
  /** Fires with what the server did with the message. */
  readonly result = new Deferred<SendResult>();
  readonly #options: SMTPClientOptions;
  readonly #limits: MailClientLimits;
  readonly #reader: SMTPReplyReader;
  readonly #replies: SMTPReply[] = [];
  #waiting: Deferred<SMTPReply> | null = null;
  #idle!: IdleTimeout;
  #ended: Failure | null = null;

  constructor(options: SMTPClientOptions) {
    super();
    this.#options = options;
    this.#limits = { ...MAIL_CLIENT_LIMITS, ...options.limits };
    this.#reader = new SMTPReplyReader(this.#limits.maxReplyLength, this.#limits.maxReplyLines);
  }

  override connectionMade(): void {
    this.#idle = new IdleTimeout(() => this.#fail(new MailProtocolError(`no reply within ${this.#limits.timeout} seconds`)), this.#options.clock ?? defaultReactor());
    this.#idle.setTimeout(this.#limits.timeout);
    Deferred.fromPromise(this.#run()).addCallbacks(
      (r) => {
        this.#idle.setTimeout(null);
        if (!this.result.called) this.result.callback(r);
      },
      (f) => this.#fail(f.value),
    );
  }

  override dataReceived(data: Uint8Array): void {
    this.#idle.resetTimeout();
    this.#reader.feed(data);
    try {
      for (let r = this.#reader.next(); r !== null; r = this.#reader.next()) this.#replies.push(r);
    } catch (e) {
      return this.#fail(e);
    }
    this.#deliver();
  }

  override connectionLost(reason: Failure): void {
    this.#idle?.setTimeout(null);
    this.#ended = reason;
    const w = this.#waiting;
    this.#waiting = null;
    w?.errback(new MailProtocolError(`connection lost: ${reason?.getErrorMessage?.() ?? 'closed'}`));
    super.connectionLost(reason);
  }

  #fail(e: unknown): void {
    this.#idle?.setTimeout(null);
    if (!this.result.called) this.result.errback(e);
    const w = this.#waiting;
    this.#waiting = null;
    w?.errback(e);
    if (!this.connected) return;
    if (typeof this.transport.abortConnection === 'function') this.transport.abortConnection();
    else this.transport.loseConnection();
  }

  #deliver(): void {
    if (this.#waiting !== null && this.#replies.length > 0) {
      const w = this.#waiting;
      this.#waiting = null;
      w.callback(this.#replies.shift()!);
    }
  }

  /** The next reply. */
  #next(): Deferred<SMTPReply> {
    if (this.#ended !== null) return Deferred.fail(new MailProtocolError('connection lost'));
    const d = new Deferred<SMTPReply>();
    this.#waiting = d;
    this.#deliver();
    return d;
  }

  #send(line: string): void {
    this.transport.write(`${line}\r\n`);
  }

  /** Sends `line` and waits for its reply, failing on one not in `ok`. */
  async #command(line: string, ok: (code: number) => boolean): Promise<SMTPReply> {
    this.#send(line);
    return expect(await this.#next(), ok);
  }

  async #hello(): Promise<Map<string, string>> {
    const name = this.#options.hostname ?? 'localhost';
    this.#send(`EHLO ${name}`);
    const r = await this.#next();
    if (r.code === 250) {
      const ext = new Map<string, string>();
      for (const line of r.lines.slice(1)) {
        const [k = '', ...rest] = line.split(' ');
        ext.set(k.toUpperCase(), rest.join(' '));
      }
      return ext;
    }
    await this.#command(`HELO ${name}`, (c) => c === 250);
    return new Map();
  }

  async #run(): Promise<SendResult> {
    const o = this.#options;
    const requireTLS = o.requireTransportSecurity ?? o.username !== undefined;
    expect(await this.#next(), (c) => c === 220);
    let ext = await this.#hello();
    if (!isSecure(this.transport) && (o.startTLS ?? true) && ext.has('STARTTLS') && typeof this.transport.startTLS === 'function') {
      await this.#command('STARTTLS', (c) => c === 220);
      this.transport.startTLS({ ...o.tls }, false);
      ext = await this.#hello();
    }
    if (requireTLS && !isSecure(this.transport)) throw new TLSRequiredError('the server offers no STARTTLS and transport security is required');
    if (o.username !== undefined) await this.#authenticate(ext, o.username, o.password ?? '');
    const text = dotStuff(normalizeLineEnds(o.message));
    const utf8 = hasNonAscii(o.from + o.to.join(''));
    if (utf8 && !ext.has('SMTPUTF8')) throw new SMTPReplyError(553, '5.6.7', 'the server does not offer SMTPUTF8 for a non-ASCII address');
    const eightBit = o.message.some((b) => b > 0x7f);
    let mail = `MAIL FROM:<${o.from}>`;
    if (ext.has('SIZE')) mail += ` SIZE=${text.length}`;
    if (eightBit && ext.has('8BITMIME')) mail += ' BODY=8BITMIME';
    if (utf8) mail += ' SMTPUTF8';
    const envelope = [mail, ...o.to.map((t) => `RCPT TO:<${t}>`)];
    const pipelined = ext.has('PIPELINING');
    // With PIPELINING the envelope and DATA go in one write; otherwise one command per reply.
    if (pipelined) this.transport.write(`${[...envelope, 'DATA'].join('\r\n')}\r\n`);
    else this.#send(mail);
    expect(await this.#next(), (c) => c === 250);
    const accepted: string[] = [];
    const rejected: SendResult['rejected'] = [];
    for (const to of o.to) {
      if (!pipelined) this.#send(`RCPT TO:<${to}>`);
      const r = await this.#next();
      if (r.code === 250 || r.code === 251) accepted.push(to);
      else rejected.push({ address: to, code: r.code, text: r.lines.join(' ') });
    }
    if (!pipelined && accepted.length > 0) this.#send('DATA');
    if (accepted.length === 0) {
      if (pipelined) await this.#next(); // DATA's refusal
      this.#send('QUIT');
      // Every recipient refused: the first refusal stands for the lot.
      const first = rejected[0]!;
      throw replyError({ code: first.code, lines: [first.text] });
    }
    expect(await this.#next(), (c) => c === 354);
    this.transport.write(text);
    const done = expect(await this.#next(), (c) => c === 250);
    this.#send('QUIT');
    this.transport.loseConnection();
    return { accepted, rejected, response: `${done.code} ${done.lines.join(' ')}` };
  }

  async #authenticate(ext: Map<string, string>, username: string, password: string): Promise<void> {
    const mechs = (ext.get('AUTH') ?? '').toUpperCase().split(' ');
    if (mechs.includes('PLAIN')) {
      await this.#command(`AUTH PLAIN ${encodePlain(username, password)}`, (c) => c === 235);
    } else if (mechs.includes('LOGIN')) {
      await this.#command('AUTH LOGIN', (c) => c === 334);
      await this.#command(Buffer.from(username).toString('base64'), (c) => c === 334);
      await this.#command(Buffer.from(password).toString('base64'), (c) => c === 235);
    } else {
      throw new SMTPReplyError(504, '5.5.4', 'the server offers neither AUTH PLAIN nor AUTH LOGIN');
    }
  }
}

/** `reply` if its code passes `ok`, else an `SMTPReplyError` carrying it. */
function expect(reply: SMTPReply, ok: (code: number) => boolean): SMTPReply {
  if (ok(reply.code)) return reply;
  throw replyError(reply);
}

/** The `SMTPReplyError` for `reply`, its enhanced status code separated out. */
function replyError(reply: SMTPReply): SMTPReplyError {
  const text = reply.lines.join(' ');
  const m = /^([245]\.\d{1,3}\.\d{1,3}) (.*)$/.exec(text);
  return m ? new SMTPReplyError(reply.code, m[1]!, m[2]!) : new SMTPReplyError(reply.code, '', text);
}
