/**
 * `ReliableSession`: exactly-once, in-order delivery over a sequence of unreliable links. A pure state machine:
 * it never touches a socket. The owner attaches a link (a function that sends one frame) when a connection
 * is up, feeds it every frame that arrives, and detaches it when the connection drops; the session numbers
 * outgoing messages, keeps them until the peer acknowledges them, resends them on the next attach, drops
 * duplicates, puts reordered messages back in order, and runs the heartbeat.
 *
 * Call order: `attach(link, peerLastReceived) -> receive* -> detach`, repeated any number of times, then `close`.
 * @module
 */
import { cancelTimer } from './clock.js';
import { LiveProtocolError } from './errors.js';
import { ACK, MSG, PING, encodeAck, encodeMessage, type Frame } from './frames.js';
import type { LiveClock, LiveTimer } from './interfaces.js';

/** Options of a {@link ReliableSession}. */
export interface ReliableSessionOptions {
  /** Time source for acknowledgements and heartbeats. */
  clock: LiveClock;
  /** Receives each message's payload, once, in the order the peer sent them. */
  deliver: (payload: unknown) => void;
  /** Called when the attached link has been silent for `heartbeatTimeout` seconds: the owner should drop it. */
  onDead?: () => void;
  /** Called when more than `maxUnacked` messages wait for an acknowledgement: the peer is not keeping up. */
  onOverflow?: () => void;
  /** Seconds of our own silence after which a PING goes out (default 10; 0 turns heartbeats off). */
  heartbeatInterval?: number;
  /** Seconds without hearing anything after which the link is dead (default 30). */
  heartbeatTimeout?: number;
  /** Seconds to wait for an outgoing message to carry an acknowledgement before sending a bare ACK (default 0.2). */
  ackDelay?: number;
  /** Most unacknowledged outgoing messages (default 10,000). */
  maxUnacked?: number;
  /** Most messages held while waiting for a missing earlier one (default 1,000); beyond it they are dropped and resent later. */
  maxAhead?: number;
}

/** Reliable delivery state for one end of a conversation. */
export class ReliableSession {
  /** Highest sequence number delivered so far (everything up to it has been delivered, in order). */
  lastReceived = 0;
  readonly #o: Required<Omit<ReliableSessionOptions, 'onDead' | 'onOverflow'>> & Pick<ReliableSessionOptions, 'onDead' | 'onOverflow'>;
  #nextSeq = 1;
  /** Unacknowledged outgoing payloads (JSON text), oldest first; `#firstSeq` is the number of the first. */
  #unacked: string[] = [];
  #firstSeq = 1;
  #ahead: Map<number, unknown> | undefined;
  #link: ((frame: string) => void) | null = null;
  #ackTimer: LiveTimer | null = null;
  #beatTimer: LiveTimer | null = null;
  #lastHeard = 0;
  #lastSent = 0;
  #closed = false;
  /** The highest acknowledgement sent on the current link. */
  #ackSent = 0;
  /** A duplicate arrived: the peer missed our acknowledgement, so send one even if nothing is new. */
  #ackForced = false;

  constructor(options: ReliableSessionOptions) {
    this.#o = { heartbeatInterval: 10, heartbeatTimeout: 30, ackDelay: 0.2, maxUnacked: 10_000, maxAhead: 1_000, ...options };
  }

  /** True while a link is attached. */
  get attached(): boolean {
    return this.#link !== null;
  }

  /** Number of sent messages the peer has not acknowledged yet. */
  get unackedCount(): number {
    return this.#unacked.length;
  }

  /** True after `close`. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Queues a payload (already JSON text) for delivery and sends it now if a link is attached.
   * @returns its sequence number
   */
  sendJSON(payloadJSON: string): number {
    if (this.#closed) throw new LiveProtocolError('session is closed');
    const seq = this.#nextSeq++;
    this.#unacked.push(payloadJSON);
    if (this.#unacked.length > this.#o.maxUnacked) {
      this.#o.onOverflow?.();
      return seq;
    }
    if (this.#link !== null) this.#transmit(seq, payloadJSON);
    return seq;
  }

  /** Queues any JSON-serialisable payload; see {@link ReliableSession.sendJSON}. */
  send(payload: unknown): number {
    return this.sendJSON(JSON.stringify(payload));
  }

  /**
   * Attaches a link after a (re)connection handshake told us the peer's `lastReceived`: forgets what the
   * peer has, resends the rest in order, and starts the heartbeat.
   */
  attach(link: (frame: string) => void, peerLastReceived: number): void {
    if (this.#closed) throw new LiveProtocolError('session is closed');
    this.detach();
    this.#link = link;
    this.#ackSent = 0;
    this.#lastHeard = this.#lastSent = this.#o.clock.seconds();
    this.#handleAck(peerLastReceived);
    const first = this.#firstSeq;
    // A resend may detach us (the link fails and the owner reacts): stop as soon as that happens.
    for (let i = 0; i < this.#unacked.length && this.#link === link; i++) this.#transmit(first + i, this.#unacked[i]!);
    this.#armHeartbeat();
  }

  /** Detaches the current link (the connection dropped); messages wait for the next `attach`. */
  detach(): void {
    this.#link = null;
    this.#ahead = undefined;
    cancelTimer(this.#ackTimer);
    cancelTimer(this.#beatTimer);
    this.#ackTimer = this.#beatTimer = null;
  }

  /** Stops everything for good and forgets the queue. */
  close(): void {
    this.detach();
    this.#closed = true;
    this.#unacked = [];
  }

  /**
   * Handles one decoded MSG, ACK or PING frame from the attached link. Throws {@link LiveProtocolError} for
   * an acknowledgement of something never sent.
   */
  receive(frame: Frame): void {
    if (this.#closed) return;
    this.#lastHeard = this.#o.clock.seconds();
    switch (frame[0]) {
      case MSG:
        this.#handleAck(frame[2]);
        this.#handleMessage(frame[1], frame[3]);
        break;
      case ACK:
        this.#handleAck(frame[1]);
        break;
      case PING:
        this.#handleAck(frame[1]);
        this.#sendAck(ACK);
        break;
      default:
        throw new LiveProtocolError(`unexpected frame type ${String(frame[0])} in session`);
    }
  }

  #handleMessage(seq: number, payload: unknown): void {
    const expected = this.lastReceived + 1;
    if (seq < expected) {
      this.#ackForced = true; // a resend of something we have: the peer missed our ack
      this.#scheduleAck();
      return;
    }
    if (seq > expected) {
      const ahead = (this.#ahead ??= new Map());
      if (ahead.size < this.#o.maxAhead) ahead.set(seq, payload);
      return;
    }
    this.lastReceived = seq;
    this.#o.deliver(payload);
    const ahead = this.#ahead;
    if (ahead !== undefined) {
      for (let next = this.lastReceived + 1; ahead.has(next) && !this.#closed; next++) {
        const p = ahead.get(next);
        ahead.delete(next);
        this.lastReceived = next;
        this.#o.deliver(p);
      }
      for (const k of ahead.keys()) if (k <= this.lastReceived) ahead.delete(k);
    }
    this.#scheduleAck();
  }

  #handleAck(ack: number): void {
    if (ack >= this.#nextSeq) throw new LiveProtocolError(`acknowledgement of ${ack}, but only ${this.#nextSeq - 1} sent`);
    const drop = ack - this.#firstSeq + 1;
    if (drop <= 0) return;
    this.#unacked.splice(0, drop);
    this.#firstSeq += drop;
  }

  #transmit(seq: number, payloadJSON: string): void {
    cancelTimer(this.#ackTimer);
    this.#ackTimer = null;
    this.#lastSent = this.#o.clock.seconds();
    this.#ackSent = this.lastReceived;
    this.#ackForced = false;
    this.#link!(encodeMessage(seq, this.lastReceived, payloadJSON));
  }

  #sendAck(kind: typeof ACK | typeof PING): void {
    if (this.#link === null) return;
    cancelTimer(this.#ackTimer);
    this.#ackTimer = null;
    this.#lastSent = this.#o.clock.seconds();
    this.#ackSent = this.lastReceived;
    this.#ackForced = false;
    this.#link(encodeAck(kind, this.lastReceived));
  }

  /** A bare ACK soon, unless a message (a reply, usually) carries the acknowledgement first. */
  #scheduleAck(): void {
    if (this.#link === null || this.#ackTimer !== null) return;
    if (this.#ackSent >= this.lastReceived && !this.#ackForced) return;
    this.#ackTimer = this.#o.clock.callLater(this.#o.ackDelay, () => {
      this.#ackTimer = null;
      this.#sendAck(ACK);
    });
  }

  #armHeartbeat(): void {
    const interval = this.#o.heartbeatInterval;
    if (interval <= 0) return;
    const step = Math.min(interval, this.#o.heartbeatTimeout) / 2;
    const tick = (): void => {
      this.#beatTimer = null;
      if (this.#link === null) return;
      const now = this.#o.clock.seconds();
      if (now - this.#lastHeard >= this.#o.heartbeatTimeout) {
        this.#o.onDead?.();
        return;
      }
      if (now - this.#lastSent >= interval) this.#sendAck(PING);
      if (this.#link !== null) this.#beatTimer = this.#o.clock.callLater(step, tick);
    };
    this.#beatTimer = this.#o.clock.callLater(step, tick);
  }
}
