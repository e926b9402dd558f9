/**
 * SASL PLAIN for IRC (IRCv3 `sasl`): the credentials as base64, cut into the 400-byte `AUTHENTICATE` chunks
 * the spec asks for. Base64 without `Buffer`, so it runs in a browser.
 * @module
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Standard base64 (with padding) of `bytes`.
 * @example base64Encode(new TextEncoder().encode('hi')) // 'aGk='
 */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += ALPHABET[n >> 18] + ALPHABET[(n >> 12) & 63] + ALPHABET[(n >> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}==`;
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    out += `${ALPHABET[n >> 18]}${ALPHABET[(n >> 12) & 63]}${ALPHABET[(n >> 6) & 63]}=`;
  }
  return out;
}

/** Decodes standard base64; throws a `SyntaxError` on anything else. */
export function base64Decode(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '');
  if (/[^A-Za-z0-9+/]/.test(clean) || clean.length % 4 === 1) throw new SyntaxError('invalid base64');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (const c of clean) {
    acc = (acc << 6) | ALPHABET.indexOf(c);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

/** The largest `AUTHENTICATE` payload per line. */
export const SASL_CHUNK = 400;

/**
 * The `AUTHENTICATE` payloads for SASL PLAIN (`authzid NUL authcid NUL password`): 400-character chunks, then
 * `+` when the last chunk was exactly 400 characters long (or the whole was empty).
 *
 * @example saslPlainPayloads('jilles', 'sesame') // ['AGppbGxlcwBzZXNhbWU=']
 */
export function saslPlainPayloads(username: string, password: string, authzid = ''): string[] {
  const encoded = base64Encode(new TextEncoder().encode(`${authzid}\0${username}\0${password}`));
  const chunks: string[] = [];
  for (let i = 0; i < encoded.length; i += SASL_CHUNK) chunks.push(encoded.slice(i, i + SASL_CHUNK));
  if (encoded.length % SASL_CHUNK === 0) chunks.push('+');
  return chunks;
}
