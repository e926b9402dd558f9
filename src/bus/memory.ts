/**
 * The in-memory bus: every node lives in this process, on one {@link MemoryBusHub}. The default when there is
 * no Redis; also what tests of multi-node behaviour run on, with a fake clock.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { IDelayedCall, IReactorTime } from '../time/interfaces.js';
import { BusClosedError } from './errors.js';
import type { BusHandler, BusSubscription, IBus } from './interfaces.js';
import { BUS_LIMITS, type BusLimits } from './limits.js';
import { Subscribers } from './subscribers.js';
import { checkName, decodeRun, encodeData, wrapperBytes } from './validate.js';

/** Receives node `from`'s encoded messages as published: `count` texts joined by newlines, numbered from `seq` if given. */
export type EncodedHandler = (texts: string, from: string, count: number, seq: number | undefined) => void;

/** The shared state of in-memory nodes: the presence table and the nodes to deliver to. */
export class MemoryBusHub {
  readonly #nodes = new Set<MemoryBus>();
  /** Key → the node holding it; a key lives as long as its node does. */
  readonly #presence = new Map<string, string>();
  /** Node id → when it stops being alive without another heartbeat, in the hub clock's seconds. */
  readonly #alive = new Map<string, number>();
  readonly #counters = new Map<string, number>();

  /** @param clock measures presence expiry and drives each node's heartbeat */
  constructor(readonly clock: IReactorTime) {}

  /** A new node on this hub. */
  connect(options: { nodeId?: string; limits?: Partial<BusLimits> } = {}): MemoryBus {
    const bus = new MemoryBus(this, options.nodeId ?? randomUUID(), { ...BUS_LIMITS, ...options.limits });
    this.#nodes.add(bus);
    return bus;
  }

  /** @internal */
  detach(bus: MemoryBus): void {
    this.#nodes.delete(bus);
  }

  /**
   * @internal `texts` are the data of `count` messages that node `from` published, encoded ({@link encodeData})
   * and joined by newlines (a JSON text has none), numbered from `seq` if given.
   */
  broadcast(texts: string, channel: string, from: string, count = 1, seq?: number): void {
    for (const node of [...this.#nodes]) node.receive(texts, channel, from, count, seq);
  }

  /** @internal Keeps `node` alive (with every key it holds) for `ttl` more seconds. */
  beat(node: string, ttl: number): void {
    this.#alive.set(node, this.clock.seconds() + ttl);
  }

  /** @internal Ends `node` at once: its keys are free. */
  leave(node: string): void {
    this.#alive.delete(node);
  }

  /** @internal Sets `key` for `node` unless another live node holds it and `exclusive`; returns whether it did. */
  hold(key: string, node: string, exclusive: boolean): boolean {
    const current = this.holder(key);
    if (exclusive && current !== undefined && current !== node) return false;
    this.#presence.set(key, node);
    return true;
  }

  /** @internal Takes the next `count` numbers of counter `name` (past `floor`); returns the first. */
  increment(name: string, floor: number, count = 1): number {
    const n = Math.max(this.#counters.get(name) ?? 0, Math.floor(floor)) + 1;
    this.#counters.set(name, n + count - 1);
    return n;
  }

  /** @internal */
  release(key: string, node: string): void {
    if (this.#presence.get(key) === node) this.#presence.delete(key);
  }

  /** @internal The live holder of `key`, dropping the key once its node stopped beating. */
  holder(key: string): string | undefined {
    const node = this.#presence.get(key);
    if (node === undefined) return undefined;
    const until = this.#alive.get(node);
    if (until === undefined || this.clock.seconds() >= until) {
      this.#presence.delete(key);
      return undefined;
    }
    return node;
  }
}

/** One node on a {@link MemoryBusHub}. */
export class MemoryBus implements IBus {
  readonly #subscribers = new Subscribers();
  readonly #forwards = new Map<string, Set<EncodedHandler>>();
  /** Keys this node holds: `true` when claimed (exclusive), `false` when announced. */
  readonly #held = new Map<string, boolean>();
  #heartbeat: IDelayedCall | undefined;
  #closed = false;

  /** The bytes this node's id adds to a message's size on the wire of the other buses (its limit counts them). */
  readonly #wrapper: number;

  /** @internal use {@link MemoryBusHub.connect} */
  constructor(readonly hub: MemoryBusHub, readonly nodeId: string, readonly limits: BusLimits) {
    this.#wrapper = wrapperBytes(nodeId);
    hub.beat(nodeId, limits.presenceTtl);
    this.#scheduleHeartbeat();
  }

  async publish(channel: string, data: unknown): Promise<void> {
    this.#check();
    checkName(channel, this.limits);
    this.hub.broadcast(encodeData(data, this.limits, this.#wrapper), channel, this.nodeId);
  }

  async publishNumbered(channel: string, counter: string, data: unknown, floor = 0): Promise<number> {
    this.#check();
    checkName(channel, this.limits);
    checkName(counter, this.limits);
    return this.publishEncoded(channel, encodeData(data, this.limits, this.#wrapper), 1, { counter, floor })!;
  }

  /**
   * @internal Publishes the data of `count` messages encoded already ({@link encodeData}; a worker checked them
   * with the same limits), joined by newlines: the primary passes them on as they came, without splitting,
   * decoding or encoding them again. Numbered, they take the next `count` numbers of `counter` at once;
   * returns the first.
   */
  publishEncoded(channel: string, texts: string, count = 1, numbered?: { counter: string; floor: number }): number | undefined {
    this.#check();
    const seq = numbered === undefined ? undefined : this.hub.increment(numbered.counter, numbered.floor, count);
    this.hub.broadcast(texts, channel, this.nodeId, count, seq);
    return seq;
  }

  /**
   * @internal Calls `handler` with the encoded messages on `channel` from the other nodes as they were
   * published (joined by newlines, `count` of them, numbered from `seq` if given), undecoded: the primary
   * forwards them to its worker as they are.
   */
  forwardEncoded(channel: string, handler: EncodedHandler): BusSubscription {
    this.#check();
    let set = this.#forwards.get(channel);
    if (set === undefined) this.#forwards.set(channel, (set = new Set()));
    set.add(handler);
    return { unsubscribe: async () => void this.#forwards.get(channel)?.delete(handler) };
  }

  async subscribe(channel: string, handler: BusHandler): Promise<BusSubscription> {
    this.#check();
    checkName(channel, this.limits);
    this.#subscribers.add(channel, handler);
    return { unsubscribe: async () => void this.#subscribers.remove(channel, handler) };
  }

  async announce(key: string): Promise<void> {
    this.#check();
    checkName(key, this.limits);
    this.hub.hold(key, this.nodeId, false);
    this.#held.set(key, false);
  }

  async claim(key: string): Promise<boolean> {
    this.#check();
    checkName(key, this.limits);
    const won = this.hub.hold(key, this.nodeId, true);
    if (won) this.#held.set(key, true);
    return won;
  }

  async withdraw(key: string): Promise<void> {
    this.#check();
    this.#held.delete(key);
    this.hub.release(key, this.nodeId);
  }

  async increment(name: string, floor = 0): Promise<number> {
    this.#check();
    checkName(name, this.limits);
    return this.hub.increment(name, floor);
  }

  async whereIs(key: string): Promise<string | undefined> {
    this.#check();
    return this.hub.holder(key);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    for (const key of this.#held.keys()) this.hub.release(key, this.nodeId);
    this.hub.leave(this.nodeId);
    this.abandon();
  }

  /** Stops without giving up its keys, as a node killed with -9 would: they expire after `presenceTtl`. */
  abandon(): void {
    this.#closed = true;
    this.#held.clear();
    this.#subscribers.clear();
    this.#forwards.clear();
    if (this.#heartbeat?.active()) this.#heartbeat.cancel();
    this.hub.detach(this);
  }

  /** @internal See {@link MemoryBusHub.broadcast}. */
  receive(texts: string, channel: string, from: string, count: number, seq: number | undefined): void {
    const forwards = this.#forwards.get(channel);
    if (forwards !== undefined && from !== this.nodeId) for (const forward of [...forwards]) forward(texts, from, count, seq);
    if (!this.#subscribers.has(channel)) return;
    const each = decodeRun(texts);
    for (let k = 0; k < each.length; k++) this.#subscribers.deliver(each[k], seq === undefined ? { from, channel } : { from, channel, seq: seq + k });
  }

  #scheduleHeartbeat(): void {
    this.#heartbeat = this.hub.clock.callLater(this.limits.heartbeat, () => {
      this.hub.beat(this.nodeId, this.limits.presenceTtl);
      for (const [key, exclusive] of this.#held) {
        if (!this.hub.hold(key, this.nodeId, exclusive)) this.#held.delete(key);
      }
      this.#scheduleHeartbeat();
    });
  }

  #check(): void {
    if (this.#closed) throw new BusClosedError();
  }
}
