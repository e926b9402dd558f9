/**
 * Options of the IRC server, and their defaults in one place (DESIGN principle 7: every limit named once).
 * @module
 */
import type { IReactorTime } from '../../internet/interfaces.js';
import { IRC_SERVER_LIMITS } from './limits.js';

export { IRC_SERVER_LIMITS };

/** Per-client input flood limits: a token bucket on the server's clock. */
export interface FloodOptions {
  /** Lines handled back to back before the rate applies (20 by default). */
  burst?: number;
  /** Lines handled per second once the burst is spent (4 by default; `Infinity` turns the limit off). */
  rate?: number;
  /** Lines that may wait for a token; one more disconnects the client with "Excess Flood" (100 by default). */
  maxQueued?: number;
}

/**
 * Per-client limits on CHATHISTORY: requests are served one at a time, `rate` a second after a burst; those
 * that wait are kept in order, and one over `maxQueued` is refused with `FAIL CHATHISTORY MESSAGE_ERROR`.
 */
export interface HistoryThrottleOptions {
  /** Requests served back to back before the rate applies (10 by default). */
  burst?: number;
  /** Requests served per second once the burst is spent (2 by default; `Infinity` for no rate). */
  rate?: number;
  /** Requests that may wait for their turn (50 by default, enough for a client asking once per channel). */
  maxQueued?: number;
}

/** Options of `IRCServerFactory`. */
export interface IRCServerOptions {
  /** The server's name in prefixes and numerics (the service's name by default). */
  serverName?: string;
  /** The network name (ISUPPORT `NETWORK`; 'Torsion' by default). */
  network?: string;
  /** Message-of-the-day lines; none gives `ERR_NOMOTD`. */
  motd?: readonly string[];
  /** Time source and scheduler (the global reactor by default). */
  clock?: IReactorTime;
  /** Seconds without input before the server sends PING (120 by default). */
  pingInterval?: number;
  /** Seconds after that PING before a silent client is dropped (60 by default). */
  pingTimeout?: number;
  /** Seconds a connection may take to register (60 by default). */
  registrationTimeout?: number;
  /**
   * How late, in seconds, the three timeouts above may be met (1 by default): every client's deadline is filed
   * under the tick it falls in, and one delayed call serves them all.
   */
  timeoutGranularity?: number;
  /** Input flood limits, or `false` for none (trusted clients, benchmarks). */
  flood?: FloodOptions | false;
  /** Most targets in one PRIVMSG/NOTICE/JOIN/KICK (ISUPPORT `TARGMAX`; 4 by default). */
  maxTargets?: number;
  /** Most messages one CHATHISTORY request returns (ISUPPORT `CHATHISTORY`; 100 by default). */
  historyLimit?: number;
  /** How fast one client's CHATHISTORY requests are served (see {@link HistoryThrottleOptions}). */
  historyThrottle?: HistoryThrottleOptions;
  /** The version string in 002/004/351 ('torsion-0.1' by default). */
  version?: string;
  /**
   * Bytes a client may leave unread past the transport's high-water mark before it is dropped with
   * "SendQ exceeded" (512 KiB by default): a client that stops reading cannot make the server buffer
   * a busy channel for it forever.
   */
  sendQ?: number;
}

/** Options with every default filled in. */
export interface ResolvedServerOptions {
  serverName: string;
  network: string;
  motd: readonly string[];
  clock: IReactorTime;
  pingInterval: number;
  pingTimeout: number;
  registrationTimeout: number;
  timeoutGranularity: number;
  flood: Required<FloodOptions> | false;
  maxTargets: number;
  historyLimit: number;
  historyThrottle: Required<HistoryThrottleOptions>;
  version: string;
  sendQ: number;
}

/** Fills in the defaults. */
export function resolveOptions(options: IRCServerOptions, serviceName: string, reactorClock: IReactorTime): ResolvedServerOptions {
  const d = IRC_SERVER_LIMITS;
  const flood = options.flood === false ? false : { ...d.flood, ...options.flood };
  return {
    serverName: options.serverName ?? serviceName,
    network: options.network ?? 'Torsion',
    motd: options.motd ?? [],
    clock: options.clock ?? reactorClock,
    pingInterval: options.pingInterval ?? d.pingInterval,
    pingTimeout: options.pingTimeout ?? d.pingTimeout,
    registrationTimeout: options.registrationTimeout ?? d.registrationTimeout,
    timeoutGranularity: options.timeoutGranularity ?? d.timeoutGranularity,
    flood: flood !== false && flood.rate === Infinity ? false : flood,
    maxTargets: options.maxTargets ?? d.maxTargets,
    historyLimit: options.historyLimit ?? d.historyLimit,
    historyThrottle: { ...d.historyThrottle, ...options.historyThrottle },
    version: options.version ?? 'torsion-0.1',
    sendQ: options.sendQ ?? d.sendQ,
  };
}
