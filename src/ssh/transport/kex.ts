/**
 * Key exchange methods (RFC 8731 curve25519, RFC 5656 ECDH on the NIST curves, RFC 8268 Diffie-Hellman
 * groups 14 and 16), the exchange hash (RFC 4253 §8, RFC 5656 §4) and key derivation (RFC 4253 §7.2).
 * @module
 */
import { createECDH, createHash, createPublicKey, diffieHellman, generateKeyPairSync, getDiffieHellman } from 'node:crypto';
import { WireWriter } from '../../cred/ssh-wire.js';
import { SSHKexError } from '../errors.js';
import type { NegotiatedAlgorithms } from './algorithms.js';
import { cipherSpec, macSpec, type DirectionKeys } from './ciphers.js';

/** One side's half of a key exchange: its public value, and the shared secret from the peer's. */
export interface KexExchange {
  /** The public value as sent: the point bytes (ECDH, curve25519) or the magnitude of `e`/`f` (DH). */
  readonly publicValue: Uint8Array;
  /** The shared secret K as a big-endian magnitude; throws {@link SSHKexError} for a bad peer value. */
  computeSecret(peerValue: Uint8Array): Uint8Array;
}

/** A key exchange method. */
export interface KexMethod {
  /** The hash of the exchange hash and key derivation. */
  readonly hash: string;
  /** True when the public values are `mpint`s (Diffie-Hellman), false for `string`s (ECDH). */
  readonly mpint: boolean;
  /** A fresh key pair. */
  start(): KexExchange;
}

function curve25519(): KexExchange {
  const { publicKey, privateKey } = generateKeyPairSync('x25519');
  const jwk = publicKey.export({ format: 'jwk' });
  return {
    publicValue: Buffer.from(jwk.x ?? '', 'base64url'),
    computeSecret(peer) {
      if (peer.length !== 32) throw new SSHKexError(`a curve25519 public key of ${peer.length} bytes, not 32`);
      let secret: Buffer;
      try {
        const peerKey = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') }, format: 'jwk' });
        secret = diffieHellman({ privateKey, publicKey: peerKey });
      } catch (e) {
        throw new SSHKexError(`bad curve25519 public key: ${(e as Error).message}`);
      }
      // RFC 8731 §3: an all-zero secret means a low-order point; abort.
      if (secret.every((b) => b === 0)) throw new SSHKexError('curve25519 gave an all-zero shared secret');
      return secret;
    },
  };
}

function ecdh(curve: string, coordinate: number): () => KexExchange {
  return () => {
    const ecdhKey = createECDH(curve);
    const publicValue = ecdhKey.generateKeys();
    return {
      publicValue,
      computeSecret(peer) {
        if (peer.length !== 1 + 2 * coordinate || peer[0] !== 4) throw new SSHKexError(`an ECDH public key that is not an uncompressed ${curve} point`);
        try {
          return ecdhKey.computeSecret(peer);
        } catch (e) {
          throw new SSHKexError(`bad ECDH public key: ${(e as Error).message}`);
        }
      },
    };
  };
}

/** Compares big-endian magnitudes. */
function compare(a: Uint8Array, b: Uint8Array): number {
  const strip = (x: Uint8Array) => x.subarray(x.findIndex((v) => v !== 0) === -1 ? x.length : x.findIndex((v) => v !== 0));
  const [x, y] = [strip(a), strip(b)];
  if (x.length !== y.length) return x.length - y.length;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
}

function dh(group: 'modp14' | 'modp16'): () => KexExchange {
  return () => {
    const d = getDiffieHellman(group);
    const publicValue = d.generateKeys();
    const pMinus1 = Buffer.from(d.getPrime());
    pMinus1[pMinus1.length - 1]! -= 1;
    return {
      publicValue,
      computeSecret(peer) {
        // RFC 4253 §8: values outside [1, p-1] are refused (1 and p-1 make the secret guessable too).
        if (compare(peer, Uint8Array.of(1)) <= 0 || compare(peer, pMinus1) >= 0) throw new SSHKexError('a Diffie-Hellman public value outside 1 < f < p-1');
        return d.computeSecret(peer);
      },
    };
  };
}

const METHODS: Record<string, KexMethod> = {
  'curve25519-sha256': { hash: 'sha256', mpint: false, start: curve25519 },
  'curve25519-sha256@libssh.org': { hash: 'sha256', mpint: false, start: curve25519 },
  'ecdh-sha2-nistp256': { hash: 'sha256', mpint: false, start: ecdh('prime256v1', 32) },
  'ecdh-sha2-nistp384': { hash: 'sha384', mpint: false, start: ecdh('secp384r1', 48) },
  'ecdh-sha2-nistp521': { hash: 'sha512', mpint: false, start: ecdh('secp521r1', 66) },
  'diffie-hellman-group14-sha256': { hash: 'sha256', mpint: true, start: dh('modp14') },
  'diffie-hellman-group16-sha512': { hash: 'sha512', mpint: true, start: dh('modp16') },
  'diffie-hellman-group14-sha1': { hash: 'sha1', mpint: true, start: dh('modp14') },
};

/** The key exchange method called `name`. */
export function kexMethod(name: string): KexMethod {
  const method = METHODS[name];
  if (method === undefined) throw new SSHKexError(`unknown key exchange ${name}`);
  return method;
}

/** What the exchange hash covers. */
export interface ExchangeHashInput {
  readonly clientVersion: string;
  readonly serverVersion: string;
  readonly clientKexInit: Uint8Array;
  readonly serverKexInit: Uint8Array;
  readonly hostKey: Uint8Array;
  readonly clientValue: Uint8Array;
  readonly serverValue: Uint8Array;
  readonly secret: Uint8Array;
}

/** H, the exchange hash. */
export function exchangeHash(method: KexMethod, input: ExchangeHashInput): Uint8Array {
  const w = new WireWriter()
    .string(input.clientVersion)
    .string(input.serverVersion)
    .string(input.clientKexInit)
    .string(input.serverKexInit)
    .string(input.hostKey);
  if (method.mpint) w.mpint(input.clientValue).mpint(input.serverValue);
  else w.string(input.clientValue).string(input.serverValue);
  w.mpint(input.secret);
  return createHash(method.hash).update(w.bytes()).digest();
}

/**
 * Key material for `letter` ('A' to 'F'), `length` bytes: HASH(K || H || letter || session_id), extended
 * with HASH(K || H || K1 || ...) as long as needed (RFC 4253 §7.2).
 */
export function deriveKey(method: KexMethod, secret: Uint8Array, h: Uint8Array, sessionId: Uint8Array, letter: string, length: number): Uint8Array {
  if (length === 0) return new Uint8Array(0);
  const k = new WireWriter().mpint(secret).bytes();
  let out = createHash(method.hash).update(k).update(h).update(letter).update(sessionId).digest();
  while (out.length < length) {
    out = Buffer.concat([out, createHash(method.hash).update(k).update(h).update(out).digest()]);
  }
  return out.subarray(0, length);
}

/** Both directions' cipher, IV and MAC keys (RFC 4253 §7.2: letters A, C, E to the server; B, D, F to the client). */
export function deriveDirectionKeys(
  method: KexMethod,
  secret: Uint8Array,
  h: Uint8Array,
  sessionId: Uint8Array,
  algorithms: NegotiatedAlgorithms,
): { toServer: DirectionKeys; toClient: DirectionKeys } {
  const direction = (cipher: string, mac: string, [iv, key, integrity]: string): DirectionKeys => {
    const c = cipherSpec(cipher)!;
    const m = c.tagLength > 0 ? undefined : macSpec(mac);
    return {
      cipher,
      mac,
      iv: deriveKey(method, secret, h, sessionId, iv, c.ivLength),
      key: deriveKey(method, secret, h, sessionId, key, c.keyLength),
      macKey: deriveKey(method, secret, h, sessionId, integrity, m?.keyLength ?? 0),
    };
  };
  return {
    toServer: direction(algorithms.cipherClientToServer, algorithms.macClientToServer, 'ACE'),
    toClient: direction(algorithms.cipherServerToClient, algorithms.macServerToClient, 'BDF'),
  };
}
