/**
 * Stored SCRAM keys (RFC 5802, RFC 7677): what a server keeps instead of a password so that clients can log
 * in with `SCRAM-SHA-1` or `SCRAM-SHA-256`, and the server-side check of a client's proof. A scrypt hash
 * cannot serve SCRAM (the client derives its proof from the salted password with PBKDF2), so a store that
 * offers SCRAM keeps these beside its scrypt hash, made when the password is set.
 * @module
 */
import { createHash, createHmac, pbkdf2, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { Deferred } from '../defer/index.js';

/** The hash functions SCRAM is used with. */
export type ScramHash = 'sha1' | 'sha256';

/** What a server keeps per account and hash to check SCRAM logins. */
export interface ScramCredentials {
  hash: ScramHash;
  /** Base64. */
  salt: string;
  iterations: number;
  /** Base64 `H(ClientKey)`. */
  storedKey: string;
  /** Base64 `HMAC(SaltedPassword, "Server Key")`. */
  serverKey: string;
}

/** PBKDF2 iterations for new SCRAM keys: RFC 7677's minimum for SCRAM-SHA-256, and what most servers use. */
export const DEFAULT_SCRAM_ITERATIONS = 4096;

const SIZE: Record<ScramHash, number> = { sha1: 20, sha256: 32 };

/** SASLprep in outline (RFC 4013): non-ASCII spaces mapped to space, characters mapped to nothing dropped, NFKC. */
export function saslPrep(text: string): string {
  return text.replace(/[\u00a0\u1680\u2000-\u200b\u202f\u205f\u3000]/g, ' ').replace(/[\u00ad\u200b\u2060\ufeff]/g, '').normalize('NFKC');
}

function fromSalted(hash: ScramHash, salt: Buffer, iterations: number, salted: Buffer): ScramCredentials {
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  return {
    hash,
    salt: salt.toString('base64'),
    iterations,
    storedKey: createHash(hash).update(clientKey).digest('base64'),
    serverKey: createHmac(hash, salted).update('Server Key').digest('base64'),
  };
}

/** Options of {@link deriveScramCredentials}. */
export interface ScramDeriveOptions {
  /** The salt (16 random bytes by default). */
  salt?: Uint8Array;
  /** PBKDF2 iterations ({@link DEFAULT_SCRAM_ITERATIONS} by default). */
  iterations?: number;
}

/** Derives SCRAM keys from a password, in libuv's thread pool (for a password being set). */
export function deriveScramCredentials(hash: ScramHash, password: string, options: ScramDeriveOptions = {}): Deferred<ScramCredentials> {
  const salt = Buffer.from(options.salt ?? randomBytes(16));
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  const d = new Deferred<ScramCredentials>();
  pbkdf2(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, SIZE[hash], hash, (err, salted) => (err ? d.errback(err) : d.callback(fromSalted(hash, salt, iterations, salted))));
  return d;
}

/** {@link deriveScramCredentials}, on the calling thread. */
export function deriveScramCredentialsSync(hash: ScramHash, password: string, options: ScramDeriveOptions = {}): ScramCredentials {
  const salt = Buffer.from(options.salt ?? randomBytes(16));
  const iterations = options.iterations ?? DEFAULT_SCRAM_ITERATIONS;
  return fromSalted(hash, salt, iterations, pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, SIZE[hash], hash));
}

/**
 * Checks a client's proof (`p=` of the client-final message, decoded) over `authMessage` against stored
 * keys. Returns the server signature (`v=`, raw) when the proof holds, else undefined. Takes the same time
 * whether or not it holds.
 */
export function checkScramProof(credentials: ScramCredentials, authMessage: string, proof: Uint8Array): Buffer | undefined {
  const { hash } = credentials;
  const storedKey = Buffer.from(credentials.storedKey, 'base64');
  const signature = createHmac(hash, storedKey).update(authMessage).digest();
  const clientKey = Buffer.alloc(signature.length);
  for (let i = 0; i < signature.length; i++) clientKey[i] = (proof[i] ?? 0) ^ signature[i]!;
  const ok = timingSafeEqual(createHash(hash).update(clientKey).digest(), storedKey) && proof.length === signature.length;
  return ok ? createHmac(hash, Buffer.from(credentials.serverKey, 'base64')).update(authMessage).digest() : undefined;
}

/**
 * Keys no password matches, whose salt is the same on every call for one `name` and `secret`: what a server
 * challenges an unknown name with, so that neither the salt nor the timing tells which names exist.
 */
export function decoyScramCredentials(hash: ScramHash, name: string, secret: Uint8Array, iterations = DEFAULT_SCRAM_ITERATIONS): ScramCredentials {
  const salt = createHmac('sha256', secret).update(`scram-salt\0${hash}\0${name}`).digest().subarray(0, 16);
  const key = randomBytes(SIZE[hash]).toString('base64');
  return { hash, salt: salt.toString('base64'), iterations, storedKey: key, serverKey: key };
}
