/**
 * `torsion/dns`: DNS as Twisted Names does it. The sans-I/O message codec (RFC 1035 with compression,
 * EDNS(0), RFC 3597 opaque types), the stub resolver (`createResolver`, `lookup*`, `getHostByName`), the
 * zone-file parser and the authoritative server pieces the `torsion dns` command is made of.
 * @module
 */
export * from './constants.js';
export * from './errors.js';
export { DNS_LIMITS, type DNSLimits } from './limits.js';
export {
  decodeMessage, encodeMessage, makeMessage, makeQuery,
  type DecodeOptions, type EDNS, type EDNSOption, type EncodeOptions, type Message, type Query, type RRHeader,
} from './message.js';
export {
  formatIPv6, normaliseIPv6, txt, txtStrings,
  type Payload, type RecordA, type RecordAAAA, type RecordCAA, type RecordMX, type RecordName, type RecordNAPTR,
  type RecordSOA, type RecordSRV, type RecordTXT, type RecordUnknown,
} from './records.js';
export { canonicalName } from './wire.js';
export { frameMessage, MessageStreamDecoder } from './stream.js';
export { parseHosts, parseResolvConf, type HostsTable, type ResolvConf } from './resolv-conf.js';
export { parseZone, parseTTL, ZoneParseError, type Zone } from './zone.js';
export { createResolver, Resolver, type LookupResult, type ResolverOptions } from './client/resolver.js';
export { answersQuery, type ResolverReactor } from './client/exchange.js';
export { FileAuthority, type AuthorityAnswer } from './server/authority.js';
export { QueryHandler, type ForwardingResolver, type QueryTransport } from './server/handler.js';
export { DNSDatagramProtocol, DNSServerFactory } from './server/server.js';
export { makeNotify, Notifier } from './server/notify.js';
export { applyDiffs, diffZones, serialNewer, ZoneVersions, type ZoneDiff, type ZoneHistoryLimits } from './server/zone-versions.js';
