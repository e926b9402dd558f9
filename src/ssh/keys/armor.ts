/**
 * The `-----BEGIN X-----` text armour around base64 key data: OpenSSH private keys (70 columns) and PEM.
 * @module
 */
import { KeyFormatError } from './errors.js';

/** The label of the first armoured block in `text` (`OPENSSH PRIVATE KEY`), or undefined. */
export function armorLabel(text: string): string | undefined {
  return /-----BEGIN ([A-Z0-9 ]+)-----/.exec(text)?.[1];
}

/** The bytes inside the block labelled `label`; headers (`Proc-Type:`) are not expected here. */
export function unarmor(text: string, label: string): Uint8Array {
  const begin = `-----BEGIN ${label}-----`;
  const end = `-----END ${label}-----`;
  const start = text.indexOf(begin);
  const stop = text.indexOf(end, start);
  if (start < 0 || stop < 0) throw new KeyFormatError(`no ${end} line`);
  const body = text.slice(start + begin.length, stop).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) throw new KeyFormatError(`the ${label} block is not base64`);
  return Buffer.from(body, 'base64');
}

/** `bytes` armoured as `label`, in lines of `width` characters. */
export function armor(bytes: Uint8Array, label: string, width = 70): string {
  const b64 = Buffer.from(bytes).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += width) lines.push(b64.slice(i, i + width));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
