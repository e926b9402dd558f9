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
