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
import { checkName, encodeMessage, withSeq } from './validate.js';

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

  /** @internal `text` is the encoded `{ from, data }` that node `from` published. */
  broadcast(text: string, channel: string, from: string): void {
    for (const node of [...this.#nodes]) node.receive(text, channel, from);
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

  /** @internal */
  increment(name: string, floor: number): number {
    const n = Math.max(this.#counters.get(name) ?? 0, Math.floor(floor)) + 1;
    this.#counters.set(name, n);
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
  readonly #forwards = new Map<string, Set<(text: string) => void>>();
  /** Keys this node holds: `true` when claimed (exclusive), `false` when announced. */
  readonly #held = new Map<string, boolean>();
  #heartbeat: IDelayedCall | undefined;
  #closed = false;

  /** @internal use {@link MemoryBusHub.connect} */
  constructor(readonly hub: MemoryBusHub, readonly nodeId: string, readonly limits: BusLimits) {
    hub.beat(nodeId, limits.presenceTtl);
    this.#scheduleHeartbeat();
  }

  async publish(channel: string, data: unknown): Promise<void> {
    this.#check();
    checkName(channel, this.limits);
    this.hub.broadcast(encodeMessage(this.nodeId, data, this.limits), channel, this.nodeId);
  }

  async publishNumbered(channel: string, counter: string, data: unknown, floor = 0): Promise<number> {
    this.#check();
    checkName(channel, this.limits);
    checkName(counter, this.limits);
    const text = encodeMessage(this.nodeId, data, this.limits);
    return this.publishEncodedNumbered(channel, counter, text, floor);
  }

  /** @internal {@link publishNumbered} of a message a worker encoded already; returns its number. */
  publishEncodedNumbered(channel: string, counter: string, text: string, floor: number): number {
    this.#check();
    const seq = this.hub.increment(counter, floor);
    this.hub.broadcast(withSeq(text, seq), channel, this.nodeId);
    return seq;
  }

  /**
   * @internal Publishes a message a worker encoded already (checked there with the same limits): the
   * primary passes it on without decoding and encoding it again.
   */
  publishEncoded(channel: string, text: string): void {
    this.#check();
    this.hub.broadcast(text, channel, this.nodeId);
  }

  /**
   * @internal Calls `handler` with each encoded message on `channel` from the other nodes, undecoded (the
   * primary forwards them to its worker as they are).
   */
  forwardEncoded(channel: string, handler: (text: string) => void): BusSubscription {
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

  /** @internal */
  receive(text: string, channel: string, from: string): void {
    const forwards = this.#forwards.get(channel);
    if (forwards !== undefined && from !== this.nodeId) for (const forward of [...forwards]) forward(text);
    if (!this.#subscribers.has(channel)) return;
    const { data, seq } = JSON.parse(text) as { data: unknown; seq?: number };
    this.#subscribers.deliver(data, seq === undefined ? { from, channel } : { from, channel, seq });
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
