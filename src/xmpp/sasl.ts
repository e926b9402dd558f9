/**
 * SASL client mechanisms, sans-I/O: `SCRAM-SHA-256` and `SCRAM-SHA-1` (RFC 5802, RFC 7677, without channel
 * binding) and `PLAIN` (RFC 4616). Each turns server challenges into responses and, for SCRAM, checks the
 * server's signature so that a server that does not know the password cannot pass for the real one.
 * @module
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { saslPrep } from '../cred/scram.js';
import { XMPPAuthError } from './errors.js';
import { XMPP_LIMITS } from './limits.js';

/** A client-side SASL mechanism. */
export interface SASLMechanism {
  /** The IANA name (`SCRAM-SHA-256`). */
  readonly name: string;
  /** The initial response sent with `<auth/>`. */
  initialResponse(): Uint8Array;
  /** The response to a server challenge. */
  challenge(data: Uint8Array): Uint8Array;
  /** Checks the additional data sent with `<success/>`; throws {@link XMPPAuthError} when it does not verify. */
  success(data: Uint8Array): void;
}

/** The mechanisms in order of preference. */
export const SASL_PREFERENCE = ['SCRAM-SHA-256', 'SCRAM-SHA-1', 'PLAIN'] as const;

const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** `PLAIN`: the authzid (empty), the username and the password in one message. Only over TLS. */
export class PlainMechanism implements SASLMechanism {
  readonly name = 'PLAIN';
  constructor(private readonly username: string, private readonly password: string) {}
  initialResponse(): Uint8Array {
    return utf8(`\0${saslPrep(this.username)}\0${saslPrep(this.password)}`);
  }
  challenge(): Uint8Array {
    throw new XMPPAuthError('the server sent a challenge to PLAIN');
  }
  success(): void {}
}

/** `SCRAM-SHA-1` or `SCRAM-SHA-256` with no channel binding (`n,,`). */
export class ScramMechanism implements SASLMechanism {
  readonly name: string;
  readonly #hash: 'sha1' | 'sha256';
  readonly #nonce: string;
  readonly #firstBare: string;
  #serverSignature: Buffer | undefined;

  constructor(
    hash: 'sha1' | 'sha256',
    username: string,
    private readonly password: string,
    options: { nonce?: string; maxIterations?: number } = {},
  ) {
    this.#hash = hash;
    this.name = hash === 'sha1' ? 'SCRAM-SHA-1' : 'SCRAM-SHA-256';
    this.#nonce = options.nonce ?? randomBytes(18).toString('base64');
    this.maxIterations = options.maxIterations ?? XMPP_LIMITS.maxScramIterations;
    const user = saslPrep(username).replace(/=/g, '=3D').replace(/,/g, '=2C');
    this.#firstBare = `n=${user},r=${this.#nonce}`;
  }

  /** The most iterations accepted from the server. */
  readonly maxIterations: number;

  initialResponse(): Uint8Array {
    return utf8(`n,,${this.#firstBare}`);
  }

  challenge(data: Uint8Array): Uint8Array {
    if (this.#serverSignature) throw new XMPPAuthError('the server sent a second SCRAM challenge');
    const serverFirst = Buffer.from(data).toString('utf8');
    const fields = parseFields(serverFirst);
    const nonce = fields.get('r');
    const salt = fields.get('s');
    const iterations = Number(fields.get('i'));
    if (!nonce?.startsWith(this.#nonce) || nonce.length === this.#nonce.length) throw new XMPPAuthError('the server nonce does not extend the client nonce');
    if (salt === undefined || salt === '') throw new XMPPAuthError('the server sent no salt');
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > this.maxIterations) throw new XMPPAuthError(`the server asked for ${fields.get('i')} SCRAM iterations (at most ${this.maxIterations} accepted)`);
    const size = this.#hash === 'sha1' ? 20 : 32;
    const salted = pbkdf2Sync(utf8(saslPrep(this.password)), Buffer.from(salt, 'base64'), iterations, size, this.#hash);
    const clientKey = this.#hmac(salted, 'Client Key');
    const storedKey = createHash(this.#hash).update(clientKey).digest();
    const finalBare = `c=biws,r=${nonce}`;
    const authMessage = `${this.#firstBare},${serverFirst},${finalBare}`;
    const signature = this.#hmac(storedKey, authMessage);
    const proof = Buffer.alloc(size);
    for (let i = 0; i < size; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.#serverSignature = this.#hmac(this.#hmac(salted, 'Server Key'), authMessage);
    return utf8(`${finalBare},p=${proof.toString('base64')}`);
  }

  success(data: Uint8Array): void {
    const fields = parseFields(Buffer.from(data).toString('utf8'));
    if (fields.has('e')) throw new XMPPAuthError(`SCRAM error from the server: ${fields.get('e')}`);
    const v = Buffer.from(fields.get('v') ?? '', 'base64');
    if (!this.#serverSignature || v.length !== this.#serverSignature.length || !timingSafeEqual(v, this.#serverSignature)) {
      throw new XMPPAuthError('the server signature does not verify: the server does not know the password');
    }
  }

  #hmac(key: Buffer, text: string): Buffer {
    return createHmac(this.#hash, key).update(text).digest();
  }
}

function parseFields(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq === 1) out.set(part[0]!, part.slice(2));
  }
  return out;
}

/**
 * The best mechanism both sides have, by {@link SASL_PREFERENCE}; `PLAIN` only when `secure` (TLS) or
 * `allowPlainInClear`. Undefined when none fits.
 */
export function chooseMechanism(offered: readonly string[], credentials: { username: string; password: string }, secure: boolean, allowPlainInClear = false, maxIterations?: number): SASLMechanism | undefined {
  for (const name of SASL_PREFERENCE) {
    if (!offered.includes(name)) continue;
    if (name === 'SCRAM-SHA-256') return new ScramMechanism('sha256', credentials.username, credentials.password, { maxIterations });
    if (name === 'SCRAM-SHA-1') return new ScramMechanism('sha1', credentials.username, credentials.password, { maxIterations });
    if (secure || allowPlainInClear) return new PlainMechanism(credentials.username, credentials.password);
  }
  return undefined;
}
