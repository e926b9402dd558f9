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
}

const METHOD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/**
 * Refuses what no request target or header value may hold: control characters other than HTAB, CR and LF among them.
 * The head is cut at CRLFs, so a CR or LF left inside a piece is a bare one. Every other byte of the head is
 * in the method, a header name (tokens, checked apart) or the fixed version and separators, so testing the
 * target and each value covers the whole head without a pass over it with lookarounds.
 */
function checkChars(piece: string): void {
  // A loop, not a regex: the pieces are mostly short (a path, a host) and a regex call costs more than the scan.
  for (let i = 0; i < piece.length; i++) {
    const c = piece.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c === 0x7f) throw new HTTPParseError(400, c === 0x0d || c === 0x0a ? 'bare CR or LF in request head' : 'control character in request head');
  }
}
const VERSION = /^HTTP\/\d\.\d$/;

const HTTP1 = 'HTTP/1.';

/** `HTTP/1.0` or `HTTP/1.1` at `at` (the caller checked the length), compared in place: no slice per request. */
function isHTTP1(head: string, at: number): boolean {
  for (let i = 0; i < HTTP1.length; i++) if (head.charCodeAt(at + i) !== HTTP1.charCodeAt(i)) return false;
  const minor = head.charCodeAt(at + HTTP1.length);
  return minor === 0x30 || minor === 0x31;
}

/** The two methods most requests use, as shared constants (no slice, no token test per request). */
function commonMethod(head: string, sp1: number): string | undefined {
  // Character codes, not `startsWith`: this runs once per request and `startsWith` costs more than the parse.
  if (sp1 === 3 && head.charCodeAt(0) === 0x47 && head.charCodeAt(1) === 0x45 && head.charCodeAt(2) === 0x54) return 'GET';
  if (sp1 === 4 && head.charCodeAt(0) === 0x50 && head.charCodeAt(1) === 0x4f && head.charCodeAt(2) === 0x53 && head.charCodeAt(3) === 0x54) return 'POST';
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

/**
 * Parses `head` (everything before the blank line, CRLFs included between lines): a request line over
 * `maxRequestLine` characters is refused with 414 before anything else is looked at.
 * @throws HTTPParseError
 */
export function parseRequestHead(head: string, maxHeaders: number, maxRequestLine = Infinity): RequestHead {
  let eol = head.indexOf('\r\n');
  if (eol === -1) eol = head.length;
  if (eol > maxRequestLine) throw new HTTPParseError(414, 'request line too long');
  const sp1 = head.indexOf(' ');
  const sp2 = sp1 === -1 ? -1 : head.indexOf(' ', sp1 + 1);
  if (sp1 <= 0 || sp2 === -1 || sp2 >= eol || sp2 === sp1 + 1) throw new HTTPParseError(400, 'malformed request line');
  const method = commonMethod(head, sp1) ?? head.slice(0, sp1);
  if (method !== 'GET' && method !== 'POST' && !METHOD.test(method)) throw new HTTPParseError(400, 'malformed request line');
  const uri = head.slice(sp1 + 1, sp2);
  checkChars(uri);
  let minor: number;
  if (eol - sp2 === 9 && isHTTP1(head, sp2 + 1)) minor = head.charCodeAt(eol - 1) - 0x30;
  else if (VERSION.test(head.slice(sp2 + 1, eol))) throw new HTTPParseError(505, 'unsupported HTTP version');
  else throw new HTTPParseError(400, 'malformed request line');

  const headers: string[] = [];
  let start = eol + 2;
  while (start < head.length) {
    let end = head.indexOf('\r\n', start);
    if (end === -1) end = head.length;
    if (headers.length >= maxHeaders * 2) throw new HTTPParseError(431, 'too many header fields');
    const first = head.charCodeAt(start);
    if (first === 0x20 || first === 0x09) throw new HTTPParseError(400, 'obsolete line folding');
    const colon = head.indexOf(':', start);
    if (colon === -1 || colon >= end || colon === start) throw new HTTPParseError(400, 'malformed header field');
    const name = headerName(head.slice(start, colon));
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (head.charCodeAt(vs) === 0x20 || head.charCodeAt(vs) === 0x09)) vs++;
    while (ve > vs && (head.charCodeAt(ve - 1) === 0x20 || head.charCodeAt(ve - 1) === 0x09)) ve--;
    const value = head.slice(vs, ve);
    checkChars(value);
    headers.push(name, value);
    start = end + 2;
  }
  return { method, uri, minor, headers };
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
