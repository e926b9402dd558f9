/**
 * One NNTP server connection (RFC 3977): framing, the order commands are answered in, article reception
 * for POST and IHAVE, STARTTLS, the idle timeout and the input limits. The commands themselves are in
 * `reader-commands.ts` and `session-commands.ts`.
 * @module
 */
import type { Failure } from '../../defer/index.js';
import { Protocol } from '../../internet/protocol.js';
import type { IDelayedCall, ITLSTransport, ITransport } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import { LineSplitter, dotUnstuff, encodeBlock, parseCommand } from '../codec.js';
import { NNTPLineTooLongError, NNTPSyntaxError } from '../errors.js';
import type { GroupInfo } from '../interfaces.js';
import type { NNTPServerFactory } from './factory.js';
import type { NewsReader } from './realm.js';
import { COMMANDS } from './commands.js';

const log = new Logger({ namespace: 'torsion.nntp' });

/** The transport an NNTP server can use: any, with STARTTLS and pausing when it has them. */
export type NNTPServerTransport = ITransport & Partial<Pick<ITLSTransport, 'startTLS' | 'isSecure' | 'pauseProducing' | 'resumeProducing' | 'registerProducer'>>;

/** An article being received after POST's 340 or IHAVE's 335. */
interface Reception {
  kind: 'post' | 'ihave';
  /** The Message-ID IHAVE offered. */
  offered?: string;
  lines: string[];
  bytes: number;
  tooLarge: boolean;
}

/**
 * The server side of one NNTP connection. Commands are answered one at a time in the order received, so a
 * pipelining client gets its answers in order while a slow store answers.
 */
export class NNTPServerProtocol extends Protocol<NNTPServerTransport> {
  /** The selected group (GROUP, LISTGROUP). */
  group: GroupInfo | undefined;
  /** The current article number in it. */
  current: number | undefined;
  /** Who logged in with AUTHINFO, if anyone. */
  reader: NewsReader | undefined;
  /** The user name of an AUTHINFO USER awaiting its PASS. */
  pendingUser: string | undefined;
  /** Failed AUTHINFO attempts so far. */
  failedAuths = 0;
  /** True once STARTTLS has switched the connection to TLS. */
  tlsStarted = false;

  readonly #factory: NNTPServerFactory;
  readonly #splitter: LineSplitter;
  #reception: Reception | undefined;
  #busy = false;
  /** A STARTTLS command is queued: the bytes after it belong to TLS, not to the line reader. */
  #tlsBarrier = false;
  #paused = false;
  /** The transport's write buffer is over its high-water mark: answer nothing more until it drains. */
  #outputFull = false;
  #closed = false;
  #idle: IDelayedCall | undefined;

  constructor(factory: NNTPServerFactory) {
    super();
    this.#factory = factory;
    this.#splitter = new LineSplitter(factory.limits.maxCommandLength);
  }

  /** The factory's shared state. */
  get server(): NNTPServerFactory {
    return this.#factory;
  }

  /** Whether POST (and IHAVE) are open to this connection now. */
  get mayPost(): boolean {
    return this.#factory.allowPosting && (!this.#factory.postingRequiresAuth || this.reader !== undefined);
  }

  /** Whether the connection is protected by TLS. */
  get secure(): boolean {
    return this.tlsStarted || (this.transport.isSecure?.() ?? false);
  }

  override connectionMade(): void {
    this.#factory.connections.add(this);
    const posting = this.#factory.allowPosting && !this.#factory.postingRequiresAuth;
    this.reply(posting ? 200 : 201, `${this.#factory.greeting}, posting ${posting ? 'allowed' : 'prohibited'}`);
    this.#armIdle();
    // A client that pipelines OVERs and never reads would grow our write buffer without bound: the
    // transport tells us when it is full, and commands wait (and, through #flowControl, reading stops).
    this.transport.registerProducer?.(
      {
        pauseProducing: () => {
          this.#outputFull = true;
        },
        resumeProducing: () => {
          this.#outputFull = false;
          this.#drain();
        },
        stopProducing: () => {},
      },
      true,
    );
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#closed) return;
    this.#armIdle();
    this.#splitter.push(data);
    this.#drain();
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#closed = true;
    this.#stopIdle();
    this.#factory.connections.delete(this);
  }

  /** Writes one status line. */
  reply(status: number, text: string): void {
    if (this.#closed) return;
    this.transport.write(Buffer.from(`${status} ${text}\r\n`, 'latin1'));
  }

  /** Writes a status line and a multi-line block (Latin-1 wire strings, stuffed here). */
  block(status: number, text: string, lines: Iterable<string>): void {
    if (this.#closed) return;
    this.transport.write(Buffer.from(`${status} ${text}\r\n${encodeBlock(lines)}`, 'latin1'));
  }

  /** Sends `status text` and closes the connection. */
  close(status: number, text: string): void {
    if (this.#closed) return;
    this.reply(status, text);
    this.#closed = true;
    this.#stopIdle();
    this.transport.loseConnection();
  }

  /** Starts receiving an article (after 340 or 335). */
  receiveArticle(kind: 'post' | 'ihave', offered?: string): void {
    this.#reception = { kind, lines: [], bytes: 0, tooLarge: false, ...(offered === undefined ? {} : { offered }) };
    this.#splitter.maxLength = this.#factory.limits.maxLineLength;
  }

  /** Switches to TLS after `382`, handing TLS the bytes that followed the command. */
  startTLS(): void {
    this.#tlsBarrier = false;
    this.tlsStarted = true;
    this.transport.startTLS!(this.#factory.tls!, true, this.#splitter.takeRest());
  }

  /** Ends the STARTTLS hold when the command was refused: the bytes after it are commands again. */
  releaseTLSBarrier(): void {
    this.#tlsBarrier = false;
  }

  #stopIdle(): void {
    if (this.#idle?.active()) this.#idle.cancel();
    this.#idle = undefined;
  }

  #armIdle(): void {
    const seconds = this.#factory.limits.idleTimeout;
    if (this.#idle?.active()) this.#idle.reset(seconds);
    else this.#idle = this.#factory.clock.callLater(seconds, () => this.close(400, 'Idle timeout, closing connection'));
  }

  /** Answers every complete line, in order, until a command must wait for the store. */
  #drain(): void {
    while (!this.#busy && !this.#closed && !this.#tlsBarrier && !this.#outputFull) {
      let line: string | null;
      try {
        line = this.#splitter.nextLine();
      } catch (e) {
        if (!(e instanceof NNTPLineTooLongError)) throw e;
        this.close(this.#reception ? 400 : 501, 'Line too long, closing connection');
        return;
      }
      if (line === null) break;
      if (this.#reception) this.#articleLine(this.#reception, line);
      else this.#command(line);
    }
    this.#flowControl();
  }

  /** Holds the peer back while a command waits: bounded input even from a client that never reads. */
  #flowControl(): void {
    const limit = this.#factory.limits.maxPipelinedBytes;
    const held = this.#splitter.held;
    if (held > 2 * limit && !this.#closed) {
      this.close(400, 'Too much pipelined input, closing connection');
    } else if (held > limit && !this.#paused && this.transport.pauseProducing) {
      this.#paused = true;
      this.transport.pauseProducing();
    } else if (held <= limit && this.#paused) {
      this.#paused = false;
      this.transport.resumeProducing?.();
    }
  }

  #command(line: string): void {
    let verb: string;
    let args: string[];
    try {
      ({ verb, args } = parseCommand(line));
    } catch (e) {
      if (!(e instanceof NNTPSyntaxError)) throw e;
      this.reply(501, 'Syntax error');
      return;
    }
    const handler = COMMANDS.get(verb);
    if (handler === undefined) {
      this.reply(500, 'Unknown command');
      return;
    }
    if (verb === 'STARTTLS') this.#tlsBarrier = true;
    let result: void | Promise<void>;
    try {
      result = handler(this, args);
    } catch (e) {
      this.#failed(verb, e);
      return;
    }
    if (result instanceof Promise) this.#wait(verb, result);
  }

  #wait(verb: string, work: Promise<void>): void {
    this.#busy = true;
    work
      .catch((e: unknown) => this.#failed(verb, e))
      .finally(() => {
        this.#busy = false;
        this.#drain();
      });
  }

  #failed(verb: string, e: unknown): void {
    log.error('NNTP command {verb} failed: {error}', { verb, error: String(e) });
    this.#tlsBarrier = false;
    this.reply(403, 'Internal fault');
  }

  #articleLine(r: Reception, line: string): void {
    const content = dotUnstuff(line);
    if (content !== null) {
      r.bytes += content.length + 2;
      if (r.bytes > this.#factory.limits.maxArticleBytes) {
        // Keep reading to the terminating dot so the connection stays in step; hold nothing more.
        r.tooLarge = true;
        r.lines = [];
      } else {
        r.lines.push(content);
      }
      return;
    }
    this.#reception = undefined;
    this.#splitter.maxLength = this.#factory.limits.maxCommandLength;
    const handler = r.kind === 'post' ? COMMANDS.articlePosted : COMMANDS.articleOffered;
    this.#wait(r.kind.toUpperCase(), handler(this, { text: r.lines.length === 0 ? '' : r.lines.join('\r\n') + '\r\n', tooLarge: r.tooLarge, ...(r.offered === undefined ? {} : { offered: r.offered }) }));
  }
}
