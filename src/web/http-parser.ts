/**
 * The HTTP/1.1 request head parser (RFC 9112). It works on the head as one latin1 string cut out of the
 * input bytes with `indexOf`, so each request costs one decode and a handful of `indexOf`s and regex tests.
 *
 * Strict on purpose: anything two parsers could read differently (request smuggling) is an error here,
 * never a guess: obs-fold, bare CR or LF, whitespace before a colon, control characters.
 * @module
 */
import { TorsionError } from '../errors/index.js';
import { CODEC_LIMITS } from './limits.js';

/** Bad input from a peer: `status` is the 4xx/5xx to answer before closing. */
export class HTTPParseError extends TorsionError {
  override readonly code: string = 'TORSION_HTTP_PARSE';
  override name = 'HTTPParseError';
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** A parsed request head. */
export interface RequestHead {
  method: string;
  /** The request target exactly as sent. */
  uri: string;
  /** 0 for HTTP/1.0, 1 for HTTP/1.1. */
  minor: number;
  /** Flat `[lowerName, value, ...]`. */
  headers: string[];
  /** How many Host fields the head has. */
  hosts: number;
  /** True when a Content-Length or Transfer-Encoding field is present (`bodyLength` decides the framing). */
  framed: boolean;
  /** The Connection field's value (repeated fields joined with `, `), or null. */
  connection: string | null;
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * Refuses what no request target or header value may hold: control characters other than HTAB, CR and LF among them.
 * The head is cut at CRLFs, so a CR or LF left inside a piece is a bare one. Every other byte of the head is
 * in the method, a header name (tokens, checked apart) or the fixed version and separators, so testing the
 * target and each value covers the whole head without a pass over it with lookarounds.
 */
function checkChars(b: Uint8Array, from: number, to: number): void {
  // A loop over the read's bytes in place, not a regex over a slice: the pieces are mostly short (a path, a host).
  for (let i = from; i < to; i++) {
    const c = b[i];
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new HTTPParseError(400, c === 0x0d || c === 0x0a ? 'bare CR or LF in request head' : 'control character in request head');
  }
}
const VERSION = /^HTTP\/\d\.\d$/;

/** `HTTP/1.0` or `HTTP/1.1` at `at` (the caller checked the length), compared in place: no slice per request. */
function isHTTP1(b: Uint8Array, at: number): boolean {
  // Unrolled: `HTTP/1.` then the minor digit.
  if (b[at] !== 0x48 || b[at + 1] !== 0x54 || b[at + 2] !== 0x54 || b[at + 3] !== 0x50) return false;
  if (b[at + 4] !== 0x2f || b[at + 5] !== 0x31 || b[at + 6] !== 0x2e) return false;
  const minor = b[at + 7];
  return minor === 0x30 || minor === 0x31;
}

/** The two methods most requests use, as shared constants (no slice, no token test per request). */
function commonMethod(b: Uint8Array, at: number, sp1: number): string | undefined {
  const n = sp1 - at;
  if (n === 3 && b[at] === 0x47 && b[at + 1] === 0x45 && b[at + 2] === 0x54) return 'GET';
  if (n === 4 && b[at] === 0x50 && b[at + 1] === 0x4f && b[at + 2] === 0x53 && b[at + 3] === 0x54) return 'POST';
  return undefined;
}

/** Validated raw header name → lower-cased name, so common names are checked once per process. */
const names = new Map<string, string>();

function headerName(raw: string): string {
  // The names nearly every request has, compared before hashing the name for the cache.
  if (raw === 'Host') return 'host';
  if (raw === 'User-Agent') return 'user-agent';
  if (raw === 'Accept') return 'accept';
  const known = names.get(raw);
  if (known !== undefined) return known;
  if (!NAME.test(raw)) throw new HTTPParseError(400, 'malformed header name');
  const lower = raw.toLowerCase();
  if (names.size < CODEC_LIMITS.headerNameCache) names.set(raw, lower);
  return lower;
}

/** A head without fields shares this list (frozen: nothing may add to it). */
const NO_FIELDS: string[] = Object.freeze([]) as unknown as string[];

/** The one result object, refilled by every call: the channel reads it at once (no object per request). */
const result: RequestHead = { method: '', uri: '', minor: 1, headers: [], hosts: 0, framed: false, connection: null };

/**
 * Parses the head in `bytes` from `start` to `end`, the index of the blank line's CRLFCRLF (`bytes` holds at
 * least those four bytes), in place. `text` is the same bytes decoded as latin1 from `textStart` on (the
 * caller decodes a read once): bytes are scanned (cheaper than a string's character codes), strings sliced
 * from `text`. A request line over `maxRequestLine` bytes is refused with 414 before anything else is looked
 * at. The result is overwritten by the next call.
 * @throws HTTPParseError
 */
export function parseRequestHead(bytes: Uint8Array, start: number, end: number, text: string, textStart: number, maxHeaders: number, maxRequestLine = Infinity): RequestHead {
  const b = bytes;
  // One pass finds both spaces and the line's end: cheaper than three `indexOf` calls.
  let eol = end;
  let sp1 = -1;
  let sp2 = -1;
  for (let i = start; i < end; i++) {
    const c = b[i];
    if (c === 0x20) {
      if (sp1 === -1) sp1 = i;
      else if (sp2 === -1) sp2 = i;
    } else if (c === 0x0d && b[i + 1] === 0x0a) {
      eol = i;
      break;
    }
  }
  if (eol - start > maxRequestLine) throw new HTTPParseError(414, 'request line too long');
  if (sp1 <= start || sp2 === -1 || sp2 === sp1 + 1) throw new HTTPParseError(400, 'malformed request line');
  const method = commonMethod(b, start, sp1) ?? text.slice(start - textStart, sp1 - textStart);
  if (method !== 'GET' && method !== 'POST' && !METHOD.test(method)) throw new HTTPParseError(400, 'malformed request line');
  checkChars(b, sp1 + 1, sp2);
  const uri = text.slice(sp1 + 1 - textStart, sp2 - textStart);
  let minor: number;
  if (eol - sp2 === 9 && isHTTP1(b, sp2 + 1)) minor = b[eol - 1] - 0x30;
  else if (VERSION.test(text.slice(sp2 + 1 - textStart, eol - textStart))) throw new HTTPParseError(505, 'unsupported HTTP version');
  else throw new HTTPParseError(400, 'malformed request line');

  let headers: string[] = NO_FIELDS;
  let hosts = 0;
  let framed = false;
  let connection: string | null = null;
  let at = eol + 2;
  while (at < end) {
    if (headers.length >= maxHeaders * 2) throw new HTTPParseError(431, 'too many header fields');
    const first = b[at];
    if (first === 0x20 || first === 0x09) throw new HTTPParseError(400, 'obsolete line folding');
    // The name runs to the colon; a line with none (a CRLF first) is malformed. Other bytes in the name fail
    // the token check of `headerName`.
    let colon = at;
    for (; colon < end; colon++) {
      const c = b[colon];
      if (c === 0x3a || (c === 0x0d && b[colon + 1] === 0x0a)) break;
    }
    if (colon === end || b[colon] !== 0x3a || colon === at) throw new HTTPParseError(400, 'malformed header field');
    const name = headerName(text.slice(at - textStart, colon - textStart));
    // The value runs to the line's CRLF; the same pass refuses control characters, a bare CR or LF among them.
    let eoh = colon + 1;
    for (; eoh < end; eoh++) {
      const c = b[eoh];
      if (c < 0x20 || c === 0x7f) {
        if (c === 0x09) continue;
        if (c === 0x0d && b[eoh + 1] === 0x0a) break;
        throw new HTTPParseError(400, c === 0x0d || c === 0x0a ? 'bare CR or LF in request head' : 'control character in request head');
      }
    }
    let vs = colon + 1;
    let ve = eoh;
    while (vs < ve && (b[vs] === 0x20 || b[vs] === 0x09)) vs++;
    while (ve > vs && (b[ve - 1] === 0x20 || b[ve - 1] === 0x09)) ve--;
    const value = text.slice(vs - textStart, ve - textStart);
    // The fields the channel acts on are noted as they pass, so it needs no second walk over the list.
    if (name === 'host') hosts++;
    else if (name === 'content-length' || name === 'transfer-encoding') framed = true;
    else if (name === 'connection') connection = connection === null ? value : `${connection}, ${value}`;
    // The first field makes an array of just its two strings (not an empty one grown on the first push).
    if (headers.length === 0) headers = [name, value];
    else headers.push(name, value);
    at = eoh + 2;
  }
  const r = result;
  r.method = method;
  r.uri = uri;
  r.minor = minor;
  r.headers = headers;
  r.hosts = hosts;
  r.framed = framed;
  r.connection = connection;
  return r;
}

/** How a request body is framed. */
export interface BodyFraming {
  /** -1 for chunked, else the byte count (0: no body). */
  length: number;
}

const DIGITS = /^\d+$/;

/**
 * Decides the body framing from the headers, rejecting what smuggling attacks rely on: Content-Length
 * together with Transfer-Encoding, conflicting Content-Lengths, codings other than a final `chunked`.
 * @throws HTTPParseError
 */
export function bodyLength(headers: string[], minor: number): number {
  let cl: string | null = null;
  let te: string | null = null;
  for (let i = 0; i < headers.length; i += 2) {
    const n = headers[i];
    if (n === 'content-length') {
      for (const part of headers[i + 1].split(',')) {
        const v = part.trim();
        if (!DIGITS.test(v) || v.length > 15) throw new HTTPParseError(400, 'invalid Content-Length');
        if (cl !== null && cl !== v && Number(cl) !== Number(v)) throw new HTTPParseError(400, 'conflicting Content-Length');
        cl = v;
      }
    } else if (n === 'transfer-encoding') {
      te = te === null ? headers[i + 1] : `${te}, ${headers[i + 1]}`;
    }
  }
  if (te !== null) {
    if (cl !== null) throw new HTTPParseError(400, 'both Content-Length and Transfer-Encoding');
    if (minor === 0) throw new HTTPParseError(400, 'Transfer-Encoding in an HTTP/1.0 request');
    const codings = te.split(',').map((c) => c.trim().toLowerCase());
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new HTTPParseError(codings.at(-1) === 'chunked' ? 501 : 400, 'unsupported Transfer-Encoding');
    return -1;
  }
  return cl === null ? 0 : Number(cl);
}
