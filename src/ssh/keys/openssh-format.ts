/**
 * OpenSSH's own private key format, `openssh-key-v1` (OpenSSH's PROTOCOL.key), as ssh-keygen writes it by
 * default: a public header (cipher, key derivation and its options, the public key) and a private section,
 * encrypted when there is a passphrase, holding two equal check numbers, the private key, its comment and
 * padding 1, 2, 3... to the cipher's block. One key a file, as OpenSSH reads it.
 * @module
 */
import { createCipheriv, createDecipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { BadKeyError, SSHPublicKey } from '../../cred/index.js';
import { WireReader, WireWriter, concatBytes } from '../../cred/ssh-wire.js';
import { armor, unarmor } from './armor.js';
import { bcryptPbkdf } from './bcrypt-pbkdf.js';
import { BadPassphraseError, EncryptedKeyError, KeyFormatError, KeyLimitError, UnsupportedKeyError } from './errors.js';
import { DEFAULT_SSH_KEY_LIMITS, type SSHKeyLimits } from './limits.js';
import { readPrivateFields, writePrivateFields } from './private-fields.js';

/** The armour label. */
export const OPENSSH_LABEL = 'OPENSSH PRIVATE KEY';
const MAGIC = new TextEncoder().encode('openssh-key-v1\0');

interface Cipher {
  /** node:crypto's name. */
  node: string;
  keyLength: number;
  ivLength: number;
  blockSize: number;
  /** Bytes of the authentication tag that follows the encrypted section (GCM). */
  tagLength: number;
}

/** The ciphers read (and written) here; OpenSSH's `chacha20-poly1305@openssh.com` for keys is not. */
const CIPHERS: Record<string, Cipher> = {
  none: { node: '', keyLength: 0, ivLength: 0, blockSize: 8, tagLength: 0 },
  'aes128-ctr': { node: 'aes-128-ctr', keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes192-ctr': { node: 'aes-192-ctr', keyLength: 24, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes256-ctr': { node: 'aes-256-ctr', keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes128-cbc': { node: 'aes-128-cbc', keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes256-cbc': { node: 'aes-256-cbc', keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes128-gcm@openssh.com': { node: 'aes-128-gcm', keyLength: 16, ivLength: 12, blockSize: 16, tagLength: 16 },
  'aes256-gcm@openssh.com': { node: 'aes-256-gcm', keyLength: 32, ivLength: 12, blockSize: 16, tagLength: 16 },
};

/** The ciphers {@link writeOpenSSHPrivateKey} can use. */
export const OPENSSH_KEY_CIPHERS: readonly string[] = Object.keys(CIPHERS).filter((c) => c !== 'none');

/** ssh-keygen's defaults for a new passphrase-protected key. */
export const DEFAULT_KEY_CIPHER = 'aes256-ctr';
export const DEFAULT_KDF_ROUNDS = 16;
const SALT_BYTES = 16;

/** What an `openssh-key-v1` file holds. */
export interface OpenSSHPrivateKey {
  privateKey: KeyObject;
  publicKey: SSHPublicKey;
  comment: string;
}

/** How to write a key. */
export interface OpenSSHWriteOptions {
  /** Encrypts the key with this passphrase (empty or absent: not encrypted). */
  passphrase?: string | Uint8Array;
  comment?: string;
  /** bcrypt_pbkdf rounds (16, ssh-keygen's default). */
  rounds?: number;
  /** One of {@link OPENSSH_KEY_CIPHERS} (`aes256-ctr`, ssh-keygen's default). */
  cipher?: string;
}

const toBytes = (p: string | Uint8Array): Uint8Array => (typeof p === 'string' ? new TextEncoder().encode(p) : p);

function crypt(cipher: Cipher, secret: Uint8Array, data: Uint8Array, decrypt: boolean, tag?: Uint8Array): { out: Uint8Array; tag?: Uint8Array } {
  const key = secret.subarray(0, cipher.keyLength);
  const iv = secret.subarray(cipher.keyLength, cipher.keyLength + cipher.ivLength);
  if (decrypt) {
    const d = createDecipheriv(cipher.node, key, iv);
    d.setAutoPadding(false);
    if (tag !== undefined) (d as unknown as { setAuthTag(t: Uint8Array): void }).setAuthTag(tag);
    try {
      return { out: concatBytes(d.update(data), d.final()) };
    } catch {
      throw new BadPassphraseError('wrong passphrase: the private key does not decrypt');
    }
  }
  const c = createCipheriv(cipher.node, key, iv);
  c.setAutoPadding(false);
  const out = concatBytes(c.update(data), c.final());
  return cipher.tagLength > 0 ? { out, tag: (c as unknown as { getAuthTag(): Uint8Array }).getAuthTag() } : { out };
}

/** The cipher's key and IV from `passphrase`, by bcrypt_pbkdf with the file's options. */
function deriveSecret(cipher: Cipher, kdfName: string, kdfOptions: Uint8Array, passphrase: Uint8Array, limits: Pick<SSHKeyLimits, 'maxKdfRounds'>): Uint8Array {
  if (kdfName !== 'bcrypt') throw new UnsupportedKeyError(`unsupported key derivation ${JSON.stringify(kdfName)}`);
  const r = new WireReader(kdfOptions);
  const salt = r.string();
  const rounds = r.uint32();
  r.end();
  if (rounds < 1) throw new KeyFormatError('bcrypt with 0 rounds');
  if (rounds > limits.maxKdfRounds) throw new KeyLimitError(`the key asks for ${rounds} bcrypt rounds, over the limit of ${limits.maxKdfRounds}`);
  if (salt.length === 0 || salt.length > 1024) throw new KeyFormatError(`a bcrypt salt of ${salt.length} bytes`);
  return bcryptPbkdf(passphrase, salt, rounds, cipher.keyLength + cipher.ivLength);
}

/**
 * Reads an armoured `openssh-key-v1` key. Throws {@link EncryptedKeyError} if it is encrypted and no
 * passphrase is given, {@link BadPassphraseError} if the passphrase is wrong, {@link KeyFormatError} for
 * anything malformed.
 */
export function readOpenSSHPrivateKey(text: string, passphrase?: string | Uint8Array, limits: Pick<SSHKeyLimits, 'maxKdfRounds'> = DEFAULT_SSH_KEY_LIMITS): OpenSSHPrivateKey {
  try {
    return parse(unarmor(text, OPENSSH_LABEL), passphrase, limits);
  } catch (e) {
    // The wire reader's errors (truncated fields) are cred's; here they mean a malformed key file.
    if (e instanceof BadKeyError && e.constructor === BadKeyError) throw new KeyFormatError(`not a valid OpenSSH private key: ${e.message}`);
    throw e;
  }
}

function parse(bytes: Uint8Array, passphrase: string | Uint8Array | undefined, limits: Pick<SSHKeyLimits, 'maxKdfRounds'>): OpenSSHPrivateKey {
  if (!Buffer.from(bytes.subarray(0, MAGIC.length)).equals(MAGIC)) throw new KeyFormatError('not an openssh-key-v1 key (bad magic)');
  const r = new WireReader(bytes.subarray(MAGIC.length));
  const cipherName = r.text();
  const kdfName = r.text();
  const kdfOptions = r.string();
  const count = r.uint32();
  if (count !== 1) throw new KeyFormatError(`a key file holding ${count} keys; OpenSSH reads exactly one`);
  const publicKey = SSHPublicKey.fromBlob(r.string());
  const cipher = CIPHERS[cipherName];
  if (cipher === undefined) throw new UnsupportedKeyError(`unsupported key cipher ${JSON.stringify(cipherName)}`);
  let section = r.string();
  if (section.length % cipher.blockSize !== 0) throw new KeyFormatError(`a private section of ${section.length} bytes, not a multiple of the ${cipher.blockSize}-byte block`);
  const encrypted = cipherName !== 'none';
  if (encrypted) {
    if (r.remaining !== cipher.tagLength) throw new KeyFormatError(`${r.remaining} bytes after the private section, expected ${cipher.tagLength}`);
    const tag = cipher.tagLength > 0 ? r.bytes.subarray(r.bytes.length - cipher.tagLength) : undefined;
    if (passphrase === undefined || toBytes(passphrase).length === 0) throw new EncryptedKeyError('the private key is encrypted: a passphrase is needed');
    const secret = deriveSecret(cipher, kdfName, kdfOptions, toBytes(passphrase), limits);
    section = crypt(cipher, secret, section, true, tag).out;
  } else {
    r.end();
    if (kdfName !== 'none' || kdfOptions.length !== 0) throw new KeyFormatError('an unencrypted key with key derivation options');
  }
  const p = new WireReader(section);
  if (p.uint32() !== p.uint32()) {
    throw encrypted ? new BadPassphraseError('wrong passphrase: the private key does not decrypt') : new KeyFormatError('the check numbers of the private section differ');
  }
  const { privateKey, publicKey: inner } = readPrivateFields(p);
  const comment = new TextDecoder().decode(p.string());
  const padding = p.bytes.subarray(p.bytes.length - p.remaining);
  if (padding.length >= cipher.blockSize || padding.some((b, i) => b !== i + 1)) throw new KeyFormatError('bad padding after the private key');
  if (!inner.equals(publicKey)) throw new KeyFormatError('the private key is not the one its public header names');
  return { privateKey, publicKey, comment };
}

/** Writes `privateKey` as an armoured `openssh-key-v1` key, encrypted if a passphrase is given. */
export function writeOpenSSHPrivateKey(privateKey: KeyObject, publicKey: SSHPublicKey, options: OpenSSHWriteOptions = {}): string {
  const passphrase = options.passphrase === undefined ? new Uint8Array(0) : toBytes(options.passphrase);
  const encrypted = passphrase.length > 0;
  const cipherName = encrypted ? (options.cipher ?? DEFAULT_KEY_CIPHER) : 'none';
  const cipher = CIPHERS[cipherName];
  if (cipher === undefined) throw new UnsupportedKeyError(`unsupported key cipher ${JSON.stringify(cipherName)}; use one of ${OPENSSH_KEY_CIPHERS.join(', ')}`);
  const rounds = options.rounds ?? DEFAULT_KDF_ROUNDS;
  if (!Number.isInteger(rounds) || rounds < 1) throw new RangeError('bcrypt rounds must be a positive integer');
  const salt = randomBytes(SALT_BYTES);
  const kdfOptions = encrypted ? new WireWriter().string(salt).uint32(rounds).bytes() : new Uint8Array(0);

  const check = randomBytes(4).readUInt32BE(0);
  const w = new WireWriter().uint32(check).uint32(check);
  writePrivateFields(w, privateKey, publicKey);
  w.string(options.comment ?? '');
  let section = w.bytes();
  const padLength = (cipher.blockSize - (section.length % cipher.blockSize)) % cipher.blockSize;
  section = concatBytes(section, Uint8Array.from({ length: padLength }, (_, i) => i + 1));
  let tag: Uint8Array = new Uint8Array(0);
  if (encrypted) {
    const result = crypt(cipher, bcryptPbkdf(passphrase, salt, rounds, cipher.keyLength + cipher.ivLength), section, false);
    section = result.out;
    tag = result.tag ?? tag;
  }
  const header = new WireWriter().string(cipherName).string(encrypted ? 'bcrypt' : 'none').string(kdfOptions).uint32(1).string(publicKey.blob).string(section).bytes();
  return armor(concatBytes(MAGIC, header, tag), OPENSSH_LABEL);
}
