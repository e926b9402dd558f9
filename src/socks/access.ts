/**
 * Which destinations a SOCKS server may reach. By default nothing in loopback, private, link-local,
 * shared (CGNAT), multicast, reserved or unspecified ranges, IPv4 or IPv6: without that a proxy is a door
 * into the LAN it runs in. `allow` ranges open some of them again.
 * @module
 */
import { SOCKSBadRangeError } from './errors.js';

/** An address range, IPv4 or IPv6. */
export interface AddressRange {
  family: 4 | 6;
  base: bigint;
  bits: number;
}

/** The ranges refused unless allowed. */
export const DENIED_RANGES: readonly string[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8', '64:ff9b::/96', '2001:db8::/32',
];

/** The address as a number and its family, or undefined when it is not an IP literal. */
export function parseIP(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = parseIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIPv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

function parseIPv4(text: string): bigint | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return undefined;
  let out = 0n;
  for (const part of m.slice(1)) {
    const n = Number(part);
    if (n > 255 || (part.length > 1 && part.startsWith('0'))) return undefined;
    out = (out << 8n) | BigInt(n);
  }
  return out;
}

function parseIPv6(text: string): bigint | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!/^[0-9a-fA-F:.]+$/.test(s) || s.split('::').length > 2) return undefined;
  let tail4: bigint | undefined;
  const lastColon = s.lastIndexOf(':');
  if (s.slice(lastColon + 1).includes('.')) {
    tail4 = parseIPv4(s.slice(lastColon + 1));
    if (tail4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}0:0`;
    if (s.endsWith('::0:0') === false && s.endsWith(':0:0') === false) return undefined;
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const groups = (x: string) => (x === '' ? [] : x.split(':'));
  const h = groups(head);
  const t = rest === undefined ? [] : groups(rest);
  const missing = 8 - h.length - t.length;
  if ((rest === undefined && missing !== 0) || (rest !== undefined && missing < 1)) return undefined;
  const all = [...h, ...Array<string>(rest === undefined ? 0 : missing).fill('0'), ...t];
  let out = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out = (out << 16n) | BigInt(parseInt(g, 16));
  }
  if (tail4 !== undefined) out = (out & ~0xffffffffn) | tail4;
  return out;
}

/** Parses `10.0.0.0/8`, `fd00::/8`, or a bare address (a range of one). */
export function parseRange(text: string): AddressRange {
  const [addr, len] = text.trim().split('/') as [string, string | undefined];
  const ip = parseIP(addr);
  const max = ip?.family === 4 ? 32 : 128;
  const bits = len === undefined ? max : /^\d{1,3}$/.test(len) ? Number(len) : NaN;
  if (ip === undefined || !(bits >= 0 && bits <= max)) throw new SOCKSBadRangeError(`not an address range: ${JSON.stringify(text)}`);
  const shift = BigInt(max - bits);
  return { family: ip.family, base: (ip.value >> shift) << shift, bits };
}

function inRange(family: 4 | 6, value: bigint, range: AddressRange): boolean {
  if (family !== range.family) return false;
  const shift = BigInt((family === 4 ? 32 : 128) - range.bits);
  return value >> shift === range.base >> shift;
}

const DENIED = DENIED_RANGES.map(parseRange);

/** Decides whether a destination address may be reached. */
export class AccessPolicy {
  readonly #allow: AddressRange[];

  /** @param allow ranges to open despite the default refusals (`--allow`) */
  constructor(allow: ReadonlyArray<string | AddressRange> = []) {
    this.#allow = allow.map((r) => (typeof r === 'string' ? parseRange(r) : r));
  }

  /** Whether `address` (an IP literal) may be reached: allowed explicitly, or outside every refused range. */
  allows(address: string): boolean {
    const ip = parseIP(address);
    if (ip === undefined) return false;
    let { family, value } = ip;
    // An IPv4-mapped IPv6 address reaches the IPv4 host: judge it as that.
    if (family === 6 && value >> 32n === 0xffffn) {
      family = 4;
      value &= 0xffffffffn;
    }
    if (this.#allow.some((r) => inRange(family, value, r))) return true;
    return !DENIED.some((r) => inRange(family, value, r));
  }
}
