/**
 * `readBody`: a response's whole body as bytes (Twisted's `readBody`), up to a maximum size.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { BodyTooLarge, PartialDownloadError, PotentialDataLoss, ResponseDone } from './errors.js';
import type { BodyTransport } from './interfaces.js';
import type { Response } from './response.js';
import { CLIENT_LIMITS } from './limits.js';

/**
 * Collects the body into memory, at most `maxSize` bytes (`CLIENT_LIMITS.maxBodySize`, 10 MiB, by default;
 * `Infinity` lifts the limit, for a server you trust). Fails with `PartialDownloadError` (holding what
 * arrived) when the body was delimited only by the end of the connection, with `BodyTooLarge` past
 * `maxSize` bytes (the connection is dropped, so the rest is never read), and with the `ResponseFailed` the
 * body ended with otherwise. Cancelling drops the connection. A body too big to hold is streamed with
 * `response.deliverBody` instead.
 *
 * @example
 * const text = Buffer.from(await readBody(response)).toString('utf8');
 * const image = await readBody(response, 100 * 1024 * 1024); // up to 100 MiB
 */
export function readBody(response: Response, maxSize: number = CLIENT_LIMITS.maxBodySize): Deferred<Uint8Array> {
  if (!(maxSize >= 0)) throw new RangeError(`readBody's maxSize must be a non-negative number of bytes, got ${maxSize}`);
  let transport: BodyTransport | null = null;
  const d = new Deferred<Uint8Array>(() => transport?.stopProducing());
  const chunks: Uint8Array[] = [];
  let size = 0;
  response.deliverBody({
    makeConnection: (t) => {
      transport = t;
    },
    dataReceived: (data) => {
      if (d.called) return;
      size += data.byteLength;
      if (size > maxSize) {
        d.errback(new BodyTooLarge(maxSize, "raise readBody's maxSize, or stream the body with deliverBody"));
        transport?.stopProducing();
        return;
      }
      chunks.push(data);
    },
    connectionLost: (reason: Failure) => {
      if (d.called) return;
      const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
      if (reason.check(ResponseDone)) d.callback(body);
      else if (reason.check(PotentialDataLoss)) d.errback(new PartialDownloadError(body));
      else d.errback(reason);
    },
  });
  return d;
}
