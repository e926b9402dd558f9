/**
 * `IRCServerFactory`: the IRC front door of a words service. Listen with it on any endpoint.
 * @module
 */
import { Factory } from '../../internet/protocol.js';
import type { IAddress } from '../../internet/interfaces.js';
import { reactor } from '../../internet/reactor.js';
import type { WordsService } from '../../words/index.js';
import { IRCServerProtocol } from './connection.js';
import { resolveOptions, type IRCServerOptions, type ResolvedServerOptions } from './options.js';

/**
 * Builds an {@link IRCServerProtocol} per connection, all serving one {@link WordsService}.
 *
 * @example
 * const service = createWordsService();
 * await service.start();
 * listenTCP(6667, new IRCServerFactory(service, { motd: ['Welcome!'] }), { interface: '127.0.0.1' });
 */
export class IRCServerFactory extends Factory<IRCServerProtocol> {
  readonly options: ResolvedServerOptions;
  /** When the server started (ms), for `RPL_CREATED`. */
  readonly created: number;
  readonly #connections = new Set<IRCServerProtocol>();
  #batchDepth = 0;
  #dirty: IRCServerProtocol[] = [];

  constructor(
    readonly service: WordsService,
    options: IRCServerOptions = {},
  ) {
    super();
    this.options = resolveOptions(options, service.name, reactor);
    this.created = service.now();
  }

  /** Open connections, registered or not. */
  get connections(): ReadonlySet<IRCServerProtocol> {
    return this.#connections;
  }

  override buildProtocol(_addr: IAddress): IRCServerProtocol {
    const p = new IRCServerProtocol();
    p.factory = this;
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

  /** @internal */
  beginBatch(): void {
    this.#batchDepth++;
  }

  /** @internal Writes what each client was sent during the batch, once the outermost batch ends. */
  endBatch(): void {
    if (--this.#batchDepth > 0) return;
    while (this.#dirty.length > 0) {
      const dirty = this.#dirty;
      this.#dirty = [];
      for (const p of dirty) p.flushOutput();
    }
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
