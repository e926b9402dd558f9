/**
 * `Key`, in the shape of Twisted Conch's `keys.Key`: one SSH key, public or with its private half, read from
 * and written to the formats OpenSSH uses, and able to sign as `ISSHSigningKey` when it is private.
 * @module
 */
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { BadKeyError, DEFAULT_CRED_LIMITS, FileTooLargeError, SSHPublicKey, parseAuthorizedKeyLine, sshSign, type SSHKeyType, type SignatureOptions } from '../../cred/index.js';
import { readBoundedText } from '../../cred/files.js';
import { Deferred } from '../../defer/index.js';
import type { ISSHSigningKey } from '../interfaces.js';
import { armorLabel } from './armor.js';
import { BadPassphraseError, EncryptedKeyError, KeyFormatError, KeyLimitError, PublicKeyOnlyError, UnsupportedKeyError } from './errors.js';
import { resolveSSHKeyLimits, type SSHKeyLimits } from './limits.js';
import { OPENSSH_LABEL, readOpenSSHPrivateKey, writeOpenSSHPrivateKey, type OpenSSHWriteOptions } from './openssh-format.js';
import { readRFC4716 } from './rfc4716.js';

/** The kinds of key {@link Key.generate} makes. */
export type KeyKind = 'ed25519' | 'ecdsa' | 'rsa';

/** The formats {@link Key.toString} writes. */
export type KeyFormat = 'openssh' | 'public' | 'pem' | 'pkcs8';

/** How to read a key. */
export interface KeyReadOptions {
  /** The passphrase of an encrypted private key. */
  passphrase?: string | Uint8Array;
  /** Limits over {@link DEFAULT_SSH_KEY_LIMITS} (file size, bcrypt rounds). */
  limits?: Partial<SSHKeyLimits>;
}

/** How to write a key. */
export interface KeyWriteOptions extends OpenSSHWriteOptions {
  /** {@link Key.writeFile} only: replace an existing file (by default an existing file is an error). */
  overwrite?: boolean;
}

/** How to make a key. */
export interface KeyGenerateOptions {
  /** RSA: the modulus size (3072, as ssh-keygen); ECDSA: 256, 384 or 521 (256). Ed25519 has one size. */
  bits?: number;
  comment?: string;
}

const PEM_PRIVATE = new Set(['RSA PRIVATE KEY', 'EC PRIVATE KEY', 'PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
const PEM_PUBLIC = new Set(['PUBLIC KEY', 'RSA PUBLIC KEY']);
const RFC4716_LABEL = '---- BEGIN SSH2 PUBLIC KEY ----';
const ECDSA_CURVES: Record<number, string> = { 256: 'prime256v1', 384: 'secp384r1', 521: 'secp521r1' };

const passphraseBuffer = (p: string | Uint8Array): Buffer => Buffer.from(typeof p === 'string' ? new TextEncoder().encode(p) : p);

/** The SSH public key of `keyObject`, within cred's limits (RSA of 1024 to 16384 bits). */
function publicOf(keyObject: KeyObject): SSHPublicKey {
  try {
    return SSHPublicKey.fromBlob(SSHPublicKey.fromKeyObject(keyObject).blob);
  } catch (e) {
    if (e instanceof BadKeyError) throw new UnsupportedKeyError(e.message);
    throw e;
  }
}

function readPem(text: string, label: string, passphrase: string | Uint8Array | undefined): KeyObject {
  if (PEM_PUBLIC.has(label)) {
    try {
      return createPublicKey({ key: text, format: 'pem' });
    } catch (e) {
      throw new KeyFormatError(`not a valid ${label}: ${(e as Error).message}`);
    }
  }
  const encrypted = label === 'ENCRYPTED PRIVATE KEY' || /^Proc-Type:\s*4,ENCRYPTED/m.test(text);
  const secret = passphrase === undefined ? undefined : passphraseBuffer(passphrase);
  if (encrypted && (secret === undefined || secret.length === 0)) throw new EncryptedKeyError('the private key is encrypted: a passphrase is needed');
  try {
    return createPrivateKey({ key: text, format: 'pem', ...(encrypted ? { passphrase: secret } : {}) });
  } catch (e) {
    if (encrypted) throw new BadPassphraseError('wrong passphrase: the private key does not decrypt');
    throw new KeyFormatError(`not a valid ${label}: ${(e as Error).message}`);
  }
}

/**
 * An SSH key: Ed25519, ECDSA (P-256, P-384, P-521) or RSA, public or private. A private key signs, so it
 * is an `ISSHSigningKey` for host keys and user authentication.
 *
 * @example
 * const key = await Key.fromFile(`${home}/.ssh/id_ed25519`, { passphrase });
 * key.fingerprint();               // 'SHA256:...', as ssh-keygen -l prints it
 * key.public().toString('openssh'); // 'ssh-ed25519 AAAA... comment'
 */
export class Key implements ISSHSigningKey {
  private constructor(
    /** The node:crypto key: the private key when there is one, else the public key. */
    readonly keyObject: KeyObject,
    /** The public half in SSH form. */
    readonly publicKey: SSHPublicKey,
    /** The key's comment (`user@host`), from the file or given; empty when none. */
    readonly comment: string,
  ) {}

  /**
   * Reads a key from text: an OpenSSH private key (`openssh-key-v1`, plain or with a bcrypt passphrase), a
   * PEM private key (PKCS#1 `RSA PRIVATE KEY`, SEC1 `EC PRIVATE KEY`, PKCS#8, encrypted or not), a PEM
   * public key, an RFC 4716 public key, or a public key line (`ssh-ed25519 AAAA... comment`).
   * Throws {@link EncryptedKeyError} when a passphrase is needed, {@link BadPassphraseError} when it is
   * wrong, {@link KeyFormatError} or {@link UnsupportedKeyError} otherwise.
   */
  static fromString(data: string | Uint8Array, options: KeyReadOptions = {}): Key {
    const limits = resolveSSHKeyLimits(options.limits);
    const size = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
    if (size > limits.maxKeyFileBytes) throw new KeyLimitError(`a key of ${size} bytes, over the limit of ${limits.maxKeyFileBytes}`);
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data);
    const label = armorLabel(text);
    if (label === OPENSSH_LABEL) {
      const { privateKey, publicKey, comment } = readOpenSSHPrivateKey(text, options.passphrase, limits);
      return new Key(privateKey, publicKey, comment);
    }
    if (label !== undefined && (PEM_PRIVATE.has(label) || PEM_PUBLIC.has(label))) {
      const keyObject = readPem(text, label, options.passphrase);
      return new Key(keyObject, publicOf(keyObject), '');
    }
    if (label !== undefined) throw new UnsupportedKeyError(`unsupported key format ${label}`);
    if (text.includes(RFC4716_LABEL)) {
      const { blob, comment } = readRFC4716(text);
      return Key.fromPublicKey(Key.#publicFromBlob(blob), comment);
    }
    const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
    if (lines.length !== 1) throw new KeyFormatError('not a key: no armoured block, and not one public key line');
    let entry;
    try {
      entry = parseAuthorizedKeyLine(lines[0]);
    } catch (e) {
      throw new KeyFormatError(`not a public key line: ${(e as Error).message}`);
    }
    if (entry.options.list.length > 0) throw new KeyFormatError('a public key line with authorized_keys options');
    return new Key(entry.key.keyObject, entry.key, entry.comment);
  }

  static #publicFromBlob(blob: Uint8Array): SSHPublicKey {
    try {
      return SSHPublicKey.fromBlob(blob);
    } catch (e) {
      throw new KeyFormatError(`not a public key: ${(e as Error).message}`);
    }
  }

  /** Reads the key file at `path` (see {@link Key.fromString}), no larger than `maxKeyFileBytes`. */
  static fromFile(path: string, options: KeyReadOptions = {}): Deferred<Key> {
    const limits = resolveSSHKeyLimits(options.limits);
    return readBoundedText(path, limits.maxKeyFileBytes).addCallbacks(
      (text) => Key.fromString(text, options),
      (failure) => {
        if (failure.check(FileTooLargeError)) throw new KeyLimitError(failure.getErrorMessage());
        return failure;
      },
    );
  }

  /** The key of a public SSH key blob in wire form (RFC 4253 §6.6). */
  static fromBlob(blob: Uint8Array, comment = ''): Key {
    return Key.fromPublicKey(Key.#publicFromBlob(blob), comment);
  }

  /** The key of an {@link SSHPublicKey}. */
  static fromPublicKey(publicKey: SSHPublicKey, comment = ''): Key {
    return new Key(publicKey.keyObject, publicKey, comment);
  }

  /** The key of a node:crypto key, private or public. */
  static fromKeyObject(keyObject: KeyObject, comment = ''): Key {
    return new Key(keyObject, publicOf(keyObject), comment);
  }

  /**
   * A new private key. Generation runs off the event loop (node:crypto's thread pool), which matters for
   * RSA.
   *
   * @example
   * const key = await Key.generate('ed25519', { comment: 'deploy@ci' });
   */
  static generate(kind: KeyKind, options: KeyGenerateOptions = {}): Deferred<Key> {
    const done = (resolve: (k: Key) => void, reject: (e: Error) => void) => (err: Error | null, _pub: KeyObject, privateKey: KeyObject) =>
      err ? reject(err) : resolve(Key.fromKeyObject(privateKey, options.comment ?? ''));
    return Deferred.fromPromise(
      new Promise<Key>((resolve, reject) => {
        if (kind === 'ed25519') {
          if (options.bits !== undefined && options.bits !== 256) throw new RangeError('Ed25519 keys have 256 bits');
          generateKeyPair('ed25519', {}, done(resolve, reject));
        } else if (kind === 'ecdsa') {
          const namedCurve = ECDSA_CURVES[options.bits ?? 256];
          if (namedCurve === undefined) throw new RangeError('ECDSA keys have 256, 384 or 521 bits');
          generateKeyPair('ec', { namedCurve }, done(resolve, reject));
        } else if (kind === 'rsa') {
          const bits = options.bits ?? 3072;
          if (!Number.isInteger(bits) || bits < DEFAULT_CRED_LIMITS.minRSABits || bits > DEFAULT_CRED_LIMITS.maxRSABits) {
            throw new RangeError(`RSA keys have ${DEFAULT_CRED_LIMITS.minRSABits} to ${DEFAULT_CRED_LIMITS.maxRSABits} bits`);
          }
          generateKeyPair('rsa', { modulusLength: bits, publicExponent: 0x10001 }, done(resolve, reject));
        } else {
          throw new UnsupportedKeyError(`cannot generate ${JSON.stringify(kind)} keys; use ed25519, ecdsa or rsa`);
        }
      }),
    );
  }

  /** True if this key has no private half. */
  isPublic(): boolean {
    return this.keyObject.type === 'public';
  }

  /** The public half, as a key of its own (this key itself when it is public). */
  public(): Key {
    return this.isPublic() ? this : new Key(this.publicKey.keyObject, this.publicKey, this.comment);
  }

  /** The SSH type name: `ssh-ed25519`, `ecdsa-sha2-nistp256` (384, 521) or `ssh-rsa`. */
  sshType(): SSHKeyType {
    return this.publicKey.type;
  }

  /** The kind of key, as Twisted names it: `Ed25519`, `EC` or `RSA`. */
  type(): 'Ed25519' | 'EC' | 'RSA' {
    const t = this.sshType();
    return t === 'ssh-ed25519' ? 'Ed25519' : t === 'ssh-rsa' ? 'RSA' : 'EC';
  }

  /** The key's size in bits: the RSA modulus, or the curve's. */
  size(): number {
    return this.publicKey.bits;
  }

  /** The public key in SSH wire form (RFC 4253 §6.6). */
  blob(): Uint8Array {
    return Uint8Array.from(this.publicKey.blob);
  }

  /** OpenSSH's fingerprint, as `ssh-keygen -l` prints it: `SHA256:` and unpadded base64. */
  fingerprint(): string {
    return this.publicKey.fingerprint();
  }

  /** The signature algorithms this key signs and verifies with, best first (`rsa-sha2-512` before `-256`). */
  signatureAlgorithms(options: SignatureOptions = {}): string[] {
    return this.publicKey.signatureAlgorithms(options);
  }

  /** True if `other` is the same public key (private halves are not compared). */
  equals(other: Key | SSHPublicKey): boolean {
    return this.publicKey.equals(other instanceof Key ? other.publicKey : other);
  }

  /**
   * Signs `data` with the signature algorithm `algorithm` (the key's type, or `rsa-sha2-256`/`-512` for
   * RSA) and gives the SSH signature blob. Throws {@link PublicKeyOnlyError} for a public key.
   */
  sign(algorithm: string, data: Uint8Array): Uint8Array {
    if (this.isPublic()) throw new PublicKeyOnlyError('cannot sign with a public key');
    return sshSign(this.keyObject, algorithm, data);
  }

  /** True if `signature` (an SSH signature blob) is this key's signature of `data` with `algorithm`. */
  verify(algorithm: string, signature: Uint8Array, data: Uint8Array, options: SignatureOptions = {}): boolean {
    return this.publicKey.verify(algorithm, signature, data, options);
  }

  /**
   * The key as text. `openssh`: a private key as `openssh-key-v1` (encrypted with bcrypt_pbkdf and
   * `aes256-ctr` when `passphrase` is given), a public key as its one-line form. `public`: the public
   * line, `type base64 comment`. `pem`: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for Ed25519 (which has no
   * other form), encrypted with AES-256-CBC when `passphrase` is given; `PUBLIC KEY` for a public key.
   * `pkcs8`: PKCS#8 (encrypted as PBES2 when `passphrase` is given).
   */
  toString(format: KeyFormat = 'openssh', options: KeyWriteOptions = {}): string {
    const comment = options.comment ?? this.comment;
    // A line break in the comment would start a line of its own in authorized_keys or known_hosts.
    if (/[\r\n]/.test(comment)) throw new RangeError('a key comment cannot hold a line break');
    if (format === 'public' || (format === 'openssh' && this.isPublic())) return `${this.publicKey.toString(comment)}\n`;
    if (format === 'openssh') return writeOpenSSHPrivateKey(this.keyObject, this.publicKey, { ...options, comment });
    if (format !== 'pem' && format !== 'pkcs8') throw new UnsupportedKeyError(`unknown key format ${JSON.stringify(format)}`);
    if (this.isPublic()) return this.keyObject.export({ format: 'pem', type: 'spki' }).toString();
    const traditional = format === 'pem' && this.sshType() !== 'ssh-ed25519';
    const type = traditional ? (this.sshType() === 'ssh-rsa' ? 'pkcs1' : 'sec1') : 'pkcs8';
    const secret = options.passphrase === undefined ? undefined : passphraseBuffer(options.passphrase);
    const encryption = secret !== undefined && secret.length > 0 ? { cipher: 'aes-256-cbc', passphrase: secret } : {};
    return this.keyObject.export({ format: 'pem', type, ...encryption } as Parameters<KeyObject['export']>[0] & { format: 'pem' }).toString();
  }

  /**
   * Writes the key to `path` in `format` (see {@link Key.toString}): private keys with mode 0600, public
   * ones 0644. An existing file is an error unless `overwrite` is set.
   */
  writeFile(path: string, format: KeyFormat = 'openssh', options: KeyWriteOptions = {}): Deferred<void> {
    const publicOnly = format === 'public' || this.isPublic();
    return Deferred.fromPromise(
      (async () => {
        const text = this.toString(format, options);
        await writeFile(path, text, { mode: publicOnly ? 0o644 : 0o600, flag: options.overwrite ? 'w' : 'wx' });
      })(),
    );
  }
}
