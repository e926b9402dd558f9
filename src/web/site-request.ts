/**
 * `Site.request`: one request through a real `HTTPChannel` over an in-memory transport, no socket.
 * @module
 */
import type { Failure } from '../defer/index.js';
import { Protocol } from '../internet/protocol.js';
import { MemoryTransport } from './memory-transport.js';
import { ResponseParser } from './response-parser.js';
import type { Site } from './site.js';
import { checkHeader } from './headers.js';

/** Options of `Site.request`. */
export interface SiteRequestOptions {
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Send the body with chunked coding instead of a Content-Length. */
  chunked?: boolean;
}

/** A response as `Site.request` returns it. */
export interface SiteResponse {
  code: number;
  /** Header names lower-cased; repeated fields joined with `, ` (`set-cookie` with `\n`). */
  headers: Record<string, string>;
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
}

/** Runs one request against `site` in memory. */
export function siteRequest(site: Site, method: string, path: string, options: SiteRequestOptions): Promise<SiteResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: 'localhost', connection: 'close', ...options.headers };
    const body = options.body === undefined ? undefined : typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
    let head = `${method} ${path} HTTP/1.1\r\n`;
    for (const [k, v] of Object.entries(headers)) {
      checkHeader(k, v);
      head += `${k}: ${v}\r\n`;
    }
    if (body !== undefined) head += options.chunked ? 'transfer-encoding: chunked\r\n' : `content-length: ${body.byteLength}\r\n`;
    const chunks: Buffer[] = [];
    let code = 0;
    const out: Record<string, string> = {};
    let settled = false;
    const parser = new ResponseParser(
      {
        head(c, _m, h) {
          code = c;
          for (let i = 0; i < h.length; i += 2) out[h[i]] = h[i] in out ? `${out[h[i]]}${h[i] === 'set-cookie' ? '\n' : ', '}${h[i + 1]}` : h[i + 1];
        },
        data(chunk) {
          chunks.push(Buffer.from(chunk));
        },
        done() {
          settled = true;
          const b = Buffer.concat(chunks);
          resolve({ code, headers: out, body: b, text: b.toString('utf8') });
        },
      },
      method === 'HEAD',
    );
    const channel = site.buildProtocol(new (class { readonly type = 'PIPE' as const })());
    const client = new ResponseReader(
      (data) => {
        if (settled) return;
        try {
          parser.feed(data);
        } catch (e) {
          settled = true;
          reject(e);
        }
      },
      () => {
        if (settled) return;
        try {
          parser.end();
        } catch (e) {
          settled = true;
          reject(e);
        }
      },
    );
    MemoryTransport.pair(channel, client);
    const t = client.transport;
    t.cork();
    t.write(Buffer.from(`${head}\r\n`, 'latin1'));
    if (body !== undefined) {
      if (options.chunked) t.writeSequence([`${body.byteLength.toString(16)}\r\n`, body, '\r\n0\r\n\r\n']);
      else t.write(body);
    }
    t.uncork();
  });
}

/** The client end of `Site.request`: hands the response bytes to the parser, and the end of the connection. */
class ResponseReader extends Protocol<MemoryTransport> {
  constructor(
    readonly received: (data: Uint8Array) => void,
    readonly ended: () => void,
  ) {
    super();
  }

  override dataReceived(data: Uint8Array): void {
    this.received(data);
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.ended();
  }
}
