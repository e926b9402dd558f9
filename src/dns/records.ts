/**
 * Record payloads (RDATA) of the types Torsion understands, and the opaque form of every other type
 * (RFC 3597). Each payload carries its `type`; encoding and decoding are sans-I/O.
 * Browser-safe.
 * @module
 */
import { A, AAAA, CAA, CNAME, MX, NAPTR, NS, PTR, SOA, SRV, TXT } from './constants.js';
import { DNSFormatError } from './errors.js';
import type { WireReader, WireWriter } from './wire.js';

/** An IPv4 address record. */
export interface RecordA { type: typeof A; address: string }
/** An IPv6 address record (the address in its canonical compressed form). */
export interface RecordAAAA { type: typeof AAAA; address: string }
/** A record that holds one name: CNAME, NS, PTR. */
export interface RecordName { type: typeof CNAME | typeof NS | typeof PTR; name: string }
/** A mail exchanger. */
export interface RecordMX { type: typeof MX; preference: number; name: string }
/** The start of a zone of authority. Durations in seconds. */
export interface RecordSOA {
  type: typeof SOA; mname: string; rname: string; serial: number; refresh: number; retry: number; expire: number; minimum: number;
}
/** A service location (RFC 2782). */
export interface RecordSRV { type: typeof SRV; priority: number; weight: number; port: number; target: string }
/** Text strings, each at most 255 bytes. */
export interface RecordTXT { type: typeof TXT; data: Uint8Array[] }
/** A certification authority authorization (RFC 8659). */
export interface RecordCAA { type: typeof CAA; flags: number; tag: string; value: Uint8Array }
/** A naming authority pointer (RFC 3403). */
export interface RecordNAPTR {
  type: typeof NAPTR; order: number; preference: number; flags: Uint8Array; service: Uint8Array; regexp: Uint8Array; replacement: string;
}
/** Any other type, kept as its bytes (RFC 3597). */
export interface RecordUnknown { type: number; data: Uint8Array; opaque: true }

/** Every payload. */
export type Payload = RecordA | RecordAAAA | RecordName | RecordMX | RecordSOA | RecordSRV | RecordTXT | RecordCAA | RecordNAPTR | RecordUnknown;

/** Builds a TXT payload from strings (UTF-8). */
export function txt(...strings: string[]): RecordTXT {
  return { type: TXT, data: strings.map((s) => new TextEncoder().encode(s)) };
}

/** The strings of a TXT payload as text (UTF-8). */
export function txtStrings(record: RecordTXT): string[] {
  return record.data.map((d) => new TextDecoder().decode(d));
}

function parseIPv4(address: string): number[] {
  const parts = address.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    throw new DNSFormatError(`bad IPv4 address ${JSON.stringify(address)}`);
  }
  return parts.map(Number);
}

function parseIPv6(address: string): number[] {
  let text = address;
  const tail: number[] = [];
  const v4 = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4 !== null) {
    const b = parseIPv4(v4[2]!);
    tail.push((b[0]! << 8) | b[1]!, (b[2]! << 8) | b[3]!);
    text = v4[1]!.endsWith('::') ? v4[1]! : v4[1]!.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw new DNSFormatError(`bad IPv6 address ${JSON.stringify(address)}`);
  const group = (s: string): number[] => (s === '' ? [] : s.split(':').map((g) => {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new DNSFormatError(`bad IPv6 address ${JSON.stringify(address)}`);
    return parseInt(g, 16);
  }));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const have = head.length + rest.length + tail.length;
  if (halves.length === 1 ? have !== 8 : have > 7) throw new DNSFormatError(`bad IPv6 address ${JSON.stringify(address)}`);
  const words = [...head, ...new Array<number>(8 - have).fill(0), ...rest, ...tail];
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

/** The canonical text of 16 address bytes (RFC 5952: lower case, longest zero run compressed). */
export function formatIPv6(bytes: Uint8Array): string {
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push((bytes[i]! << 8) | bytes[i + 1]!);
  let bestStart = -1, bestLen = 1;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

/** Normalises an IPv6 address text to its canonical form (throws DNSFormatError when it is not one). */
export function normaliseIPv6(address: string): string {
  return formatIPv6(Uint8Array.from(parseIPv6(address)));
}

function characterString(w: WireWriter, s: Uint8Array): void {
  if (s.length > 255) throw new DNSFormatError('character-string longer than 255 bytes');
  w.u8(s.length);
  w.bytes(s);
}

/** Writes a payload's RDATA (without RDLENGTH). Names are compressed only where RFC 3597 §4 allows. */
export function encodePayload(w: WireWriter, p: Payload): void {
  if ('opaque' in p) { w.bytes(p.data); return; }
  switch (p.type) {
    case A: for (const b of parseIPv4(p.address)) w.u8(b); return;
    case AAAA: for (const b of parseIPv6(p.address)) w.u8(b); return;
    case CNAME: case NS: case PTR: w.name(p.name, true); return;
    case MX: w.u16(p.preference); w.name(p.name, true); return;
    case SOA:
      w.name(p.mname, true); w.name(p.rname, true);
      w.u32(p.serial); w.u32(p.refresh); w.u32(p.retry); w.u32(p.expire); w.u32(p.minimum);
      return;
    case SRV: w.u16(p.priority); w.u16(p.weight); w.u16(p.port); w.name(p.target, false); return;
    case TXT:
      if (p.data.length === 0) throw new DNSFormatError('TXT record without strings');
      for (const s of p.data) characterString(w, s);
      return;
    case CAA: {
      const tag = new TextEncoder().encode(p.tag);
      if (tag.length === 0 || !/^[A-Za-z0-9]+$/.test(p.tag)) throw new DNSFormatError(`bad CAA tag ${JSON.stringify(p.tag)}`);
      w.u8(p.flags); characterString(w, tag); w.bytes(p.value);
      return;
    }
    case NAPTR:
      w.u16(p.order); w.u16(p.preference);
      characterString(w, p.flags); characterString(w, p.service); characterString(w, p.regexp);
      w.name(p.replacement, false);
      return;
  }
}

/** Reads `length` bytes of RDATA of `type`, which must be consumed exactly. */
export function decodePayload(r: WireReader, type: number, length: number): Payload {
  const end = r.offset + length;
  if (end > r.bytes.length) throw new DNSFormatError('message truncated inside RDATA');
  const p = decodeKnown(r, type, end);
  if (r.offset !== end) throw new DNSFormatError(`RDATA of ${type} has ${length} bytes but its fields do not fill them`);
  return p;
}

function characterStringFrom(r: WireReader, end: number): Uint8Array {
  const n = r.u8();
  if (r.offset + n > end) throw new DNSFormatError('character-string runs past RDATA');
  return r.take(n);
}

function decodeKnown(r: WireReader, type: number, end: number): Payload {
  switch (type) {
    case A: {
      if (end - r.offset !== 4) throw new DNSFormatError('A RDATA is not 4 bytes');
      return { type: A, address: Array.from(r.take(4)).join('.') };
    }
    case AAAA: {
      if (end - r.offset !== 16) throw new DNSFormatError('AAAA RDATA is not 16 bytes');
      return { type: AAAA, address: formatIPv6(r.take(16)) };
    }
    case CNAME: case NS: case PTR: return { type, name: r.name() };
    case MX: return { type: MX, preference: r.u16(), name: r.name() };
    case SOA: return { type: SOA, mname: r.name(), rname: r.name(), serial: r.u32(), refresh: r.u32(), retry: r.u32(), expire: r.u32(), minimum: r.u32() };
    case SRV: return { type: SRV, priority: r.u16(), weight: r.u16(), port: r.u16(), target: r.name() };
    case TXT: {
      const data: Uint8Array[] = [];
      while (r.offset < end) data.push(characterStringFrom(r, end));
      if (data.length === 0) throw new DNSFormatError('TXT RDATA is empty');
      return { type: TXT, data };
    }
    case CAA: {
      const flags = r.u8();
      const tag = new TextDecoder().decode(characterStringFrom(r, end));
      if (r.offset > end) throw new DNSFormatError('CAA runs past RDATA');
      return { type: CAA, flags, tag, value: r.take(end - r.offset) };
    }
    case NAPTR: return {
      type: NAPTR, order: r.u16(), preference: r.u16(), flags: characterStringFrom(r, end),
      service: characterStringFrom(r, end), regexp: characterStringFrom(r, end), replacement: r.name(),
    };
    default: return { type, data: r.take(end - r.offset), opaque: true };
  }
}
