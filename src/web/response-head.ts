/**
 * The response head as one string (status and Date lines, the resource's headers, the framing and
 * Connection lines), and the whole response when the body is a short string. The last of each is kept and
 * handed out again while a response would be byte for byte the same: most responses of a site repeat the
 * head of the one before, and a repeated head costs a few comparisons instead of a string per line.
 * @module
 */
import type { Body } from './interfaces.js';
import { httpDate, statusAndDate, statusLine } from './status.js';

/** Strings up to this length are measured in JavaScript when ASCII (cheaper than a call into the runtime). */
const SHORT_STRING = 64;

/** Bodies up to this length are compared with the last one sent (a longer comparison costs what it saves). */
const SHORT_BODY = 1024;

/** The last short string measured, and its length in bytes. */
let lastMeasured = '';
let lastMeasuredLength = 0;

/** A body's length in bytes. */
export function byteLength(data: Body): number {
  if (typeof data !== 'string') return data.byteLength;
  if (data.length > SHORT_BODY) return Buffer.byteLength(data);
  // The body sent last is often sent again: comparing it costs less than measuring it.
  if (data === lastMeasured) return lastMeasuredLength;
  let length = -1;
  if (data.length <= SHORT_STRING) {
    let i = 0;
    while (i < data.length && data.charCodeAt(i) < 0x80) i++;
    if (i === data.length) length = i;
  }
  if (length === -1) length = Buffer.byteLength(data);
  lastMeasured = data;
  lastMeasuredLength = length;
  return length;
}

/** Which `Connection` line a head carries. */
export const enum ConnectionLine {
  NONE,
  CLOSE,
  KEEP_ALIVE,
}

/** The last head built and what it was built from. */
let lastStart = '';
let lastHeaders: readonly string[] = [];
let lastLength = -1;
let lastChunked = false;
let lastConnection = ConnectionLine.NONE;
let lastHead = '';

/** The last short string response built: its head, its body and the two together. */
let lastResponseHead = '';
let lastBody = '';
let lastResponse = '';

function sameHeaders(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The head of a response: `headers` flat `[name, value, ...]` as the resource set them (already checked),
 * `length` the Content-Length line's value or -1 for none, `chunked` for a `Transfer-Encoding: chunked` line.
 */
export function responseHead(code: number, message: string | undefined, headers: readonly string[], length: number, chunked: boolean, connection: ConnectionLine): string {
  if (message !== undefined) return formatHead(`${statusLine(code, message)}Date: ${httpDate()}\r\n`, headers, length, chunked, connection);
  // The status and Date lines come from a per-second cache: the same string object until the second ends.
  const start = statusAndDate(code);
  if (start === lastStart && length === lastLength && chunked === lastChunked && connection === lastConnection && sameHeaders(headers, lastHeaders)) return lastHead;
  const head = formatHead(start, headers, length, chunked, connection);
  lastStart = start;
  // A copy: the array is the request's own, and a later removeHeader on it must not change what the cache
  // compares against.
  lastHeaders = headers.slice();
  lastLength = length;
  lastChunked = chunked;
  lastConnection = connection;
  lastHead = head;
  return head;
}

function formatHead(start: string, headers: readonly string[], length: number, chunked: boolean, connection: ConnectionLine): string {
  let h = start;
  for (let i = 0; i < headers.length; i += 2) h += `${headers[i]}: ${headers[i + 1]}\r\n`;
  if (length >= 0) h += `Content-Length: ${length}\r\n`;
  else if (chunked) h += 'Transfer-Encoding: chunked\r\n';
  if (connection === ConnectionLine.CLOSE) h += 'Connection: close\r\n';
  else if (connection === ConnectionLine.KEEP_ALIVE) h += 'Connection: keep-alive\r\n';
  return `${h}\r\n`;
}

/** `head` and a string `body` as one string (the same string again when the last response was the same). */
export function withBody(head: string, body: string): string {
  if (body.length > SHORT_BODY) return head + body;
  if (head === lastResponseHead && body === lastBody) return lastResponse;
  const response = head + body;
  lastResponseHead = head;
  lastBody = body;
  lastResponse = response;
  return response;
}
