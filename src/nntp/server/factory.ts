/**
 * The NNTP server's factory: what every connection shares (store, portal, limits, clock, TLS).
 * @module
 */
import type { Portal } from '../../cred/index.js';
import { Factory } from '../../internet/protocol.js';
import type { IAddress, IReactorTime, TLSOptions } from '../../internet/interfaces.js';
import { reactor as defaultReactor } from '../../internet/index.js';
import type { INewsStorage } from '../interfaces.js';
import { resolveNNTPLimits, type NNTPLimits } from '../limits.js';
import { NNTPServerProtocol } from './protocol.js';

/** Options of an {@link NNTPServerFactory}. */
export interface NNTPServerOptions {
  /** Where groups and articles live. */
  storage: INewsStorage;
  /** The clock of idle timeouts and article dates (the global reactor by default). */
  clock?: IReactorTime;
  /** Limits over {@link DEFAULT_NNTP_LIMITS}. */
  limits?: Partial<NNTPLimits>;
  /** Checks AUTHINFO USER/PASS; without one, AUTHINFO is not offered. */
  portal?: Portal;
  /** POST only after AUTHINFO (default false). */
  postingRequiresAuth?: boolean;
  /** Whether POST is offered at all (default true). */
  allowPosting?: boolean;
  /** Whether IHAVE (peer feeds) is offered (default true); feeds obey `postingRequiresAuth` too. */
  allowIHave?: boolean;
  /** Node TLS options (`key`, `cert`) to offer STARTTLS with; no STARTTLS without them. */
  tls?: TLSOptions;
  /**
   * Whether AUTHINFO may be sent in the clear. By default it may when the server has no TLS to offer and
   * may not when it has (then it answers 483 until STARTTLS).
   */
  allowCleartextAuth?: boolean;
  /** The domain of generated Message-IDs and of the Path header (`torsion.invalid` by default). */
  domain?: string;
  /** The greeting's text. */
  greeting?: string;
}

/**
 * Builds an {@link NNTPServerProtocol} per connection.
 *
 * @example
 * const factory = new NNTPServerFactory({ storage: new MemoryNewsStorage() });
 * reactor.listenTCP(1119, factory, { interface: '127.0.0.1' });
 */
export class NNTPServerFactory extends Factory<NNTPServerProtocol> {
  readonly storage: INewsStorage;
  readonly clock: IReactorTime;
  readonly limits: NNTPLimits;
  readonly portal: Portal | undefined;
  readonly postingRequiresAuth: boolean;
  readonly allowPosting: boolean;
  readonly allowIHave: boolean;
  readonly tls: TLSOptions | undefined;
  readonly allowCleartextAuth: boolean;
  readonly domain: string;
  readonly greeting: string;
  /** The open connections. */
  readonly connections = new Set<NNTPServerProtocol>();
  #sequence = 0;

  constructor(options: NNTPServerOptions) {
    super();
    this.storage = options.storage;
    this.clock = options.clock ?? defaultReactor;
    this.limits = resolveNNTPLimits(options.limits);
    this.portal = options.portal;
    this.postingRequiresAuth = options.postingRequiresAuth ?? false;
    this.allowPosting = options.allowPosting ?? true;
    this.allowIHave = options.allowIHave ?? true;
    this.tls = options.tls;
    this.allowCleartextAuth = options.allowCleartextAuth ?? options.tls === undefined;
    this.domain = options.domain ?? 'torsion.invalid';
    this.greeting = options.greeting ?? 'Torsion NNTP server ready';
  }

  override buildProtocol(_addr: IAddress): NNTPServerProtocol {
    const p = new NNTPServerProtocol(this);
    p.factory = this;
    return p;
  }

  /** A token unique to this server's run, for generated Message-IDs. */
  uniqueToken(): string {
    const now = Math.floor(this.clock.seconds() * 1000).toString(36);
    const random = Math.floor(Math.random() * 0xffffffff).toString(36);
    return `${now}.${(++this.#sequence).toString(36)}.${random}`;
  }

  /** Sends every connection `400 text` and closes it (shutdown). */
  closeAll(text = 'Server shutting down'): void {
    for (const c of this.connections) c.close(400, text);
  }
}
