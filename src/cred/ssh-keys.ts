/**
 * SSH public keys and signatures for user authentication: `ssh-ed25519` (RFC 8709), `ecdsa-sha2-nistp256`,
 * `-nistp384`, `-nistp521` (RFC 5656) and RSA keys with `rsa-sha2-256`/`rsa-sha2-512` signatures
 * (RFC 8332). SHA-1 `ssh-rsa` signatures are refused unless asked for. Keys are read from and written to
 * the SSH wire format; the cryptography is node:crypto's.
 * @module
 */
import { createHash, createPublicKey, sign, verify, type KeyObject, type JsonWebKey } from 'node:crypto';
import { BadKeyError } from './errors.js';
import { DEFAULT_CRED_LIMITS, type CredLimits } from './limits.js';
import { WireReader, WireWriter, concatBytes } from './ssh-wire.js';

/** The public key types understood here, as SSH names them. */
export type SSHKeyType = 'ssh-ed25519' | 'ecdsa-sha2-nistp256' | 'ecdsa-sha2-nistp384' | 'ecdsa-sha2-nistp521' | 'ssh-rsa';

interface Curve {
  sshName: string;
  jwk: string;
  nodeName: string;
  hash: string;
  /** Bytes of one coordinate. */
  size: number;
  bits: number;
}

const CURVES: Record<string, Curve> = {
  'ecdsa-sha2-nistp256': { sshName: 'nistp256', jwk: 'P-256', nodeName: 'prime256v1', hash: 'sha256', size: 32, bits: 256 },
  'ecdsa-sha2-nistp384': { sshName: 'nistp384', jwk: 'P-384', nodeName: 'secp384r1', hash: 'sha384', size: 48, bits: 384 },
  'ecdsa-sha2-nistp521': { sshName: 'nistp521', jwk: 'P-521', nodeName: 'secp521r1', hash: 'sha512', size: 66, bits: 521 },
};

/** The hash of each RSA signature algorithm. */
const RSA_HASHES: Record<string, string> = { 'rsa-sha2-256': 'sha256', 'rsa-sha2-512': 'sha512', 'ssh-rsa': 'sha1' };

/** Options of signature checks. */
export interface SignatureOptions {
  /** Accept `ssh-rsa` (RSA with SHA-1) signatures: off by default, as in OpenSSH since 8.8. */
  allowSHA1?: boolean;
}

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const fromB64url = (s: string | undefined): Uint8Array => Buffer.from(s ?? '', 'base64url');

function leftPad(bytes: Uint8Array, size: number): Uint8Array {
  if (bytes.length >= size) return bytes;
  return concatBytes(new Uint8Array(size - bytes.length), bytes);
}

function bitLength(magnitude: Uint8Array): number {
  return magnitude.length === 0 ? 0 : (magnitude.length - 1) * 8 + (32 - Math.clz32(magnitude[0]));
}

function importJwk(jwk: JsonWebKey): KeyObject {
  try {
    return createPublicKey({ key: jwk, format: 'jwk' });
  } catch (e) {
    throw new BadKeyError(`not a valid public key: ${(e as Error).message}`);
  }
}

/**
 * An SSH public key: its type, its wire-format blob, and the node:crypto key to check signatures with.
 *
 * @example
 * const key = SSHPublicKey.fromBlob(blob);
 * key.fingerprint(); // 'SHA256:...'
 * key.verify('ssh-ed25519', signature, data);
 */
export class SSHPublicKey {
  private constructor(
    readonly type: SSHKeyType,
    readonly blob: Uint8Array,
    readonly keyObject: KeyObject,
    /** The key's size: the RSA modulus or the curve, in bits. */
    readonly bits: number,
  ) {}

  /** Reads a public key blob (RFC 4253 §6.6); throws `BadKeyError` for anything malformed or refused. */
  static fromBlob(blob: Uint8Array, limits: Pick<CredLimits, 'maxPublicKeyBytes' | 'minRSABits' | 'maxRSABits'> = DEFAULT_CRED_LIMITS): SSHPublicKey {
    if (blob.length > limits.maxPublicKeyBytes) throw new BadKeyError(`a public key of ${blob.length} bytes, over ${limits.maxPublicKeyBytes}`);
    const r = new WireReader(blob);
    const type = r.text();
    const copy = Uint8Array.from(blob);
    if (type === 'ssh-ed25519') {
      const x = r.string();
      r.end();
      if (x.length !== 32) throw new BadKeyError(`an Ed25519 key of ${x.length} bytes, not 32`);
      return new SSHPublicKey(type, copy, importJwk({ kty: 'OKP', crv: 'Ed25519', x: b64url(x) }), 256);
    }
    const curve = CURVES[type];
    if (curve !== undefined) {
      const name = r.text();
      const q = r.string();
      r.end();
      if (name !== curve.sshName) throw new BadKeyError(`a ${type} key on the curve ${name}`);
      if (q.length !== 1 + 2 * curve.size || q[0] !== 4) throw new BadKeyError(`a ${type} key whose point is not an uncompressed ${curve.sshName} point`);
      const jwk = { kty: 'EC', crv: curve.jwk, x: b64url(q.subarray(1, 1 + curve.size)), y: b64url(q.subarray(1 + curve.size)) };
      return new SSHPublicKey(type as SSHKeyType, copy, importJwk(jwk), curve.bits);
    }
    if (type === 'ssh-rsa') {
      const e = r.mpint();
      const n = r.mpint();
      r.end();
      const bits = bitLength(n);
      if (bits < limits.minRSABits || bits > limits.maxRSABits) throw new BadKeyError(`an RSA key of ${bits} bits, outside ${limits.minRSABits}..${limits.maxRSABits}`);
      if (e.length === 0 || !(e[e.length - 1] & 1) || bitLength(e) < 2) throw new BadKeyError('an RSA key with a bad public exponent');
      return new SSHPublicKey(type, copy, importJwk({ kty: 'RSA', n: b64url(n), e: b64url(e) }), bits);
    }
    throw new BadKeyError(`unsupported key type ${JSON.stringify(type)}`);
  }

  /** The SSH public key of a node:crypto key (public or private): Ed25519, ECDSA P-256/384/521 or RSA. */
  static fromKeyObject(key: KeyObject): SSHPublicKey {
    const pub = key.type === 'public' ? key : createPublicKey(key);
    const jwk = pub.export({ format: 'jwk' });
    const w = new WireWriter();
    if (pub.asymmetricKeyType === 'ed25519') {
      w.string('ssh-ed25519').string(fromB64url(jwk.x));
    } else if (pub.asymmetricKeyType === 'ec') {
      const entry = Object.entries(CURVES).find(([, c]) => c.nodeName === pub.asymmetricKeyDetails?.namedCurve);
      if (entry === undefined) throw new BadKeyError(`no SSH name for the curve ${pub.asymmetricKeyDetails?.namedCurve}`);
      const [type, curve] = entry;
      const q = concatBytes(new Uint8Array([4]), leftPad(fromB64url(jwk.x), curve.size), leftPad(fromB64url(jwk.y), curve.size));
      w.string(type).string(curve.sshName).string(q);
    } else if (pub.asymmetricKeyType === 'rsa') {
      w.string('ssh-rsa').mpint(fromB64url(jwk.e)).mpint(fromB64url(jwk.n));
    } else {
      throw new BadKeyError(`no SSH form for ${pub.asymmetricKeyType} keys`);
    }
    return SSHPublicKey.fromBlob(w.bytes(), { ...DEFAULT_CRED_LIMITS, minRSABits: 0 });
  }

  /** The signature algorithms this key can check, best first. */
  signatureAlgorithms(options: SignatureOptions = {}): string[] {
    if (this.type !== 'ssh-rsa') return [this.type];
    return options.allowSHA1 ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : ['rsa-sha2-512', 'rsa-sha2-256'];
  }

  /** OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256. */
  fingerprint(): string {
    return `SHA256:${createHash('sha256').update(this.blob).digest('base64').replace(/=+$/, '')}`;
  }

  /** True if `other` is the same key. */
  equals(other: SSHPublicKey | Uint8Array): boolean {
    const blob = other instanceof SSHPublicKey ? other.blob : other;
    return Buffer.from(this.blob).equals(blob);
  }

  /** The OpenSSH one-line form, `type base64 [comment]`, as in `.pub` files and `authorized_keys`. */
  toString(comment = ''): string {
    return `${this.type} ${Buffer.from(this.blob).toString('base64')}${comment ? ` ${comment}` : ''}`;
  }

  /**
   * True if `signature` (an SSH signature blob) is a signature of `data` by this key with `algName`. The
   * blob must name `algName` itself; anything malformed is simply false.
   */
  verify(algName: string, signature: Uint8Array, data: Uint8Array, options: SignatureOptions = {}): boolean {
    if (!this.signatureAlgorithms(options).includes(algName)) return false;
    try {
      const r = new WireReader(signature);
      const named = r.text();
      const sig = r.string();
      r.end();
      if (named !== algName) return false;
      if (this.type === 'ssh-ed25519') return sig.length === 64 && verify(null, data, this.keyObject, sig);
      const curve = CURVES[this.type];
      if (curve !== undefined) {
        const inner = new WireReader(sig);
        const rr = inner.mpint();
        const ss = inner.mpint();
        inner.end();
        if (rr.length > curve.size || ss.length > curve.size) return false;
        const p1363 = concatBytes(leftPad(rr, curve.size), leftPad(ss, curve.size));
        return verify(curve.hash, data, { key: this.keyObject, dsaEncoding: 'ieee-p1363' }, p1363);
      }
      const size = Math.ceil(this.bits / 8);
      // Some signers drop leading zero bytes of the signature; OpenSSH pads them back.
      if (sig.length > size) return false;
      return verify(RSA_HASHES[algName], data, this.keyObject, leftPad(sig, size));
    } catch {
      return false;
    }
  }
}

/**
 * Signs `data` with `privateKey` as SSH does, giving the signature blob (`string algName, string sig`).
 * `algName` is the key's type, or `rsa-sha2-256`/`rsa-sha2-512` (or `ssh-rsa`) for RSA keys.
 */
export function sshSign(privateKey: KeyObject, algName: string, data: Uint8Array): Uint8Array {
  const type = privateKey.asymmetricKeyType;
  let sig: Uint8Array;
  const curve = CURVES[algName];
  if (type === 'ed25519' && algName === 'ssh-ed25519') {
    sig = sign(null, data, privateKey);
  } else if (type === 'ec' && curve !== undefined && privateKey.asymmetricKeyDetails?.namedCurve === curve.nodeName) {
    const raw = sign(curve.hash, data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
    sig = new WireWriter().mpint(raw.subarray(0, curve.size)).mpint(raw.subarray(curve.size)).bytes();
  } else if (type === 'rsa' && RSA_HASHES[algName] !== undefined) {
    sig = sign(RSA_HASHES[algName], data, privateKey);
  } else {
    throw new BadKeyError(`cannot sign with ${algName} using a ${type} key`);
  }
  return new WireWriter().string(algName).string(sig).bytes();
}
