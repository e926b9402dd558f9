/**
 * The SSH public key file format of RFC 4716 (`---- BEGIN SSH2 PUBLIC KEY ----`), as `ssh-keygen -e`
 * writes it: headers (`Comment: "..."`, lines continued with `\`) and the base64 key blob.
 * @module
 */
import { KeyFormatError } from './errors.js';

const BEGIN = '---- BEGIN SSH2 PUBLIC KEY ----';
const END = '---- END SSH2 PUBLIC KEY ----';

/** The key blob and the `Comment` header of an RFC 4716 public key. */
export function readRFC4716(text: string): { blob: Uint8Array; comment: string } {
  const start = text.indexOf(BEGIN);
  const stop = text.indexOf(END, start);
  if (start < 0 || stop < 0) throw new KeyFormatError(`no ${END} line`);
  const lines = text.slice(start + BEGIN.length, stop).split('\n').map((l) => l.replace(/\r$/, ''));
  let comment = '';
  let body = '';
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i];
    if (line.includes(':') && body === '') {
      while (line.endsWith('\\') && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i];
      const colon = line.indexOf(':');
      const tag = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      if (tag === 'comment') comment = value.replace(/^"(.*)"$/, '$1');
      continue;
    }
    body += line.trim();
  }
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || body.length % 4 !== 0) throw new KeyFormatError('the RFC 4716 key is not base64');
  return { blob: Buffer.from(body, 'base64'), comment };
}
