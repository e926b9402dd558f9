/**
 * The stub resolver, Twisted's `twisted.names.client` API: `createResolver`, the `lookup*` family and
 * `getHostByName`, each a Deferred. Hosts file first, then the cache, then the servers: UDP with a fresh id
 * and port per attempt, TCP when the answer is truncated, the timeouts spread over the servers in turn.
 * @module
 */
import { readFileSync } from 'node:fs';
import { Deferred } from '../../defer/index.js';
import { reactor as nodeReactor } from '../../internet/reactor.js';
import { A, AAAA, ALL_RECORDS, CNAME, IN, MX, NS, PTR, SOA, SRV, TXT, typeName } from '../constants.js';
import { DNSLookupError, DNSQueryTimeoutError, errorForRcode } from '../errors.js';
import { DNS_LIMITS, type DNSLimits } from '../limits.js';
import { makeQuery, type Message, type RRHeader } from '../message.js';
import { parseHosts, parseResolvConf, type HostsTable } from '../resolv-conf.js';
import { canonicalName } from '../wire.js';
import { ResolverCache, type LookupResult } from './cache.js';
import { queryTCP, queryUDP, randomId, type ResolverReactor } from './exchange.js';

export type { LookupResult } from './cache.js';

/** Options of {@link createResolver}. */
export interface ResolverOptions {
  /** `[host, port]` of the servers to ask, in order; without it, the nameservers of `resolvconf`. */
  servers?: Array<[string, number]>;
  /** A resolv.conf path (default `/etc/resolv.conf`), read when `servers` is not given. */
  resolvconf?: string;
  /** A hosts file path (default `/etc/hosts`); `null` for none. */
  hosts?: string | null;
  /** The reactor for sockets and time (default: the Node reactor). */
  reactor?: ResolverReactor;
  /** Seconds to wait per attempt; attempt `k` asks server `k mod n` (default `DNS_LIMITS.queryTimeouts`). */
  timeout?: readonly number[];
  /** Cache answers for their TTL (default true). */
  cache?: boolean;
  /** Advertise EDNS(0) with this UDP size in queries (default `DNS_LIMITS.ednsUDPBytes`; 0 for none). */
  ednsUDPBytes?: number;
  /** Limit overrides. */
  limits?: Partial<DNSLimits>;
}

/** The seconds a hosts-file answer is said to live. */
const HOSTS_TTL = 3600;
/** The most CNAMEs `getHostByName` follows inside one answer. */
const MAX_CNAME_HOPS = 8;

function readText(path: string): string | undefined {
  try { return readFileSync(path, 'utf8'); } catch { return undefined; }
}

/** A DNS stub resolver. */
export class Resolver {
  readonly servers: ReadonlyArray<[string, number]>;
  readonly #reactor: ResolverReactor;
  readonly #timeouts: readonly number[];
  readonly #hosts: HostsTable;
  readonly #cache: ResolverCache | null;
  readonly #limits: DNSLimits;
  readonly #edns: number;

  constructor(options: ResolverOptions = {}) {
    this.#limits = { ...DNS_LIMITS, ...options.limits };
    this.#reactor = options.reactor ?? (nodeReactor as unknown as ResolverReactor);
    let servers = options.servers;
    let timeouts = options.timeout ?? this.#limits.queryTimeouts;
    if (servers === undefined) {
      const conf = parseResolvConf(readText(options.resolvconf ?? '/etc/resolv.conf') ?? '');
      servers = conf.servers.length > 0 ? conf.servers : [['127.0.0.1', 53]];
      if (options.timeout === undefined && conf.timeout !== undefined) {
        timeouts = new Array<number>(Math.max(1, conf.attempts ?? 2) * servers.length).fill(Math.max(1, conf.timeout));
      }
    }
    if (servers.length === 0 || timeouts.length === 0) throw new RangeError('a resolver needs a server and a timeout');
    this.servers = servers;
    this.#timeouts = timeouts;
    const hostsText = options.hosts === null ? '' : readText(options.hosts ?? '/etc/hosts') ?? '';
    this.#hosts = parseHosts(hostsText);
    this.#cache = options.cache === false ? null : new ResolverCache(this.#reactor, this.#limits.maxCacheEntries, this.#limits.maxCacheTTL);
    this.#edns = options.ednsUDPBytes ?? this.#limits.ednsUDPBytes;
  }

  /** Asks for records of `type` at `name`; fails with a `DNSResponseError` subclass or `DNSQueryTimeoutError`. */
  query(name: string, type: number, cls = IN): Deferred<LookupResult> {
    return Deferred.fromPromise(this.#query(name, type, cls));
  }

  async #query(name: string, type: number, cls: number): Promise<LookupResult> {
    const key = `${canonicalName(name)}|${type}|${cls}`;
    const fromHosts = this.#fromHosts(name, type, cls);
    if (fromHosts !== undefined) return fromHosts;
    const cached = this.#cache?.get(key);
    if (cached !== undefined) return cached;
    const reply = await this.#ask(name, type, cls);
    if (reply.rCode !== 0) throw errorForRcode(reply.rCode, `${name} ${typeName(type)}`);
    const result: LookupResult = [reply.answers, reply.authority, reply.additional];
    this.#cache?.put(key, result);
    return result;
  }

  #fromHosts(name: string, type: number, cls: number): LookupResult | undefined {
    if (cls !== IN || (type !== A && type !== AAAA && type !== ALL_RECORDS)) return undefined;
    const addresses = this.#hosts.get(canonicalName(name));
    if (addresses === undefined) return undefined;
    const answers: RRHeader[] = [];
    for (const address of addresses) {
      const t = address.includes(':') ? AAAA : A;
      if (type === ALL_RECORDS || type === t) answers.push({ name, type: t, cls: IN, ttl: HOSTS_TTL, payload: { type: t, address } as RRHeader['payload'] });
    }
    return answers.length > 0 ? [answers, [], []] : undefined;
  }

  async #ask(name: string, type: number, cls: number): Promise<Message> {
    let last: unknown;
    for (let k = 0; k < this.#timeouts.length; k++) {
      const server = this.servers[k % this.servers.length]!;
      const timeout = this.#timeouts[k]!;
      const edns = this.#edns > 0 ? { udpPayloadSize: this.#edns, version: 0, dnssecOk: false, options: [] } : undefined;
      try {
        const reply = await queryUDP(this.#reactor, server, makeQuery(randomId(), name, type, cls, edns), timeout);
        if (!reply.trunc) return reply;
        return await queryTCP(this.#reactor, server, makeQuery(randomId(), name, type, cls, edns), timeout, this.#limits.maxTCPBufferBytes);
      } catch (e) {
        last = e;
      }
    }
    throw last instanceof DNSQueryTimeoutError ? last : new DNSQueryTimeoutError(`no server answered ${name} ${typeName(type)}: ${String(last)}`);
  }

  /** A records. */
  lookupAddress(name: string): Deferred<LookupResult> { return this.query(name, A); }
  /** AAAA records. */
  lookupIPV6Address(name: string): Deferred<LookupResult> { return this.query(name, AAAA); }
  /** MX records. */
  lookupMailExchange(name: string): Deferred<LookupResult> { return this.query(name, MX); }
  /** NS records. */
  lookupNameservers(name: string): Deferred<LookupResult> { return this.query(name, NS); }
  /** TXT records. */
  lookupText(name: string): Deferred<LookupResult> { return this.query(name, TXT); }
  /** SRV records (`_service._proto.name`). */
  lookupService(name: string): Deferred<LookupResult> { return this.query(name, SRV); }
  /** PTR records (`4.3.2.1.in-addr.arpa`). */
  lookupPointer(name: string): Deferred<LookupResult> { return this.query(name, PTR); }
  /** The SOA record. */
  lookupAuthority(name: string): Deferred<LookupResult> { return this.query(name, SOA); }
  /** A CNAME record. */
  lookupCanonicalName(name: string): Deferred<LookupResult> { return this.query(name, CNAME); }
  /** Every record (`ANY`; many servers answer it minimally, RFC 8482). */
  lookupAllRecords(name: string): Deferred<LookupResult> { return this.query(name, ALL_RECORDS); }

  /**
   * The first address of `name`: IPv4 first, then IPv6, following CNAMEs inside the answer. Fails with
   * `DNSLookupError` when the name has neither.
   */
  getHostByName(name: string): Deferred<string> {
    return Deferred.fromPromise((async () => {
      for (const type of [A, AAAA]) {
        const [answers] = await this.query(name, type);
        const address = addressIn(answers, name, type);
        if (address !== undefined) return address;
      }
      throw new DNSLookupError(`${name} has no address`);
    })());
  }
}

/** Follows CNAMEs from `name` within `answers` to an address record of `type`. */
function addressIn(answers: RRHeader[], name: string, type: number): string | undefined {
  let current = canonicalName(name);
  for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
    const here = answers.filter((rr) => canonicalName(rr.name) === current);
    const hit = here.find((rr) => rr.type === type);
    if (hit !== undefined && 'address' in hit.payload) return hit.payload.address;
    const alias = here.find((rr) => rr.type === CNAME);
    if (alias === undefined || !('name' in alias.payload)) return undefined;
    current = canonicalName(alias.payload.name);
  }
  return undefined;
}

/**
 * A resolver as Twisted's `client.createResolver`: the hosts file, a cache, then the servers.
 * @example
 * const resolver = createResolver({ servers: [['127.0.0.1', 5353]], hosts: null });
 * const [answers] = await resolver.lookupMailExchange('example.test');
 */
export function createResolver(options: ResolverOptions = {}): Resolver {
  return new Resolver(options);
}
