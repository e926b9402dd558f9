/**
 * Modified UTF-7 (RFC 3501 §5.1.3), the form of mailbox names on the wire and, as Dovecot keeps them, on
 * disk: printable ASCII stands for itself (`&` as `&-`), anything else is UTF-16 in base64 with `,` for
 * `/`, between `&` and `-`.
 * @module
 */
import { IMAPMailboxNameError } from '../errors.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,';

/** The modified UTF-7 form of a Unicode mailbox name. */
export function encodeMailboxName(name: string): string {
  let out = '';
  let pending: number[] = [];
  const flush = (): void => {
    if (pending.length === 0) return;
    const bytes: number[] = [];
    for (const unit of pending) bytes.push(unit >> 8, unit & 0xff);
    let bits = 0;
    let buffer = 0;
    out += '&';
    for (const b of bytes) {
      buffer = (buffer << 8) | b;
      bits += 8;
      while (bits >= 6) {
        bits -= 6;
        out += B64[(buffer >> bits) & 0x3f];
      }
    }
    if (bits > 0) out += B64[(buffer << (6 - bits)) & 0x3f];
    out += '-';
    pending = [];
  };
  for (let i = 0; i < name.length; i++) {
    const unit = name.charCodeAt(i);
    if (unit >= 0x20 && unit <= 0x7e) {
      flush();
      out += unit === 0x26 ? '&-' : name[i];
    } else {
      pending.push(unit);
    }
  }
  flush();
  return out;
}

/**
 * The Unicode name a modified UTF-7 name stands for. Only the one canonical spelling is accepted (no
 * 8-bit bytes, no base64 run that encodes printable ASCII or ends in stray bits), so two spellings can
 * never name one folder; anything else fails with {@link IMAPMailboxNameError}.
 */
export function decodeMailboxName(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new IMAPMailboxNameError('mailbox names are modified UTF-7: 7-bit printable characters only');
    if (text[i] !== '&') {
      out += text[i];
      continue;
    }
    const end = text.indexOf('-', i + 1);
    if (end < 0) throw new IMAPMailboxNameError('unterminated &... run in a mailbox name');
    const run = text.slice(i + 1, end);
    i = end;
    if (run === '') {
      out += '&';
      continue;
    }
    out += decodeRun(run);
  }
  if (encodeMailboxName(out) !== text) throw new IMAPMailboxNameError('mailbox name is not in canonical modified UTF-7');
  return out;
}

function decodeRun(run: string): string {
  let bits = 0;
  let buffer = 0;
  const units: number[] = [];
  let byte: number | null = null;
  for (const ch of run) {
    const v = B64.indexOf(ch);
    if (v < 0) throw new IMAPMailboxNameError('bad character in a modified base64 run');
    buffer = ((buffer << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      const b = (buffer >> bits) & 0xff;
      if (byte === null) byte = b;
      else {
        units.push((byte << 8) | b);
        byte = null;
      }
    }
  }
  if (byte !== null || (buffer & ((1 << bits) - 1)) !== 0) throw new IMAPMailboxNameError('modified base64 run does not end on a UTF-16 unit');
  for (let i = 0; i < units.length; i++) {
    const high = units[i]! >= 0xd800 && units[i]! <= 0xdbff;
    const low = (u: number | undefined): boolean => u !== undefined && u >= 0xdc00 && u <= 0xdfff;
    if (high && low(units[i + 1])) i++;
    else if (high || low(units[i])) throw new IMAPMailboxNameError('modified base64 run holds a lone UTF-16 surrogate');
  }
  return String.fromCharCode(...units);
}
