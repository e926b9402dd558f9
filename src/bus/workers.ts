/**
 * The bus between the workers of `--workers N` when there is no Redis: the primary process holds a
 * {@link MemoryBusHub} with one node per worker, and each worker's {@link WorkerBus} reaches its node over
 * the cluster's IPC channel. A worker that exits gives up its keys at once. What either side sends in one
 * turn of its event loop goes as one IPC message: a room flood is thousands of small messages, and each IPC
 * message costs a system call and a wake-up of the other side. Within it, messages in a row for one channel go
 * as one string of texts each way: a worker's publishes (numbered ones with one counter), and the other nodes'
 * messages the primary passes on; the numbers of a run of numbered publishes come back as the first and a count.
 * @module
 */
import { randomUUID } from 'node:crypto';
import type { Worker } from 'node:cluster';
import type { IReactorTime } from '../time/interfaces.js';
import { BusClosedError, BusMessageError } from './errors.js';
import type { BusHandler, BusSubscription, IBus } from './interfaces.js';
import { BUS_LIMITS, type BusLimits } from './limits.js';
import { MemoryBusHub, type MemoryBus } from './memory.js';
import { Subscribers } from './subscribers.js';
import { checkName, decodeRun, encodeData, wrapperBytes } from './validate.js';

/**
 * Marks this bus's IPC messages among the others a worker and its primary exchange, with the version of their
 * format: a primary ignores a worker of another version, so a rolling restart onto a build whose format
 * differs stops at its first replacement (never ready) instead of mixing formats.
 */
const TAG = 'torsion:bus/2';

type Op = 'subscribe' | 'unsubscribe' | 'announce' | 'claim' | 'withdraw' | 'whereIs' | 'increment' | 'close';
interface Request {
  t: typeof TAG;
  node: string;
  id: number;
  op: Op;
  args: unknown[];
}

/**
 * The answer to request `id`; with `n`, to the `n` requests from `id` on (a run of numbered {@link Publishes}),
 * the k-th (from 0) getting `value + k` when `ok` (numbers in a row), `value` (the error) otherwise.
 */
interface Reply {
  t: typeof TAG;
  id: number;
  ok: boolean;
  value?: unknown;
  n?: number;
}

/**
 * `n` messages published in a row on one channel by a worker's node (numbered: with one counter and floor), as
 * one string: their data as it encoded them ({@link encodeData}) joined by newlines (a JSON text has none). Numbered, they are requests `id` to `id + n - 1`, answered with their numbers; plain ones are not
 * answered (`id` 0). Cluster's IPC encodes each message as JSON: one string is encoded and decoded faster than
 * as many objects, and the primary passes it on as it came.
 */
interface Publishes {
  t: typeof TAG;
  node: string;
  op: 'publish' | 'publishNumbered';
  id: number;
  n: number;
  channel: string;
  counter?: string;
  floor?: number;
  texts: string;
}

/**
 * Messages of another node on one channel in a row, as they were published (texts joined by newlines), the
 * k-th numbered `seq + k` if `seq` is given.
 */
interface Deliveries {
  t: typeof TAG;
  channel: string;
  from: string;
  texts: string;
  seq?: number;
}

/** Several of the messages above, in order. */
interface Batch {
  t: typeof TAG;
  batch: unknown[];
}

/** Texts in a row that cross as one string: `head` is the message they go in, but for its texts. */
class TextRun {
  readonly texts: string[] = [];
  /** How many messages the texts hold (a text may be several, joined by newlines already). */
  count = 0;
  constructor(readonly head: Omit<Deliveries, 'texts'> | Omit<Publishes, 'texts' | 'n'>) {}

  sendable(): Deliveries | Publishes {
    const texts = this.texts.length === 1 ? this.texts[0]! : this.texts.join('\n');
    return 'op' in this.head ? { ...this.head, n: this.count, texts } : { ...this.head, texts };
  }
}

/** Gathers what is sent in one turn of the event loop and sends it as one message. */
class Outbox {
  #queue: unknown[] = [];
  /** The run of texts last in the queue: the next texts of the same kind join it. */
  #run: TextRun | undefined;

  constructor(readonly send: (message: unknown) => void) {}

  push(message: unknown): void {
    this.#run = undefined;
    if (this.#queue.push(message) === 1) setImmediate(() => this.#flush());
  }

  /** Queues another node's messages on `channel` (see {@link Deliveries}), joining those queued just before. */
  deliver(channel: string, from: string, texts: string, count: number, seq: number | undefined): void {
    const run = this.#run;
    const head = run?.head;
    const joins =
      head !== undefined &&
      !('op' in head) &&
      head.channel === channel &&
      head.from === from &&
      (seq === undefined ? head.seq === undefined : head.seq !== undefined && head.seq + run!.count === seq);
    this.#add(joins ? run! : this.#start(seq === undefined ? { t: TAG, channel, from } : { t: TAG, channel, from, seq }), texts, count);
  }

  /** Queues request `id` (0 for a plain publish) to publish `text`, joining the same publishes queued just before. */
  publish(node: string, id: number, channel: string, text: string, numbered?: { counter: string; floor: number }): void {
    const run = this.#run;
    const head = run?.head;
    const joins =
      head !== undefined &&
      'op' in head &&
      head.channel === channel &&
      (numbered === undefined
        ? head.op === 'publish'
        : head.op === 'publishNumbered' && head.counter === numbered.counter && head.floor === numbered.floor && head.id + run!.count === id);
    this.#add(joins ? run! : this.#start(numbered === undefined ? { t: TAG, node, op: 'publish', id: 0, channel } : { t: TAG, node, op: 'publishNumbered', id, channel, ...numbered }), text, 1);
  }

  #start(head: TextRun['head']): TextRun {
    const run = new TextRun(head);
    this.push(run);
    this.#run = run;
    return run;
  }

  #add(run: TextRun, texts: string, count: number): void {
    run.texts.push(texts);
    run.count += count;
  }

  #flush(): void {
    const queue = this.#queue.map((m) => (m instanceof TextRun ? m.sendable() : m));
    this.#queue = [];
    this.#run = undefined;
    this.send(queue.length === 1 ? queue[0] : ({ t: TAG, batch: queue } satisfies Batch));
  }
}

/** The messages of `m`: its batch, or itself. */
function unbatch(m: unknown): unknown[] {
  return typeof m === 'object' && m !== null && (m as Batch).t === TAG && Array.isArray((m as Batch).batch) ? (m as Batch).batch : [m];
}

interface HostedNode {
  bus: MemoryBus;
  subscriptions: Map<string, BusSubscription>;
}

/** What the primary needs of a worker: send to it, hear from it, know when it exits. */
export type WorkerLink = Pick<Worker, 'send' | 'on'>;

/** The primary's side: one hub node per worker that talks to it. */
export class WorkerBusHost {
  readonly hub: MemoryBusHub;
  readonly #nodes = new Map<WorkerLink, Map<string, HostedNode>>();

  constructor(clock: IReactorTime, readonly limits: Partial<BusLimits> = {}) {
    this.hub = new MemoryBusHub(clock);
  }

  /** Serves `worker`'s bus requests until it exits. */
  attach(worker: WorkerLink): void {
    const nodes = new Map<string, HostedNode>();
    this.#nodes.set(worker, nodes);
    const outbox = new Outbox((m) => send(worker, m as Reply | Deliveries | Batch));
    worker.on('message', (m: unknown) => {
      for (const one of unbatch(m)) {
        if (isPublishes(one)) this.#publish(outbox, this.#hosted(nodes, one.node).bus, one);
        else if (isRequest(one)) void this.#serve(outbox, nodes, one);
      }
    });
    worker.on('exit', () => {
      this.#nodes.delete(worker);
      for (const node of nodes.values()) void node.bus.close();
    });
  }

  #hosted(nodes: Map<string, HostedNode>, id: string): HostedNode {
    let hosted = nodes.get(id);
    if (hosted === undefined) nodes.set(id, (hosted = { bus: this.hub.connect({ nodeId: id, limits: this.limits }), subscriptions: new Map() }));
    return hosted;
  }

  /**
   * Publishes a worker's run of texts (encoded and checked there, see {@link WorkerBus.publish}) at once and as
   * they came: numbered, they take the next numbers of their counter together, answered in one reply.
   */
  #publish(outbox: Outbox, node: MemoryBus, p: Publishes): void {
    const count = Math.max(1, Math.floor(Number(p.n)) || 1);
    const numbered = p.op === 'publishNumbered' ? { counter: String(p.counter), floor: Number(p.floor) || 0 } : undefined;
    let reply: Reply;
    try {
      reply = { t: TAG, id: p.id, ok: true, value: node.publishEncoded(p.channel, p.texts, count, numbered), n: count };
    } catch (e) {
      reply = { t: TAG, id: p.id, ok: false, value: (e as Error).message, n: count };
    }
    // Plain publishes want no answer.
    if (numbered !== undefined) outbox.push(reply);
  }

  /** Runs `req` (synchronously up to its first wait, so requests reach the hub in the order sent). */
  async #serve(outbox: Outbox, nodes: Map<string, HostedNode>, req: Request): Promise<void> {
    const hosted = this.#hosted(nodes, req.node);
    const node = hosted.bus;
    const [name, data] = req.args as [string, unknown];
    let reply: Reply;
    try {
      let value: unknown;
      switch (req.op) {
        case 'subscribe':
          // The worker delivers its own messages at publish; only the other nodes' are forwarded.
          if (hosted.subscriptions.has(name)) break;
          hosted.subscriptions.set(
            name,
            node.forwardEncoded(name, (texts, from, count, seq) => outbox.deliver(name, from, texts, count, seq)),
          );
          break;
        case 'unsubscribe':
          await hosted.subscriptions.get(name)?.unsubscribe();
          hosted.subscriptions.delete(name);
          break;
        case 'close':
          await node.close();
          nodes.delete(req.node);
          break;
        case 'increment':
          value = await node.increment(name, typeof data === 'number' ? data : 0);
          break;
        default:
          value = await (node[req.op] as (key: string) => Promise<unknown>).call(node, name);
      }
      reply = { t: TAG, id: req.id, ok: true, value };
    } catch (e) {
      reply = { t: TAG, id: req.id, ok: false, value: (e as Error).message };
    }
    outbox.push(reply);
  }
}

function send(worker: WorkerLink, message: Reply | Deliveries | Batch): void {
  try {
    worker.send(message);
  } catch {
    // The worker is gone; its exit closes its node.
  }
}

function isPublishes(m: unknown): m is Publishes {
  return typeof m === 'object' && m !== null && (m as Publishes).t === TAG && typeof (m as Publishes).texts === 'string' && typeof (m as Publishes).op === 'string';
}

function isRequest(m: unknown): m is Request {
  return typeof m === 'object' && m !== null && (m as Request).t === TAG && typeof (m as Request).op === 'string' && Array.isArray((m as Request).args);
}

/** A worker process's channel to its primary (`process` in a worker). */
export interface PrimaryLink {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/**
 * A request waiting for its answer; for a run of numbered publishes (requests from this one on, numbers in a
 * row), its own messages (`texts` on `channel`), delivered here once numbered.
 */
interface Waiting {
  resolve(v: unknown): void;
  reject(e: Error): void;
  channel?: string;
  texts?: string[];
}

/** A worker's node on its primary's {@link WorkerBusHost}. */
export class WorkerBus implements IBus {
  readonly #subscribers = new Subscribers();
  readonly #waiting = new Map<number, Waiting>();
  readonly #outbox: Outbox;
  /** The bytes this node's id adds to a message's size on the wire of the other buses (its limit counts them). */
  readonly #wrapper: number;
  #ids = 0;
  #closed = false;

  constructor(
    readonly link: PrimaryLink = process,
    readonly nodeId: string = randomUUID(),
    readonly limits: BusLimits = BUS_LIMITS,
  ) {
    this.#wrapper = wrapperBytes(nodeId);
    this.#outbox = new Outbox((m) => link.send?.(m));
    link.on('message', (m) => {
      for (const one of unbatch(m)) this.#onMessage(one);
    });
  }

  async publish(channel: string, data: unknown): Promise<void> {
    this.#check();
    checkName(channel, this.limits);
    const text = encodeData(data, this.limits, this.#wrapper);
    this.#subscribers.deliver(JSON.parse(text), { from: this.nodeId, channel });
    // Sent encoded, as the other workers get it, and without waiting for an answer: the channel keeps the
    // order, and the name and size were checked here.
    if (this.link.send === undefined) throw new BusClosedError('this process has no primary to reach');
    this.#outbox.publish(this.nodeId, 0, channel, text);
  }

  /**
   * One message to the primary, which numbers the line as it passes it on: the number comes back (with the
   * other workers' copies, in the same IPC message), and this worker's subscribers get the line then. Not an
   * async function: a flood makes one promise per line here, not three.
   */
  publishNumbered(channel: string, counter: string, data: unknown, floor = 0): Promise<number> {
    return this.publishNumberedRun(channel, counter, [data], floor);
  }

  /**
   * {@link publishNumbered} for a run of messages: their requests go in a row in one {@link Publishes}, so the
   * primary numbers them in a row; one promise and one waiting entry for the run, resolved with its first number.
   */
  publishNumberedRun(channel: string, counter: string, data: readonly unknown[], floor = 0): Promise<number> {
    const texts: string[] = [];
    try {
      this.#check();
      checkName(channel, this.limits);
      checkName(counter, this.limits);
      for (const one of data) texts.push(encodeData(one, this.limits, this.#wrapper));
      if (this.link.send === undefined) throw new BusClosedError('this process has no primary to reach');
    } catch (e) {
      return Promise.reject(e as Error);
    }
    if (texts.length === 0) return Promise.resolve(0);
    const first = this.#ids + 1;
    this.#ids += texts.length;
    const numbered = { counter, floor };
    return new Promise((resolve, reject) => {
      this.#waiting.set(first, { resolve: resolve as (v: unknown) => void, reject, channel, texts });
      for (let k = 0; k < texts.length; k++) this.#outbox.publish(this.nodeId, first + k, channel, texts[k]!, numbered);
    });
  }

  async subscribe(channel: string, handler: BusHandler): Promise<BusSubscription> {
    this.#check();
    checkName(channel, this.limits);
    if (this.#subscribers.add(channel, handler)) await this.#call('subscribe', channel);
    return {
      unsubscribe: async () => {
        if (this.#subscribers.remove(channel, handler) && !this.#closed) await this.#call('unsubscribe', channel);
      },
    };
  }

  async announce(key: string): Promise<void> {
    await this.#keyCall('announce', key);
  }

  async claim(key: string): Promise<boolean> {
    return (await this.#keyCall('claim', key)) === true;
  }

  async withdraw(key: string): Promise<void> {
    await this.#keyCall('withdraw', key);
  }

  async whereIs(key: string): Promise<string | undefined> {
    return ((await this.#keyCall('whereIs', key)) as string | null | undefined) ?? undefined;
  }

  async increment(name: string, floor = 0): Promise<number> {
    this.#check();
    checkName(name, this.limits);
    return (await this.#call('increment', name, floor)) as number;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await this.#call('close');
    this.#closed = true;
    this.#subscribers.clear();
  }

  #keyCall(op: Op, key: string): Promise<unknown> {
    this.#check();
    checkName(key, this.limits);
    return this.#call(op, key);
  }

  #call(op: Op, ...args: unknown[]): Promise<unknown> {
    const id = ++this.#ids;
    return new Promise((resolve, reject) => {
      if (this.link.send === undefined) {
        reject(new BusClosedError('this process has no primary to reach'));
        return;
      }
      this.#waiting.set(id, { resolve, reject });
      this.#outbox.push({ t: TAG, node: this.nodeId, id, op, args } satisfies Request);
    });
  }

  #onMessage(m: unknown): void {
    if (typeof m !== 'object' || m === null || (m as Reply).t !== TAG) return;
    if ('texts' in m) {
      const { channel, from, texts, seq } = m as Deliveries;
      const each = decodeRun(texts);
      for (let k = 0; k < each.length; k++) this.#subscribers.deliver(each[k], seq === undefined ? { from, channel } : { from, channel, seq: seq + k });
      return;
    }
    const reply = m as Reply;
    const n = reply.n ?? 1;
    for (let k = 0; k < n; k++) {
      const w = this.#waiting.get(reply.id + k);
      if (w === undefined) continue;
      this.#waiting.delete(reply.id + k);
      const seq = (reply.value as number) + k;
      // The other requests of a run have no entry of their own.
      if (w.texts !== undefined) k += w.texts.length - 1;
      if (!reply.ok) w.reject(new BusMessageError(String(reply.value)));
      else if (w.texts === undefined) w.resolve(reply.value);
      else {
        const each = decodeRun(w.texts);
        for (let j = 0; j < each.length; j++) this.#subscribers.deliver(each[j], { from: this.nodeId, channel: w.channel!, seq: seq + j });
        w.resolve(seq);
      }
    }
  }

  #check(): void {
    if (this.#closed) throw new BusClosedError();
  }
}
