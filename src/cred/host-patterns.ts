/**
 * OpenSSH's address pattern lists, as the `from=` option of `authorized_keys` uses them: comma-separated
 * patterns with `*` and `?` wildcards or CIDR blocks (`10.0.0.0/8`, `2001:db8::/32`), each negated by a
 * leading `!`. Matched against the peer's IP address (OpenSSH's default of not resolving names).
 * @module
 */

/** The 4 or 16 bytes of an IP literal, or undefined if it is not one. */
export function parseIP(text: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (v4) {
    const bytes = v4.slice(1).map(Number);
    return bytes.every((b, i) => b <= 255 && String(b) === v4[i + 1]) ? Uint8Array.from(bytes) : undefined;
  }
  if (!text.includes(':')) return undefined;
  let head = text;
  let tail4: Uint8Array | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    tail4 = parseIP(text.slice(lastColon + 1));
    if (tail4 === undefined || tail4.length !== 4) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    return parts.every((p) => /^[0-9a-fA-F]{1,4}$/.test(p)) ? parts.map((p) => parseInt(p, 16)) : undefined;
  };
  const left = groups(halves[0]);
  const right = halves.length === 2 ? groups(halves[1]) : [];
  if (left === undefined || right === undefined) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const all = [...left, ...new Array<number>(missing).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  if (tail4) out.set(tail4, 12);
  return out;
}

/** The peer's address as patterns see it: no zone id, and an IPv4-mapped IPv6 address as plain IPv4. */
export function normalizePeer(peer: string): string {
  const bare = peer.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(bare);
  return mapped ? mapped[1] : bare.toLowerCase();
}

/**
 * True if `text` matches `pattern`, with `*` and `?` wildcards, ignoring case (host name patterns too).
 * Matched by the greedy two-pointer walk, O(text × pattern) at worst: a regular expression of many `*`
 * backtracks exponentially on a text that almost matches.
 */
export function globMatch(text: string, pattern: string): boolean {
  const t = text.toLowerCase();
  const p = pattern.toLowerCase();
  let ti = 0;
  let pi = 0;
  let star = -1;
  let resume = 0;
  while (ti < t.length) {
    if (pi < p.length && (p[pi] === '?' || (p[pi] !== '*' && p[pi] === t[ti]))) {
      ti++;
      pi++;
    } else if (pi < p.length && p[pi] === '*') {
      star = pi++;
      resume = ti;
    } else if (star >= 0) {
      pi = star + 1;
      ti = ++resume;
    } else {
      return false;
    }
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

function cidrMatch(address: Uint8Array, block: string): boolean | undefined {
  const slash = block.indexOf('/');
  const net = parseIP(block.slice(0, slash));
  const bitsText = block.slice(slash + 1);
  const bits = Number(bitsText);
  if (net === undefined || !/^\d{1,3}$/.test(bitsText) || bits > net.length * 8) return undefined;
  // Host bits set in the network address make the block ambiguous: OpenSSH refuses it.
  for (let i = 0; i < net.length * 8; i++) if (i >= bits && net[i >> 3] & (0x80 >> (i & 7))) return undefined;
  if (address.length !== net.length) return false;
  for (let i = 0; i < bits; i++) {
    const mask = 0x80 >> (i & 7);
    if ((address[i >> 3] & mask) !== (net[i >> 3] & mask)) return false;
  }
  return true;
}

/**
 * True if `peer` is allowed by `patterns`: some pattern matches and no negated one does. A malformed CIDR
 * block, or a peer that is not an IP address, allows nothing.
 *
 * @example
 * matchAddressPatterns('10.0.0.0/8,!10.9.9.9', '10.1.2.3'); // true
 */
export function matchAddressPatterns(patterns: string, peer: string): boolean {
  const address = normalizePeer(peer);
  const bytes = parseIP(address);
  if (bytes === undefined) return false;
  let allowed = false;
  for (const raw of patterns.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = (negated ? raw.slice(1) : raw).trim();
    if (pattern === '') return false;
    const match = pattern.includes('/') ? cidrMatch(bytes, pattern) : globMatch(address, normalizePeer(pattern));
    if (match === undefined) return false;
    if (match && negated) return false;
    if (match) allowed = true;
  }
  return allowed;
}
