/**
 * `ReliableSession`: exactly-once, in-order delivery over a sequence of unreliable links. A pure state machine:
 * it never touches a socket. The owner attaches a link (a {@link SessionLink}) when a connection is up, feeds it every frame that arrives, and detaches it when the connection drops; the session numbers
 * outgoing messages, keeps them until the peer acknowledges them, resends them on the next attach, drops
 * duplicates, puts reordered messages back in order, and runs the heartbeat.
 *
 * Everything it holds for the peer (unacknowledged and out-of-order messages) is charged to a
 * {@link MemoryBudget}; when the budget refuses, the message is not kept and the budget's owner drops the peer.
 * A link whose transport cannot take more (`pauseSending`) gets nothing until `resumeSending`: the messages
 * wait in the session, which holds them anyway until they are acknowledged, instead of in a second queue.
 *
 * Call order: `attach(link, peerLastReceived) -> (receive | pauseSending | resumeSending)* -> detach`, repeated
 * any number of times, then `close`.
 * @module
 */
import { MemoryBudget, textCost } from './budget.js';
import { cancelTimer } from './timers.js';
import { LiveProtocolError } from './errors.js';
import { ACK, MSG, NEXT, PING, encodeAck, encodeMessage, parsePayload, type Frame, type SharedMessage } from './frames.js';
import type { IReactorTime, IDelayedCall } from '../../time/interfaces.js';
import { DEFAULT_LIVE_LIMITS } from './limits.js';
import type { HeartbeatMember, HeartbeatTicker } from './ticker.js';
import type { AckMember, AckScheduler } from './acks.js';

/** `#unacked` of a session with nothing waiting: shared, never added to (a server has many idle pages). */
const NONE_UNACKED: (string | SharedMessage)[] = [];

/** The defaults of the {@link ReliableSessionOptions} settings not in `DEFAULT_LIVE_LIMITS`. */
export const DEFAULT_SESSION_TIMING = Object.freeze({ heartbeatInterval: 10, heartbeatTimeout: 30, ackDelay: 0.2 });

/** Options of a {@link ReliableSession}. */
export interface ReliableSessionOptions {
  /** Time source for acknowledgements and heartbeats. */
  clock: IReactorTime;
  /** Receives each message's payload, once, in the order the peer sent them. */
  deliver: (payload: unknown) => void;
  /** Called when the attached link has been silent for `heartbeatTimeout` seconds: the owner should drop it. */
  onDead?: () => void;
  /**
   * Called when messages sent on the attached link have waited `stallTimeout` seconds with no acknowledgement
   * of any of them: the peer is not reading, though it may still talk. The owner should drop the link.
   */
  onStalled?: () => void;
  /** Seconds without acknowledgement progress that make `onStalled` fire (default 0: never). Checked with the heartbeat. */
  stallTimeout?: number;
  /**
   * Called when the peer is not keeping up: `maxUnacked` messages already wait for an acknowledgement, or the
   * session's own budget (when none is given) is used up. The message that did not fit is not kept.
   */
  onOverflow?: (reason: string) => void;
  /**
   * Runs the heartbeat of this session with those of others on one timer (a server's pages), instead of a
   * timer of the session's own; its step should be `min(heartbeatInterval, heartbeatTimeout) / 2`.
   */
  ticker?: HeartbeatTicker;
  /**
   * Times this session's delayed ACKs with those of others on one timer (a server's pages), instead of a
   * delayed call per ACK; an ACK may then go out up to its `early` seconds before `ackDelay` has passed.
   */
  acks?: AckScheduler;
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
  /**
   * Charged for every message held, both ways. The default is a budget of the session's own of
   * `maxPageBytes` (4 MiB) whose refusal calls `onOverflow`; the server passes the page's budget instead.
   */
  budget?: MemoryBudget;
}

/**
 * Where an attached session writes. A server passes its transport connection itself, so a page holds no
 * closure for it.
 */
export interface SessionLink {
  /** Writes one frame. */
  sendFrame(frame: string): void;
  /**
   * Writes a broadcast's NEXT frame as it is; only on a link that delivers every frame in order and loses
   * none (a WebSocket). Without it every message goes as a MSG of its own.
   */
  sendSharedFrame?(message: SharedMessage): void;
}

/** Reliable delivery state for one end of a conversation. */
export class ReliableSession implements HeartbeatMember, AckMember {
  /** Highest sequence number delivered so far (everything up to it has been delivered, in order). */
  lastReceived = 0;
  /** Internal: this session's place in its heartbeat ticker, -1 while in none. */
  tickerSlot = -1;
  /** Internal: when the bare ACK this session owes is due (the clock's seconds), -1 when none is scheduled. */
  ackAt = -1;
  /** Internal: this session's place in its {@link AckScheduler}, -1 while in none. */
  ackSlot = -1;
  /**
   * The options as given, not copied, and their callbacks called as its methods: a server passes one
   * object per page whose methods and settings come from its class, not a closure for each.
   */
  readonly #o: ReliableSessionOptions;
  readonly #budget: MemoryBudget;
  #nextSeq = 1;
  /** Unacknowledged outgoing payloads (JSON text, or a broadcast's), oldest first; `#firstSeq` is the number of the first. */
  #unacked: (string | SharedMessage)[] = NONE_UNACKED;
  #firstSeq = 1;
  /** The highest sequence number written to the current link. */
  #sent = 0;
  /** The current link's transport is full: hold messages until `resumeSending`. */
  #paused = false;
  /**
   * Messages that arrived before a missing earlier one, as the payload's text as it came (parsed JSON can
   * take many times its text's size; parsing or re-encoding each would make garbage an attacker controls).
   */
  #ahead: Map<number, string> | undefined;
  #link: SessionLink | null = null;
  /** The link takes broadcasts' NEXT frames (`sendSharedFrame`); false: every message goes as a MSG. */
  #shares = false;
  /** The number of the last message received on the current link: a NEXT is the one after it. */
  #linkSeq = 0;
  #ackTimer: IDelayedCall | null = null;
  #beatTimer: IDelayedCall | null = null;
  #lastHeard = 0;
  /** Since when messages sent on this link wait for an acknowledgement (reset by each one that comes), or null. */
  #waitingSince: number | null = null;
  #lastSent = 0;
  #closed = false;
  /** The highest acknowledgement sent on the current link. */
  #ackSent = 0;
  /** A duplicate arrived: the peer missed our acknowledgement, so send one even if nothing is new. */
  #ackForced = false;

  constructor(options: ReliableSessionOptions) {
    this.#o = options;
    this.#budget = options.budget ?? new MemoryBudget(DEFAULT_LIVE_LIMITS.maxPageBytes, null, { owner: "the session's", onExceeded: (reason) => this.#o.onOverflow?.(reason) });
  }

  get #interval(): number {
    return this.#o.heartbeatInterval ?? DEFAULT_SESSION_TIMING.heartbeatInterval;
  }

  get #timeout(): number {
    return this.#o.heartbeatTimeout ?? DEFAULT_SESSION_TIMING.heartbeatTimeout;
  }

  get #ackDelay(): number {
    return this.#o.ackDelay ?? DEFAULT_SESSION_TIMING.ackDelay;
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

  /** True while the attached link's transport cannot take more (see {@link ReliableSession.pauseSending}). */
  get sendingPaused(): boolean {
    return this.#paused;
  }

  /**
   * Queues a payload (already JSON text) for delivery and sends it now if a link is attached and not paused.
   * A payload over `maxUnacked` or the budget is not kept (the owner is told and drops the peer).
   * @returns its sequence number, or 0 when it was not kept
   */
  sendJSON(payloadJSON: string): number {
    if (this.#closed) throw new LiveProtocolError('session is closed');
    return this.#queue(payloadJSON, payloadJSON);
  }

  /**
   * Queues a message shared with other sessions (a broadcast): on a link with `sendSharedFrame` it goes out as
   * the message's own NEXT frame, so every session writes the same bytes; otherwise as a MSG of its own.
   * @returns its sequence number, or 0 when it was not kept (see {@link ReliableSession.sendJSON})
   */
  sendShared(message: SharedMessage): number {
    if (this.#closed) throw new LiveProtocolError('session is closed');
    return this.#queue(message, message.payloadJSON);
  }

  #queue(item: string | SharedMessage, payloadJSON: string): number {
    const max = this.#o.maxUnacked ?? DEFAULT_LIVE_LIMITS.maxUnacked;
    if (this.#unacked.length >= max) {
      this.#o.onOverflow?.(`more than ${max} messages wait for an acknowledgement`);
      return 0;
    }
    if (!this.#budget.charge(textCost(payloadJSON))) return 0;
    const seq = this.#nextSeq++;
    // Usually the only one waiting (a page acknowledges each broadcast before the next): an array of one, not
    // an empty one that `push` grows to room for many.
    if (this.#unacked === NONE_UNACKED) this.#unacked = [item];
    else this.#unacked.push(item);
    this.#flush();
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
  attach(link: SessionLink, peerLastReceived: number): void {
    if (this.#closed) throw new LiveProtocolError('session is closed');
    this.detach();
    this.#link = link;
    this.#shares = typeof link.sendSharedFrame === 'function';
    // Both ends start counting NEXT frames from what the receiver reported in the handshake.
    this.#linkSeq = this.lastReceived;
    this.#ackSent = 0;
    this.#lastHeard = this.#lastSent = this.#o.clock.seconds();
    this.#waitingSince = null;
    this.#handleAck(peerLastReceived);
    this.#sent = this.#firstSeq - 1;
    this.#flush();
    this.#armHeartbeat();
  }

  /**
   * The link's transport cannot take more for now (its write buffer is full): messages wait in the session
   * until {@link ReliableSession.resumeSending}. Acknowledgements and heartbeats still go out.
   */
  pauseSending(): void {
    if (this.#link !== null) this.#paused = true;
  }

  /** The link's transport has room again: sends what waited, in order. */
  resumeSending(): void {
    if (!this.#paused) return;
    this.#paused = false;
    this.#flush();
  }

  /** Detaches the current link (the connection dropped); messages wait for the next `attach`. */
  detach(): void {
    this.#link = null;
    this.#shares = false;
    this.#paused = false;
    this.#forgetAhead();
    this.#cancelAck();
    cancelTimer(this.#beatTimer);
    this.#beatTimer = null;
    this.#o.ticker?.delete(this);
  }

  /** Stops everything for good and forgets the queue. */
  close(): void {
    this.detach();
    this.#closed = true;
    for (const item of this.#unacked) this.#budget.release(textCost(payloadOf(item)));
    this.#unacked = NONE_UNACKED;
  }

  /**
   * Handles one decoded MSG, NEXT, ACK or PING frame from the attached link. Throws {@link LiveProtocolError}
   * for an acknowledgement of something never sent, or a payload that is not JSON when its turn comes.
   */
  receive(frame: Frame): void {
    if (this.#closed) return;
    this.#lastHeard = this.#o.clock.seconds();
    switch (frame[0]) {
      case MSG:
        this.#handleAck(frame[2]);
        this.#linkSeq = frame[1];
        this.#handleMessage(frame[1], frame[3]);
        break;
      case NEXT:
        this.#handleMessage(++this.#linkSeq, frame[1]);
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

  /** `payloadJSON` is parsed only when delivered: one that came early is held as the text that came. */
  #handleMessage(seq: number, payloadJSON: string): void {
    const expected = this.lastReceived + 1;
    if (seq < expected) {
      this.#ackForced = true; // a resend of something we have: the peer missed our ack
      this.#scheduleAck();
      return;
    }
    if (seq > expected) {
      const ahead = (this.#ahead ??= new Map());
      if (ahead.size >= (this.#o.maxAhead ?? DEFAULT_LIVE_LIMITS.maxAhead) || ahead.has(seq)) return; // the peer resends it after the gap
      if (this.#budget.charge(textCost(payloadJSON))) ahead.set(seq, payloadJSON);
      return;
    }
    const payload = parsePayload(payloadJSON);
    this.lastReceived = seq;
    this.#o.deliver(payload);
    const ahead = this.#ahead;
    if (ahead !== undefined) {
      for (let next = this.lastReceived + 1; ahead.has(next) && !this.#closed; next++) {
        const text = ahead.get(next)!;
        ahead.delete(next);
        this.#budget.release(textCost(text));
        const held = parsePayload(text);
        this.lastReceived = next;
        this.#o.deliver(held);
      }
      for (const [k, text] of ahead) {
        if (k > this.lastReceived) continue;
        ahead.delete(k);
        this.#budget.release(textCost(text));
      }
    }
    this.#scheduleAck();
  }

  #forgetAhead(): void {
    const ahead = this.#ahead;
    this.#ahead = undefined;
    if (ahead !== undefined) for (const text of ahead.values()) this.#budget.release(textCost(text));
  }

  #handleAck(ack: number): void {
    if (ack >= this.#nextSeq) throw new LiveProtocolError(`acknowledgement of ${ack}, but only ${this.#nextSeq - 1} sent`);
    const drop = ack - this.#firstSeq + 1;
    if (drop <= 0) return;
    const unacked = this.#unacked;
    for (let i = 0; i < drop; i++) this.#budget.release(textCost(payloadOf(unacked[i]!)));
    // Usually everything sent is acknowledged: no array of the dropped ones, and the shared empty queue.
    if (drop === unacked.length) this.#unacked = NONE_UNACKED;
    else unacked.splice(0, drop);
    this.#firstSeq += drop;
    if (this.#sent < ack) this.#sent = ack;
    // Called only as a frame arrives or a link attaches, just after `#lastHeard` was set to now.
    this.#waitingSince = this.#sent >= this.#firstSeq ? this.#lastHeard : null;
  }

  /** Writes what the current link has not had yet, in order, until it pauses or goes away. */
  #flush(): void {
    const link = this.#link;
    while (link !== null && this.#link === link && !this.#paused && this.#sent < this.#nextSeq - 1) {
      const seq = this.#sent + 1;
      this.#transmit(seq, this.#unacked[seq - this.#firstSeq]!);
    }
  }

  #transmit(seq: number, item: string | SharedMessage): void {
    this.#sent = seq;
    const now = this.#o.clock.seconds();
    this.#waitingSince ??= now;
    this.#lastSent = now;
    if (typeof item !== 'string') {
      if (this.#shares) {
        this.#link!.sendSharedFrame!(item);
        // A NEXT frame carries no acknowledgement: one due within half of `ackDelay` goes out with it, in
        // the same write, rather than on its own later. One due later waits: under a stream of broadcasts a
        // page gets about two ACKs per `ackDelay`, not one per broadcast.
        if (this.ackAt >= 0 && this.ackAt - now <= this.#ackDelay / 2) this.#sendAck(ACK);
        return;
      }
      item = item.payloadJSON;
    }
    this.#cancelAck();
    this.#ackSent = this.lastReceived;
    this.#ackForced = false;
    this.#link!.sendFrame(encodeMessage(seq, this.lastReceived, item));
  }

  #sendAck(kind: typeof ACK | typeof PING): void {
    if (this.#link === null) return;
    this.#cancelAck();
    this.#lastSent = this.#o.clock.seconds();
    this.#ackSent = this.lastReceived;
    this.#ackForced = false;
    this.#link.sendFrame(encodeAck(kind, this.lastReceived));
  }

  /** A bare ACK soon, unless a message (a reply, usually) carries the acknowledgement first. */
  #scheduleAck(): void {
    if (this.#link === null || this.ackAt >= 0) return;
    if (this.#ackSent >= this.lastReceived && !this.#ackForced) return;
    // One function for every session (the session as its argument): no closure per scheduled ACK, of which a
    // server with many pages under broadcasts makes one a page about every `ackDelay`.
    this.ackAt = this.#o.clock.seconds() + this.#ackDelay;
    const acks = this.#o.acks;
    if (acks !== undefined) acks.add(this);
    else this.#ackTimer = this.#o.clock.callLater(this.#ackDelay, ReliableSession.#ackTimerDue, this);
  }

  static #ackTimerDue(session: ReliableSession): void {
    session.#ackTimer = null;
    session.ackDue();
  }

  /** Internal (called by the session's ACK timer or its {@link AckScheduler}): sends the bare ACK owed. */
  ackDue(): void {
    this.ackAt = -1;
    this.#sendAck(ACK);
  }

  #cancelAck(): void {
    if (this.ackAt < 0) return;
    this.ackAt = -1;
    this.#o.acks?.delete(this);
    cancelTimer(this.#ackTimer);
    this.#ackTimer = null;
  }

  #armHeartbeat(): void {
    const interval = this.#interval;
    if (interval <= 0) return;
    const ticker = this.#o.ticker;
    if (ticker !== undefined) {
      ticker.add(this);
      return;
    }
    const step = Math.min(interval, this.#timeout) / 2;
    const tick = (): void => {
      this.#beatTimer = null;
      if (this.#beat(this.#o.clock.seconds())) this.#beatTimer = this.#o.clock.callLater(step, tick);
    };
    this.#beatTimer = this.#o.clock.callLater(step, tick);
  }

  /**
   * Internal (called by the heartbeat's timer or ticker): drops a silent link, reports a stalled one, and
   * sends a PING after `heartbeatInterval` of our own silence.
   */
  heartbeat(now: number): void {
    if (!this.#beat(now)) this.#o.ticker?.delete(this);
  }

  /** One heartbeat check; false when the heartbeat is over for this link. */
  #beat(now: number): boolean {
    if (this.#link === null) return false;
    if (now - this.#lastHeard >= this.#timeout) {
      this.#o.onDead?.();
      return false;
    }
    const stall = this.#o.stallTimeout ?? 0;
    if (stall > 0 && this.#waitingSince !== null && now - this.#waitingSince >= stall) {
      this.#o.onStalled?.();
      if (this.#link === null) return false;
    }
    if (now - this.#lastSent >= this.#interval) this.#sendAck(PING);
    return this.#link !== null;
  }
}

function payloadOf(item: string | SharedMessage): string {
  return typeof item === 'string' ? item : item.payloadJSON;
}
