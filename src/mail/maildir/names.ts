/**
 * Maildir file names: unique names for new messages (`time.M<usec>P<pid>Q<n>.host,S=<size>,W=<size>`),
 * the `:2,FLAGS` info part, and line-end conversion between the disk (LF) and the wire (CRLF).
 * @module
 */

/** The flags the maildir `:2,` info knows, by letter (kept sorted in ASCII order in file names). */
export type MaildirFlag = 'D' | 'F' | 'P' | 'R' | 'S' | 'T';
const FLAG_LETTERS = new Set<string>(['D', 'F', 'P', 'R', 'S', 'T']);

/** A system flag letter, or a keyword letter `a`-`z` (Dovecot's convention: the keyword's index in `dovecot-keywords`). */
function isFlagLetter(c: string): boolean {
  return FLAG_LETTERS.has(c) || (c >= 'a' && c <= 'z');
}

/** What a file name says: its unique part, the sizes it records, and its flags. */
export interface ParsedName {
  /** The unique part (before `:`), the message's id for life. */
  unique: string;
  /** The size on disk from `,S=`, if recorded. */
  diskSize?: number;
  /** The wire (CRLF) size from `,W=`, if recorded. */
  wireSize?: number;
  /** Flags from `:2,`, sorted (system letters, then keyword letters `a`-`z`). */
  flags: string;
}

/** Splits a maildir file name into its parts. */
export function parseName(name: string): ParsedName {
  const colon = name.indexOf(':');
  const unique = colon < 0 ? name : name.slice(0, colon);
  const info = colon < 0 ? '' : name.slice(colon + 1);
  const flags = info.startsWith('2,') ? [...new Set(info.slice(2))].filter(isFlagLetter).sort().join('') : '';
  const out: ParsedName = { unique, flags };
  for (const field of unique.split(',').slice(1)) {
    const m = /^([SW])=(\d+)$/.exec(field);
    if (m) out[m[1] === 'S' ? 'diskSize' : 'wireSize'] = Number(m[2]);
  }
  return out;
}

/** `unique` with the flags `flags` as its info (`:2,FS`). */
export function nameWithFlags(unique: string, flags: Iterable<string>): string {
  const letters = [...new Set(flags)].filter(isFlagLetter).sort().join('');
  return `${unique}:2,${letters}`;
}

/** The host part of a unique name, with `/` and `:` written as the convention asks (`\057`, `\072`). */
export function safeHostname(host: string): string {
  return (host || 'localhost').replace(/\//g, '\\057').replace(/:/g, '\\072').replace(/,/g, '\\054');
}

/**
 * A new unique name: seconds and microseconds of `now`, the process id and a per-process counter make it
 * unique on this host; the sizes are recorded so listing needs no reads. Microseconds and the counter are
 * zero-padded so that names sort in delivery order as plain strings (`Q9` would sort after `Q10`).
 */
export function uniqueName(now: number, pid: number, counter: number, host: string, diskSize: number, wireSize: number): string {
  const seconds = Math.floor(now);
  const micros = String(Math.floor((now - seconds) * 1e6)).padStart(6, '0');
  return `${seconds}.M${micros}P${pid}Q${String(counter).padStart(12, '0')}.${safeHostname(host)},S=${diskSize},W=${wireSize}`;
}

const CR = 0x0d;
const LF = 0x0a;

function asBuffer(data: Uint8Array): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * `data` with every CRLF turned into LF (the disk form); bare CRs stay. The text is copied once and then
 * closed up in place with `copyWithin` between line ends found with `indexOf`: a byte-by-byte loop, or a
 * `Buffer.copy` per line, cost two to three times as much.
 */
export function toDiskForm(data: Uint8Array): Uint8Array {
  let lf = data.indexOf(LF);
  while (lf >= 0 && (lf === 0 || data[lf - 1] !== CR)) lf = data.indexOf(LF, lf + 1);
  if (lf < 0) return data;
  const out = new Uint8Array(data);
  // Bytes before `from` are final; `o` is where the next ones go (the CR before `lf` is dropped).
  let o = lf - 1;
  let from = lf;
  for (lf = out.indexOf(LF, lf + 1); lf >= 0; lf = out.indexOf(LF, lf + 1)) {
    if (out[lf - 1] !== CR) continue;
    out.copyWithin(o, from, lf - 1);
    o += lf - 1 - from;
    from = lf;
  }
  out.copyWithin(o, from);
  return out.subarray(0, o + out.length - from);
}

/** The length of `data` in the wire form (each LF not already after a CR counted as CRLF), without making it. */
export function wireLength(data: Uint8Array): number {
  const buf = asBuffer(data);
  let n = buf.length;
  for (let at = buf.indexOf(LF); at >= 0; at = buf.indexOf(LF, at + 1)) if (at === 0 || buf[at - 1] !== CR) n++;
  return n;
}

/** `data` with every LF not already after a CR turned into CRLF (the wire form). */
export function toWireForm(data: Uint8Array): Uint8Array {
  const length = wireLength(data);
  if (length === data.length) return data;
  const buf = asBuffer(data);
  const out = Buffer.allocUnsafe(length);
  let o = 0;
  let from = 0;
  for (let at = buf.indexOf(LF); at >= 0; at = buf.indexOf(LF, at + 1)) {
    if (at > 0 && buf[at - 1] === CR) continue;
    o += buf.copy(out, o, from, at);
    out[o++] = CR;
    from = at;
  }
  buf.copy(out, o, from);
  return out;
}
