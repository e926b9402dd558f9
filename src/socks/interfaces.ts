/**
 * Type-only roles of the SOCKS layer.
 * @module
 */
import type { ICredentialsChecker } from '../cred/index.js';
import type { IReactorTCP, IReactorUDP } from '../internet/interfaces.js';
import type { IReactorTime } from '../time/interfaces.js';
import type { SOCKSLimits } from './limits.js';

/** Resolves a host name to its IP addresses (the server checks each against the access rules). */
export type SOCKSResolver = (host: string) => PromiseLike<ReadonlyArray<{ address: string }>>;

/** Options of a SOCKS server factory. */
export interface SOCKSServerOptions {
  /** Where outgoing connections are made and timers run; without `listenUDP`, UDP ASSOCIATE is not offered. */
  reactor: IReactorTCP & IReactorTime & Partial<IReactorUDP>;
  /** Username/password checkers (torsion/cred). With any, SOCKS5 clients must log in and SOCKS4 is refused. */
  checkers?: readonly ICredentialsChecker[];
  /** Address ranges opened despite the default refusals (loopback, private, link-local, multicast...). */
  allow?: readonly string[];
  /** How host names are resolved (SOCKS4a, SOCKS5 domain names); without it they are refused. */
  resolver?: SOCKSResolver;
  /** Limits to change from the defaults. */
  limits?: Partial<SOCKSLimits>;
}
