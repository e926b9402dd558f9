/**
 * Password hashing with `crypto.scrypt` (off the main thread, in libuv's pool) and a constant-time compare.
 * Hashes are self-describing strings, `scrypt$N$r$p$salt$hash` (base64), so the cost can be raised later
 * without breaking stored accounts. `torsion/words` keeps its accounts in this form.
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
/** The largest N a stored hash may ask for (1 GiB of memory at r = 8 would be a denial of service). */
const MAX_N = 1 << 20;

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

/** The cost parameters and sizes of a stored hash, or undefined if it is not a well-formed scrypt hash. */
export function parseScryptHash(stored: string): { params: ScryptParams; salt: Buffer; hash: Buffer } | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (![N, r, p].every((n) => Number.isInteger(n) && n > 0) || N > MAX_N) return undefined;
  const hash = Buffer.from(parts[5], 'base64');
  if (hash.length === 0) return undefined;
  return { params: { N, r, p }, salt: Buffer.from(parts[4], 'base64'), hash };
}

/** True if `password` matches `stored` (made by {@link hashPassword}); false for a malformed `stored`. */
export function verifyPassword(password: string, stored: string): Deferred<boolean> {
  const parsed = parseScryptHash(stored);
  if (parsed === undefined) return Deferred.succeed(false);
  return derive(password, parsed.salt, parsed.params, parsed.hash.length).addCallback((key) => timingSafeEqual(key, parsed.hash));
}

/**
 * A well-formed hash with the cost and sizes of `like` (the default cost if `like` is not one) that no
 * password matches: checked for unknown users, so they cost what known ones do.
 */
export function decoyHash(like?: string): string {
  const parsed = like === undefined ? undefined : parseScryptHash(like);
  const { N, r, p } = parsed?.params ?? DEFAULT_SCRYPT;
  const salt = Buffer.alloc(parsed?.salt.length ?? 16);
  const hash = Buffer.alloc(parsed?.hash.length ?? KEY_LENGTH);
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}
