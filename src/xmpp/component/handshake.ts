/**
 * The XEP-0114 handshake: the component proves it knows the shared secret with SHA-1(stream id + secret),
 * hex, lowercase.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** The handshake value for a stream id and secret. */
export function handshakeDigest(streamId: string, secret: string): string {
  return createHash('sha1').update(streamId + secret, 'utf8').digest('hex');
}

/** True when `digest` is the right handshake for the stream id and secret (compared in constant time). */
export function checkHandshake(digest: string, streamId: string, secret: string): boolean {
  const want = Buffer.from(handshakeDigest(streamId, secret));
  const got = Buffer.from(digest.trim().toLowerCase());
  return got.length === want.length && timingSafeEqual(got, want);
}
