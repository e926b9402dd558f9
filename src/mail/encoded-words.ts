/**
 * RFC 2047 encoded-words (`=?UTF-8?B?...?=`, `=?iso-8859-1?Q?...?=`) in header values, decoded so
 * SEARCH SUBJECT and friends compare the text a reader sees.
 * @module
 */

const WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
/** Whitespace between two encoded-words is dropped (RFC 2047 §6.2); elsewhere it stays. */
const BETWEEN_WORDS = /(\?=)[ \t\r\n]+(?==\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)/g;

function wordBytes(encoding: string, text: string): Buffer {
  if (encoding.toUpperCase() === 'B') return Buffer.from(text, 'base64');
  return Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
}

/**
 * `value` with its encoded-words decoded. A word in a charset this runtime does not know is left as it
 * was, so the text is never lost; a charset's language suffix (`UTF-8*en`, RFC 2231) is ignored.
 */
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  return value.replace(BETWEEN_WORDS, '$1').replace(WORD, (whole, charset: string, encoding: string, text: string) => {
    try {
      return new TextDecoder(charset.split('*')[0]!.toLowerCase()).decode(wordBytes(encoding, text));
    } catch {
      return whole;
    }
  });
}
