/**
 * Free text entering the service — messages, topics, part, kick and quit reasons, away messages, real
 * names — is scrubbed once, here, whichever front door it came through, so that every other front door can
 * carry it. An IRC line ends at CR or LF and cannot hold NUL: text holding one would be refused by the IRC
 * formatter, and IRC users would never hear of the part, kick or topic it came with.
 * @module
 */

const UNSAFE_ALL = /[\r\n\0]/g;
const UNSAFE = /[\r\n\0]/;

/**
 * `text` with each CR, LF and NUL turned into a space (as the IRC relay always did), cut to `maxLength`
 * UTF-16 units (never inside a surrogate pair). Everything else, IRC formatting codes and CTCP's `\x01`
 * included, is kept.
 *
 * @example
 * scrubText('bye\r\nall\0') === 'bye  all '
 */
export function scrubText(text: string, maxLength = Infinity): string {
  let out = UNSAFE.test(text) ? text.replace(UNSAFE_ALL, ' ') : text;
  if (out.length > maxLength) {
    let end = maxLength;
    const last = out.charCodeAt(end - 1);
    if (last >= 0xd800 && last <= 0xdbff) end--;
    out = out.slice(0, end);
  }
  return out;
}

/** Tags carried with a message, with NUL (which no IRC tag value can hold) scrubbed from their values. */
export function scrubTags(tags: Record<string, string>): Record<string, string> {
  let out: Record<string, string> | undefined;
  for (const key of Object.keys(tags)) {
    const value = tags[key]!;
    if (value.includes('\0')) (out ??= { ...tags })[key] = scrubText(value);
  }
  return out ?? tags;
}

/** UTF-8 bytes of `s`. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else {
      // Three bytes, or four for a surrogate pair (two UTF-16 units, already counted once each).
      n += 2;
      if (c >= 0xd800 && c < 0xdc00) i++;
    }
  }
  return n;
}

/** `tags` within `max` bytes (the same object when it fits, undefined when none fits). */
export function boundTags(tags: Record<string, string>, max: number): Record<string, string> | undefined {
  let size = 0;
  let kept: Record<string, string> | undefined;
  let dropped = false;
  for (const key in tags) {
    const bytes = utf8Length(key) + utf8Length(tags[key]) + 2;
    if (size + bytes > max) {
      dropped = true;
      continue;
    }
    size += bytes;
    (kept ??= {})[key] = tags[key];
  }
  return dropped ? kept : tags;
}
