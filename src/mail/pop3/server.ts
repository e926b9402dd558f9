/**
 * The POP3 server (RFC 1939, with RFC 2449 CAPA and RFC 2595 STLS) over any transport, reading the
 * mailbox of the account `torsion/cred` logs in. Deletions are applied only at `QUIT`: a dropped
 * connection deletes nothing.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { TorsionError } from '../../errors/index.js';
import type { Failure } from '../../defer/index.js';
import { Factory, Protocol, isSecure } from '../../internet/index.js';
import type { IAddress, IReactorTime, IStreamTransport, ITLSTransport, TLSOptions } from '../../internet/interfaces.js';
import { IdleTimeout } from '../../protocols/timeout.js';
import { UsernamePassword, type ICredentials, type Portal } from '../../cred/index.js';
import { defaultReactor } from '../../time/default-reactor.js';
import { IMailAccount } from '../account.js';
import type { IMailbox } from '../interfaces.js';
import { POP3_LIMITS, type POP3Limits } from '../limits.js';
import { LineReader, dotStuff } from '../lines.js';
import { APOPCredentials, IAPOP } from './apop.js';
import { InputGate } from '../input-gate.js';

/** Options of a {@link POP3Factory}. */
export interface POP3ServerOptions {
  /** The name in the greeting's APOP timestamp. */
  hostname: string;
  /** Logs users in to `IMailAccount`s. */
  portal: Portal;
  /** Key and certificate for `STLS`; without them it is not offered. */
  tls?: TLSOptions;
  /** Allow `USER`/`PASS` on a connection TLS does not protect (for local tests only). */
  allowPlaintextAuth?: boolean;
  clock?: IReactorTime;
  limits?: Partial<POP3Limits>;
}

/** A transport the server runs over. */
export type POP3Transport = IStreamTransport & Partial<ITLSTransport>;

/** Another session holds the maildrop (RFC 2449's `[IN-USE]`). */
class MailboxInUse extends TorsionError {
  override readonly code = 'TORSION_MAIL_MAILBOX_IN_USE';
  override name = 'MailboxInUse';
}

/** One POP3 session. Commands are handled in order; while one waits, nothing more is read. */
export class POP3Server extends Protocol<POP3Transport> {
  declare factory: POP3Factory;
  readonly #reader: LineReader;
  readonly #limits: POP3Limits;
  #idle!: IdleTimeout;
  #challenge = '';
  #user: string | null = null;
  #mailbox: IMailbox | null = null;
  #logout: (() => void) | null = null;
  #errors = 0;
  #authFailures = 0;
  readonly #gate = new InputGate(() => this.#closed, () => this.transport, () => this.#drain());
  #closed = false;

  constructor(factory: POP3Factory) {
    super();
    this.factory = factory;
    this.#limits = factory.limits;
    this.#reader = new LineReader(this.#limits.maxCommandLength);
  }

  override connectionMade(): void {
    this.factory.connections.add(this);
    this.#idle = new IdleTimeout(() => this.#close(), this.factory.clock);
    this.#idle.setTimeout(this.#limits.idleTimeout);
    this.#challenge = `<${randomBytes(8).toString('hex')}.${Math.floor(this.factory.clock.seconds())}@${this.factory.hostname}>`;
    this.#ok(`Torsion POP3 server ready ${this.#challenge}`);
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#closed) return;
    this.#idle.resetTimeout();
    this.#reader.feed(data);
    this.#drain();
  }

  override connectionLost(reason: Failure): void {
    this.factory.connections.delete(this);
    this.#closed = true;
    this.#idle?.setTimeout(null);
    // No QUIT, no deletions: the marks die with the session.
    this.#logout?.();
    this.#logout = null;
    super.connectionLost(reason);
  }

  /** Ends the session without applying its deletions (the server is going away). */
  shutdown(): void {
    if (this.#closed) return;
    this.transport.write('-ERR server shutting down, nothing deleted\r\n');
    this.#close();
  }

  #drain(): void {
    while (!this.#gate.busy && !this.#closed && !this.transport.disconnecting) {
      const e = this.#reader.next();
      if (e === null) return;
      if (e.kind === 'tooLong') this.#err('Line too long');
      else this.#command(Buffer.from(e.line).toString('utf8'));
    }
  }


  #ok(text: string): void {
    this.transport.write(text === '' ? '+OK\r\n' : `+OK ${text}\r\n`);
  }

  #err(text: string): void {
    this.transport.write(`-ERR ${text}\r\n`);
    if (++this.#errors >= this.#limits.maxErrors) {
      this.transport.write('-ERR Too many errors, closing connection\r\n');
      this.#close();
    }
  }

  #close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#idle.setTimeout(null);
    this.transport.loseConnection();
  }

  #command(line: string): void {
    const parts = line.split(' ');
    const verb = parts[0]!.toUpperCase();
    const args = parts.slice(1);
    if (verb === 'CAPA') return this.#capa();
    if (verb === 'QUIT') return this.#quit();
    if (this.#mailbox === null) {
      switch (verb) {
        case 'USER':
          return this.#userCommand(args);
        case 'PASS':
          return this.#pass(line.slice(5));
        case 'APOP':
          return this.#apop(args);
        case 'STLS':
          return this.#stls(args);
        default:
          return this.#err(verb === '' ? 'Empty command' : 'Log in first (USER/PASS or APOP)');
      }
    }
    const box = this.#mailbox;
    switch (verb) {
      case 'STAT': {
        if (args.length > 0) return this.#err('STAT takes no arguments');
        const live = this.#live();
        return this.#ok(`${live.length} ${live.reduce((n, i) => n + box.listMessages()[i]!.size, 0)}`);
      }
      case 'LIST':
        return this.#listing(args, (i) => String(box.listMessages()[i]!.size));
      case 'UIDL':
        return this.#listing(args, (i) => box.listMessages()[i]!.uid);
      case 'RETR':
        return this.#retrieve(args, false);
      case 'TOP':
        return this.#retrieve(args, true);
      case 'DELE': {
        const i = this.#messageNumber(args, 1);
        if (i === null) return;
        box.deleteMessage(i);
        return this.#ok(`message ${i + 1} deleted`);
      }
      case 'RSET':
        box.undeleteMessages();
        return this.#ok(`maildrop has ${this.#live().length} messages`);
      case 'NOOP':
        return this.#ok('');
      case 'STLS':
      case 'USER':
      case 'PASS':
      case 'APOP':
        return this.#err('Already logged in');
      default:
        return this.#err('Unknown command');
    }
  }

  /** Indexes of the messages not marked deleted. */
  #live(): number[] {
    const box = this.#mailbox!;
    return box.listMessages().flatMap((_, i) => (box.isDeleted(i) ? [] : [i]));
  }

  /** The 0-based index named by `args[0]`, or null after replying -ERR. `count` is how many arguments the command takes. */
  #messageNumber(args: string[], count: number): number | null {
    if (args.length !== count || !/^\d{1,9}$/.test(args[0]!)) {
      this.#err('Bad message number');
      return null;
    }
    const i = Number(args[0]) - 1;
    const box = this.#mailbox!;
    if (i < 0 || i >= box.listMessages().length) {
      this.#err('No such message');
      return null;
    }
    if (box.isDeleted(i)) {
      this.#err('Message already deleted');
      return null;
    }
    return i;
  }

  #listing(args: string[], value: (i: number) => string): void {
    if (args.length > 0) {
      const i = this.#messageNumber(args, 1);
      if (i !== null) this.#ok(`${i + 1} ${value(i)}`);
      return;
    }
    const lines = this.#live().map((i) => `${i + 1} ${value(i)}\r\n`);
    this.transport.write(`+OK ${lines.length} messages\r\n${lines.join('')}.\r\n`);
  }

  #retrieve(args: string[], top: boolean): void {
    const i = this.#messageNumber(args, top ? 2 : 1);
    if (i === null) return;
    let lines = 0;
    if (top) {
      if (!/^\d{1,9}$/.test(args[1]!)) return this.#err('Bad line count');
      lines = Number(args[1]);
    }
    const box = this.#mailbox!;
    this.#gate.wait(
      box.getMessage(i),
      (text) => {
        const body = top ? headAndLines(text, lines) : text;
        this.transport.writeSequence([`+OK ${top ? 'top of message follows' : `${box.listMessages()[i]!.size} octets`}\r\n`, dotStuff(body)]);
      },
      () => this.#err('Message could not be read'),
    );
  }

  #capa(): void {
    const caps = ['TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'EXPIRE NEVER', 'IMPLEMENTATION Torsion'];
    if (this.#mailbox === null && this.#plaintextAllowed()) caps.push('USER');
    if (this.#mailbox === null && this.#canStartTLS()) caps.push('STLS');
    this.transport.write(`+OK Capability list follows\r\n${caps.map((c) => `${c}\r\n`).join('')}.\r\n`);
  }

  #plaintextAllowed(): boolean {
    return isSecure(this.transport) || this.factory.allowPlaintextAuth;
  }

  #canStartTLS(): boolean {
    return this.factory.tls !== undefined && typeof this.transport.startTLS === 'function' && !isSecure(this.transport);
  }

  #userCommand(args: string[]): void {
    if (!this.#plaintextAllowed()) return this.#err('[AUTH] Plaintext authentication disallowed without TLS: use STLS');
    if (args.length !== 1 || args[0] === '') return this.#err('Syntax: USER name');
    this.#user = args[0]!;
    this.#ok('send PASS');
  }

  #pass(password: string): void {
    const user = this.#user;
    this.#user = null;
    if (user === null) return this.#err('USER first');
    this.#login(new UsernamePassword(user, password, this.#peerHost()));
  }

  #apop(args: string[]): void {
    if (args.length !== 2 || !/^[0-9a-fA-F]{32}$/.test(args[1]!)) return this.#err('Syntax: APOP name digest');
    if (!this.factory.portal.listCredentialsInterfaces().includes(IAPOP)) return this.#err('APOP not available');
    this.#login(new APOPCredentials(args[0]!, this.#challenge, args[1]!, this.#peerHost()));
  }

  #peerHost(): string {
    return (this.transport.getPeer() as { host?: string }).host ?? 'unknown';
  }

  #login(credentials: ICredentials): void {
    const opened = this.factory.portal.login(credentials, null, IMailAccount).addCallback(([, account, logout]) => {
      // RFC 1939 §8: one session per maildrop at a time, or two clients could each delete what the other lists.
      const key = account.username.toLowerCase();
      if (this.factory.locked.has(key)) {
        logout();
        throw new MailboxInUse(account.username);
      }
      this.factory.locked.add(key);
      this.#logout = () => {
        this.factory.locked.delete(key);
        logout();
      };
      return account.openMailbox();
    });
    this.#gate.wait(
      opened,
      (box) => {
        this.#mailbox = box;
        const n = box.listMessages().length;
        this.#ok(`maildrop has ${n} message${n === 1 ? '' : 's'}`);
      },
      (f) => {
        this.#logout?.();
        this.#logout = null;
        if (f.value instanceof MailboxInUse) return this.#err('[IN-USE] Mailbox in use by another session');
        this.#err('[AUTH] Invalid login');
        if (++this.#authFailures >= this.#limits.maxAuthFailures) this.#close();
      },
    );
  }

  #stls(args: string[]): void {
    if (args.length > 0) return this.#err('STLS takes no arguments');
    if (!this.#canStartTLS()) return this.#err('STLS not available');
    this.#ok('Begin TLS negotiation');
    // Commands sent behind STLS in the clear belong to TLS, never to the session (RFC 2595 §4).
    this.transport.startTLS!(this.factory.tls!, true, this.#reader.takeBuffered());
    this.#user = null;
  }

  #quit(): void {
    const box = this.#mailbox;
    if (box === null) {
      this.#ok('bye');
      return this.#close();
    }
    const done = (): void => {
      this.#logout?.();
      this.#logout = null;
      this.#close();
    };
    this.#gate.wait(
      box.sync(),
      () => {
        this.#ok('bye, deletions done');
        done();
      },
      () => {
        this.transport.write('-ERR some deleted messages not removed\r\n');
        done();
      },
    );
  }
}

/** The header and the first `lines` lines of the body of `text` (POP3 `TOP`). */
export function headAndLines(text: Uint8Array, lines: number): Uint8Array {
  const s = Buffer.from(text.buffer, text.byteOffset, text.byteLength);
  let end = s.indexOf('\r\n\r\n');
  if (end < 0) return text;
  end += 4;
  for (let n = 0; n < lines && end < s.length; n++) {
    const next = s.indexOf('\n', end);
    end = next < 0 ? s.length : next + 1;
  }
  return text.subarray(0, end);
}

/**
 * Makes a {@link POP3Server} per connection.
 *
 * @example
 * reactor.listenTCP(1110, new POP3Factory({ hostname: 'mail.example.test', portal }));
 */
export class POP3Factory extends Factory<POP3Server> {
  readonly hostname: string;
  readonly portal: Portal;
  readonly tls: TLSOptions | undefined;
  readonly allowPlaintextAuth: boolean;
  readonly clock: IReactorTime;
  readonly limits: POP3Limits;
  /** The open sessions. */
  readonly connections = new Set<POP3Server>();
  /** Users (lower case) with a session open: POP3 gives one session per maildrop at a time. */
  readonly locked = new Set<string>();

  constructor(options: POP3ServerOptions) {
    super();
    this.hostname = options.hostname;
    this.portal = options.portal;
    this.tls = options.tls;
    this.allowPlaintextAuth = options.allowPlaintextAuth ?? false;
    this.clock = options.clock ?? defaultReactor();
    this.limits = { ...POP3_LIMITS, ...options.limits };
  }

  override buildProtocol(_addr: IAddress): POP3Server {
    return new POP3Server(this);
  }

  /** Closes every open session; none applies its deletions. */
  closeAll(): void {
    for (const c of [...this.connections]) c.shutdown();
  }
}
