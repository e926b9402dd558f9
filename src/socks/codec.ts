/**
 * SOCKS4, SOCKS4a and SOCKS5 (RFC 1928, RFC 1929) messages, sans-I/O. Each `parse...` function takes the
 * bytes received so far and returns the message with the number of bytes it used, or `null` when more
 * are needed; malformed input throws {@link SOCKSProtocolError}.
 * @module
 */
import { SOCKSProtocolError } from './errors.js';
import { parseIP } from './access.js';

/** SOCKS5 commands. */
export const CMD_CONNECT = 1;
export const CMD_BIND = 2;
export const CMD_UDP_ASSOCIATE = 3;

/** SOCKS5 methods. */
export const METHOD_NO_AUTH = 0x00;
export const METHOD_USERNAME = 0x02;
export const METHOD_NONE_ACCEPTABLE = 0xff;

/** SOCKS5 reply codes (RFC 1928 §6). */
export const REPLY = Object.freeze({
  succeeded: 0,
  generalFailure: 1,
  notAllowed: 2,
  networkUnreachable: 3,
  hostUnreachable: 4,
  connectionRefused: 5,
  ttlExpired: 6,
  commandNotSupported: 7,
  addressTypeNotSupported: 8,
});

/** SOCKS4 reply codes. */
export const SOCKS4_GRANTED = 90;
export const SOCKS4_REJECTED = 91;

/** A parsed message and how many bytes it took. */
export interface Parsed<T> {
  value: T;
  length: number;
}

/** A request for a destination, from any version. */
export interface SOCKSRequest {
  version: 4 | 5;
  command: number;
  /** An IP literal, or a host name (SOCKS4a, SOCKS5 domain). */
  host: string;
  port: number;
  /** The SOCKS4 user id. */
  userId?: string;
}

const latin1 = (b: Uint8Array) => globalThis.String.fromCharCode(...b);
const utf8 = new TextDecoder();

/** A SOCKS4/4a request (the first byte is 4). */
export function parseSocks4Request(buf: Uint8Array, maxField: number): Parsed<SOCKSRequest> | null {
  if (buf.length < 9) return null;
  const command = buf[1]!;
  const port = (buf[2]! << 8) | buf[3]!;
  const ip = `${buf[4]}.${buf[5]}.${buf[6]}.${buf[7]}`;
  const idEnd = nul(buf, 8, maxField, 'SOCKS4 user id');
  if (idEnd < 0) return null;
  const userId = utf8.decode(buf.subarray(8, idEnd));
  // SOCKS4a: 0.0.0.x with x != 0 means "the host name follows".
  if (buf[4] === 0 && buf[5] === 0 && buf[6] === 0 && buf[7] !== 0) {
    const hostEnd = nul(buf, idEnd + 1, maxField, 'SOCKS4a host name');
    if (hostEnd < 0) return null;
    const host = latin1(buf.subarray(idEnd + 1, hostEnd));
    if (host.length === 0) throw new SOCKSProtocolError('empty SOCKS4a host name');
    return { value: { version: 4, command, host, port, userId }, length: hostEnd + 1 };
  }
  return { value: { version: 4, command, host: ip, port, userId }, length: idEnd + 1 };
}

function nul(buf: Uint8Array, from: number, max: number, what: string): number {
  const end = buf.indexOf(0, from);
  if (end < 0) {
    if (buf.length - from > max) throw new SOCKSProtocolError(`${what} longer than ${max} bytes`);
    return -1;
  }
  if (end - from > max) throw new SOCKSProtocolError(`${what} longer than ${max} bytes`);
  return end;
}

/** The SOCKS5 greeting: the methods the client offers. */
export function parseGreeting(buf: Uint8Array): Parsed<number[]> | null {
  if (buf.length < 2) return null;
  if (buf[0] !== 5) throw new SOCKSProtocolError(`not SOCKS5: version ${buf[0]}`);
  const n = buf[1]!;
  if (n === 0) throw new SOCKSProtocolError('a SOCKS5 greeting with no methods');
  if (buf.length < 2 + n) return null;
  return { value: [...buf.subarray(2, 2 + n)], length: 2 + n };
}

/** RFC 1929 username/password. */
export function parseUserPass(buf: Uint8Array): Parsed<{ username: string; password: string }> | null {
  if (buf.length < 2) return null;
  if (buf[0] !== 1) throw new SOCKSProtocolError(`bad username/password version ${buf[0]}`);
  const ulen = buf[1]!;
  if (buf.length < 3 + ulen) return null;
  const plen = buf[2 + ulen]!;
  if (buf.length < 3 + ulen + plen) return null;
  return {
    value: { username: utf8.decode(buf.subarray(2, 2 + ulen)), password: utf8.decode(buf.subarray(3 + ulen, 3 + ulen + plen)) },
    length: 3 + ulen + plen,
  };
}

/** A SOCKS5 address (type, address, port) at `at`: the host, port and where it ends, or null when incomplete. */
export function parseAddress(buf: Uint8Array, at: number): { host: string; port: number; addressType: number; end: number } | null {
  if (buf.length < at + 1) return null;
  const addressType = buf[at]!;
  let host: string;
  let p: number;
  if (addressType === 1) {
    if (buf.length < at + 7) return null;
    host = `${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}.${buf[at + 4]}`;
    p = at + 5;
  } else if (addressType === 3) {
    if (buf.length < at + 2) return null;
    const len = buf[at + 1]!;
    if (buf.length < at + 2 + len + 2) return null;
    if (len === 0) throw new SOCKSProtocolError('empty SOCKS5 host name');
    host = latin1(buf.subarray(at + 2, at + 2 + len));
    p = at + 2 + len;
  } else if (addressType === 4) {
    if (buf.length < at + 19) return null;
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(((buf[at + 1 + 2 * i]! << 8) | buf[at + 2 + 2 * i]!).toString(16));
    host = groups.join(':');
    p = at + 17;
  } else {
    throw Object.assign(new SOCKSProtocolError(`unknown SOCKS5 address type ${addressType}`), { addressType });
  }
  return { host, port: (buf[p]! << 8) | buf[p + 1]!, addressType, end: p + 2 };
}

/** A SOCKS5 request (or a reply, which has the same shape: `command` is then the reply code). */
export function parseSocks5Request(buf: Uint8Array): Parsed<SOCKSRequest & { addressType: number }> | null {
  if (buf.length < 4) return null;
  if (buf[0] !== 5) throw new SOCKSProtocolError(`not SOCKS5: version ${buf[0]}`);
  const address = parseAddress(buf, 3);
  if (address === null) return null;
  const { host, port, addressType, end } = address;
  return { value: { version: 5, command: buf[1]!, host, port, addressType }, length: end };
}

/** A SOCKS5 UDP datagram header and payload (RFC 1928 §7); fragments (FRAG != 0) are returned as such. */
export function parseUDPDatagram(buf: Uint8Array): { fragment: number; host: string; port: number; data: Uint8Array } {
  if (buf.length < 4 || buf[0] !== 0 || buf[1] !== 0) throw new SOCKSProtocolError('not a SOCKS5 UDP datagram');
  const address = parseAddress(buf, 3);
  if (address === null) throw new SOCKSProtocolError('a SOCKS5 UDP datagram cut short');
  return { fragment: buf[2]!, host: address.host, port: address.port, data: buf.subarray(address.end) };
}

/** A SOCKS5 UDP datagram: the header naming `host`:`port`, then the payload. */
export function encodeUDPDatagram(host: string, port: number, data: Uint8Array): Uint8Array {
  const address = encodeAddress(host);
  const out = new Uint8Array(3 + address.length + 2 + data.length);
  out.set(address, 3);
  out[3 + address.length] = port >> 8;
  out[4 + address.length] = port & 0xff;
  out.set(data, 5 + address.length);
  return out;
}

/** The address bytes of SOCKS5 (type, address), for an IP literal or a host name. */
export function encodeAddress(host: string): Uint8Array {
  const ip = parseIP(host);
  if (ip?.family === 4) return Uint8Array.of(1, ...bigBytes(ip.value, 4));
  if (ip?.family === 6) return Uint8Array.of(4, ...bigBytes(ip.value, 16));
  const name = new TextEncoder().encode(host);
  if (name.length === 0 || name.length > 255) throw new SOCKSProtocolError(`host name of ${name.length} bytes cannot be sent over SOCKS5`);
  return Uint8Array.of(3, name.length, ...name);
}

function bigBytes(value: bigint, n: number): number[] {
  const out: number[] = [];
  for (let i = n - 1; i >= 0; i--) out.push(Number((value >> BigInt(8 * i)) & 0xffn));
  return out;
}

/** A SOCKS5 request (client side) or reply (server side: `code` is the reply). */
export function encodeSocks5(code: number, host: string, port: number): Uint8Array {
  return Uint8Array.of(5, code, 0, ...encodeAddress(host), port >> 8, port & 0xff);
}

/** A SOCKS4 reply. */
export function encodeSocks4Reply(code: number, host = '0.0.0.0', port = 0): Uint8Array {
  const ip = parseIP(host);
  const addr = ip?.family === 4 ? bigBytes(ip.value, 4) : [0, 0, 0, 0];
  return Uint8Array.of(0, code, port >> 8, port & 0xff, ...addr);
}

/** A SOCKS4 request, SOCKS4a when `host` is not an IPv4 literal. */
export function encodeSocks4Request(host: string, port: number, userId = ''): Uint8Array {
  const ip = parseIP(host);
  const id = new TextEncoder().encode(userId);
  if (ip?.family === 4) return Uint8Array.of(4, CMD_CONNECT, port >> 8, port & 0xff, ...bigBytes(ip.value, 4), ...id, 0);
  if (ip?.family === 6) throw new SOCKSProtocolError('SOCKS4 cannot carry an IPv6 address');
  return Uint8Array.of(4, CMD_CONNECT, port >> 8, port & 0xff, 0, 0, 0, 1, ...id, 0, ...new TextEncoder().encode(host), 0);
}

/** An RFC 1929 login. */
export function encodeUserPass(username: string, password: string): Uint8Array {
  const u = new TextEncoder().encode(username);
  const p = new TextEncoder().encode(password);
  if (u.length === 0 || u.length > 255 || p.length > 255) throw new SOCKSProtocolError('SOCKS5 user names and passwords are 1..255 bytes');
  return Uint8Array.of(1, u.length, ...u, p.length, ...p);
}
