/**
 * The DNS message (RFC 1035 §4) with EDNS(0) (RFC 6891): `encodeMessage` and `decodeMessage`, sans-I/O.
 * Header flag names follow Twisted's `dns.Message` (`answer`, `opCode`, `auth`, `trunc`, `recDes`, `recAv`,
 * `rCode`).
 * Browser-safe.
 * @module
 */
import { IN, OPT } from './constants.js';
import { DNSFormatError } from './errors.js';
import { DNS_LIMITS } from './limits.js';
import { decodePayload, encodePayload, type Payload } from './records.js';
import { WireReader, WireWriter } from './wire.js';

/** One question. */
export interface Query {
  name: string;
  type: number;
  cls: number;
}

/** One resource record: Twisted's `RRHeader`. `ttl` in seconds. */
export interface RRHeader {
  name: string;
  type: number;
  cls: number;
  ttl: number;
  payload: Payload;
}

/** An EDNS(0) option (RFC 6891 §6.1.2), kept as bytes. */
export interface EDNSOption {
  code: number;
  data: Uint8Array;
}

/** The OPT pseudo-record's meaning. */
export interface EDNS {
  /** The largest UDP payload the sender can take. */
  udpPayloadSize: number;
  version: number;
  /** The DO bit (RFC 3225): the sender wants DNSSEC records. */
  dnssecOk: boolean;
  options: EDNSOption[];
}

/** A whole message. `rCode` is the full 12-bit code (the OPT record's upper bits folded in). */
export interface Message {
  id: number;
  answer: boolean;
  opCode: number;
  auth: boolean;
  trunc: boolean;
  recDes: boolean;
  recAv: boolean;
  authenticData: boolean;
  checkingDisabled: boolean;
  rCode: number;
  queries: Query[];
  answers: RRHeader[];
  authority: RRHeader[];
  additional: RRHeader[];
  /** Present when the message carried (or should carry) an OPT record. */
  edns?: EDNS;
}

/** A message with every field defaulted (a query with no questions, id 0). */
export function makeMessage(fields: Partial<Message> = {}): Message {
  return {
    id: 0, answer: false, opCode: 0, auth: false, trunc: false, recDes: false, recAv: false,
    authenticData: false, checkingDisabled: false, rCode: 0, queries: [], answers: [], authority: [], additional: [],
    ...fields,
  };
}

/** Options of `decodeMessage`. */
export interface DecodeOptions {
  maxPointerJumps?: number;
  maxRecords?: number;
}

/** Decodes one message; throws `DNSFormatError` on anything malformed (never anything else). */
export function decodeMessage(bytes: Uint8Array, options: DecodeOptions = {}): Message {
  if (bytes.length > DNS_LIMITS.maxMessageBytes) throw new DNSFormatError('message longer than 65535 bytes');
  const r = new WireReader(bytes, options.maxPointerJumps ?? DNS_LIMITS.maxPointerJumps);
  const id = r.u16();
  const flags = r.u16();
  const counts = [r.u16(), r.u16(), r.u16(), r.u16()] as const;
  const total = counts[0] + counts[1] + counts[2] + counts[3];
  if (total > (options.maxRecords ?? DNS_LIMITS.maxRecords)) throw new DNSFormatError(`too many records (${total})`);
  // Each question takes 5 bytes at least and each record 11: a count the bytes cannot hold is refused early.
  if (counts[0] * 5 + (total - counts[0]) * 11 > bytes.length - 12) throw new DNSFormatError('record counts exceed the message');
  const m = makeMessage({
    id, answer: (flags & 0x8000) !== 0, opCode: (flags >> 11) & 0xf, auth: (flags & 0x400) !== 0,
    trunc: (flags & 0x200) !== 0, recDes: (flags & 0x100) !== 0, recAv: (flags & 0x80) !== 0,
    authenticData: (flags & 0x20) !== 0, checkingDisabled: (flags & 0x10) !== 0, rCode: flags & 0xf,
  });
  for (let i = 0; i < counts[0]; i++) m.queries.push({ name: r.name(), type: r.u16(), cls: r.u16() });
  const sections = [m.answers, m.authority, m.additional];
  for (let s = 0; s < 3; s++) {
    for (let i = 0; i < counts[s + 1]!; i++) {
      const name = r.name();
      const type = r.u16();
      const cls = r.u16();
      const ttl = r.u32();
      const length = r.u16();
      if (type === OPT) {
        if (s !== 2 || m.edns !== undefined || name !== '') throw new DNSFormatError('misplaced or repeated OPT record');
        m.edns = decodeOpt(r, cls, ttl, length);
        m.rCode |= (ttl >>> 24) << 4;
        continue;
      }
      sections[s]!.push({ name, type, cls, ttl: ttl > 0x7fffffff ? 0 : ttl, payload: decodePayload(r, type, length) });
    }
  }
  if (r.offset !== bytes.length) throw new DNSFormatError('bytes after the last record');
  return m;
}

function decodeOpt(r: WireReader, cls: number, ttl: number, length: number): EDNS {
  const end = r.offset + length;
  const options: EDNSOption[] = [];
  while (r.offset < end) {
    const code = r.u16();
    const size = r.u16();
    if (r.offset + size > end) throw new DNSFormatError('EDNS option runs past the OPT record');
    options.push({ code, data: r.take(size) });
  }
  if (r.offset !== end) throw new DNSFormatError('OPT record length mismatch');
  return { udpPayloadSize: Math.max(cls, 512), version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0, options };
}

/** Options of `encodeMessage`. */
export interface EncodeOptions {
  /**
   * The largest message to produce (a UDP payload size). A longer one is cut to its header, questions and
   * OPT record with `trunc` set, so the asker retries over TCP.
   */
  maxSize?: number;
}

/** Encodes a message with name compression. */
export function encodeMessage(m: Message, options: EncodeOptions = {}): Uint8Array {
  const full = encodeAll(m);
  const max = options.maxSize ?? DNS_LIMITS.maxMessageBytes;
  if (full.length <= max) return full;
  const cut = encodeAll({ ...m, trunc: true, answers: [], authority: [], additional: [] });
  if (cut.length > max) throw new DNSFormatError(`message cannot fit in ${max} bytes even truncated`);
  return cut;
}

function encodeAll(m: Message): Uint8Array {
  const w = new WireWriter();
  w.u16(m.id);
  w.u16((m.answer ? 0x8000 : 0) | ((m.opCode & 0xf) << 11) | (m.auth ? 0x400 : 0) | (m.trunc ? 0x200 : 0) |
    (m.recDes ? 0x100 : 0) | (m.recAv ? 0x80 : 0) | (m.authenticData ? 0x20 : 0) | (m.checkingDisabled ? 0x10 : 0) |
    (m.rCode & 0xf));
  if (m.rCode > 0xf && m.edns === undefined) throw new DNSFormatError('an extended rcode needs an EDNS record');
  w.u16(m.queries.length);
  w.u16(m.answers.length);
  w.u16(m.authority.length);
  w.u16(m.additional.length + (m.edns !== undefined ? 1 : 0));
  for (const q of m.queries) {
    w.name(q.name, true);
    w.u16(q.type);
    w.u16(q.cls);
  }
  for (const rr of [...m.answers, ...m.authority, ...m.additional]) {
    w.name(rr.name, true);
    w.u16(rr.type);
    w.u16(rr.cls);
    w.u32(rr.ttl >>> 0);
    const at = w.length;
    w.u16(0);
    encodePayload(w, rr.payload);
    const length = w.length - at - 2;
    if (length > 0xffff) throw new DNSFormatError('RDATA longer than 65535 bytes');
    w.patch16(at, length);
  }
  if (m.edns !== undefined) {
    const e = m.edns;
    w.u8(0);
    w.u16(OPT);
    w.u16(e.udpPayloadSize);
    w.u32((((m.rCode >> 4) & 0xff) << 24 | (e.version & 0xff) << 16 | (e.dnssecOk ? 0x8000 : 0)) >>> 0);
    const at = w.length;
    w.u16(0);
    for (const o of e.options) {
      w.u16(o.code);
      w.u16(o.data.length);
      w.bytes(o.data);
    }
    w.patch16(at, w.length - at - 2);
  }
  if (w.length > DNS_LIMITS.maxMessageBytes) throw new DNSFormatError('message longer than 65535 bytes');
  return w.result();
}

/** A query message for one question, recursion desired. */
export function makeQuery(id: number, name: string, type: number, cls = IN, edns?: EDNS): Message {
  return makeMessage({ id, recDes: true, queries: [{ name, type, cls }], ...(edns !== undefined ? { edns } : {}) });
}
