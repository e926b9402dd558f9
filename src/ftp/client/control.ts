/**
 * `FTPControl`: the client's control connection, commands and replies only. Each command gets a Deferred
 * that fires with its final reply (2xx or 3xx) or fails with `FTPCommandFailed` (4xx, 5xx); `1xx` replies
 * go to the command's `onPreliminary`. Commands are sent one at a time, each once the one before has its
 * final reply, so replies are matched without guessing.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import type { IDelayedCall, IReactorTCP, IReactorTime, ITCPTransport } from '../../internet/interfaces.js';
import { LineReceiver } from '../../protocols/index.js';
import { ReplyParser, type FTPReply } from '../codec.js';
import { FTPCommandFailed, FTPConnectionLost, FTPLineTooLong, FTPParseError, FTPTimeoutError } from '../errors.js';
import { resolveClientLimits, type FTPClientLimits } from '../limits.js';

/** Options of an FTP client. */
export interface FTPClientOptions {
  /** Dials and listens for data connections, and keeps the time (the global reactor by default). */
  reactor?: IReactorTCP & IReactorTime;
  /** Limits (defaults: `DEFAULT_FTP_CLIENT_LIMITS`). */
  limits?: Partial<FTPClientLimits>;
  /** Passive data connections (`EPSV`, then `PASV`) when true (the default); active (`EPRT`/`PORT`) when false. */
  passive?: boolean;
  /**
   * Connect passive data connections to the address a `227` reply names. Off by default: the control
   * connection's peer is used, since a server behind NAT often names an address nobody can reach, and a
   * hostile one could name a third host.
   */
  usePasvAddress?: boolean;
}

interface Pending {
  readonly line: string | null;
  readonly deferred: Deferred<FTPReply>;
  readonly onPreliminary?: (reply: FTPReply) => void;
}

const decoder = new TextDecoder();

/** The control connection of an FTP client. */
export class FTPControl extends LineReceiver<ITCPTransport> {
  /** Fires with the server's greeting (`220`), or fails if it refused (`421`) or the connection ended. */
  readonly greeting = new Deferred<FTPReply>();
  readonly limits: Readonly<FTPClientLimits>;
  readonly options: FTPClientOptions;
  #parser: ReplyParser;
  /** Sent, waiting for their final reply (in order); the first is the one on the wire. */
  #inFlight: Pending[] = [];
  #waiting: Pending[] = [];
  #timer: IDelayedCall | null = null;
  #quiet = false;
  #clockOverride: IReactorTime | undefined;

  constructor(options: FTPClientOptions = {}) {
    super();
    this.options = options;
    this.limits = resolveClientLimits(options.limits);
    this.MAX_LENGTH = this.limits.maxLineLength;
    this.#parser = new ReplyParser(this.limits.maxReplyLines);
    this.#clockOverride = options.reactor;
    this.#inFlight.push({ line: null, deferred: new Deferred<FTPReply>() });
    this.#inFlight[0].deferred.addCallbacks(
      (r) => {
        this.greeting.callback(r);
        return r;
      },
      (f) => {
        this.greeting.errback(f);
        return null;
      },
    );
  }

  /** @internal the reactor of data connections and timers. */
  get reactor(): IReactorTCP & IReactorTime {
    if (this.#clockOverride === undefined) throw new TypeError('FTPClient needs a reactor: pass options.reactor (connectFTP does)');
    return this.#clockOverride as IReactorTCP & IReactorTime;
  }

  override connectionMade(): void {
    this.#arm();
  }

  /**
   * Sends `line` once every command before it has its final reply; fires with this command's final reply.
   * `onPreliminary` sees its `1xx` replies (a transfer starting).
   */
  sendCommand(line: string, onPreliminary?: (reply: FTPReply) => void): Deferred<FTPReply> {
    if (/[\r\n]/.test(line)) return Deferred.fail(new FTPParseError('a command may not hold CR or LF'));
    const pending: Pending = { line, deferred: new Deferred<FTPReply>(), onPreliminary };
    if (!this.connected && this.transport !== undefined) return Deferred.fail(new FTPConnectionLost('the control connection is closed'));
    this.#waiting.push(pending);
    this.#sendNext();
    return pending.deferred;
  }

  /**
   * Sends `line` now, ahead of waiting commands (`ABOR` during a transfer): its reply comes after the
   * reply that ends the command on the wire.
   */
  sendUrgent(line: string): Deferred<FTPReply> {
    const pending: Pending = { line, deferred: new Deferred<FTPReply>() };
    this.#inFlight.push(pending);
    this.sendLine(line);
    this.#arm();
    return pending.deferred;
  }

  #sendNext(): void {
    if (this.#inFlight.length > 0 || this.#waiting.length === 0 || !this.connected) return;
    const next = this.#waiting.shift()!;
    this.#inFlight.push(next);
    this.#quiet = false;
    this.sendLine(next.line!);
    this.#arm();
  }

  /** @internal a transfer is under way: its data connection's stall timer watches it, not the reply timer. */
  quietUntilReply(): void {
    this.#quiet = true;
    if (this.#timer?.active()) this.#timer.cancel();
    this.#timer = null;
  }

  /** @internal the transfer's data connection is done: its final reply is now watched by the reply timer again. */
  expectReply(): void {
    this.#quiet = false;
    this.#arm();
  }

  #arm(): void {
    const seconds = this.limits.replyTimeout;
    if (seconds <= 0 || this.#quiet || this.#inFlight.length === 0 || !this.connected) {
      if (this.#timer?.active()) this.#timer.cancel();
      return;
    }
    if (this.#timer?.active()) this.#timer.reset(seconds);
    else this.#timer = this.reactor.callLater(seconds, () => this.#failAll(new FTPTimeoutError(`no reply within ${seconds} seconds`), true));
  }

  override lineReceived(line: Uint8Array): void {
    let reply: FTPReply | null;
    try {
      reply = this.#parser.feed(decoder.decode(line));
    } catch (e) {
      return this.#failAll(e as Error, true);
    }
    this.#arm();
    if (reply === null) return;
    const current = this.#inFlight[0];
    if (current === undefined) return; // An unasked reply (a 421 before closing): the close tells the rest.
    if (reply.code < 200) {
      current.onPreliminary?.(reply);
      return;
    }
    this.#inFlight.shift();
    this.#quiet = false;
    if (reply.code >= 400) current.deferred.errback(new FTPCommandFailed(reply.code, reply.lines));
    else current.deferred.callback(reply);
    this.#arm();
    this.#sendNext();
  }

  override lineLengthExceeded(): void {
    this.#failAll(new FTPLineTooLong(`reply line longer than ${this.MAX_LENGTH} bytes`), true);
  }

  #failAll(error: Error, drop: boolean): void {
    const all = [...this.#inFlight, ...this.#waiting];
    this.#inFlight = [];
    this.#waiting = [];
    if (this.#timer?.active()) this.#timer.cancel();
    for (const p of all) p.deferred.errback(error);
    if (drop && this.connected) this.transport.abortConnection();
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#failAll(new FTPConnectionLost(`the control connection closed: ${reason.getErrorMessage()}`), false);
  }
}
