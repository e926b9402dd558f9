/**
 * `ClusterPolls`: long polling of the web chat across the nodes of a chat without sticky sessions. A page
 * lives on the node that served it; its page id and its virtual connections' ids start with that node's id,
 * so a poll that lands on another node (a load balancer that spreads requests) is forwarded over the bus to
 * the page's node, which answers it as if the poll had come to it, and the answer comes back the same way.
 * The page's node keeps the page's one waiting GET and its outbox, so the page gets each frame once, in
 * order, whichever node each of its requests reached.
 * @module
 */
import type { BusSubscription, IBus } from '../../bus/index.js';
import type { ForwardedPoll, PollAnswer, PollingResource, RemotePolling } from '../../live/index.js';
import { Logger } from '../../logger/index.js';
import type { IDelayedCall, IReactorTime } from '../../time/interfaces.js';
import { WORDS_LIMITS } from '../limits.js';
import { nodeKey } from './wire.js';

const log = new Logger({ namespace: 'torsion.words.cluster.polls' });

/** The limits of {@link ClusterPolls} (defaults in `WORDS_LIMITS.clusterPolls`). */
export interface ClusterPollLimits {
  /** Seconds a forwarded poll waits for the page's node to answer, beyond the poll's own wait. */
  forwardWait: number;
  /** Forwarded polls waiting for an answer at once. */
  maxForwarded: number;
  /** Longest node id accepted in a page or connection id. */
  maxNodeIdLength: number;
  /** Seconds between checks that the nodes polls wait on are alive (polls for a dead node are answered then). */
  nodeCheck: number;
}

/** Options of {@link ClusterPolls}. */
export interface ClusterPollsOptions {
  /** This node's id on the bus it will use (known before the bus connects: ids are handed out from the start). */
  nodeId: string;
  clock: IReactorTime;
  /** Seconds the page's node may hold a GET (the live page's `pollTimeout`, 20 by default). */
  pollTimeout?: number;
  limits?: Partial<ClusterPollLimits>;
}

/** Between the nodes' poll channels. */
type PollMessage =
  | { k: 'ask'; rid: number; poll: ForwardedPoll }
  | { k: 'drop'; rid: number }
  | { k: 'answer'; rid: number; code: number; body: unknown; retryAfter?: number };

/** The channel a node hears forwarded polls and their answers on. */
export const pollChannel = (node: string): string => `words:polls:${node}`;

/** Separates the node id from the rest of a page or connection id. */
const SEPARATOR = '~';

/** One node's end of the forwarded polls: asks other nodes, and answers what they forward. */
export class ClusterPolls implements RemotePolling {
  readonly idPrefix: string;
  readonly limits: ClusterPollLimits;
  readonly #asked = new Map<number, { answer: PollAnswer; timer: IDelayedCall; node: string; opening: boolean }>();
  /** Forwarded polls this node answers, by asking node and request id: called if the asker stops waiting. */
  readonly #answering = new Map<string, () => void>();
  #bus: IBus | undefined;
  #polling: PollingResource | undefined;
  #subscription: BusSubscription | undefined;
  #check: IDelayedCall | undefined;
  #rids = 0;

  constructor(readonly options: ClusterPollsOptions) {
    this.limits = { ...WORDS_LIMITS.clusterPolls, ...options.limits };
    this.idPrefix = options.nodeId + SEPARATOR;
  }

  /** Starts forwarding and answering on `bus` (whose node id is the one given) for the pages of `polling`. */
  async start(bus: IBus, polling: PollingResource): Promise<void> {
    if (bus.nodeId !== this.options.nodeId) throw new Error(`the bus is node ${bus.nodeId}, the page ids name ${this.options.nodeId}`);
    this.#bus = bus;
    this.#polling = polling;
    this.#subscription = await bus.subscribe(pollChannel(bus.nodeId), (data, { from }) => this.#onMessage(data as PollMessage, from));
  }

  /** Stops: polls still waiting for another node are answered 503. */
  async stop(): Promise<void> {
    const subscription = this.#subscription;
    this.#subscription = undefined;
    this.#bus = undefined;
    if (this.#check?.active()) this.#check.cancel();
    for (const rid of [...this.#asked.keys()]) this.#settle(rid, 503, null, 1);
    await subscription?.unsubscribe().catch(() => undefined);
  }

  forward(id: string, poll: ForwardedPoll, answer: PollAnswer): boolean {
    const bus = this.#bus;
    const end = id.indexOf(SEPARATOR);
    const node = id.slice(0, end);
    if (bus === undefined || end <= 0 || end > this.limits.maxNodeIdLength || node === bus.nodeId) return false;
    const opening = poll.s === 'new';
    if (this.#asked.size >= this.limits.maxForwarded) {
      answer.send(503, null, 1);
      return true;
    }
    const rid = ++this.#rids;
    const wait = (poll.method === 'GET' ? (this.options.pollTimeout ?? 20) : 0) + this.limits.forwardWait;
    const timer = this.options.clock.callLater(wait, () => {
      log.info('node {node} did not answer a forwarded poll within {seconds} s', { node, seconds: wait });
      this.#settle(rid, opening ? 503 : 410, null, 1);
    });
    this.#asked.set(rid, { answer, timer, node, opening });
    answer.abandoned(() => {
      if (!this.#asked.delete(rid)) return;
      timer.cancel();
      this.#send(node, { k: 'drop', rid });
    });
    void this.#ask(bus, node, rid, poll, opening);
    if (this.#check === undefined || !this.#check.active()) this.#check = this.options.clock.callLater(this.limits.nodeCheck, () => void this.#checkNodes());
    return true;
  }

  /** Answers the polls waiting on nodes that died (killed, not stopped): their pages are gone. */
  async #checkNodes(): Promise<void> {
    const bus = this.#bus;
    if (bus === undefined) return;
    for (const node of new Set([...this.#asked.values()].map((a) => a.node))) {
      const alive = await bus.whereIs(nodeKey(node)).then(
        (holder) => holder !== undefined,
        () => true,
      );
      if (alive) continue;
      log.info('node {node} is gone: the polls forwarded to it are answered here', { node });
      for (const [rid, asked] of [...this.#asked]) if (asked.node === node) this.#settle(rid, asked.opening ? 200 : 410, asked.opening ? { gone: 'no such page' } : null);
    }
    if (this.#asked.size > 0 && this.#bus !== undefined) this.#check = this.options.clock.callLater(this.limits.nodeCheck, () => void this.#checkNodes());
  }

  async #ask(bus: IBus, node: string, rid: number, poll: ForwardedPoll, opening: boolean): Promise<void> {
    try {
      // A page whose node is gone will never be answered for: say so now, and the page starts afresh.
      if (opening && (await bus.whereIs(nodeKey(node))) === undefined) return this.#settle(rid, 200, { gone: 'no such page' });
      await bus.publish(pollChannel(node), { k: 'ask', rid, poll } satisfies PollMessage);
    } catch (e) {
      log.warn('could not forward a poll to node {node}: {error}', { node, error: String(e) });
      this.#settle(rid, opening ? 503 : 410, null, 1);
    }
  }

  #settle(rid: number, code: number, body: unknown, retryAfter?: number): void {
    const asked = this.#asked.get(rid);
    if (asked === undefined) return;
    this.#asked.delete(rid);
    if (asked.timer.active()) asked.timer.cancel();
    asked.answer.send(code, body, retryAfter);
  }

  #send(node: string, message: PollMessage): void {
    this.#bus?.publish(pollChannel(node), message).catch((e: unknown) => log.debug('poll message to {node} lost: {error}', { node, error: String(e) }));
  }

  #onMessage(message: PollMessage, from: string): void {
    switch (message.k) {
      case 'answer':
        if (this.#asked.get(message.rid)?.node === from) this.#settle(message.rid, message.code, message.body, message.retryAfter);
        return;
      case 'drop': {
        const key = `${from} ${message.rid}`;
        const abandoned = this.#answering.get(key);
        this.#answering.delete(key);
        abandoned?.();
        return;
      }
      case 'ask':
        this.#answer(message.rid, message.poll, from);
        return;
    }
  }

  /** Answers a poll `from` forwarded, through the bus. */
  #answer(rid: number, poll: ForwardedPoll, from: string): void {
    const key = `${from} ${rid}`;
    let done = false;
    const answer: PollAnswer = {
      send: (code, body, retryAfter) => {
        if (done) return;
        done = true;
        this.#answering.delete(key);
        this.#send(from, retryAfter === undefined ? { k: 'answer', rid, code, body } : { k: 'answer', rid, code, body, retryAfter });
      },
      abandoned: (fn) => {
        if (!done) this.#answering.set(key, fn);
      },
    };
    // Not here (any more): the page's connection closed; the page reconnects and starts a new one.
    if (!this.#polling?.answerForwarded(poll, answer)) answer.send(poll.s === 'new' ? 200 : 410, poll.s === 'new' ? { gone: 'no such page' } : null);
  }
}
