/**
 * Data-connection addresses in the control connection's words, sans I/O: `PORT`/`PASV` (RFC 959,
 * `h1,h2,h3,h4,p1,p2`) and `EPRT`/`EPSV` (RFC 2428, `|1|132.235.1.2|6275|`, `(|||6446|)`).
 * @module
 */
import { FTPParseError } from './errors.js';

/** A host and port. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function checkPort(port: number, text: string): number {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new FTPParseError(`bad port in ${JSON.stringify(text.slice(0, 60))}`);
  return port;
}

/** An address as Torsion compares them: IPv4-mapped IPv6 (`::ffff:1.2.3.4`) as IPv4, IPv6 lower-cased. */
export function normalizeHost(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('::ffff:') && h.includes('.')) return h.slice(7);
  return h;
}

/** Parses `h1,h2,h3,h4,p1,p2` (the argument of `PORT`, the inside of a `227` reply). */
export function parseHostPort(text: string): HostPort {
  const parts = text.trim().split(',');
  if (parts.length !== 6 || !parts.every((p) => /^\d{1,3}$/.test(p))) throw new FTPParseError(`not h1,h2,h3,h4,p1,p2: ${JSON.stringify(text.slice(0, 60))}`);
  const n = parts.map(Number);
  if (n.some((x) => x > 255)) throw new FTPParseError(`number over 255 in ${JSON.stringify(text.slice(0, 60))}`);
  return { host: n.slice(0, 4).join('.'), port: checkPort(n[4] * 256 + n[5], text) };
}

/** Formats an IPv4 host and port as `h1,h2,h3,h4,p1,p2`. Throws for an IPv6 host: that needs `EPRT`/`EPSV`. */
export function formatHostPort(host: string, port: number): string {
  const h = normalizeHost(host);
  if (!IPV4.test(h)) throw new FTPParseError(`PORT and PASV carry IPv4 addresses only, not ${h}`);
  return `${h.split('.').join(',')},${port >> 8},${port & 255}`;
}

/** The address in a `227 Entering Passive Mode (h1,h2,h3,h4,p1,p2)` reply (parentheses optional, RFC 1123). */
export function parsePasvReply(text: string): HostPort {
  const m = /(\d{1,3},\d{1,3},\d{1,3},\d{1,3},\d{1,3},\d{1,3})/.exec(text);
  if (m === null) throw new FTPParseError(`no address in PASV reply ${JSON.stringify(text.slice(0, 80))}`);
  return parseHostPort(m[1]);
}

/** The port in a `229 Entering Extended Passive Mode (|||6446|)` reply. */
export function parseEpsvReply(text: string): number {
  const m = /\((.)\1\1(\d{1,5})\1\)/.exec(text);
  if (m === null) throw new FTPParseError(`no port in EPSV reply ${JSON.stringify(text.slice(0, 80))}`);
  return checkPort(Number(m[2]), text);
}

/** Parses the argument of `EPRT`: `<d><af><d><addr><d><port><d>` with af 1 (IPv4) or 2 (IPv6). */
export function parseEprt(text: string): HostPort {
  const d = text[0];
  if (d === undefined || d < '!' || d > '~' || /[0-9a-fA-F.:]/.test(d)) throw new FTPParseError('EPRT needs a delimiter');
  const parts = text.split(d);
  if (parts.length !== 5 || parts[0] !== '' || parts[4] !== '') throw new FTPParseError(`bad EPRT argument ${JSON.stringify(text.slice(0, 60))}`);
  const [, af, host, port] = parts;
  if (af === '1') {
    if (!IPV4.test(host)) throw new FTPParseError(`bad IPv4 address in EPRT: ${JSON.stringify(host.slice(0, 40))}`);
  } else if (af === '2') {
    if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(':')) throw new FTPParseError(`bad IPv6 address in EPRT: ${JSON.stringify(host.slice(0, 40))}`);
  } else throw new FTPParseError(`EPRT network protocol ${JSON.stringify(af.slice(0, 8))} is not 1 or 2`);
  if (!/^\d{1,5}$/.test(port)) throw new FTPParseError('bad port in EPRT');
  return { host: normalizeHost(host), port: checkPort(Number(port), text) };
}

/** Formats an `EPRT` argument for `host` (IPv4 or IPv6) and `port`. */
export function formatEprt(host: string, port: number): string {
  const h = normalizeHost(host);
  return `|${h.includes(':') ? 2 : 1}|${h}|${port}|`;
}
