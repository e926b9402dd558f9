/**
 * The bus between processes and machines: publish/subscribe and presence with expiry.
 * @module
 */

/** Where a message came from. */
export interface BusEnvelope {
  /** The id of the node that published it. */
  from: string;
  /** The channel it was published on. */
  channel: string;
  /** The counter value it was published with ({@link IBus.publishNumbered}); absent otherwise. */
  seq?: number;
}

/** Receives the messages of a channel: `data` is the published value, after a JSON round trip. */
export type BusHandler = (data: unknown, envelope: BusEnvelope) => void;

/** A subscription, to end with `unsubscribe`. */
export interface BusSubscription {
  unsubscribe(): Promise<void>;
}

/**
 * One node's view of the bus. Every node delivers each message once to each of its subscribers, its own
 * messages included (at publish, never again when the bus echoes them back). Presence keys belong to the node
 * that set them and live as long as it does: all of a node's keys vanish together, `presenceTtl` seconds
 * after its last heartbeat (a node killed with -9 loses them that way), however recently each was set.
 */
export interface IBus {
  /** This node's id, carried by every message it publishes. */
  readonly nodeId: string;
  /**
   * False while this node cannot reach the others (Redis is away): what it publishes meanwhile is sent once
   * the bus is back. Absent on buses that are never cut off.
   */
  readonly connected?: boolean;
  /** Sends `data` (any JSON value) to every subscriber of `channel` on every node. */
  publish(channel: string, data: unknown): Promise<void>;
  /** Calls `handler` for each message on `channel` from now on. */
  subscribe(channel: string, handler: BusHandler): Promise<BusSubscription>;
  /** Marks `key` present on this node (taking it over from another node if need be). */
  announce(key: string): Promise<void>;
  /**
   * Takes `key` for this node if no node holds it: of two simultaneous claims exactly one resolves `true`.
   * Claiming a key this node already holds resolves `true`.
   */
  claim(key: string): Promise<boolean>;
  /** Gives up `key` if this node holds it (announced or claimed). */
  withdraw(key: string): Promise<void>;
  /**
   * Adds one to the counter `name`, shared by every node, and resolves with its new value (1 the first
   * time): of any number of simultaneous calls on any nodes, each gets a different value. `floor` (a value
   * this node knows was handed out already) first raises the counter to at least `floor`, so the answer is
   * above it: a restarted Redis without persistence, which lost its counters, goes on from where the nodes
   * were instead of from 1. Counters do not expire.
   */
  increment(name: string, floor?: number): Promise<number>;
  /**
   * {@link increment} and {@link publish} in one step, on the bus's side: the counter `counter` (with
   * `floor` as for `increment`) numbers `data`, which every subscriber of `channel` on every node gets with
   * that number as `envelope.seq`; resolves with the number. The numbers of one counter reach each node's
   * subscribers in any order (they reorder by number); this node's subscribers get the message once its number
   * is known, not at the call. One trip to where the counter lives instead of a round trip and then a publish.
   */
  publishNumbered(channel: string, counter: string, data: unknown, floor?: number): Promise<number>;
  /**
   * {@link publishNumbered} for several messages in a row with one counter and floor, offered by a bus that
   * numbers them together (the workers' bus): they get numbers in a row, the first resolved (one promise for
   * the run instead of one per message). Absent on the others: call `publishNumbered` per message.
   */
  publishNumberedRun?(channel: string, counter: string, data: readonly unknown[], floor?: number): Promise<number>;
  /** The id of the node holding `key`, or `undefined`. */
  whereIs(key: string): Promise<string | undefined>;
  /** Withdraws this node's keys, ends its subscriptions and disconnects. */
  close(): Promise<void>;
}
