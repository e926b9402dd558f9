/**
 * The packet protections of RFC 4253 §6.3–6.4, RFC 4344, RFC 5647 and OpenSSH's AEADs: each one seals a
 * whole plaintext packet (`uint32 length, byte padding length, payload, padding`) into its wire form and
 * opens it again. Sans-I/O: keys in, bytes in, bytes out.
 * @module
 */
import { createCipheriv, createDecipheriv, createHmac, timingSafeEqual, type Cipher, type Decipher } from 'node:crypto';
import { SSHMacError } from '../errors.js';
import { chacha20Block, chachaKeyWords } from './chacha20-block.js';
import { poly1305 } from './poly1305.js';
import { poly1305Matches } from './poly1305-check.js';

/** What a cipher needs from key derivation. */
export interface CipherSpec {
  /** Key bytes. */
  readonly keyLength: number;
  /** IV bytes (0 for chacha20-poly1305). */
  readonly ivLength: number;
  /** The cipher block size for padding (8 at least). */
  readonly blockSize: number;
  /** Bytes of its own tag; an AEAD cipher takes no separate MAC. */
  readonly tagLength: number;
}

/** What a MAC needs from key derivation. */
export interface MacSpec {
  readonly keyLength: number;
  readonly length: number;
  readonly hash: string;
  /** Encrypt-then-MAC: the length stays in the clear and the MAC covers the ciphertext. */
  readonly etm: boolean;
}

const CIPHERS: Record<string, CipherSpec & { node: string }> = {
  'chacha20-poly1305@openssh.com': { node: 'chacha20', keyLength: 64, ivLength: 0, blockSize: 8, tagLength: 16 },
  'aes256-gcm@openssh.com': { node: 'aes-256-gcm', keyLength: 32, ivLength: 12, blockSize: 16, tagLength: 16 },
  'aes128-gcm@openssh.com': { node: 'aes-128-gcm', keyLength: 16, ivLength: 12, blockSize: 16, tagLength: 16 },
  'aes256-ctr': { node: 'aes-256-ctr', keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes128-ctr': { node: 'aes-128-ctr', keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes256-cbc': { node: 'aes-256-cbc', keyLength: 32, ivLength: 16, blockSize: 16, tagLength: 0 },
  'aes128-cbc': { node: 'aes-128-cbc', keyLength: 16, ivLength: 16, blockSize: 16, tagLength: 0 },
};

const MACS: Record<string, MacSpec> = {
  'hmac-sha2-256-etm@openssh.com': { hash: 'sha256', keyLength: 32, length: 32, etm: true },
  'hmac-sha2-512-etm@openssh.com': { hash: 'sha512', keyLength: 64, length: 64, etm: true },
  'hmac-sha2-256': { hash: 'sha256', keyLength: 32, length: 32, etm: false },
  'hmac-sha2-512': { hash: 'sha512', keyLength: 64, length: 64, etm: false },
  'hmac-sha1-etm@openssh.com': { hash: 'sha1', keyLength: 20, length: 20, etm: true },
  'hmac-sha1': { hash: 'sha1', keyLength: 20, length: 20, etm: false },
};

/** The cipher called `name`, or undefined. */
export function cipherSpec(name: string): CipherSpec | undefined {
  return CIPHERS[name];
}

/** The MAC called `name`, or undefined. */
export function macSpec(name: string): MacSpec | undefined {
  return MACS[name];
}

/** The keys of one direction, from key derivation. */
export interface DirectionKeys {
  readonly cipher: string;
  /** The MAC's name; ignored for an AEAD cipher. */
  readonly mac: string;
  readonly key: Uint8Array;
  readonly iv: Uint8Array;
  readonly macKey: Uint8Array;
}

/** Seals outgoing packets. */
export interface PacketSealer {
  readonly blockSize: number;
  /** True when the length field is not part of the padded, encrypted block sequence (ETM and the AEADs). */
  readonly lengthOutside: boolean;
  /** Wire bytes of `packet` (plaintext, length field first) under sequence number `seq`. */
  seal(seq: number, packet: Buffer): Buffer;
  /**
   * The same from the packet's pieces (`header`: the length field and the padding length; then the
   * payload, itself in pieces, and the padding), for a sealer that saves copies of the payload by not
   * having the packet assembled first.
   */
  sealParts?(seq: number, header: Buffer, payload: readonly Uint8Array[], padding: Buffer): Buffer;
}

/** Opens incoming packets: first the length, then the whole packet. */
export interface PacketOpener {
  readonly blockSize: number;
  readonly lengthOutside: boolean;
  /** Bytes needed to learn the length. */
  readonly headerLength: number;
  /** Bytes after the packet (its MAC or tag). */
  readonly trailerLength: number;
  /** The `packet_length` field, from the first `headerLength` wire bytes. */
  packetLength(seq: number, header: Buffer): number;
  /** The plaintext after the length field (`padding length, payload, padding`) of a whole wire packet; throws {@link SSHMacError}. */
  open(seq: number, wire: Buffer): Buffer;
}

function piecesLength(pieces: readonly Uint8Array[]): number {
  let n = 0;
  for (const p of pieces) n += p.length;
  return n;
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(seq >>> 0);
  return b;
}

function hmac(spec: MacSpec, key: Uint8Array, seq: number, data: Buffer): Buffer {
  return createHmac(spec.hash, key).update(seqBytes(seq)).update(data).digest();
}

function checkTag(expected: Uint8Array, got: Uint8Array): void {
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw new SSHMacError('packet integrity check failed (bad MAC)');
}

/** Before the first NEWKEYS: no encryption, no MAC. */
const NONE_SEALER: PacketSealer = { blockSize: 8, lengthOutside: false, seal: (_seq, packet) => packet };
const NONE_OPENER: PacketOpener = {
  blockSize: 8,
  lengthOutside: false,
  headerLength: 4,
  trailerLength: 0,
  packetLength: (_seq, header) => header.readUInt32BE(0),
  open: (_seq, wire) => wire.subarray(4),
};

/** The sealer of `keys`, or the initial no-protection one. */
export function makeSealer(keys: DirectionKeys | undefined): PacketSealer {
  if (keys === undefined) return NONE_SEALER;
  const spec = CIPHERS[keys.cipher];
  if (spec === undefined) throw new Error(`unknown cipher ${keys.cipher}`);
  if (keys.cipher === 'chacha20-poly1305@openssh.com') return new ChachaPoly(keys.key);
  if (spec.tagLength > 0) return new Gcm(spec.node, keys.key, keys.iv);
  return new StreamWithMac(spec.node, keys, 'encrypt');
}

/** The opener of `keys`, or the initial no-protection one. */
export function makeOpener(keys: DirectionKeys | undefined): PacketOpener {
  if (keys === undefined) return NONE_OPENER;
  const spec = CIPHERS[keys.cipher];
  if (spec === undefined) throw new Error(`unknown cipher ${keys.cipher}`);
  if (keys.cipher === 'chacha20-poly1305@openssh.com') return new ChachaPoly(keys.key);
  if (spec.tagLength > 0) return new Gcm(spec.node, keys.key, keys.iv);
  return new StreamWithMac(spec.node, keys, 'decrypt');
}

/** CTR or CBC with an HMAC, MAC-then-encrypt (RFC 4253) or encrypt-then-MAC (OpenSSH's `-etm`). */
class StreamWithMac implements PacketSealer, PacketOpener {
  readonly blockSize = 16;
  readonly lengthOutside: boolean;
  readonly headerLength: number;
  readonly trailerLength: number;
  readonly #cipher: Cipher | Decipher;
  readonly #mac: MacSpec;
  readonly #macKey: Uint8Array;
  #firstBlock: Buffer | undefined;

  constructor(node: string, keys: DirectionKeys, direction: 'encrypt' | 'decrypt') {
    const mac = MACS[keys.mac];
    if (mac === undefined) throw new Error(`unknown MAC ${keys.mac}`);
    this.#mac = mac;
    this.#macKey = keys.macKey;
    this.#cipher = direction === 'encrypt' ? createCipheriv(node, keys.key, keys.iv) : createDecipheriv(node, keys.key, keys.iv);
    this.#cipher.setAutoPadding(false);
    this.lengthOutside = mac.etm;
    this.headerLength = mac.etm ? 4 : 16;
    this.trailerLength = mac.length;
  }

  seal(seq: number, packet: Buffer): Buffer {
    if (this.#mac.etm) {
      const body = this.#cipher.update(packet.subarray(4));
      const lengthAndBody = Buffer.concat([packet.subarray(0, 4), body]);
      return Buffer.concat([lengthAndBody, hmac(this.#mac, this.#macKey, seq, lengthAndBody)]);
    }
    const tag = hmac(this.#mac, this.#macKey, seq, packet);
    return Buffer.concat([this.#cipher.update(packet), tag]);
  }

  packetLength(_seq: number, header: Buffer): number {
    if (this.#mac.etm) return header.readUInt32BE(0);
    this.#firstBlock = this.#cipher.update(header);
    return this.#firstBlock.readUInt32BE(0);
  }

  open(seq: number, wire: Buffer): Buffer {
    const end = wire.length - this.trailerLength;
    const tag = wire.subarray(end);
    if (this.#mac.etm) {
      checkTag(hmac(this.#mac, this.#macKey, seq, wire.subarray(0, end)), tag);
      return this.#cipher.update(wire.subarray(4, end));
    }
    const first = this.#firstBlock!;
    this.#firstBlock = undefined;
    const plain = Buffer.concat([first, this.#cipher.update(wire.subarray(first.length, end))]);
    checkTag(hmac(this.#mac, this.#macKey, seq, plain), tag);
    return plain.subarray(4);
  }
}

/** AES-GCM as RFC 5647 and OpenSSH use it: the length is the associated data, the IV's last 8 bytes count packets. */
class Gcm implements PacketSealer, PacketOpener {
  readonly blockSize = 16;
  readonly lengthOutside = true;
  readonly headerLength = 4;
  readonly trailerLength = 16;
  readonly #iv: Buffer;

  constructor(
    readonly node: string,
    readonly key: Uint8Array,
    iv: Uint8Array,
  ) {
    this.#iv = Buffer.from(iv);
  }

  #nextIv(): Buffer {
    const iv = Buffer.from(this.#iv);
    // The invocation counter: a 64-bit big-endian number in the last 8 bytes, wrapping.
    for (let i = 11; i >= 4; i--) if (++this.#iv[i]! !== 256) break; else this.#iv[i] = 0;
    return iv;
  }

  seal(_seq: number, packet: Buffer): Buffer {
    const cipher = createCipheriv(this.node as 'aes-256-gcm', this.key, this.#nextIv(), { authTagLength: 16 });
    cipher.setAAD(packet.subarray(0, 4));
    const body = cipher.update(packet.subarray(4));
    cipher.final();
    return Buffer.concat([packet.subarray(0, 4), body, cipher.getAuthTag()]);
  }

  sealParts(_seq: number, header: Buffer, payload: readonly Uint8Array[], padding: Buffer): Buffer {
    const cipher = createCipheriv(this.node as 'aes-256-gcm', this.key, this.#nextIv(), { authTagLength: 16 });
    const out = Buffer.allocUnsafe(header.length + piecesLength(payload) + padding.length + 16);
    header.copy(out, 0, 0, 4);
    cipher.setAAD(header.subarray(0, 4));
    // GCM gives back as many bytes as it is given, so each piece lands right after the previous one.
    let offset = 4;
    for (const part of [header.subarray(4), ...payload, padding]) offset += cipher.update(part).copy(out, offset);
    cipher.final();
    cipher.getAuthTag().copy(out, offset);
    return out;
  }

  packetLength(_seq: number, header: Buffer): number {
    return header.readUInt32BE(0);
  }

  open(_seq: number, wire: Buffer): Buffer {
    const end = wire.length - 16;
    const decipher = createDecipheriv(this.node as 'aes-256-gcm', this.key, this.#nextIv(), { authTagLength: 16 });
    decipher.setAAD(wire.subarray(0, 4));
    decipher.setAuthTag(wire.subarray(end));
    const plain = decipher.update(wire.subarray(4, end));
    try {
      decipher.final();
    } catch {
      throw new SSHMacError('packet integrity check failed (bad AES-GCM tag)');
    }
    return plain;
  }
}

/**
 * `chacha20-poly1305@openssh.com` (OpenSSH's PROTOCOL.chacha20poly1305): the second 32 key bytes encrypt the
 * length alone; the first 32 encrypt the rest from block 1 on, and block 0 of the same stream is the
 * Poly1305 key for a tag over the encrypted length and body. The nonce is the sequence number. The two
 * single blocks (the length's and the Poly1305 key) are computed in JavaScript, so each packet sets up
 * one node:crypto cipher for its body (and, when opening, one AEAD that checks the tag: `poly1305-check.ts`).
 */
class ChachaPoly implements PacketSealer, PacketOpener {
  readonly blockSize = 8;
  readonly lengthOutside = true;
  readonly headerLength = 4;
  readonly trailerLength = 16;
  readonly #main: Uint8Array;
  readonly #mainWords: Uint32Array;
  readonly #headerWords: Uint32Array;
  /** The last single block computed; one per instance, read before the next is computed. */
  readonly #block = new Uint32Array(16);
  /** OpenSSL's ChaCha20 IV (a 32-bit block counter, then the nonce) starting the body at block 1. */
  readonly #iv = Buffer.alloc(16);

  constructor(key: Uint8Array) {
    this.#main = key.subarray(0, 32);
    this.#mainWords = chachaKeyWords(this.#main);
    this.#headerWords = chachaKeyWords(key.subarray(32, 64));
    this.#iv[0] = 1;
  }

  seal(seq: number, packet: Buffer): Buffer {
    return this.sealParts(seq, packet.subarray(0, 5), [packet.subarray(5)], Buffer.alloc(0));
  }

  sealParts(seq: number, header: Buffer, payload: readonly Uint8Array[], padding: Buffer): Buffer {
    const length = header.length + piecesLength(payload) + padding.length;
    const out = Buffer.allocUnsafe(length + 16);
    out.writeUInt32BE((header.readUInt32BE(0) ^ this.#lengthMask(seq)) >>> 0, 0);
    const main = this.#body(seq);
    // A stream cipher: each piece's bytes land right after the previous piece's.
    let offset = 4 + main.update(header.subarray(4)).copy(out, 4);
    for (const part of payload) offset += main.update(part).copy(out, offset);
    main.update(padding).copy(out, offset);
    out.set(poly1305(this.#polyKey(seq), out.subarray(0, length)), length);
    return out;
  }

  packetLength(seq: number, header: Buffer): number {
    return (header.readUInt32BE(0) ^ this.#lengthMask(seq)) >>> 0;
  }

  open(seq: number, wire: Buffer): Buffer {
    const end = wire.length - 16;
    const body = this.#body(seq);
    chacha20Block(this.#mainWords, 0, 0, 0, nonceWord(seq), this.#block);
    if (!poly1305Matches(this.#main, this.#iv.subarray(4), this.#block, wire.subarray(0, end), wire.subarray(end))) {
      throw new SSHMacError('packet integrity check failed (bad MAC)');
    }
    return body.update(wire.subarray(4, end));
  }

  /** The first four key stream bytes of the length key, as a big-endian word to XOR with the length. */
  #lengthMask(seq: number): number {
    chacha20Block(this.#headerWords, 0, 0, 0, nonceWord(seq), this.#block);
    const w = this.#block[0]!;
    return ((w & 0xff) << 24) | ((w & 0xff00) << 8) | ((w >>> 8) & 0xff00) | (w >>> 24);
  }

  /** The body's cipher: the main key's stream from block 1 (and the nonce of `#iv` set to `seq`). */
  #body(seq: number): Cipher {
    this.#iv.writeUInt32BE(seq >>> 0, 12);
    return createCipheriv('chacha20', this.#main, this.#iv);
  }

  /** Block 0 of the main key's stream: the Poly1305 key (32 bytes). */
  #polyKey(seq: number): Uint8Array {
    chacha20Block(this.#mainWords, 0, 0, 0, nonceWord(seq), this.#block);
    const key = new Uint8Array(32);
    for (let i = 0; i < 32; i++) key[i] = this.#block[i >> 2]! >>> (8 * (i & 3));
    return key;
  }
}

/**
 * The state word holding the sequence number: OpenSSH's nonce is the sequence number as a 64-bit
 * big-endian number in state words 14 and 15, read little-endian, so word 15 is the byte-swapped sequence
 * number (it stays below 2^32: word 14 is 0).
 */
function nonceWord(seq: number): number {
  return (((seq & 0xff) << 24) | ((seq & 0xff00) << 8) | ((seq >>> 8) & 0xff00) | ((seq >>> 24) & 0xff)) >>> 0;
}
