/**
 * HTTP status codes and reason phrases, and the status lines built from them once.
 * @module
 */

/** Reason phrases by status code (RFC 9110). */
export const RESPONSES: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  406: 'Not Acceptable', 408: 'Request Timeout', 409: 'Conflict', 410: 'Gone', 411: 'Length Required',
  412: 'Precondition Failed', 413: 'Content Too Large', 414: 'URI Too Long', 415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable', 417: 'Expectation Failed', 422: 'Unprocessable Content', 426: 'Upgrade Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported',
};

const statusLines = new Map<number, string>();

/** `"HTTP/1.1 200 OK\r\n"`, cached per code (the default reason phrase only). */
export function statusLine(code: number, message?: string): string {
  if (message !== undefined) return `HTTP/1.1 ${code} ${message}\r\n`;
  let line = statusLines.get(code);
  if (line === undefined) {
    line = `HTTP/1.1 ${code} ${RESPONSES[code] ?? 'Unknown'}\r\n`;
    statusLines.set(code, line);
  }
  return line;
}

/** True for responses that never carry a body (1xx, 204, 304). */
export function noBodyStatus(code: number): boolean {
  return code < 200 || code === 204 || code === 304;
}

let cachedDate = '';
/** Status line and Date line together per code, for the current second (one string per response head, not three). */
const headStarts = new Map<number, string>();

function forgetDate(): void {
  cachedDate = '';
  headStarts.clear();
}

/**
 * The current date as an HTTP date. It is computed once and kept until the next second starts (an unref'd
 * timer forgets it then, as node:http does): a clock read and a `Date` per response cost more than the
 * rest of a hello-world response's head.
 */
export function httpDate(): string {
  if (cachedDate === '') {
    const now = Date.now();
    cachedDate = new Date(now).toUTCString();
    setTimeout(forgetDate, 1000 - (now % 1000)).unref();
  }
  return cachedDate;
}

/** `"HTTP/1.1 200 OK\r\nDate: ...\r\n"`: the status line with the default reason phrase and the Date line. */
export function statusAndDate(code: number): string {
  let start = headStarts.get(code);
  if (start === undefined) {
    start = `${statusLine(code)}Date: ${httpDate()}\r\n`;
    // httpDate() above armed the timer that clears the map when the second ends; only known codes are kept.
    if (RESPONSES[code] !== undefined) headStarts.set(code, start);
  }
  return start;
}
