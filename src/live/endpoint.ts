/**
 * `LiveEndpoint`: the server end of one transport connection from a page. It waits for the HELLO that names
 * the page, attaches itself to that page's `LiveConnection`, then passes frames through. Transports (the
 * WebSocket resource, long polling) create one per connection and feed it text.
 *
 * Transports report their write buffer's state with `pauseSending`/`resumeSending` (a WebSocket's TCP
 * buffer over its high-water mark, a long-polling outbox no GET has taken): the page's messages then wait in
 * its session, and a connection that stays full for `stallTimeout` seconds (a page that stopped reading) is
 * closed.
 * @module
 */
import { Logger } from '../logger/index.js';
import { LiveProtocolError } from './shared/errors.js';
import { cancelTimer } from './shared/timers.js';
import { HELLO, decodeFrame, encodeGone, type SharedMessage } from './shared/frames.js';
import type { IReactorTime, IDelayedCall } from '../time/interfaces.js';
import type { LiveConnection } from './connection.js';
import type { FrameSocket } from './interfaces.js';

const log = new Logger({ namespace: 'torsion.live.endpoint' });

/** Finds the live page a HELLO names. */
export interface PageDirectory {
  connection(pageId: string): LiveConnection | undefined;
  /** Largest frame accepted, in characters. */
  readonly maxFrameSize: number;
  /** Time source for the HELLO deadline. */
  readonly clock: IReactorTime;
  /** Seconds a new connection has to say HELLO before it is closed. */
  readonly helloTimeout: number;
  /** Seconds a connection may stay unable to take more frames before it is closed. */
  readonly stallTimeout: number;
}

/** The reason a connection whose page stopped reading is closed with. */
export const STALLED = 'stalled';

/**
 * What a transport gives its endpoint, as methods of one object (the transport's protocol, usually), so a
 * connection holds no closure for them.
 */
export interface EndpointTransport {
  /** Writes a frame to the transport. */
  sendLiveFrame(frame: string): void;
  /** Closes the transport (it must later call {@link LiveEndpoint.connectionLost}). */
  closeLiveTransport(reason: string, abort: boolean): void;
  /** Writes a broadcast's frame; only on a transport that loses nothing within a connection. */
  sendLiveShared?(message: SharedMessage): void;
}

/** One transport connection's state: before HELLO, attached, or closed. */
export class LiveEndpoint implements FrameSocket {
  #connection: LiveConnection | null = null;
  #closed = false;
  #helloTimer: IDelayedCall | null;
  #stallTimer: IDelayedCall | null = null;
  /** When true, frames are silently dropped both ways: a stalled network, for tests. */
  stalled = false;
  /**
   * Sends a broadcast's frame unless the connection is closed or stalled; absent on transports that may lose
   * frames. One function shared by every endpoint whose transport has `sendLiveShared`.
   */
  readonly sendSharedFrame?: (message: SharedMessage) => void;

  static readonly #sendShared = function (this: LiveEndpoint, message: SharedMessage): void {
    if (!this.#closed && !this.stalled) this.transport.sendLiveShared!(message);
  };

  /**
   * @param pages where HELLO looks up its page
   * @param transport writes and closes the transport connection
   */
  constructor(
    readonly pages: PageDirectory,
    readonly transport: EndpointTransport,
  ) {
    if (transport.sendLiveShared !== undefined) this.sendSharedFrame = LiveEndpoint.#sendShared;
    // A connection that never says HELLO (a stalled handshake, a port scanner) must not stay forever.
    this.#helloTimer = pages.clock.callLater(pages.helloTimeout, () => {
      this.#helloTimer = null;
      if (this.#connection === null) this.close('no HELLO');
    });
  }

  /** The page this connection carries, after HELLO. */
  get connection(): LiveConnection | null {
    return this.#connection;
  }

  /** Sends one frame unless the connection is closed or stalled. */
  sendFrame(frame: string): void {
    if (!this.#closed && !this.stalled) this.transport.sendLiveFrame(frame);
  }

  /** True while the transport cannot take more frames. */
  get sendingPaused(): boolean {
    return this.#stallTimer !== null;
  }

  /** The transport's write buffer is full: the page's messages wait, and the page has `stallTimeout` seconds to read. */
  pauseSending(): void {
    if (this.#closed || this.#stallTimer !== null) return;
    this.#stallTimer = this.pages.clock.callLater(this.pages.stallTimeout, () => {
      this.#stallTimer = null;
      log.info('closing the live connection of page {page}: it read nothing for {seconds} s', { page: this.#connection?.id ?? 'none', seconds: this.pages.stallTimeout });
      this.close(STALLED);
    });
    this.#connection?.sendingPaused(this);
  }

  /** The transport's write buffer has room again. */
  resumeSending(): void {
    if (this.#stallTimer === null) return;
    cancelTimer(this.#stallTimer);
    this.#stallTimer = null;
    if (!this.#closed) this.#connection?.sendingResumed(this);
  }

  /** Closes the transport; the page waits for a new one. */
  close(reason: string, abort = false): void {
    if (this.#closed) return;
    this.transport.closeLiveTransport(reason, abort);
    this.connectionLost();
  }

  /** Handles one text frame from the page. */
  frameReceived(text: string): void {
    if (this.#closed || this.stalled) return;
    try {
      const frame = decodeFrame(text, this.pages.maxFrameSize);
      if (this.#connection !== null) {
        this.#connection.frameReceived(this, frame);
        return;
      }
      if (frame[0] !== HELLO || frame.length !== 3) throw new LiveProtocolError('the first frame must be HELLO');
      const connection = this.pages.connection(frame[1]);
      if (connection === undefined || connection.isGone) {
        this.transport.sendLiveFrame(encodeGone('no such page'));
        this.close('no such page');
        return;
      }
      this.#connection = connection;
      cancelTimer(this.#helloTimer);
      this.#helloTimer = null;
      connection.attach(this, frame[2]);
      if (this.#stallTimer !== null) connection.sendingPaused(this);
    } catch (e) {
      if (!(e instanceof LiveProtocolError)) throw e;
      log.warn('closing a live connection: {error}', { error: e.message });
      this.close('protocol error');
    }
  }

  /** The transport is closed (by either side). */
  connectionLost(): void {
    if (this.#closed) return;
    this.#closed = true;
    cancelTimer(this.#helloTimer);
    cancelTimer(this.#stallTimer);
    this.#stallTimer = null;
    this.#connection?.socketLost(this);
  }
}
