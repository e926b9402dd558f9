/**
 * The binary packet protocol (RFC 4253 §6), sans I/O: {@link PacketEncoder} turns payloads into wire bytes,
 * {@link PacketDecoder} takes wire bytes in any chunks and gives payloads back. Each keeps its sequence
 * number and byte count, and takes new keys at NEWKEYS.
 * @module
 */
import { randomFillSync } from 'node:crypto';
import { SSHPacketTooLargeError, SSHProtocolError } from '../errors.js';
import { DEFAULT_SSH_TRANSPORT_LIMITS, type SSHTransportLimits } from '../limits.js';
import { ZlibCompressor, ZlibDecompressor } from './compression.js';
import { makeOpener, makeSealer, type DirectionKeys, type PacketOpener, type PacketSealer } from './ciphers.js';

const MIN_PADDING = 4;

/** Counts shared by both directions: what re-keying by volume looks at. */
interface Counters {
  /** The sequence number of the next packet (uint32, wrapping). */
  readonly sequence: number;
  /** Wire bytes since the current keys were taken. */
  readonly bytesSinceKeys: number;
}

/** Writes payloads as packets. */
export class PacketEncoder implements Counters {
  sequence = 0;
  bytesSinceKeys = 0;
  /** Compresses payloads while `zlib@openssh.com` is in effect. */
  compressor: ZlibCompressor | undefined;
  #sealer: PacketSealer = makeSealer(undefined);

  /** Random bytes for padding, drawn a few KiB at a time: one system call per packet costs more than the padding. */
  #pool = Buffer.alloc(0);
  #poolOffset = 0;

  #randomPadding(packet: Buffer, offset: number, length: number): void {
    this.#takePadding(length).copy(packet, offset);
  }

  /** `length` random bytes from the pool (a view: used once, and the pool is never rewritten in place). */
  #takePadding(length: number): Buffer {
    if (this.#poolOffset + length > this.#pool.length) {
      this.#pool = randomFillSync(Buffer.allocUnsafe(4096));
      this.#poolOffset = 0;
    }
    const padding = this.#pool.subarray(this.#poolOffset, this.#poolOffset + length);
    this.#poolOffset += length;
    return padding;
  }

  /** Takes new keys for the packets from now on (after sending NEWKEYS). */
  setKeys(keys: DirectionKeys): void {
    this.#sealer = makeSealer(keys);
    this.bytesSinceKeys = 0;
  }

  /** The wire bytes of one packet carrying `payload`. */
  encode(payload: Uint8Array): Buffer {
    if (this.compressor !== undefined) payload = this.compressor.compress(payload);
    const sealer = this.#sealer;
    if (sealer.sealParts !== undefined) return this.#sealParts([payload], payload.length);
    const block = sealer.blockSize;
    const covered = (sealer.lengthOutside ? 1 : 5) + payload.length;
    let padding = block - (covered % block);
    if (padding < MIN_PADDING) padding += block;
    const packetLength = 1 + payload.length + padding;
    const packet = Buffer.allocUnsafe(4 + packetLength);
    packet.writeUInt32BE(packetLength, 0);
    packet[4] = padding;
    packet.set(payload, 5);
    this.#randomPadding(packet, 5 + payload.length, padding);
    const wire = sealer.seal(this.sequence, packet);
    this.sequence = (this.sequence + 1) >>> 0;
    this.bytesSinceKeys += wire.length;
    return wire;
  }

  /**
   * The wire bytes of one packet whose payload is `head` then `body`: with a sealer that takes pieces and
   * no compression, `body` is read once, by the cipher, and never copied into a joined payload.
   */
  encodeParts(head: Uint8Array, body: Uint8Array): Buffer {
    if (this.compressor !== undefined || this.#sealer.sealParts === undefined) return this.encode(Buffer.concat([head, body]));
    return this.#sealParts([head, body], head.length + body.length);
  }

  #sealParts(payload: readonly Uint8Array[], payloadLength: number): Buffer {
    const sealer = this.#sealer;
    const block = sealer.blockSize;
    const covered = (sealer.lengthOutside ? 1 : 5) + payloadLength;
    let padding = block - (covered % block);
    if (padding < MIN_PADDING) padding += block;
    const header = Buffer.allocUnsafe(5);
    header.writeUInt32BE(1 + payloadLength + padding, 0);
    header[4] = padding;
    const wire = sealer.sealParts!(this.sequence, header, payload, this.#takePadding(padding));
    this.sequence = (this.sequence + 1) >>> 0;
    this.bytesSinceKeys += wire.length;
    return wire;
  }
}

/**
 * Reads packets from wire bytes fed in any chunks. Received chunks are read where they are, not joined:
 * only a packet cut across two chunks is assembled, each of its bytes copied once.
 */
export class PacketDecoder implements Counters {
  sequence = 0;
  bytesSinceKeys = 0;
  /** Decompresses payloads while `zlib@openssh.com` is in effect. */
  decompressor: ZlibDecompressor | undefined;
  #opener: PacketOpener = makeOpener(undefined);
  /** Bytes received and not yet read, in order; the last `#borrowed` of them are the caller's buffers. */
  readonly #chunks: Buffer[] = [];
  #size = 0;
  #borrowed = 0;
  /** The packet being assembled from several chunks, and how much of it has arrived. */
  #partial: Buffer | undefined;
  #partialFill = 0;
  /**
   * The buffer the last cut packet was assembled in, reused for the next one once read: in a bulk
   * transfer most packets arrive cut across reads. Let go whenever a read leaves nothing unread.
   */
  #assembly: Buffer | undefined;
  /** The current packet's length, once its header was read. */
  #length = -1;
  readonly #limits: Pick<SSHTransportLimits, 'maxPacketLength' | 'maxPayloadLength'>;

  constructor(limits: Pick<SSHTransportLimits, 'maxPacketLength' | 'maxPayloadLength'> = DEFAULT_SSH_TRANSPORT_LIMITS) {
    this.#limits = limits;
  }

  /** Bytes received and not yet read as packets. */
  get buffered(): number {
    return this.#size + this.#partialFill;
  }

  /**
   * Appends received bytes. They are read in place until {@link PacketDecoder.retain} (or the next
   * `feed`) copies what is left: the caller may reuse its buffer only after one of those.
   */
  feed(data: Uint8Array): void {
    if (data.length === 0) return;
    let chunk = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.length);
    this.retain();
    const partial = this.#partial;
    if (partial !== undefined) {
      const take = Math.min(partial.length - this.#partialFill, chunk.length);
      chunk.copy(partial, this.#partialFill, 0, take);
      this.#partialFill += take;
      if (this.#partialFill < partial.length) return;
      this.#partial = undefined;
      this.#partialFill = 0;
      this.#push(partial, false);
      chunk = chunk.subarray(take);
      if (chunk.length === 0) return;
    }
    this.#push(chunk, true);
  }

  /**
   * Copies the unread bytes out of the caller's buffers (into one buffer for the packet under way, when
   * its length is known): call before the buffers fed may be reused.
   */
  retain(): void {
    if (this.#size === 0 && this.#partial === undefined) this.#assembly = undefined;
    if (this.#borrowed === 0) return;
    const total = this.#length < 0 ? -1 : 4 + this.#length + this.#opener.trailerLength;
    if (total > this.#size && this.#partial === undefined) {
      const partial = this.#assemblyBuffer(total);
      let offset = 0;
      for (const c of this.#chunks) offset += c.copy(partial, offset);
      this.#chunks.length = 0;
      this.#partial = partial;
      this.#partialFill = this.#size;
      this.#size = 0;
    } else {
      const chunks = this.#chunks;
      for (let i = chunks.length - this.#borrowed; i < chunks.length; i++) chunks[i] = Buffer.from(chunks[i]!);
    }
    this.#borrowed = 0;
  }

  /** `total` bytes to assemble a packet in: the kept buffer unless too small or still holding unread bytes. */
  #assemblyBuffer(total: number): Buffer {
    const kept = this.#assembly;
    if (kept !== undefined && kept.length >= total && !this.#chunks.some((c) => c.buffer === kept.buffer)) return kept.subarray(0, total);
    this.#assembly = Buffer.allocUnsafe(total);
    return this.#assembly;
  }

  #push(chunk: Buffer, borrowed: boolean): void {
    this.#chunks.push(chunk);
    this.#size += chunk.length;
    if (borrowed) this.#borrowed++;
  }

  /** The first `n` unread bytes, contiguous (a view when they are in one chunk), consumed or not. */
  #read(n: number, consume: boolean): Buffer {
    const chunks = this.#chunks;
    const first = chunks[0]!;
    if (first.length >= n) {
      if (!consume) return first.subarray(0, n);
      const out = first.subarray(0, n);
      if (first.length === n) this.#drop(1);
      else chunks[0] = first.subarray(n);
      this.#size -= n;
      return out;
    }
    const out = Buffer.allocUnsafe(n);
    let offset = 0;
    let used = 0;
    while (offset < n) {
      const c = chunks[used]!;
      const take = Math.min(c.length, n - offset);
      c.copy(out, offset, 0, take);
      offset += take;
      if (take === c.length) used++;
      else if (consume) chunks[used] = c.subarray(take);
    }
    if (consume) {
      this.#drop(used);
      this.#size -= n;
    }
    return out;
  }

  #drop(count: number): void {
    this.#chunks.splice(0, count);
    this.#borrowed = Math.min(this.#borrowed, this.#chunks.length);
  }

  /** Takes new keys for the packets after the current one (on receiving NEWKEYS). */
  setKeys(keys: DirectionKeys): void {
    this.#opener = makeOpener(keys);
    this.bytesSinceKeys = 0;
  }

  /**
   * The next whole packet's payload, or null until more bytes arrive. Throws {@link SSHPacketTooLargeError}
   * as soon as a length over the limit is read, {@link SSHProtocolError} for bad padding and
   * `SSHMacError` for a failed integrity check.
   */
  next(): Uint8Array | null {
    const opener = this.#opener;
    if (this.#partial !== undefined) return null;
    if (this.#length < 0) {
      if (this.#size < opener.headerLength) return null;
      const length = opener.packetLength(this.sequence, this.#read(opener.headerLength, false));
      if (length > this.#limits.maxPacketLength) throw new SSHPacketTooLargeError(`a packet of ${length} bytes, over the limit of ${this.#limits.maxPacketLength}`);
      const covered = opener.lengthOutside ? length : length + 4;
      if (length < 1 + MIN_PADDING || covered % opener.blockSize !== 0) throw new SSHProtocolError(`a packet length of ${length} that is not a whole number of ${opener.blockSize}-byte blocks`);
      this.#length = length;
    }
    const total = 4 + this.#length + opener.trailerLength;
    if (this.#size < total) return null;
    const wire = this.#read(total, true);
    this.#length = -1;
    const body = opener.open(this.sequence, wire);
    this.sequence = (this.sequence + 1) >>> 0;
    this.bytesSinceKeys += total;
    const padding = body[0]!;
    if (padding < MIN_PADDING || padding > body.length - 2) throw new SSHProtocolError(`a padding length of ${padding} in a packet of ${body.length} bytes`);
    const payload = body.subarray(1, body.length - padding);
    // A body the opener decrypted into a buffer of its own: a payload filling most of it is handed out as
    // it is (a data packet, the bulk of the traffic, is not copied again); a small one is copied so that it
    // does not keep a large buffer alive. A body that is a view of the wire (no cipher yet) is the
    // caller's memory: always copied.
    if (this.decompressor === undefined) return body.buffer !== wire.buffer && payload.length * 2 >= payload.buffer.byteLength ? new Uint8Array(payload.buffer, payload.byteOffset, payload.length) : new Uint8Array(payload);
    const inflated = this.decompressor.decompress(payload, this.#limits.maxPayloadLength);
    if (inflated.length === 0) throw new SSHProtocolError('a compressed packet with an empty payload');
    return inflated;
  }
}
