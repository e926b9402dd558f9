/**
 * The server side of SCRAM (RFC 5802), from stored credentials: the salt, the iteration count, `StoredKey`
 * and `ServerKey`, made once when a password is set, so that no plaintext password is kept. Used by servers
 * and by tests that play a server.
 * @module
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { XMPPAuthError } from './errors.js';

/** What a server keeps per account and hash to check SCRAM logins. */
export interface ScramCredentials {
  hash: 'sha1' | 'sha256';
  /** Base64. */
  salt: string;
  iterations: number;
  /** Base64 `H(ClientKey)`. */
  storedKey: string;
  /** Base64 `HMAC(SaltedPassword, "Server Key")`. */
  serverKey: string;
}

/** Derives SCRAM credentials from a password (when it is set). */
export function scramCredentials(hash: 'sha1' | 'sha256', password: string, options: { salt?: Uint8Array; iterations?: number } = {}): ScramCredentials {
  const salt = Buffer.from(options.salt ?? randomBytes(16));
  const iterations = options.iterations ?? 4096;
  const salted = pbkdf2Sync(Buffer.from(password.normalize('NFKC'), 'utf8'), salt, iterations, hash === 'sha1' ? 20 : 32, hash);
  const clientKey = createHmac(hash, salted).update('Client Key').digest();
  return {
    hash,
    salt: salt.toString('base64'),
    iterations,
    storedKey: createHash(hash).update(clientKey).digest('base64'),
    serverKey: createHmac(hash, salted).update('Server Key').digest('base64'),
  };
}

/** One SCRAM exchange as the server sees it. */
export class ScramServerExchange {
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #gs2Header = 'n,,';
  #creds: ScramCredentials | undefined;
  #known = false;
  /** The username the client gave (unescaped), once `start` ran. */
  username = '';

  constructor(private readonly lookup: (username: string) => ScramCredentials | undefined, private readonly serverNonce = randomBytes(18).toString('base64')) {}

  /** Takes the client-first message; returns the server-first message. */
  start(clientFirst: string): { username: string; challenge: string } {
    // "y" is a client able to bind channels that thinks we cannot (we cannot): accepted; "p=" (binding asked for) is not.
    const m = /^([ny],(?:a=[^,]*)?,)(n=([^,]*),r=([^,]+))$/.exec(clientFirst);
    if (!m) throw new XMPPAuthError('malformed SCRAM client-first message (or channel binding asked for)', 'malformed-request');
    this.#gs2Header = m[1]!;
    this.#clientFirstBare = m[2]!;
    this.username = m[3]!.replace(/=2C/g, ',').replace(/=3D/g, '=');
    const creds = this.lookup(this.username);
    // An unknown user gets a challenge too (with a throwaway salt), so logins do not reveal who exists.
    this.#creds = creds ?? scramCredentials('sha256', randomBytes(8).toString('hex'), { iterations: 4096 });
    this.#known = creds !== undefined;
    this.#nonce = m[4]! + this.serverNonce;
    this.#serverFirst = `r=${this.#nonce},s=${this.#creds.salt},i=${this.#creds.iterations}`;
    return { username: this.username, challenge: this.#serverFirst };
  }

  /** Takes the client-final message; returns the server-final (`v=...`) or throws {@link XMPPAuthError}. */
  finish(clientFinal: string): string {
    const creds = this.#creds;
    const m = /^(c=([^,]*),r=([^,]+)),p=([^,]+)$/.exec(clientFinal);
    if (!creds || !m || m[3] !== this.#nonce || m[2] !== Buffer.from(this.#gs2Header).toString('base64')) throw new XMPPAuthError('malformed SCRAM client-final message', 'malformed-request');
    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${m[1]}`;
    const storedKey = Buffer.from(creds.storedKey, 'base64');
    const signature = createHmac(creds.hash, storedKey).update(authMessage).digest();
    const proof = Buffer.from(m[4]!, 'base64');
    if (proof.length !== signature.length) throw new XMPPAuthError('wrong password', 'not-authorized');
    const clientKey = Buffer.from(proof.map((b, i) => b ^ signature[i]!));
    const ok = timingSafeEqual(createHash(creds.hash).update(clientKey).digest(), storedKey);
    if (!ok || !this.#known) throw new XMPPAuthError('wrong password', 'not-authorized');
    return `v=${createHmac(creds.hash, Buffer.from(creds.serverKey, 'base64')).update(authMessage).digest('base64')}`;
  }
}
