/**
 * The RFC 1035 §5 master-file (zone file) parser: `$ORIGIN`, `$TTL`, `@`, relative names, a blank owner
 * meaning the previous one, parentheses over lines, `;` comments, quoted strings, TTLs with BIND's units
 * (`1h30m`), and the generic `\# LENGTH HEX` form of RFC 3597 for any type.
 * Browser-safe.
 * @module
 */
import { A, AAAA, CAA, CNAME, IN, MX, NAPTR, NS, PTR, SOA, SRV, TXT, typeFromName } from './constants.js';
import { DNSFormatError } from './errors.js';
import type { RRHeader } from './message.js';
import { normaliseIPv6, type Payload } from './records.js';
import { canonicalName } from './wire.js';

/** A zone file that cannot be read; `line` is 1-based. */
export class ZoneParseError extends DNSFormatError {
  override readonly code = 'TORSION_DNS_ZONE_PARSE';
  override name = 'ZoneParseError';
  constructor(message: string, readonly line: number) {
    super(`line ${line}: ${message}`);
  }
}

interface Token { text: string; quoted: boolean }

/** Splits the file into logical lines (parentheses joined) of tokens, each with its first line number. */
function logicalLines(text: string): Array<{ tokens: Token[]; line: number; indented: boolean }> {
  const out: Array<{ tokens: Token[]; line: number; indented: boolean }> = [];
  let tokens: Token[] = [];
  let depth = 0;
  let start = 1;
  let indented = false;
  let line = 1;
  let i = 0;
  const flush = (): void => {
    if (tokens.length > 0) out.push({ tokens, line: start, indented });
    tokens = [];
  };
  let atLineStart = true;
  let openLine = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (atLineStart && depth === 0) {
      start = line;
      indented = ch === ' ' || ch === '\t';
      atLineStart = false;
    }
    if (ch === '\n') {
      line++;
      i++;
      if (depth === 0) { flush(); atLineStart = true; }
    } else if (ch === ' ' || ch === '\t' || ch === '\r') i++;
    else if (ch === ';') { while (i < text.length && text[i] !== '\n') i++; }
    else if (ch === '(') {
      if (depth++ === 0) openLine = line;
      i++;
    }
    else if (ch === ')') {
      if (--depth < 0) throw new ZoneParseError('unbalanced ")"', line);
      i++;
    } else if (ch === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) { s += text[i]! + text[i + 1]!; i += 2; } else s += text[i++]!;
        if (text[i - 1] === '\n') line++;
      }
      if (i >= text.length) throw new ZoneParseError('unterminated string', line);
      i++;
      tokens.push({ text: s, quoted: true });
    } else {
      let s = '';
      while (i < text.length && !' \t\r\n;()"'.includes(text[i]!)) {
        if (text[i] === '\\' && i + 1 < text.length) { s += text[i]! + text[i + 1]!; i += 2; } else s += text[i++]!;
      }
      tokens.push({ text: s, quoted: false });
    }
  }
  if (depth !== 0) throw new ZoneParseError('unbalanced "("', openLine);
  flush();
  return out;
}

/** Seconds of a TTL text: `3600`, `1h`, `1w2d`. */
export function parseTTL(text: string, line: number): number {
  if (/^\d+$/.test(text)) return checkTTL(Number(text), line);
  const units: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  const m = /^(\d+[smhdw])+$/i.exec(text);
  if (m === null) throw new ZoneParseError(`bad TTL ${JSON.stringify(text)}`, line);
  let total = 0;
  for (const part of text.toLowerCase().match(/\d+[smhdw]/g)!) total += Number(part.slice(0, -1)) * units[part.slice(-1)]!;
  return checkTTL(total, line);
}

function checkTTL(n: number, line: number): number {
  if (n > 0x7fffffff) throw new ZoneParseError('TTL above 2^31-1', line);
  return n;
}

function isTTL(text: string): boolean {
  return /^\d+$/.test(text) || /^(\d+[smhdw])+$/i.test(text);
}

/** Unescapes presentation bytes of a character-string (`\"`, `\DDD`) into bytes. */
function stringBytes(text: string, line: number): Uint8Array {
  const bytes: number[] = [];
  const raw = new TextEncoder().encode(text);
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x5c && i + 1 < raw.length) {
      const digits = String.fromCharCode(...raw.subarray(i + 1, i + 4));
      if (/^\d{3}$/.test(digits)) { bytes.push(Number(digits)); i += 3; } else bytes.push(raw[++i]!);
    } else bytes.push(raw[i]!);
  }
  if (bytes.length > 255) throw new ZoneParseError('character-string longer than 255 bytes', line);
  return Uint8Array.from(bytes);
}

/** A parsed zone. */
export interface Zone {
  /** The origin, canonical (`example.test`). */
  origin: string;
  /** Every record in file order. */
  records: RRHeader[];
}

/**
 * Parses zone file text. `origin` is the starting `$ORIGIN` (names in it must be absolute until one is set).
 * @example
 * const zone = parseZone('$ORIGIN example.test.\n$TTL 60\n@ IN SOA ns hm 1 2 3 4 5\nwww IN A 192.0.2.1\n');
 */
export function parseZone(text: string, origin = ''): Zone {
  let currentOrigin = origin === '' ? '' : canonicalName(origin);
  let zoneOrigin = currentOrigin;
  let defaultTTL: number | undefined;
  let lastOwner: string | undefined;
  let lastTTL: number | undefined;
  const records: RRHeader[] = [];
  const absolute = (name: string, line: number): string => {
    try {
      if (name === '@') return currentOrigin;
      if (name.endsWith('.') && !name.endsWith('\\.')) return canonicalName(name);
      if (currentOrigin === '') throw new ZoneParseError(`relative name ${JSON.stringify(name)} without an $ORIGIN`, line);
      return canonicalName(`${name}.${currentOrigin}`);
    } catch (e) {
      if (e instanceof ZoneParseError) throw e;
      throw new ZoneParseError((e as Error).message, line);
    }
  };
  for (const { tokens, line, indented } of logicalLines(text)) {
    const first = tokens[0]!.text;
    if (!tokens[0]!.quoted && first.startsWith('$')) {
      const directive = first.toUpperCase();
      if (directive === '$ORIGIN' && tokens[1] !== undefined) {
        currentOrigin = absolute(tokens[1].text.endsWith('.') ? tokens[1].text : `${tokens[1].text}.${currentOrigin}.`, line);
        if (zoneOrigin === '') zoneOrigin = currentOrigin;
      } else if (directive === '$TTL' && tokens[1] !== undefined) defaultTTL = parseTTL(tokens[1].text, line);
      else throw new ZoneParseError(`unsupported directive ${first}`, line);
      continue;
    }
    let k = 0;
    let owner: string;
    if (indented) {
      if (lastOwner === undefined) throw new ZoneParseError('a record without an owner', line);
      owner = lastOwner;
    } else {
      owner = absolute(tokens[k++]!.text, line);
    }
    let ttl: number | undefined;
    let cls = IN;
    for (let j = 0; j < 2 && k < tokens.length; j++) {
      const t = tokens[k]!.text;
      if (ttl === undefined && isTTL(t)) { ttl = parseTTL(t, line); k++; }
      else if (/^(IN|CH|HS)$/i.test(t)) { cls = t.toUpperCase() === 'IN' ? IN : t.toUpperCase() === 'CH' ? 3 : 4; k++; }
    }
    const typeText = tokens[k++]?.text;
    const type = typeText === undefined ? undefined : typeFromName(typeText);
    if (type === undefined) throw new ZoneParseError(`unknown or missing type ${JSON.stringify(typeText ?? '')}`, line);
    const rdata = tokens.slice(k);
    const payload = parseRdata(type, rdata, line, (n) => absolute(n, line));
    if (type === SOA && zoneOrigin === '') zoneOrigin = owner;
    const rrTTL = ttl ?? (type === SOA && defaultTTL === undefined ? (payload as { minimum: number }).minimum : defaultTTL ?? lastTTL);
    if (rrTTL === undefined) throw new ZoneParseError('no TTL and no $TTL', line);
    lastOwner = owner;
    lastTTL = rrTTL;
    records.push({ name: owner, type, cls, ttl: rrTTL, payload });
  }
  return { origin: zoneOrigin, records };
}

function parseRdata(type: number, t: Token[], line: number, name: (n: string) => string): Payload {
  const need = (n: number): void => {
    if (t.length !== n) throw new ZoneParseError(`expected ${n} fields, got ${t.length}`, line);
  };
  const num = (i: number, max: number): number => {
    const v = Number(t[i]?.text);
    if (!/^\d+$/.test(t[i]?.text ?? '') || v > max) throw new ZoneParseError(`bad number ${JSON.stringify(t[i]?.text ?? '')}`, line);
    return v;
  };
  if (t[0]?.text === '\\#') {
    const length = num(1, 65535);
    const hex = t.slice(2).map((x) => x.text).join('');
    if (!/^([0-9a-fA-F]{2})*$/.test(hex) || hex.length !== length * 2) throw new ZoneParseError('bad \\# generic data', line);
    return { type, data: Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16)), opaque: true };
  }
  try {
    switch (type) {
      case A:
        need(1);
        if (!/^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/.test(t[0]!.text)) throw new ZoneParseError(`bad IPv4 address ${t[0]!.text}`, line);
        return { type: A, address: t[0]!.text };
      case AAAA: need(1); return { type: AAAA, address: normaliseIPv6(t[0]!.text) };
      case CNAME: case NS: case PTR: need(1); return { type, name: name(t[0]!.text) };
      case MX: need(2); return { type: MX, preference: num(0, 65535), name: name(t[1]!.text) };
      case SOA: {
        need(7);
        const n = (i: number): number => (isTTL(t[i]!.text) ? parseTTL(t[i]!.text, line) : num(i, 0xffffffff));
        return { type: SOA, mname: name(t[0]!.text), rname: name(t[1]!.text), serial: num(2, 0xffffffff), refresh: n(3), retry: n(4), expire: n(5), minimum: n(6) };
      }
      case SRV: need(4); return { type: SRV, priority: num(0, 65535), weight: num(1, 65535), port: num(2, 65535), target: name(t[3]!.text) };
      case TXT:
        if (t.length === 0) throw new ZoneParseError('TXT without strings', line);
        return { type: TXT, data: t.map((x) => stringBytes(x.text, line)) };
      case CAA: need(3); return { type: CAA, flags: num(0, 255), tag: t[1]!.text, value: stringBytes(t[2]!.text, line) };
      case NAPTR:
        need(6);
        return { type: NAPTR, order: num(0, 65535), preference: num(1, 65535), flags: stringBytes(t[2]!.text, line), service: stringBytes(t[3]!.text, line),
          regexp: stringBytes(t[4]!.text, line), replacement: t[5]!.text === '.' ? '' : name(t[5]!.text) };
      default: throw new ZoneParseError(`type ${type} needs the \\# generic form`, line);
    }
  } catch (e) {
    if (e instanceof ZoneParseError) throw e;
    throw new ZoneParseError((e as Error).message, line);
  }
}
