/**
 * The ESMTP server (RFC 5321 with 6531 SMTPUTF8, 3207 STARTTLS, 4954 AUTH, 2920 PIPELINING, 1870 SIZE,
 * 6152 8BITMIME, 2034 ENHANCEDSTATUSCODES), over any transport, deciding nothing about addresses itself:
 * an {@link IMessageDelivery} does (Twisted's `ESMTP` with its `delivery`).
 * @module
 */
import { randomBytes } from 'node:crypto';
import { DeferredList, Failure, maybeDeferred } from '../../defer/index.js';
import { Factory, Protocol, isSecure } from '../../internet/index.js';
import type { IAddress, IReactorTime, IStreamTransport, ITLSTransport, TLSOptions } from '../../internet/interfaces.js';
import { IdleTimeout } from '../../protocols/timeout.js';
import { UsernamePassword, type Portal } from '../../cred/index.js';
import { IMailAccount } from '../account.js';
import { Address, hasNonAscii, parsePathArgument } from '../address.js';
import { AddressError, SMTPReplyError } from '../errors.js';
import type { IMessage, IMessageDelivery, SMTPSession } from '../interfaces.js';
import { SMTP_LIMITS, type SMTPLimits } from '../limits.js';
import { receivedHeader } from './received.js';
import { SMTPServerCodec, type SMTPServerEvent } from './server-codec.js';
import { SMTPAuthExchange } from './server-auth.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { InputGate } from '../input-gate.js';

/** Message ids for `Received:` lines: a random start per process, then a counter (one random draw per message cost more than it is worth). */
const ID_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let idCounter = 0;
function nextMessageId(): string {
  idCounter = (idCounter + 1) % 0x100000000;
  return `${ID_PREFIX}${idCounter.toString(16).toUpperCase().padStart(8, '0')}`;
}

/** Options of an {@link SMTPFactory}. */
export interface SMTPServerOptions {
  /** The name the server gives itself in its greeting and `Received:` headers. */
  hostname: string;
  /** The mail domain a bare `RCPT TO:<Postmaster>` goes to (the hostname by default). */
  domain?: string;
  /** Who decides about senders and recipients, and where messages go. */
  delivery: IMessageDelivery;
  /** Logs `AUTH` in; without one `AUTH` is not offered. */
  portal?: Portal;
  /** Key and certificate for `STARTTLS`; without them it is not offered. */
  tls?: TLSOptions;
  /** Offer `AUTH` on a connection TLS does not protect (for local tests only). */
  allowPlaintextAuth?: boolean;
  /** Where the command timeout's time comes from. */
  clock?: IReactorTime;
  /** Limits; the rest from {@link SMTP_LIMITS}. */
  limits?: Partial<SMTPLimits>;
}

/** A transport the server runs over: any stream, TLS-capable or not. */
export type SMTPTransport = IStreamTransport & Partial<ITLSTransport>;

interface Transaction {
  origin: Address | null;
  utf8: boolean;
  recipients: { address: Address; factory: () => IMessage }[];
}

interface MessageInProgress {
  copies: IMessage[];
  size: number;
  tooBig: boolean;
  id: string;
}

/**
 * One SMTP conversation. Commands are handled strictly in order: while one waits (a recipient check, the
 * message reaching the disk) the server reads nothing more, so pipelined commands queue in the socket,
 * not in memory.
 */
export class ESMTPServer extends Protocol<SMTPTransport> {
  declare factory: SMTPFactory;
  readonly #codec: SMTPServerCodec;
  readonly #limits: SMTPLimits;
  #idle!: IdleTimeout;
  #helo: string | null = null;
  #esmtp = false;
  #authenticated: string | null = null;
  #transaction: Transaction | null = null;
  #message: MessageInProgress | null = null;
  #auth: SMTPAuthExchange | null = null;
  #authFailures = 0;
  #errors = 0;
  readonly #gate = new InputGate(() => this.#closed, () => this.transport, () => this.#drain());
  #closed = false;

  constructor(factory: SMTPFactory) {
    super();
    this.factory = factory;
    this.#limits = factory.limits;
    this.#codec = new SMTPServerCodec(this.#limits);
  }

  /** What delivery hooks are told about this client. */
  get session(): SMTPSession {
    return { helo: this.#helo ?? '', peerHost: hostOf(this.transport.getPeer()), authenticated: this.#authenticated, secure: isSecure(this.transport) };
  }

  override connectionMade(): void {
    this.factory.connections.add(this);
    this.#idle = new IdleTimeout(() => this.#timedOut(), this.factory.clock);
    this.#idle.setTimeout(this.#limits.commandTimeout);
    this.#reply(220, '', `${this.factory.hostname} ESMTP Torsion ready`);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#closed) return;
    this.#idle.resetTimeout();
    this.#codec.feed(data);
    this.#drain();
  }

  override connectionLost(reason: Failure): void {
    this.factory.connections.delete(this);
    this.#closed = true;
    this.#idle?.setTimeout(null);
    this.#abandonMessage();
    super.connectionLost(reason);
  }

  /** Ends the session with `421 4.3.2` (the server is going away); a message not yet answered is dropped. */
  shutdown(): void {
    this.#close(421, '4.3.2', `${this.factory.hostname} shutting down`);
  }

  #drain(): void {
    while (!this.#gate.busy && !this.#closed && !this.transport.disconnecting) {
      const event = this.#codec.next();
      if (event === null) return;
      this.#handle(event);
    }
  }


  #reply(code: number, enhanced: string, text: string | readonly string[]): void {
    const lines = typeof text === 'string' ? [text] : text;
    const out = lines.map((line, i) => `${code}${i === lines.length - 1 ? ' ' : '-'}${enhanced ? `${enhanced} ` : ''}${line}\r\n`);
    this.transport.write(out.join(''));
    if (code >= 400 && code !== 421 && ++this.#errors >= this.#limits.maxErrors) {
      this.#close(421, '4.7.0', 'Too many errors, closing connection');
    }
  }

  #replyError(e: SMTPReplyError): void {
    this.#reply(e.replyCode, e.enhanced, e.text);
  }

  #close(code: number, enhanced: string, text: string): void {
    if (this.#closed) return;
    this.transport.write(`${code} ${enhanced} ${text}\r\n`);
    this.#closed = true;
    this.#idle.setTimeout(null);
    this.#abandonMessage();
    this.transport.loseConnection();
  }

  #timedOut(): void {
    this.#close(421, '4.4.2', `${this.factory.hostname} Timeout waiting for input, closing connection`);
  }

  #handle(event: SMTPServerEvent): void {
    switch (event.kind) {
      case 'commandTooLong':
        return this.#reply(500, '5.5.2', 'Line too long');
      case 'command':
        if (event.bareLF) return this.#reply(500, '5.5.2', 'Bare LF received: lines must end with CRLF');
        if (this.#auth !== null) return this.#authLine(Buffer.from(event.line).toString('latin1'));
        return this.#command(Buffer.from(event.line).toString('utf8'));
      case 'text':
        return this.#text(event.chunk);
      case 'end':
        return this.#endOfData(event);
    }
  }

  #command(line: string): void {
    const space = line.indexOf(' ');
    const verb = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const arg = space < 0 ? '' : line.slice(space + 1);
    switch (verb) {
      case 'HELO':
        return this.#hello(arg, false);
      case 'EHLO':
        return this.#hello(arg, true);
      case 'MAIL':
        return this.#mail(arg);
      case 'RCPT':
        return this.#rcpt(arg);
      case 'DATA':
        return this.#data(arg);
      case 'RSET':
        this.#transaction = null;
        return this.#reply(250, '2.0.0', 'Reset OK');
      case 'NOOP':
        return this.#reply(250, '2.0.0', 'OK');
      case 'QUIT':
        return this.#close(221, '2.0.0', `${this.factory.hostname} closing connection`);
      case 'VRFY':
        // Answering would let anyone list the users (RFC 5321 §3.5.3 allows 252).
        return this.#reply(252, '2.1.5', 'Cannot VRFY user, but will accept message and attempt delivery');
      case 'EXPN':
        return this.#reply(502, '5.5.1', 'EXPN not available');
      case 'HELP':
        return this.#reply(214, '2.0.0', 'See RFC 5321');
      case 'STARTTLS':
        return this.#startTLS(arg);
      case 'AUTH':
        return this.#authStart(arg);
      default:
        return this.#reply(500, '5.5.1', 'Command unrecognized');
    }
  }

  #hello(arg: string, esmtp: boolean): void {
    const name = arg.trim();
    if (name === '' || /\s/.test(name)) return this.#reply(501, '5.5.4', `Syntax: ${esmtp ? 'EHLO' : 'HELO'} hostname`);
    this.#helo = name;
    this.#esmtp = esmtp;
    this.#transaction = null;
    if (!esmtp) return this.#reply(250, '', `${this.factory.hostname} Hello ${name}`);
    const lines = [`${this.factory.hostname} Hello ${name}`, 'PIPELINING', `SIZE ${this.#limits.maxMessageSize}`, '8BITMIME', 'SMTPUTF8', 'ENHANCEDSTATUSCODES'];
    if (this.#canStartTLS()) lines.push('STARTTLS');
    if (this.#canAuth()) lines.push('AUTH PLAIN LOGIN');
    this.#reply(250, '', lines);
  }

  #canStartTLS(): boolean {
    return this.factory.tls !== undefined && typeof this.transport.startTLS === 'function' && !isSecure(this.transport);
  }

  #canAuth(): boolean {
    return this.factory.portal !== undefined && this.#authenticated === null && (isSecure(this.transport) || this.factory.allowPlaintextAuth);
  }

  #mail(arg: string): void {
    if (this.#helo === null) return this.#reply(503, '5.5.1', 'Send HELO or EHLO first');
    if (this.#transaction !== null) return this.#reply(503, '5.5.1', 'Sender already given');
    if (!/^FROM:/i.test(arg)) return this.#reply(501, '5.5.4', 'Syntax: MAIL FROM:<address>');
    let parsed;
    try {
      parsed = parsePathArgument(arg.slice(5), true, true);
    } catch (e) {
      if (e instanceof AddressError) return this.#reply(501, '5.1.7', `Bad sender address syntax: ${e.message}`);
      throw e;
    }
    if (parsed.params.size > 0 && !this.#esmtp) return this.#reply(555, '5.5.4', 'Parameters need EHLO');
    let utf8 = false;
    for (const [key, value] of parsed.params) {
      if (key === 'SIZE') {
        if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) return this.#reply(501, '5.5.4', 'Bad SIZE parameter');
        if (Number(value) > this.#limits.maxMessageSize) return this.#reply(552, '5.3.4', `Message too big: at most ${this.#limits.maxMessageSize} bytes`);
      } else if (key === 'BODY') {
        if (typeof value !== 'string' || !/^(7BIT|8BITMIME)$/i.test(value)) return this.#reply(501, '5.5.4', 'BODY must be 7BIT or 8BITMIME');
      } else if (key === 'SMTPUTF8') {
        if (value !== true) return this.#reply(501, '5.5.4', 'SMTPUTF8 takes no value');
        utf8 = true;
      } else if (key !== 'AUTH') {
        return this.#reply(555, '5.5.4', `Unsupported parameter ${key}`);
      }
    }
    if (!utf8 && parsed.address !== null && hasNonAscii(parsed.address.toString())) return this.#reply(553, '5.6.7', 'Non-ASCII address needs SMTPUTF8');
    this.#gate.wait(
      maybeDeferred(() => this.factory.delivery.validateFrom(this.session, parsed.address)),
      (origin) => {
        this.#transaction = { origin, utf8, recipients: [] };
        this.#reply(250, '2.1.0', 'Sender OK');
      },
      (f) => this.#refused(f, 550, '5.7.1', 'Sender refused'),
    );
  }

  #rcpt(arg: string): void {
    const tx = this.#transaction;
    if (tx === null) return this.#reply(503, '5.5.1', 'Need MAIL before RCPT');
    if (!/^TO:/i.test(arg)) return this.#reply(501, '5.5.4', 'Syntax: RCPT TO:<address>');
    if (tx.recipients.length >= this.#limits.maxRecipients) return this.#reply(452, '4.5.3', 'Too many recipients');
    let address: Address;
    const rest = arg.slice(3).trimStart();
    try {
      // RFC 5321 §4.5.1: "Postmaster" without a domain must be accepted.
      if (/^<postmaster>/i.test(rest)) {
        if (rest.length > '<postmaster>'.length) return this.#reply(555, '5.5.4', 'Unsupported parameter');
        address = new Address('postmaster', this.factory.domain);
      } else {
        const parsed = parsePathArgument(rest, false, true);
        if (parsed.params.size > 0) return this.#reply(555, '5.5.4', `Unsupported parameter ${[...parsed.params.keys()][0]}`);
        address = parsed.address!;
        if (!tx.utf8 && hasNonAscii(address.toString())) return this.#reply(553, '5.6.7', 'Non-ASCII address needs SMTPUTF8');
      }
    } catch (e) {
      if (e instanceof AddressError) return this.#reply(501, '5.1.3', `Bad recipient address syntax: ${e.message}`);
      throw e;
    }
    this.#gate.wait(
      maybeDeferred(() => this.factory.delivery.validateTo({ dest: address, origin: tx.origin, session: this.session })),
      (factory) => {
        tx.recipients.push({ address, factory });
        this.#reply(250, '2.1.5', 'Recipient OK');
      },
      (f) => this.#refused(f, 451, '4.3.0', 'Recipient check failed; try again later'),
    );
  }

  #refused(f: Failure, code: number, enhanced: string, text: string): void {
    if (f.value instanceof SMTPReplyError) this.#replyError(f.value);
    else {
      this.factory.log?.(f);
      this.#reply(code, enhanced, text);
    }
  }

  #data(arg: string): void {
    const tx = this.#transaction;
    if (arg !== '') return this.#reply(501, '5.5.4', 'DATA takes no arguments');
    if (tx === null) return this.#reply(503, '5.5.1', 'Need MAIL and RCPT before DATA');
    if (tx.recipients.length === 0) return this.#reply(554, '5.5.1', 'No valid recipients');
    const id = nextMessageId();
    const copies = tx.recipients.map((r) => r.factory());
    const session = this.session;
    const recipients = tx.recipients.map((r) => r.address);
    const header =
      this.factory.delivery.receivedHeader?.(session, tx.origin, recipients) ??
      receivedHeader({
        helo: session.helo,
        peerHost: session.peerHost,
        hostname: this.factory.hostname,
        esmtp: this.#esmtp,
        secure: session.secure,
        authenticated: session.authenticated !== null,
        utf8: tx.utf8,
        id,
        recipients,
        seconds: this.factory.clock.seconds(),
      });
    const headerBytes = Buffer.from(`${header}\r\n`, 'utf8');
    for (const c of copies) c.write(headerBytes);
    this.#message = { copies, size: 0, tooBig: false, id };
    this.#codec.startData();
    this.#reply(354, '', 'End data with <CR><LF>.<CR><LF>');
  }

  #text(chunk: Uint8Array): void {
    const m = this.#message;
    if (m === null) return;
    m.size += chunk.length;
    if (m.size > this.#limits.maxMessageSize) {
      // Stop keeping it: the copies are dropped and the rest of the text only counted until its end.
      if (!m.tooBig) for (const c of m.copies) c.connectionLost();
      m.tooBig = true;
      return;
    }
    for (const c of m.copies) c.write(chunk);
  }

  #endOfData(end: { bareLF: number; bareCR: number; longLines: number }): void {
    const m = this.#message;
    this.#message = null;
    this.#transaction = null;
    if (m === null) return;
    if (m.tooBig) return this.#reply(552, '5.3.4', `Message too big: at most ${this.#limits.maxMessageSize} bytes`);
    const refuse = (code: number, enhanced: string, text: string): void => {
      for (const c of m.copies) c.connectionLost();
      this.#reply(code, enhanced, text);
    };
    if (end.bareLF > 0) return refuse(550, '5.6.0', 'Message refused: bare LF in the text; lines must end with CRLF');
    if (end.bareCR > 0) return refuse(550, '5.6.0', 'Message refused: bare CR in the text; lines must end with CRLF');
    if (end.longLines > 0) return refuse(500, '5.5.2', `Message refused: a line longer than ${this.#limits.maxDataLineLength} bytes`);
    // Every copy is on disk (or failed) before the reply: 250 promises the message is safe.
    const stored = new DeferredList(m.copies.map((c) => maybeDeferred(() => c.eomReceived())), { consumeErrors: true });
    this.#gate.wait(
      stored,
      (results) => {
        const failed = results.find(([ok]) => !ok);
        if (failed === undefined) this.#reply(250, '2.0.0', `OK: queued as ${m.id}`);
        else this.#refused(failed[1] as Failure, 451, '4.3.0', 'Could not store the message; try again later');
      },
      (f) => this.#refused(f, 451, '4.3.0', 'Could not store the message; try again later'),
    );
  }

  #abandonMessage(): void {
    const m = this.#message;
    this.#message = null;
    if (m !== null && !m.tooBig) for (const c of m.copies) c.connectionLost();
  }

  #startTLS(arg: string): void {
    if (arg !== '') return this.#reply(501, '5.5.4', 'STARTTLS takes no arguments');
    if (isSecure(this.transport)) return this.#reply(503, '5.5.1', 'TLS already active');
    if (!this.#canStartTLS()) return this.#reply(502, '5.5.1', 'STARTTLS not available');
    this.#reply(220, '2.0.0', 'Ready to start TLS');
    // Whatever the client sent behind STARTTLS belongs to TLS: commands pipelined in the clear are never run
    // as if they came over TLS (the STARTTLS command-injection attack, CVE-2011-0411).
    this.transport.startTLS!(this.factory.tls!, true, this.#codec.takeBuffered());
    this.#helo = null;
    this.#esmtp = false;
    this.#transaction = null;
    this.#authenticated = null;
  }

  #authStart(arg: string): void {
    if (this.factory.portal === undefined) return this.#reply(502, '5.5.1', 'AUTH not available');
    if (this.#helo === null || !this.#esmtp) return this.#reply(503, '5.5.1', 'Send EHLO first');
    if (this.#authenticated !== null) return this.#reply(503, '5.5.1', 'Already authenticated');
    if (this.#transaction !== null) return this.#reply(503, '5.5.1', 'AUTH not allowed during a mail transaction');
    if (!isSecure(this.transport) && !this.factory.allowPlaintextAuth) return this.#reply(538, '5.7.11', 'Encryption required: use STARTTLS first');
    const exchange = SMTPAuthExchange.start(arg);
    if (typeof exchange === 'string') return this.#reply(504, '5.5.4', exchange);
    this.#auth = exchange;
    this.#authAdvance(exchange.begin());
  }

  #authLine(line: string): void {
    this.#authAdvance(this.#auth!.respond(line));
  }

  #authAdvance(step: ReturnType<SMTPAuthExchange['respond']>): void {
    if (step.kind === 'challenge') return this.#reply(334, '', step.text);
    this.#auth = null;
    if (step.kind === 'cancelled') return this.#reply(501, '5.0.0', 'Authentication cancelled');
    if (step.kind === 'malformed') return this.#reply(501, '5.5.2', 'Cannot decode the response');
    const { username, password } = step;
    this.#gate.wait(
      this.factory.portal!.login(new UsernamePassword(username, password, this.session.peerHost), null, IMailAccount),
      ([, account, logout]) => {
        logout();
        this.#authenticated = account.username;
        this.#reply(235, '2.7.0', 'Authentication successful');
      },
      () => {
        this.#reply(535, '5.7.8', 'Authentication credentials invalid');
        if (++this.#authFailures >= this.#limits.maxAuthFailures) this.#close(421, '4.7.0', 'Too many failed logins');
      },
    );
  }
}

function hostOf(address: IAddress): string {
  return (address as { host?: string }).host ?? 'unknown';
}

/**
 * Makes an {@link ESMTPServer} per connection.
 *
 * @example
 * const factory = new SMTPFactory({ hostname: 'mx.example.test', delivery });
 * reactor.listenTCP(2525, factory);
 */
export class SMTPFactory extends Factory<ESMTPServer> {
  readonly hostname: string;
  readonly domain: string;
  readonly delivery: IMessageDelivery;
  readonly portal: Portal | undefined;
  readonly tls: TLSOptions | undefined;
  readonly allowPlaintextAuth: boolean;
  readonly clock: IReactorTime;
  readonly limits: SMTPLimits;
  /** The open connections. */
  readonly connections = new Set<ESMTPServer>();
  /** Told of failures inside delivery hooks (the client only gets a 451). */
  log: ((f: Failure) => void) | undefined;

  constructor(options: SMTPServerOptions) {
    super();
    this.hostname = options.hostname;
    this.domain = options.domain ?? options.hostname;
    this.delivery = options.delivery;
    this.portal = options.portal;
    this.tls = options.tls;
    this.allowPlaintextAuth = options.allowPlaintextAuth ?? false;
    this.clock = options.clock ?? defaultReactor();
    this.limits = { ...SMTP_LIMITS, ...options.limits };
  }

  override buildProtocol(_addr: IAddress): ESMTPServer {
    return new ESMTPServer(this);
  }

  /** Tells every open connection the server is going away (421) and closes it. */
  closeAll(): void {
    for (const c of [...this.connections]) c.shutdown();
  }
}
