/**
 * Checking a password against what a store holds: a scrypt hash, the password itself, or a store's own
 * form through a verifier the store is given.
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Deferrable } from '../defer/index.js';
import { decoyHash, verifyPassword } from './scrypt.js';

/**
 * Checks `password` against `stored`, what a password store holds for `username`. Called for unknown
 * users too (with a decoy `stored`), so a guess at an unknown name costs what a guess at a known one does.
 */
export type PasswordVerifier = (password: string, stored: string, username: string) => Deferrable<boolean>;

/**
 * Twisted's `hash` of `FilePasswordDB`: turns what was typed into what the file holds, which is then
 * compared with the stored value in constant time.
 */
export type PasswordHash = (username: string, password: string, stored: string) => string;

/** The marker of a stored scrypt hash. */
const SCRYPT_PREFIX = 'scrypt$';

/**
 * True if `a` and `b` are equal, in time that depends on neither (both are digested first, so their
 * lengths do not show either).
 */
export function constantTimeEqual(a: string | Uint8Array, b: string | Uint8Array): boolean {
  const da = createHash('sha256').update(a).digest();
  const db = createHash('sha256').update(b).digest();
  return timingSafeEqual(da, db);
}

/**
 * The default verifier: a `scrypt$...` value is a hash as `torsion/words` stores them, checked with scrypt;
 * anything else is the password itself, compared in constant time.
 */
export const defaultVerifier: PasswordVerifier = (password, stored) =>
  stored.startsWith(SCRYPT_PREFIX) ? verifyPassword(password, stored) : constantTimeEqual(password, stored);

/** A verifier that compares `hash(username, password, stored)` with `stored` in constant time. */
export function hashVerifier(hash: PasswordHash): PasswordVerifier {
  return (password, stored, username) => constantTimeEqual(hash(username, password, stored), stored);
}

/**
 * A stored value shaped like `like` (a store's entry) that no password matches: a scrypt hash of the same
 * cost, or a run of the same length, so checking it costs what checking `like` does.
 */
export function decoyFor(like: string | undefined): string {
  if (like?.startsWith(SCRYPT_PREFIX)) return decoyHash(like);
  return '\u0000'.repeat(like?.length ?? 16);
}
