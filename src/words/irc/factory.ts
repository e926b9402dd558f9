/**
 * `IRCServerFactory`: the IRC front door of a words service. Listen with it on any endpoint.
 * @module
 */
import { Factory } from '../../internet/protocol.js';
import type { IAddress } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import { TimeoutWheel } from '../../time/timeout-wheel.js';
import type { WordsService } from '../index.js';
import type { OutputBatcher } from '../output-batch.js';
import { IRCServerProtocol, userPrefix } from './connection.js';
import { resolveOptions, type IRCServerOptions, type ResolvedServerOptions } from './options.js';
import { formatServerLine } from './wire.js';
import { MAX_INTERNED_STRINGS, MAX_JOINED_OUTPUTS } from './limits.js';
import { concatBytes } from '../../protocols/bytes.js';
import { OutputLog } from './output-log.js';

const encoder = new TextEncoder();

/** The last untagged line formatted for {@link IRCServerFactory.untaggedLine}. */
interface SharedLine {
  prefix: string;
  command: string;
  params: readonly string[];
  bytes: Uint8Array;
}

/**
 * Builds an {@link IRCServerProtocol} per connection, all serving one {@link WordsService}.
 *
 * @example
 * const service = createWordsService();
 * await service.start();
 * listenTCP(6667, new IRCServerFactory(service, { motd: ['Welcome!'] }), { interface: '127.0.0.1' });
 */
export class IRCServerFactory extends Factory<IRCServerProtocol> implements OutputBatcher {
  readonly options: ResolvedServerOptions;
  /** When the server started (the service's seconds), for `RPL_CREATED`. */
  readonly created: number;
  readonly #connections = new Set<IRCServerProtocol>();
  #batchDepth = 0;
  #dirty: IRCServerProtocol[] = [];
  #shared: SharedLine | undefined;
  /** The last few batches joined by {@link joinOutput} in the batch being written: their parts and bytes. */
  #joined: { parts: readonly Uint8Array[]; bytes: Uint8Array }[] = [];
  #log = new OutputLog();
  readonly #interned = new Map<string, string>();
  /**
   * @internal `nick!user@host` of the user `nick` (the nick alone if no such user): one function for every
   * relayed line, made once here rather than a closure per recipient and message.
   */
  readonly prefixOf = (nick: string): string => {
    const u = this.service.findUser(nick);
    return u ? userPrefix(u) : nick;
  };
  /** @internal Every client's registration deadline or idle check, behind one delayed call on the clock. */
  readonly timeouts: TimeoutWheel<IRCServerProtocol>;

  constructor(
    readonly service: WordsService,
    options: IRCServerOptions = {},
  ) {
    super();
    this.options = resolveOptions(options, service.name, reactor);
    this.created = service.now();
    this.timeouts = new TimeoutWheel(this.options.clock, expireClient, this.options.timeoutGranularity);
    service.output.add(this);
  }

  /** Open connections, registered or not. */
  get connections(): ReadonlySet<IRCServerProtocol> {
    return this.#connections;
  }

  override buildProtocol(addr: IAddress): IRCServerProtocol {
    const p = new IRCServerProtocol();
    p.factory = this;
    // The host comes from the address the listener read at accept: asking the transport again in
    // connectionMade would make Node cache the peer name on the socket for the connection's lifetime.
    const host = (addr as { host?: unknown }).host;
    if (typeof host === 'string' && host !== '') p.host = this.intern(host);
    return p;
  }

  /** @internal */
  connectionOpened(p: IRCServerProtocol): void {
    this.#connections.add(p);
  }

  /** @internal */
  connectionClosed(p: IRCServerProtocol): void {
    this.#connections.delete(p);
  }

  /** True while input is being handled: output is gathered per client and written at the end. */
  get batching(): boolean {
    return this.#batchDepth > 0;
  }

  /** Gathers what every client is sent until the matching {@link endBatch}. */
  beginBatch(): void {
    this.#batchDepth++;
  }

  /** Writes what each client was sent during the batch, once the outermost batch ends. */
  endBatch(): void {
    if (--this.#batchDepth > 0) return;
    while (this.#dirty.length > 0) {
      const dirty = this.#dirty;
      this.#dirty = [];
      for (const p of dirty) p.flushOutput();
    }
    this.#joined = [];
    // A client holds the log its run is in, so a new one for the next batch leaves a run being written intact.
    if (this.#log.size > 0) this.#log = new OutputLog();
  }

  /** @internal The lines of the batch in progress, shared by the clients they go to (see `output-log.ts`). */
  get outputLog(): OutputLog {
    return this.#log;
  }

  /**
   * @internal One buffer holding `parts`, for one client's write at the end of a batch, when its output left
   * the batch's shared log (most fan-out stays in it, see `output-log.ts`). Clients with the same lines (the
   * same arrays, see `relay.ts`) in the same order get the same bytes, rather than a copy each (which was most
   * of the CPU and the external memory a fan-out cost, and the garbage collections that followed). A few joins
   * are kept, for rooms whose members want different tags; none outlives the batch.
   */
  joinOutput(parts: readonly Uint8Array[]): Uint8Array {
    const joined = this.#joined;
    for (const j of joined) if (sameParts(j.parts, parts)) return j.bytes;
    const bytes = concatBytes(parts);
    if (joined.length >= MAX_JOINED_OUTPUTS) joined.shift();
    joined.push({ parts, bytes });
    return bytes;
  }

  /**
   * @internal The wire bytes (CRLF included) of an untagged line. A JOIN, PART or QUIT goes to every member
   * of a room in a row: it is formatted and encoded once and the same bytes are queued for each, rather than
   * a string and an array per member (which, in a join storm, is most of what the server allocates).
   * @throws {IRCFormatError} as `formatServerLine`
   */
  untaggedLine(prefix: string, command: string, params: string[]): Uint8Array {
    const s = this.#shared;
    if (s !== undefined && s.prefix === prefix && s.command === command && sameStrings(s.params, params)) return s.bytes;
    const bytes = encoder.encode(`${formatServerLine({ tags: {}, prefix, command, params })}\r\n`);
    this.#shared = { prefix, command, params, bytes };
    return bytes;
  }

  /**
   * @internal One copy of a string many clients repeat (a host behind NAT or on loopback, a client's default
   * real name), kept per client instead of an equal copy each.
   */
  intern(s: string): string {
    const known = this.#interned.get(s);
    if (known !== undefined) return known;
    if (this.#interned.size >= MAX_INTERNED_STRINGS) this.#interned.clear();
    this.#interned.set(s, s);
    return s;
  }

  /** @internal */
  markDirty(p: IRCServerProtocol): void {
    this.#dirty.push(p);
  }

  /** Tells every client `ERROR` with `reason` and drops it (for a graceful shutdown). */
  closeAll(reason = 'Server shutting down'): void {
    for (const p of [...this.#connections]) p.close(reason);
  }
}

function expireClient(p: IRCServerProtocol): void {
  p.timedOut();
}

function sameParts(a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = a.length - 1; i >= 0; i--) if (a[i] !== b[i]) return false;
  return true;
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
