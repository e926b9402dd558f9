/**
 * The byte-level reader and writer of DNS messages, with name compression (RFC 1035 §4.1.4).
 * Names are presentation text without the final dot (`www.example.test`; the root is `''`); a label byte
 * that is `.`, `\` or not printable ASCII is written `\DDD`.
 * Browser-safe.
 * @module
 */
import { DNSFormatError } from './errors.js';

/** The longest name on the wire, length octets included (RFC 1035 §2.3.4). */
export const MAX_NAME_WIRE_BYTES = 255;
/** The longest label (RFC 1035 §2.3.4). */
export const MAX_LABEL_BYTES = 63;

/** Splits presentation text into label bytes, resolving `\DDD` and `\X` escapes. */
export function nameToLabels(name: string): Uint8Array[] {
  if (name === '' || name === '.') return [];
  const text = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  const labels: Uint8Array[] = [];
  let current: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 0x2e) {
      labels.push(finishLabel(current, name));
      current = [];
    } else if (ch === 0x5c) {
      const digits = /^\d{3}/.exec(text.slice(i + 1, i + 4));
      if (digits !== null) {
        const value = Number(digits[0]);
        if (value > 255) throw new DNSFormatError(`bad escape in name ${JSON.stringify(name)}`);
        current.push(value);
        i += 3;
      } else {
        if (i + 1 >= text.length) throw new DNSFormatError(`dangling escape in name ${JSON.stringify(name)}`);
        current.push(text.charCodeAt(++i) & 0xff);
      }
    } else {
      if (ch > 0xff) throw new DNSFormatError(`non-ASCII name ${JSON.stringify(name)} (use its A-label)`);
      current.push(ch);
    }
  }
  labels.push(finishLabel(current, name));
  const wire = labels.reduce((n, l) => n + l.length + 1, 1);
  if (wire > MAX_NAME_WIRE_BYTES) throw new DNSFormatError(`name longer than ${MAX_NAME_WIRE_BYTES} bytes`);
  return labels;
}

function finishLabel(bytes: number[], name: string): Uint8Array {
  if (bytes.length === 0) throw new DNSFormatError(`empty label in name ${JSON.stringify(name)}`);
  if (bytes.length > MAX_LABEL_BYTES) throw new DNSFormatError(`label longer than ${MAX_LABEL_BYTES} bytes`);
  return Uint8Array.from(bytes);
}

/** The presentation text of one label. */
export function labelToText(label: Uint8Array): string {
  let out = '';
  for (const b of label) {
    if (b === 0x2e || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b <= 0x20 || b >= 0x7f) out += '\\' + String(b).padStart(3, '0');
    else out += String.fromCharCode(b);
  }
  return out;
}

/** The canonical form of a name for comparison and map keys: lower-case ASCII, no final dot. */
export function canonicalName(name: string): string {
  // The common case (plain letters, digits, hyphens, underscores) needs no label-by-label pass.
  const bare = name.endsWith('.') && !name.endsWith('\\.') ? name.slice(0, -1) : name;
  if (bare.length <= 253 && /^([A-Za-z0-9_-]{1,63}\.)*[A-Za-z0-9_-]{1,63}$/.test(bare)) return bare.toLowerCase();
  if (name === '' || name === '.') return '';
  return nameToLabels(name).map(labelToText).join('.').replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/** A cursor over a received message. */
export class WireReader {
  offset = 0;
  constructor(readonly bytes: Uint8Array, private readonly maxPointerJumps: number) {}

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) throw new DNSFormatError('message truncated');
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u16(): number {
    this.need(2);
    const v = (this.bytes[this.offset]! << 8) | this.bytes[this.offset + 1]!;
    this.offset += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const b = this.bytes;
    const o = this.offset;
    this.offset += 4;
    return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /**
   * Reads a possibly compressed name. A pointer must point strictly before the labels that led to it, so a
   * pointer loop (or a pointer forward into unread data) cannot happen: it is refused.
   */
  name(): string {
    const labels: string[] = [];
    let wire = 1;
    let pos = this.offset;
    let limit = this.offset;
    let jumps = 0;
    let resume = -1;
    for (;;) {
      if (pos >= this.bytes.length) throw new DNSFormatError('message truncated inside a name');
      const len = this.bytes[pos]!;
      if ((len & 0xc0) === 0xc0) {
        if (pos + 1 >= this.bytes.length) throw new DNSFormatError('message truncated inside a pointer');
        const target = ((len & 0x3f) << 8) | this.bytes[pos + 1]!;
        if (target >= limit) throw new DNSFormatError('compression pointer does not point backward (a loop)');
        if (++jumps > this.maxPointerJumps) throw new DNSFormatError('too many compression pointers in a name');
        if (resume < 0) resume = pos + 2;
        pos = target;
        limit = target;
        continue;
      }
      if ((len & 0xc0) !== 0) throw new DNSFormatError(`unsupported label type 0x${len.toString(16)}`);
      if (len === 0) {
        this.offset = resume >= 0 ? resume : pos + 1;
        return labels.join('.');
      }
      wire += len + 1;
      if (wire > MAX_NAME_WIRE_BYTES) throw new DNSFormatError(`name longer than ${MAX_NAME_WIRE_BYTES} bytes`);
      if (pos + 1 + len > this.bytes.length) throw new DNSFormatError('message truncated inside a label');
      labels.push(labelToText(this.bytes.subarray(pos + 1, pos + 1 + len)));
      pos += 1 + len;
    }
  }
}

/** A growing buffer that writes names with compression. */
export class WireWriter {
  private buf = new Uint8Array(512);
  length = 0;
  private readonly suffixes = new Map<string, number>();

  private ensure(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    this.ensure(2);
    this.buf[this.length++] = (v >>> 8) & 0xff;
    this.buf[this.length++] = v & 0xff;
  }

  u32(v: number): void {
    this.u16(Math.floor(v / 65536) & 0xffff);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  /** Overwrites a 16-bit value already written (an RDLENGTH). */
  patch16(at: number, v: number): void {
    this.buf[at] = (v >>> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** Writes a name, compressed against earlier names when `compress`, and remembers its suffixes. */
  name(name: string, compress: boolean): void {
    const labels = nameToLabels(name);
    const texts = labels.map((l) => labelToText(l).toLowerCase());
    const keys: string[] = new Array<string>(labels.length);
    for (let i = labels.length - 1; i >= 0; i--) keys[i] = i === labels.length - 1 ? texts[i]! : `${texts[i]!}.${keys[i + 1]!}`;
    for (let i = 0; i < labels.length; i++) {
      const known = compress ? this.suffixes.get(keys[i]!) : undefined;
      if (known !== undefined) {
        this.u16(0xc000 | known);
        return;
      }
      if (this.length < 0x4000 && !this.suffixes.has(keys[i]!)) this.suffixes.set(keys[i]!, this.length);
      this.u8(labels[i]!.length);
      this.bytes(labels[i]!);
    }
    this.u8(0);
  }

  /** The bytes written so far. */
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
