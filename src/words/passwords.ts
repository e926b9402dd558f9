/**
 * Password hashing with `crypto.scrypt` (off the main thread, in libuv's pool) and a constant-time compare.
 * Hashes are self-describing strings, `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised later
 * without breaking stored accounts.
 * @module
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { Deferred } from '../defer/index.js';

/** scrypt cost parameters. */
export interface ScryptParams {
  /** CPU/memory cost, a power of two (16384 by default: ~16 MiB, tens of milliseconds). */
  N: number;
  r: number;
  p: number;
}

/** The default cost: OWASP's minimum for scrypt. */
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };
const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams, length: number): Deferred<Buffer> {
  const d = new Deferred<Buffer>();
  const options: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 };
  scrypt(password.normalize('NFC'), salt, length, options, (err, key) => (err ? d.errback(err) : d.callback(key)));
  return d;
}

/**
 * Hashes `password` with a fresh random salt.
 *
 * @example
 * const stored = await hashPassword('hunter2');
 * await verifyPassword('hunter2', stored); // true
 */
export function hashPassword(password: string, params: ScryptParams = DEFAULT_SCRYPT): Deferred<string> {
  const salt = randomBytes(16);
  return derive(password, salt, params, KEY_LENGTH).addCallback(
    (key) => `scrypt$${params.N}$${params.r}$${params.p}$${salt.toString('base64')}$${key.toString('base64')}`,
  );
}

/** True if `password` matches `stored` (made by {@link hashPassword}); false for a malformed `stored`. */
export function verifyPassword(password: string, stored: string): Deferred<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return Deferred.succeed(false);
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > 1 << 20) return Deferred.succeed(false);
  const salt = Buffer.from(parts[4], 'base64');
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length === 0) return Deferred.succeed(false);
  return derive(password, salt, { N, r, p }, expected.length).addCallback((key) => timingSafeEqual(key, expected));
}
