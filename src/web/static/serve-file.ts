/**
 * Serving one regular file for `File`: validators (one entity tag per representation), conditional
 * requests, ranges, then the bytes, streamed by a `FileSender`.
 * @module
 */
import type { Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { codedETag } from '../encoding.js';
import type { Request } from '../request.js';
import { errorHTML } from '../resource.js';
import { FileSender, type Part } from './file-sender.js';
import type { FileOptions } from './file.js';
import { fileError, type StaticFileSystem } from './fs.js';
import { contentTypeFor } from './mime.js';
import { parseRange } from './range.js';

/** The strong validator of a file's identity representation: size and modification time. */
export function etagFor(st: Stats): string {
  return `"${st.size.toString(16)}-${Math.floor(st.mtimeMs).toString(16)}"`;
}

/** If-None-Match's weak comparison (RFC 9110 §13.1.2): `W/` prefixes do not count. */
function etagMatches(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  const bare = etag.startsWith('W/') ? etag.slice(2) : etag;
  return header.split(',').some((t) => {
    const v = t.trim();
    return v === bare || v === `W/${bare}`;
  });
}

/**
 * Serves the regular file at `path` (`st` its stat). The file is opened before any header is set, so an
 * open that fails (no descriptors left, access refused) answers a clean error page.
 */
export async function serveFile(request: Request, path: string, st: Stats, options: FileOptions, fs: StaticFileSystem): Promise<void> {
  const etag = etagFor(st);
  const mtime = Math.floor(st.mtimeMs / 1000);
  const lastModified = new Date(mtime * 1000).toUTCString();
  // A full GET leaves through the encoder (gzip) when one is installed: that representation has its own tag.
  const coding = request.method === 'GET' ? request.responseCoding : null;
  const selected = coding === null ? etag : codedETag(etag, coding);
  const inm = request.getHeader('if-none-match');
  const ims = request.getHeader('if-modified-since');
  if (inm !== null ? etagMatches(inm, selected) : ims !== null && Date.parse(ims) >= mtime * 1000) {
    request.setHeader('Last-Modified', lastModified);
    request.setHeader('ETag', selected);
    request.setResponseCode(304);
    request.finish();
    return;
  }
  const type = contentTypeFor(path, options.contentTypes, options.defaultType ?? 'application/octet-stream');
  const size = st.size;
  let ranges = null as ReturnType<typeof parseRange>;
  const rangeHeader = request.getHeader('range');
  if (rangeHeader !== null && request.method === 'GET') {
    // Ranges are of the identity representation, so If-Range is compared with its tag.
    const ifRange = request.getHeader('if-range');
    const honour = ifRange === null || (ifRange.startsWith('"') ? ifRange === etag : Date.parse(ifRange) === mtime * 1000);
    if (honour) ranges = parseRange(rangeHeader, size);
  }
  if (ranges === 'unsatisfiable') {
    request.setResponseCode(416);
    request.setHeader('Content-Range', `bytes */${size}`);
    request.setHeader('Content-Type', 'text/html; charset=utf-8');
    request.write(errorHTML(416, 'Range Not Satisfiable', 'None of the requested ranges is inside the file.'));
    request.finish();
    return;
  }
  let parts: Part[];
  let length: number;
  let contentType = type;
  if (ranges === null) {
    parts = size > 0 ? [{ start: 0, end: size - 1 }] : [];
    length = size;
  } else if (ranges.length === 1) {
    parts = [ranges[0]];
    length = ranges[0].end - ranges[0].start + 1;
  } else {
    const boundary = randomBytes(12).toString('hex');
    contentType = `multipart/byteranges; boundary=${boundary}`;
    parts = [];
    length = 0;
    for (const r of ranges) {
      const head = `\r\n--${boundary}\r\nContent-Type: ${type}\r\nContent-Range: bytes ${r.start}-${r.end}/${size}\r\n\r\n`;
      parts.push(head, r);
      length += Buffer.byteLength(head) + r.end - r.start + 1;
    }
    const tail = `\r\n--${boundary}--\r\n`;
    parts.push(tail);
    length += tail.length;
  }
  const sendBody = request.method !== 'HEAD' && length > 0;
  let fd = -1;
  if (sendBody) {
    try {
      fd = await fs.open(path);
    } catch (e) {
      return fileError(request, path, e);
    }
  }
  request.setHeader('Last-Modified', lastModified);
  request.setHeader('ETag', etag);
  request.setHeader('Accept-Ranges', 'bytes');
  request.setHeader('Content-Type', contentType);
  if (ranges !== null) {
    request.setResponseCode(206);
    if (ranges.length === 1) request.setHeader('Content-Range', `bytes ${ranges[0].start}-${ranges[0].end}/${size}`);
  }
  request.setHeader('Content-Length', length);
  if (!sendBody) {
    request.finish();
    return;
  }
  new FileSender(fd, parts, request).start();
}
