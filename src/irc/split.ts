/**
 * Splitting text to fit IRC's byte limits without cutting a UTF-8 code point in two. Browser-safe.
 * @module
 */

const encoder = new TextEncoder();

/** The UTF-8 length of `text`, in bytes. */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** UTF-8 length of the code point starting at `text[i]`, and how many UTF-16 units it spans. */
function codePointAt(text: string, i: number): [bytes: number, units: number] {
  const c = text.charCodeAt(i);
  if (c < 0x80) return [1, 1];
  if (c < 0x800) return [2, 1];
  if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) return [4, 2];
  return [3, 1];
}

/**
 * Splits `text` into pieces of at most `maxBytes` UTF-8 bytes each. Line breaks always split; a long line is
 * cut at its last space that fits (the space is dropped), or between code points when a word alone is too
 * long. Empty pieces are left out, since IRC cannot carry an empty message.
 *
 * @example splitMessage('héllo wörld', 8) // ['héllo', 'wörld']
 */
export function splitMessage(text: string, maxBytes: number): string[] {
  if (!(maxBytes >= 4)) throw new RangeError(`maxBytes must be at least 4 (one code point), got ${maxBytes}`);
  const out: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    let start = 0;
    while (start < line.length) {
      let i = start;
      let bytes = 0;
      let lastSpace = -1;
      while (i < line.length) {
        const [b, u] = codePointAt(line, i);
        if (bytes + b > maxBytes) break;
        if (line.charCodeAt(i) === 32) lastSpace = i;
        bytes += b;
        i += u;
      }
      if (i >= line.length) {
        out.push(line.slice(start));
        break;
      }
      if (line.charCodeAt(i) === 32) {
        out.push(line.slice(start, i));
        start = i + 1;
      } else if (lastSpace > start) {
        out.push(line.slice(start, lastSpace));
        start = lastSpace + 1;
      } else {
        out.push(line.slice(start, i));
        start = i;
      }
    }
  }
  return out.filter((piece) => piece !== '');
}

/** `text` as UTF-8 bytes. */
export function encodeUtf8(text: string): Uint8Array {
  return encoder.encode(text);
}
