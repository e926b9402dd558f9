/**
 * IRCv3 message-tag value escaping (https://ircv3.net/specs/extensions/message-tags): `;`, space, `\`, CR
 * and LF are written as `\:`, `\s`, `\\`, `\r`, `\n`.
 * @module
 */

const ESCAPES: Record<string, string> = { ';': '\\:', ' ': '\\s', '\\': '\\\\', '\r': '\\r', '\n': '\\n' };
const UNESCAPES: Record<string, string> = { ':': ';', s: ' ', '\\': '\\', r: '\r', n: '\n' };

/**
 * A tag value as it goes on the wire.
 * @example escapeTagValue('a b;c') // 'a\\sb\\:c'
 */
export function escapeTagValue(value: string): string {
  return value.replace(/[; \\\r\n]/g, (c) => ESCAPES[c]);
}

/**
 * A tag value as read from the wire. Per the spec an unknown escape `\x` stands for `x`, and a lone
 * trailing backslash is dropped.
 */
export function unescapeTagValue(raw: string): string {
  if (!raw.includes('\\')) return raw;
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    i++;
    if (i >= raw.length) break;
    out += UNESCAPES[raw[i]] ?? raw[i];
  }
  return out;
}

/** Parses a tag section (without its leading `@`); the last of duplicate keys wins. */
export function parseTags(section: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const item of section.split(';')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const key = eq < 0 ? item : item.slice(0, eq);
    // `__proto__` is no valid tag key, and assigning it would not create a property.
    if (key === '' || key === '__proto__') continue;
    tags[key] = eq < 0 ? '' : unescapeTagValue(item.slice(eq + 1));
  }
  return tags;
}

/** Writes tags as a tag section (without the leading `@`); empty values are written as bare keys. */
export function formatTags(tags: Record<string, string>): string {
  return Object.entries(tags)
    .map(([k, v]) => (v === '' ? k : `${k}=${escapeTagValue(v)}`))
    .join(';');
}
