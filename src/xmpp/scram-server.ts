/**
 * The server side of SCRAM (RFC 5802), from stored credentials: the salt, the iteration count, `StoredKey`
 * and `ServerKey`, made once when a password is set, so that no plaintext password is kept. Used by servers
 * and by tests that play a server.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { checkScramProof, decoyScramCredentials, deriveScramCredentialsSync, type ScramCredentials, type ScramHash } from '../cred/scram.js';
import { XMPPAuthError } from './errors.js';

export type { ScramCredentials } from '../cred/scram.js';

/** Derives SCRAM credentials from a password (when it is set). */
export function scramCredentials(hash: ScramHash, password: string, options: { salt?: Uint8Array; iterations?: number } = {}): ScramCredentials {
  return deriveScramCredentialsSync(hash, password, options);
}

/** Unknown names' salts are derived from this, so one name gets one salt for the life of the process. */
const DECOY_SECRET = randomBytes(32);

/** The client's proof, and the `AuthMessage` it covers, from a client-final message. */
export interface ScramClientProof {
  authMessage: string;
  proof: Uint8Array;
}

/**
 * One SCRAM exchange as the server sees it. {@link start} and {@link finish} check against keys found at
 * once; a server whose keys are found later (a database) uses the steps: {@link parseClientFirst}, then
 * {@link serverFirst} with the account's salt, then {@link parseClientFinal} and its own check of the proof.
 */
export class ScramServerExchange {
  #clientFirstBare = '';
  #serverFirst = '';
  #nonce = '';
  #gs2Header = 'n,,';
  #creds: ScramCredentials | undefined;
  #known = false;
  /** The username the client gave (unescaped), once the client-first message is parsed. */
  username = '';

  constructor(
    private readonly lookup: (username: string) => ScramCredentials | undefined = () => undefined,
    private readonly serverNonce = randomBytes(18).toString('base64'),
  ) {}

  /** Parses the client-first message; returns the username. */
  parseClientFirst(clientFirst: string): string {
    // "y" is a client able to bind channels that thinks we cannot (we cannot): accepted; "p=" (binding asked for) is not.
    const m = /^([ny],(?:a=[^,]*)?,)(n=([^,]*),r=([^,]+))$/.exec(clientFirst);
    if (!m) throw new XMPPAuthError('malformed SCRAM client-first message (or channel binding asked for)', 'malformed-request');
    this.#gs2Header = m[1]!;
    this.#clientFirstBare = m[2]!;
    this.username = m[3]!.replace(/=2C/g, ',').replace(/=3D/g, '=');
    this.#nonce = m[4]! + this.serverNonce;
    return this.username;
  }

  /** The server-first message (the challenge) with the account's salt (base64) and iteration count. */
  serverFirst(salt: string, iterations: number): string {
    this.#serverFirst = `r=${this.#nonce},s=${salt},i=${iterations}`;
    return this.#serverFirst;
  }

  /** Parses the client-final message: the proof and what it covers; throws on a nonce or binding that does not match. */
  parseClientFinal(clientFinal: string): ScramClientProof {
    const m = /^(c=([^,]*),r=([^,]+)),p=([^,]+)$/.exec(clientFinal);
    if (!this.#serverFirst || !m || m[3] !== this.#nonce || m[2] !== Buffer.from(this.#gs2Header).toString('base64')) throw new XMPPAuthError('malformed SCRAM client-final message', 'malformed-request');
    return { authMessage: `${this.#clientFirstBare},${this.#serverFirst},${m[1]}`, proof: Buffer.from(m[4]!, 'base64') };
  }

  /** Takes the client-first message; returns the server-first message. */
  start(clientFirst: string): { username: string; challenge: string } {
    this.parseClientFirst(clientFirst);
    const creds = this.lookup(this.username);
    // An unknown user gets a challenge too, with a salt that stays the same, so logins do not reveal who exists.
    this.#creds = creds ?? decoyScramCredentials('sha256', this.username, DECOY_SECRET);
    this.#known = creds !== undefined;
    return { username: this.username, challenge: this.serverFirst(this.#creds.salt, this.#creds.iterations) };
  }

  /** Takes the client-final message; returns the server-final (`v=...`) or throws {@link XMPPAuthError}. */
  finish(clientFinal: string): string {
    const { authMessage, proof } = this.parseClientFinal(clientFinal);
    const signature = this.#creds && checkScramProof(this.#creds, authMessage, proof);
    if (!signature || !this.#known) throw new XMPPAuthError('wrong password', 'not-authorized');
    return `v=${signature.toString('base64')}`;
  }
}

/** The decoy keys an unknown name of `hash` is challenged with (see {@link ScramServerExchange.start}). */
export function unknownUserScramCredentials(hash: ScramHash, username: string): ScramCredentials {
  return decoyScramCredentials(hash, username, DECOY_SECRET);
}
