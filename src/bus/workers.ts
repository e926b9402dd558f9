/**
 * The bus between the workers of `--workers N` when there is no Redis: the primary process holds a
 * {@link MemoryBusHub} with one node per worker, and each worker's {@link WorkerBus} reaches its node over
 * the cluster's IPC channel. A worker that exits gives up its keys at once. What either side sends in one
 * turn of its event loop goes as one IPC message: a room flood is thousands of small messages, and each IPC
 * message costs a system call and a wake-up of the other side. Within it, the other nodes' messages for one
 * channel in a row go as one string.
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
import { checkName, encodeMessage } from './validate.js';

/** Marks this bus's IPC messages among the others a worker and its primary exchange. */
const TAG = 'torsion:bus';

type Op = 'publish' | 'publishNumbered' | 'subscribe' | 'unsubscribe' | 'announce' | 'claim' | 'withdraw' | 'whereIs' | 'increment' | 'close';
interface Request {
  t: typeof TAG;
  node: string;
  id: number;
  op: Op;
  args: unknown[];
}
interface Reply {
  t: typeof TAG;
  id: number;
  ok: boolean;
  value?: unknown;
}
/** A message of another node, as encoded by its publisher (`{ from, data }`): passed on undecoded. */
interface Delivery {
  t: typeof TAG;
  channel: string;
  text: string;
}

/**
 * Deliveries of one channel in a row, as one string: their texts joined by newlines (a JSON text has none).
 * Cluster's IPC encodes each message as JSON: one string is encoded and decoded faster than as many objects,
 * and it drops the channel and tag repeated per message.
 */
interface Deliveries {
  t: typeof TAG;
  channel: string;
  texts: string;
}

/** Several of the messages above, in order. */
interface Batch {
  t: typeof TAG;
  batch: unknown[];
}

/** Deliveries queued in a row for one channel (see {@link Deliveries}). */
class DeliveryRun {
  readonly texts: string[] = [];
  constructor(readonly channel: string) {}
}

/** Gathers what is sent in one turn of the event loop and sends it as one message. */
class Outbox {
  #queue: unknown[] = [];
  /** The run of deliveries last in the queue: the next delivery of its channel joins it. */
  #run: DeliveryRun | undefined;

  constructor(readonly send: (message: unknown) => void) {}

  push(message: unknown): void {
    this.#run = undefined;
    if (this.#queue.push(message) === 1) setImmediate(() => this.#flush());
  }

  /** Queues another node's message `text` on `channel`, joining the deliveries queued just before it. */
  deliver(channel: string, text: string): void {
    if (text.includes('\n')) {
      this.push({ t: TAG, channel, text } satisfies Delivery);
      return;
    }
    let run = this.#run;
    if (run?.channel !== channel) {
      run = new DeliveryRun(channel);
      this.push(run);
      this.#run = run;
    }
    run.texts.push(text);
  }

  #flush(): void {
    const queue = this.#queue.map(sendable);
    this.#queue = [];
    this.#run = undefined;
    this.send(queue.length === 1 ? queue[0] : ({ t: TAG, batch: queue } satisfies Batch));
  }
}

function sendable(m: unknown): unknown {
  if (!(m instanceof DeliveryRun)) return m;
  const { channel, texts } = m;
  return texts.length === 1 ? ({ t: TAG, channel, text: texts[0]! } satisfies Delivery) : ({ t: TAG, channel, texts: texts.join('\n') } satisfies Deliveries);
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
    const outbox = new Outbox((m) => send(worker, m as Reply | Delivery | Deliveries | Batch));
    worker.on('message', (m: unknown) => {
      for (const one of unbatch(m)) if (isRequest(one)) void this.#serve(outbox, nodes, one);
    });
    worker.on('exit', () => {
      this.#nodes.delete(worker);
      for (const node of nodes.values()) void node.bus.close();
    });
  }

  /** Runs `req` (synchronously up to its first wait, so requests reach the hub in the order sent). */
  async #serve(outbox: Outbox, nodes: Map<string, HostedNode>, req: Request): Promise<void> {
    let hosted = nodes.get(req.node);
    if (hosted === undefined) nodes.set(req.node, (hosted = { bus: this.hub.connect({ nodeId: req.node, limits: this.limits }), subscriptions: new Map() }));
    const node = hosted.bus;
    const [name, data] = req.args as [string, unknown];
    let reply: Reply;
    try {
      let value: unknown;
      switch (req.op) {
        case 'publish':
          // Encoded and checked by the worker (see WorkerBus.publish).
          node.publishEncoded(name, String(data));
          break;
        case 'publishNumbered':
          value = node.publishEncodedNumbered(name, String(req.args[2]), String(data), Number(req.args[3]) || 0);
          break;
        case 'subscribe':
          // The worker delivers its own messages at publish; only the other nodes' are forwarded.
          if (hosted.subscriptions.has(name)) break;
          hosted.subscriptions.set(
            name,
            node.forwardEncoded(name, (text) => outbox.deliver(name, text)),
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
    // A request sent without an id wants no answer.
    if (req.id !== 0) outbox.push(reply);
  }
}

function send(worker: WorkerLink, message: Reply | Delivery | Deliveries | Batch): void {
  try {
    worker.send(message);
  } catch {
    // The worker is gone; its exit closes its node.
  }
}

function isRequest(m: unknown): m is Request {
  return typeof m === 'object' && m !== null && (m as Request).t === TAG && typeof (m as Request).op === 'string';
}

/** A worker process's channel to its primary (`process` in a worker). */
export interface PrimaryLink {
  send?(message: unknown): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

/** A worker's node on its primary's {@link WorkerBusHost}. */
export class WorkerBus implements IBus {
  readonly #subscribers = new Subscribers();
  readonly #waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly #outbox: Outbox;
  #ids = 0;
  #closed = false;

  constructor(
    readonly link: PrimaryLink = process,
    readonly nodeId: string = randomUUID(),
    readonly limits: BusLimits = BUS_LIMITS,
  ) {
    this.#outbox = new Outbox((m) => link.send?.(m));
    link.on('message', (m) => {
      for (const one of unbatch(m)) this.#onMessage(one);
    });
  }

  async publish(channel: string, data: unknown): Promise<void> {
    this.#check();
    checkName(channel, this.limits);
    const text = encodeMessage(this.nodeId, data, this.limits);
    this.#subscribers.deliver((JSON.parse(text) as { data: unknown }).data, { from: this.nodeId, channel });
    // Sent encoded, as the other workers get it, and without waiting for an answer: the channel keeps the
    // order, and the name and size were checked here.
    if (this.link.send === undefined) throw new BusClosedError('this process has no primary to reach');
    this.#outbox.push({ t: TAG, node: this.nodeId, id: 0, op: 'publish', args: [channel, text] } satisfies Request);
  }

  /**
   * One message to the primary, which numbers the line as it passes it on: the number comes back with the
   * other workers' copies, in the same IPC message, and this worker's subscribers get the line then.
   */
  async publishNumbered(channel: string, counter: string, data: unknown, floor = 0): Promise<number> {
    this.#check();
    checkName(channel, this.limits);
    checkName(counter, this.limits);
    const text = encodeMessage(this.nodeId, data, this.limits);
    const seq = (await this.#call('publishNumbered', channel, text, counter, floor)) as number;
    this.#subscribers.deliver((JSON.parse(text) as { data: unknown }).data, { from: this.nodeId, channel, seq });
    return seq;
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
      const d = m as Deliveries;
      for (const text of d.texts.split('\n')) this.#deliver(d.channel, text);
      return;
    }
    if ('channel' in m) {
      this.#deliver((m as Delivery).channel, (m as Delivery).text);
      return;
    }
    const reply = m as Reply;
    const w = this.#waiting.get(reply.id);
    this.#waiting.delete(reply.id);
    if (reply.ok) w?.resolve(reply.value);
    else w?.reject(new BusMessageError(String(reply.value)));
  }

  #deliver(channel: string, text: string): void {
    const { from, data, seq } = JSON.parse(text) as { from: string; data: unknown; seq?: number };
    this.#subscribers.deliver(data, seq === undefined ? { from, channel } : { from, channel, seq });
  }

  #check(): void {
    if (this.#closed) throw new BusClosedError();
  }
}
