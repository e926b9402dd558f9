/**
 * The private half of a key in SSH wire form, as both `openssh-key-v1` files and the agent protocol's
 * ADD_IDENTITY carry it (OpenSSH's PROTOCOL.key, draft-miller-ssh-agent §4.2): `string type` then, per type,
 * `ssh-ed25519`: string public (32), string secret (seed and public, 64);
 * `ecdsa-sha2-*`: string curve, string Q, mpint d;
 * `ssh-rsa`: mpint n, e, d, iqmp, p, q.
 * Read into a node:crypto private key, which must match its public half (checked by a signature).
 * @module
 */
import { createPrivateKey, randomBytes, type JsonWebKey, type KeyObject } from 'node:crypto';
import { SSHPublicKey, sshSign } from '../../cred/index.js';
import { WireReader, WireWriter, concatBytes } from '../../cred/ssh-wire.js';
import { KeyFormatError, UnsupportedKeyError } from './errors.js';

const CURVES: Record<string, { name: string; jwk: string; size: number }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', jwk: 'P-256', size: 32 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', jwk: 'P-384', size: 48 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', jwk: 'P-521', size: 66 },
};

/** The DER prefix of a PKCS#8 Ed25519 private key (RFC 8410), followed by the 32-byte seed. */
const ED25519_PKCS8_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

const b64url = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
const fromB64url = (s: string | undefined): Uint8Array => Buffer.from(s ?? '', 'base64url');
const toBigInt = (b: Uint8Array): bigint => (b.length === 0 ? 0n : BigInt(`0x${Buffer.from(b).toString('hex')}`));
function fromBigInt(n: bigint): Uint8Array {
  const hex = n.toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}

function importJwk(jwk: JsonWebKey): KeyObject {
  try {
    return createPrivateKey({ key: jwk, format: 'jwk' });
  } catch (e) {
    throw new KeyFormatError(`not a valid private key: ${(e as Error).message}`);
  }
}

/** Throws unless `privateKey` signs what `publicKey` verifies: a file whose halves disagree is refused. */
export function checkKeyPair(privateKey: KeyObject, publicKey: SSHPublicKey): void {
  const data = randomBytes(32);
  const algorithm = publicKey.signatureAlgorithms()[0];
  let ok = false;
  try {
    ok = publicKey.verify(algorithm, sshSign(privateKey, algorithm, data), data);
  } catch {
    ok = false;
  }
  if (!ok) throw new KeyFormatError('the private key does not match its public key');
}

/** Reads one private key's fields (from its `string type` on) and gives the key and its public half. */
export function readPrivateFields(r: WireReader): { privateKey: KeyObject; publicKey: SSHPublicKey } {
  const type = r.text();
  let privateKey: KeyObject;
  let publicBlob: Uint8Array;
  if (type === 'ssh-ed25519') {
    const pk = r.string();
    const sk = r.string();
    if (pk.length !== 32 || sk.length !== 64) throw new KeyFormatError('an Ed25519 private key of the wrong size');
    if (!Buffer.from(sk.subarray(32)).equals(pk)) throw new KeyFormatError('an Ed25519 private key whose two copies of the public key differ');
    privateKey = createPrivateKey({ key: Buffer.from(concatBytes(ED25519_PKCS8_PREFIX, sk.subarray(0, 32))), format: 'der', type: 'pkcs8' });
    publicBlob = new WireWriter().string(type).string(pk).bytes();
  } else if (CURVES[type] !== undefined) {
    const curve = CURVES[type];
    const name = r.text();
    const q = r.string();
    const d = r.mpint();
    if (name !== curve.name) throw new KeyFormatError(`a ${type} key on the curve ${name}`);
    if (q.length !== 1 + 2 * curve.size || q[0] !== 4) throw new KeyFormatError(`a ${type} key whose point is not an uncompressed ${curve.name} point`);
    if (d.length > curve.size) throw new KeyFormatError(`a ${type} private scalar of ${d.length} bytes`);
    const pad = concatBytes(new Uint8Array(curve.size - d.length), d);
    privateKey = importJwk({ kty: 'EC', crv: curve.jwk, x: b64url(q.subarray(1, 1 + curve.size)), y: b64url(q.subarray(1 + curve.size)), d: b64url(pad) });
    publicBlob = new WireWriter().string(type).string(name).string(q).bytes();
  } else if (type === 'ssh-rsa') {
    const [n, e, d, iqmp, p, q] = [r.mpint(), r.mpint(), r.mpint(), r.mpint(), r.mpint(), r.mpint()];
    const [bn, bd, bp, bq] = [toBigInt(n), toBigInt(d), toBigInt(p), toBigInt(q)];
    if (bp < 3n || bq < 3n || bp * bq !== bn) throw new KeyFormatError('an RSA private key whose primes are not its modulus');
    const jwk = { kty: 'RSA', n: b64url(n), e: b64url(e), d: b64url(d), p: b64url(p), q: b64url(q), qi: b64url(iqmp) };
    privateKey = importJwk({ ...jwk, dp: b64url(fromBigInt(bd % (bp - 1n))), dq: b64url(fromBigInt(bd % (bq - 1n))) });
    publicBlob = new WireWriter().string(type).mpint(e).mpint(n).bytes();
  } else {
    throw new UnsupportedKeyError(`unsupported private key type ${JSON.stringify(type)}`);
  }
  const publicKey = SSHPublicKey.fromBlob(publicBlob);
  checkKeyPair(privateKey, publicKey);
  return { privateKey, publicKey };
}

/** Writes the fields of `privateKey` (from its `string type` on); the inverse of {@link readPrivateFields}. */
export function writePrivateFields(w: WireWriter, privateKey: KeyObject, publicKey: SSHPublicKey): void {
  const jwk = privateKey.export({ format: 'jwk' });
  const pub = new WireReader(publicKey.blob);
  const type = pub.text();
  w.string(type);
  if (type === 'ssh-ed25519') {
    const pk = pub.string();
    w.string(pk).string(concatBytes(fromB64url(jwk.d), pk));
  } else if (CURVES[type] !== undefined) {
    w.string(pub.string()).string(pub.string()).mpint(fromB64url(jwk.d));
  } else if (type === 'ssh-rsa') {
    for (const field of [jwk.n, jwk.e, jwk.d, jwk.qi, jwk.p, jwk.q]) w.mpint(fromB64url(field));
  } else {
    throw new UnsupportedKeyError(`no private key form for ${type}`);
  }
}
