/**
 * The Redis bus, on the `ioredis` npm package (an optional peer dependency, imported only when a Redis bus
 * is made). Messages go through Redis PUBLISH/SUBSCRIBE; presence keys are Redis keys with a time to live,
 * set by small scripts so a claim is atomic. The client reconnects with back-off after Redis goes away; once
 * back, the node sets its keys again at once (a restarted Redis has lost them). Then, for `presenceTtl`
 * seconds, messages to other nodes and questions about presence wait: the other nodes reconnect on their own
 * back-off, and until each has subscribed and set its keys again, a message would miss it and a key would
 * look free (within `presenceTtl` every live node has, or it counts as gone anyway).
 * @module
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '../logger/index.js';
import type { IDelayedCall, IReactorTime } from '../time/interfaces.js';
import { BusClosedError, BusConnectError, BusRedisNotInstalledError } from './errors.js';
import type { BusHandler, BusSubscription, IBus } from './interfaces.js';
import { BUS_LIMITS, type BusLimits } from './limits.js';
import { Subscribers } from './subscribers.js';
import { checkName, encodeMessage } from './validate.js';

const log = new Logger({ namespace: 'torsion.bus.redis' });

/** The part of an `ioredis` client used here. */
interface RedisClient {
  status: string;
  publish(channel: string, message: string): Promise<number>;
  subscribe(channel: string): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  get(key: string): Promise<string | null>;
  incr(key: string): Promise<number>;
  set(key: string, value: string, px: 'PX', ms: number): Promise<unknown>;
  eval(script: string, keys: number, ...args: (string | number)[]): Promise<unknown>;
  quit(): Promise<unknown>;
  connect(): Promise<void>;
  disconnect(): void;
  on(event: string, listener: (...args: never[]) => void): unknown;
}
type RedisConstructor = new (url: string, options: Record<string, unknown>) => RedisClient;

/*
 * A key's value is the node holding it; a key whose node's liveness key (ARGV's prefix plus that node id) is
 * gone belongs to nobody, so all of a dead node's keys free at once, whenever each was last set. (Liveness keys
 * are named in the script rather than declared: this bus targets one Redis, not Redis Cluster.)
 */
/** Sets KEYS[1] to ARGV[1] for ARGV[2] ms unless another live node holds it (ARGV[3]: liveness prefix); 1 if set. */
const CLAIM = `local v = redis.call('GET', KEYS[1])
if v == false or v == ARGV[1] or redis.call('EXISTS', ARGV[3] .. v) == 0 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;
/** The live node holding KEYS[1] (ARGV[1]: liveness prefix), or nil. */
const HOLDER = `local v = redis.call('GET', KEYS[1])
if v and redis.call('EXISTS', ARGV[1] .. v) == 1 then return v end
return false`;
/** Raises the counter KEYS[1] to at least ARGV[1], then adds one; its new value. */
const INCREMENT = `local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1]) end
return redis.call('INCR', KEYS[1])`;
/**
 * Numbers and publishes: raises KEYS[1] to the floor ARGV[3], increments it, publishes the encoded message
 * ARGV[2] on channel ARGV[1] with the number in front (`{"seq":n,` then the rest of it), returns the number.
 */
const PUBLISH_NUMBERED = `local v = tonumber(redis.call('GET', KEYS[1]) or '0')
if v < tonumber(ARGV[3]) then redis.call('SET', KEYS[1], ARGV[3]) end
local n = redis.call('INCR', KEYS[1])
redis.call('PUBLISH', ARGV[1], '{"seq":' .. n .. ',' .. string.sub(ARGV[2], 2))
return n`;
/** Deletes KEYS[1] if ARGV[1] holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * Imports `ioredis`, failing with {@link BusRedisNotInstalledError} (which names the package) when it is not
 * installed. `importer` is there for tests.
 */
export async function loadIoredis(importer: (specifier: string) => Promise<unknown> = (s) => import(s)): Promise<RedisConstructor> {
  let mod: { default?: RedisConstructor | { Redis?: RedisConstructor }; Redis?: RedisConstructor };
  try {
    mod = (await importer('ioredis')) as typeof mod;
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') throw new BusRedisNotInstalledError({ cause: e });
    throw e;
  }
  const found = mod.Redis ?? (typeof mod.default === 'function' ? mod.default : mod.default?.Redis);
  if (found === undefined) throw new BusRedisNotInstalledError();
  return found;
}

/** Options of {@link connectRedisBus}. */
export interface RedisBusOptions {
  /** Schedules heartbeats and the connect timeout. */
  reactor: IReactorTime;
  /** This node's id (default: a random UUID). */
  nodeId?: string;
  /** Prefix of every Redis channel and key, so several applications can share one Redis (default `torsion:`). */
  prefix?: string;
  limits?: Partial<BusLimits>;
}

/**
 * Connects a node to the Redis at `url` (`redis://host:6379/0`); resolves once connected, fails with
 * {@link BusConnectError} after `connectTimeout`.
 */
export async function connectRedisBus(url: string, options: RedisBusOptions): Promise<RedisBus> {
  const Redis = await loadIoredis();
  const limits = { ...BUS_LIMITS, ...options.limits };
  const clientOptions = {
    // ioredis calls this with the attempt number; a number is the delay in ms before the next attempt.
    // Every node retries at least every presenceTtl / 2, so once Redis is back each live node is back well
    // within the presenceTtl that messages and presence questions wait after a reconnection.
    retryStrategy: (attempt: number) => Math.min(limits.reconnectDelay * 2 ** (attempt - 1), limits.maxReconnectDelay, limits.presenceTtl / 2) * 1000,
    maxRetriesPerRequest: null,
    lazyConnect: true,
  };
  const commands = new Redis(url, clientOptions);
  const subscriber = new Redis(url, clientOptions);
  const bus = new RedisBus(commands, subscriber, options.reactor, options.nodeId ?? randomUUID(), options.prefix ?? 'torsion:', limits);
  await bus.connect();
  return bus;
}

/** One node on a Redis bus; made by {@link connectRedisBus}. */
export class RedisBus implements IBus {
  readonly #subscribers = new Subscribers();
  /** Keys this node holds: `true` when claimed (exclusive), `false` when announced. */
  readonly #held = new Map<string, boolean>();
  #heartbeat: IDelayedCall | undefined;
  #closed = false;
  #down = false;
  /** While Redis is away, and for `presenceTtl` after it is back: what waits for the other nodes. */
  #gate: { promise: Promise<void>; open: () => void; timer?: IDelayedCall } | undefined;

  /** @internal use {@link connectRedisBus} */
  constructor(
    readonly commands: RedisClient,
    readonly subscriber: RedisClient,
    readonly reactor: IReactorTime,
    readonly nodeId: string,
    readonly prefix: string,
    readonly limits: BusLimits,
  ) {
    for (const client of [commands, subscriber]) {
      // Without an 'error' listener a lost connection would crash the process; the outage is logged once.
      client.on('error', () => undefined);
      client.on('close', () => this.#lost());
    }
    commands.on('ready', () => this.#back());
    subscriber.on('message', (channel: string, text: string) => this.#receive(channel, text));
  }

  /** @internal */
  async connect(): Promise<void> {
    let timer: IDelayedCall | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = this.reactor.callLater(this.limits.connectTimeout, () => reject(new BusConnectError(`Redis not reachable within ${this.limits.connectTimeout} s`)));
    });
    try {
      await Promise.race([Promise.all([this.commands.connect(), this.subscriber.connect()]), timeout]);
    } catch (e) {
      this.commands.disconnect();
      this.subscriber.disconnect();
      throw e;
    } finally {
      if (timer?.active()) timer.cancel();
    }
    await this.commands.set(this.#alive(), this.nodeId, 'PX', this.#ttlMs());
    this.#scheduleHeartbeat();
  }

  get connected(): boolean {
    return !this.#down && !this.#closed;
  }

  async publish(channel: string, data: unknown): Promise<void> {
    this.#check();
    checkName(channel, this.limits);
    const text = encodeMessage(this.nodeId, data, this.limits);
    // Delivered here at once; the copy Redis sends back carries this node's id and is dropped.
    this.#subscribers.deliver(JSON.parse(text).data, { from: this.nodeId, channel });
    if (this.#gate) await this.#gate.promise;
    await this.commands.publish(this.prefix + 'msg:' + channel, text);
  }

  async publishNumbered(channel: string, counter: string, data: unknown, floor = 0): Promise<number> {
    this.#check();
    checkName(channel, this.limits);
    checkName(counter, this.limits);
    const text = encodeMessage(this.nodeId, data, this.limits);
    if (this.#gate) await this.#gate.promise;
    const key = this.prefix + 'counter:' + counter;
    const seq = Number(await this.commands.eval(PUBLISH_NUMBERED, 1, key, this.prefix + 'msg:' + channel, text, Math.floor(floor)));
    // The copy Redis sends back carries this node's id and is dropped, as for publish.
    this.#subscribers.deliver(JSON.parse(text).data, { from: this.nodeId, channel, seq });
    return seq;
  }

  async subscribe(channel: string, handler: BusHandler): Promise<BusSubscription> {
    this.#check();
    checkName(channel, this.limits);
    if (this.#subscribers.add(channel, handler)) await this.subscriber.subscribe(this.prefix + 'msg:' + channel);
    return {
      unsubscribe: async () => {
        if (this.#subscribers.remove(channel, handler) && !this.#closed) await this.subscriber.unsubscribe(this.prefix + 'msg:' + channel);
      },
    };
  }

  async announce(key: string): Promise<void> {
    this.#check();
    checkName(key, this.limits);
    this.#held.set(key, false);
    await this.commands.set(this.#key(key), this.nodeId, 'PX', this.#ttlMs());
  }

  async claim(key: string): Promise<boolean> {
    this.#check();
    checkName(key, this.limits);
    if (this.#gate) await this.#gate.promise;
    const won = (await this.#claimScript(key)) === 1;
    if (won) this.#held.set(key, true);
    return won;
  }

  async withdraw(key: string): Promise<void> {
    this.#check();
    this.#held.delete(key);
    await this.commands.eval(RELEASE, 1, this.#key(key), this.nodeId);
  }

  async increment(name: string, floor = 0): Promise<number> {
    this.#check();
    checkName(name, this.limits);
    const key = this.prefix + 'counter:' + name;
    return floor > 0 ? Number(await this.commands.eval(INCREMENT, 1, key, Math.floor(floor))) : this.commands.incr(key);
  }

  async whereIs(key: string): Promise<string | undefined> {
    this.#check();
    if (this.#gate) await this.#gate.promise;
    return ((await this.commands.eval(HOLDER, 1, this.#key(key), this.#alivePrefix())) as string | null) ?? undefined;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    const keys = [...this.#held.keys()];
    await Promise.all(keys.map((k) => this.withdraw(k)));
    await this.commands.eval(RELEASE, 1, this.#alive(), this.nodeId);
    this.#stop();
    await Promise.all([this.commands.quit(), this.subscriber.quit()]);
  }

  /** Disconnects without giving up its keys, as a node killed with -9 would: they expire after `presenceTtl`. */
  abandon(): void {
    this.#stop();
    this.commands.disconnect();
    this.subscriber.disconnect();
  }

  #stop(): void {
    this.#closed = true;
    this.#openGate();
    this.#held.clear();
    this.#subscribers.clear();
    if (this.#heartbeat?.active()) this.#heartbeat.cancel();
  }

  #receive(prefixed: string, text: string): void {
    const channel = prefixed.slice((this.prefix + 'msg:').length);
    let message: { from?: unknown; data?: unknown; seq?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      log.warn('dropped a message on {channel} that is not JSON', { channel });
      return;
    }
    if (typeof message.from !== 'string' || message.from === this.nodeId) return;
    const seq = message.seq;
    this.#subscribers.deliver(message.data, typeof seq === 'number' ? { from: message.from, channel, seq } : { from: message.from, channel });
  }

  #lost(): void {
    if (this.#closed || this.#down) return;
    this.#down = true;
    log.warn('lost the connection to Redis; reconnecting with back-off');
    if (this.#gate?.timer?.active()) this.#gate.timer.cancel();
    if (this.#gate === undefined) {
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      this.#gate = { promise, open };
    }
  }

  #openGate(): void {
    const gate = this.#gate;
    this.#gate = undefined;
    if (gate?.timer?.active()) gate.timer.cancel();
    gate?.open();
  }

  #back(): void {
    if (this.#closed || !this.#down) return;
    this.#down = false;
    log.info('reconnected to Redis; announcing {count} keys again', { count: this.#held.size });
    this.#refresh();
    if (this.#gate) this.#gate.timer = this.reactor.callLater(this.limits.presenceTtl, () => this.#openGate());
  }

  /**
   * Keeps this node alive and sets every held key again (a claim only if no other node took it meanwhile).
   * Liveness goes first: one connection runs commands in order, so it never outlives a key set after it.
   */
  #refresh(): void {
    this.commands.set(this.#alive(), this.nodeId, 'PX', this.#ttlMs()).catch((e: unknown) => log.debug('heartbeat failed: {error}', { error: String(e) }));
    for (const [key, exclusive] of [...this.#held]) {
      const done = exclusive
        ? this.#claimScript(key).then((won) => {
            if (won !== 1 && this.#held.delete(key)) log.warn('another node took {key} while Redis was unreachable', { key });
          })
        : this.commands.set(this.#key(key), this.nodeId, 'PX', this.#ttlMs());
      done.catch((e: unknown) => log.debug('heartbeat for {key} failed: {error}', { key, error: String(e) }));
    }
  }

  #scheduleHeartbeat(): void {
    this.#heartbeat = this.reactor.callLater(this.limits.heartbeat, () => {
      if (!this.#down) this.#refresh();
      this.#scheduleHeartbeat();
    });
  }

  #claimScript(key: string): Promise<unknown> {
    return this.commands.eval(CLAIM, 1, this.#key(key), this.nodeId, this.#ttlMs(), this.#alivePrefix());
  }

  #key(key: string): string {
    return this.prefix + 'presence:' + key;
  }

  /** This node's liveness key. */
  #alive(): string {
    return this.#alivePrefix() + this.nodeId;
  }

  #alivePrefix(): string {
    return this.prefix + 'alive:';
  }

  #ttlMs(): number {
    return Math.round(this.limits.presenceTtl * 1000);
  }

  #check(): void {
    if (this.#closed) throw new BusClosedError();
  }
}
