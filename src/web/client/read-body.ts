/**
 * `readBody`: a response's whole body as bytes (Twisted's `readBody`), with an optional size limit.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import { BodyTooLarge, PartialDownloadError, PotentialDataLoss, ResponseDone } from './errors.js';
import type { BodyTransport } from './interfaces.js';
import type { Response } from './response.js';

/**
 * Collects the body. Fails with `PartialDownloadError` (holding what arrived) when the body was delimited
 * only by the end of the connection, with `BodyTooLarge` past `maxSize` bytes (the connection is dropped),
 * and with the `ResponseFailed` the body ended with otherwise. Cancelling drops the connection.
 *
 * @example
 * const text = Buffer.from(await readBody(response)).toString('utf8');
 */
export function readBody(response: Response, maxSize = Infinity): Deferred<Uint8Array> {
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
        d.errback(new BodyTooLarge(maxSize));
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
