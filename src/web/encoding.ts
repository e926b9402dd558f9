/**
 * Response compression (Twisted's `EncodingResourceWrapper` and `GzipEncoderFactory`). Small bodies are
 * compressed in one go so they keep a Content-Length; bodies past a threshold are streamed through zlib.
 * @module
 */
import { createGzip, gzipSync, type Gzip } from 'node:zlib';
import type { Body, IResource, IResponseEncoder, RenderResult } from './interfaces.js';
import type { Request } from './request.js';
import { isThenable } from '../defer/thenable.js';

/**
 * The entity tag of the `coding`-encoded representation of the resource whose identity representation has
 * `etag`: RFC 9110 §8.8.3 wants a different strong validator for each representation, so the gzip and plain
 * versions of a file never share one (a cache would otherwise answer a plain client with gzip bytes).
 *
 * @example
 * codedETag('"b-18cc"', 'gzip'); // '"b-18cc-gzip"'
 */
export function codedETag(etag: string, coding: string): string {
  const weak = etag.startsWith('W/');
  const tag = weak ? etag.slice(2) : etag;
  if (tag.length < 2 || !tag.startsWith('"') || !tag.endsWith('"')) return etag;
  return `${weak ? 'W/' : ''}${tag.slice(0, -1)}-${coding}"`;
}

/** Chooses an encoder for a request, or null when it does not apply. */
export interface IEncoderFactory {
  /** A gzip encoder when the request accepts gzip, else null. */
  encoderForRequest(request: Request): ((out: (data: Uint8Array) => void) => IResponseEncoder) | null;
}

/** True when `header` (Accept-Encoding) accepts `coding` with a non-zero quality. */
export function acceptsEncoding(header: string | null, coding: string): boolean {
  if (header === null) return false;
  let star = false;
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const ok = q === undefined || Number(q.slice(2)) > 0;
    if (name.trim() === coding) return ok;
    if (name.trim() === '*') star = ok;
  }
  return star;
}

const STREAM_THRESHOLD = 64 * 1024;

class GzipEncoder implements IResponseEncoder {
  readonly coding = 'gzip';
  #parts: Buffer[] = [];
  #size = 0;
  #gzip: Gzip | null = null;
  #active: boolean | undefined;

  constructor(readonly request: Request, readonly out: (data: Uint8Array) => void, readonly level: number) {}

  /** Decided at the first byte: responses that are already encoded, partial or bodiless pass through. */
  #decide(): boolean {
    if (this.#active !== undefined) return this.#active;
    const r = this.request;
    this.#active = !(r.code === 204 || r.code === 304 || r.code === 206 || r.method === 'HEAD' || r.getResponseHeader('content-encoding') !== null || r.getResponseHeader('content-range') !== null);
    if (this.#active) {
      r.removeHeader('Content-Length');
      r.setHeader('Content-Encoding', 'gzip');
      const etag = r.getResponseHeader('etag');
      if (etag !== null) r.setHeader('ETag', codedETag(etag, this.coding));
    }
    return this.#active;
  }

  write(data: Body): void {
    if (!this.#decide()) {
      this.out(typeof data === 'string' ? Buffer.from(data) : data);
      return;
    }
    const buf = typeof data === 'string' ? Buffer.from(data) : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    if (this.#gzip !== null) {
      this.#gzip.write(buf);
      return;
    }
    this.#parts.push(buf);
    this.#size += buf.length;
    if (this.#size > STREAM_THRESHOLD) {
      const gz = (this.#gzip = createGzip({ level: this.level }));
      gz.on('data', (chunk: Buffer) => this.out(chunk));
      for (const p of this.#parts) gz.write(p);
      this.#parts = [];
    }
  }

  end(done: () => void): void {
    if (this.#active === undefined && !this.#decide()) {
      done();
      return;
    }
    if (!this.#active) {
      done();
      return;
    }
    const gz = this.#gzip;
    if (gz === null) {
      this.out(gzipSync(Buffer.concat(this.#parts), { level: this.level }));
      this.#parts = [];
      done();
      return;
    }
    gz.once('end', done);
    gz.end();
  }
}

/**
 * Gzips responses for clients that send `Accept-Encoding: gzip`.
 */
export class GzipEncoderFactory implements IEncoderFactory {
  constructor(readonly compressLevel = 6) {}

  encoderForRequest(request: Request): ((out: (data: Uint8Array) => void) => IResponseEncoder) | null {
    if (!acceptsEncoding(request.getHeader('accept-encoding'), 'gzip')) return null;
    return (out) => new GzipEncoder(request, out, this.compressLevel);
  }
}

/**
 * Wraps a resource (and every child found under it) so its responses are encoded when the client accepts it.
 *
 * @example
 * const site = new Site(new EncodingResourceWrapper(new File('./public'), [new GzipEncoderFactory()]));
 */
export class EncodingResourceWrapper implements IResource {
  constructor(readonly wrapped: IResource, readonly encoders: IEncoderFactory[]) {}

  /** The wrapped resource's `isLeaf`. */
  get isLeaf(): boolean {
    return this.wrapped.isLeaf;
  }

  /** The wrapped resource's `streamBody`. */
  get streamBody(): boolean | undefined {
    return this.wrapped.streamBody;
  }

  /** The wrapped resource's `ignoresBody`. */
  get ignoresBody(): boolean | undefined {
    return this.wrapped.ignoresBody;
  }

  /** The wrapped resource's `maxBodySize`. */
  get maxBodySize(): number | undefined {
    return this.wrapped.maxBodySize;
  }

  /** Adds the child to the wrapped resource. */
  putChild(segment: string, child: IResource): void {
    this.wrapped.putChild(segment, child);
  }

  /** The wrapped resource's child, wrapped in turn so the whole subtree is encoded. */
  getChildWithDefault(segment: string, request: Request): IResource | PromiseLike<IResource> {
    const child = this.wrapped.getChildWithDefault(segment, request);
    if (isThenable(child)) return child.then((c) => (c === this.wrapped ? this : new EncodingResourceWrapper(c, this.encoders)));
    return child === this.wrapped ? this : new EncodingResourceWrapper(child, this.encoders);
  }

  /**
   * Installs the first applicable encoder, then renders the wrapped resource. Every response says
   * `Vary: Accept-Encoding`, the plain ones too: a cache must not hand a plain answer to a client that asked
   * for gzip, nor the reverse.
   */
  render(request: Request): RenderResult {
    const vary = request.getResponseHeader('vary');
    if (vary === null) request.setHeader('Vary', 'Accept-Encoding');
    else if (!/\baccept-encoding\b/i.test(vary)) request.setHeader('Vary', `${vary}, Accept-Encoding`);
    for (const factory of this.encoders) {
      const build = factory.encoderForRequest(request);
      if (build !== null) {
        request.setEncoder(build);
        break;
      }
    }
    return this.wrapped.render(request);
  }
}
