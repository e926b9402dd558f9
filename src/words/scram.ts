/**
 * SCRAM keys of words accounts: made beside the scrypt hash when a password is set (and at the first
 * password login of an account made before them), so XMPP clients can log in with `SCRAM-SHA-1` and
 * `SCRAM-SHA-256` while no plaintext password is ever stored.
 * @module
 */
import { deriveScramCredentials, type ScramCredentials, type ScramHash } from '../cred/scram.js';
import { gatherResults, type Deferred } from '../defer/index.js';
import type { VerifiedAccount } from './service.js';

/** The hashes each account gets keys for. */
export const SCRAM_HASHES: readonly ScramHash[] = ['sha1', 'sha256'];

/** The SCRAM keys of `password`, one per hash of {@link SCRAM_HASHES}, each with its own salt. */
export function makeScramKeys(password: string, iterations: number): Deferred<ScramCredentials[]> {
  return gatherResults(SCRAM_HASHES.map((hash) => deriveScramCredentials(hash, password, { iterations })), { consumeErrors: true });
}

/** What a SCRAM login's check gives back when the proof holds. */
export interface ScramLoginSuccess {
  account: VerifiedAccount;
  /** The server signature (`v=`) that proves to the client that the server knows its keys. */
  serverSignature: Uint8Array;
}

/** A SCRAM login under way (`WordsService.scramLogin`): what to challenge with, then the check of the proof. */
export interface WordsScramLogin {
  /** Base64, for the server-first message. */
  readonly salt: string;
  readonly iterations: number;
  /**
   * Checks the client's proof (`p=`, decoded) over the exchange's `AuthMessage`, under the login throttle.
   * Throws `AuthenticationError` (wrong password, unknown name, no SCRAM keys) or `TooManyAttemptsError`.
   */
  check(authMessage: string, proof: Uint8Array): ScramLoginSuccess;
}
