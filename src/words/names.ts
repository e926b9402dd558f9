/**
 * Nick and room-name rules shared by every front door: what is valid, and when two names are the same.
 * Names compare under RFC 1459 casemapping (IRC's `CASEMAPPING=rfc1459`), where `[]\~` are the upper case of
 * `{}|^`, so a nick taken on IRC is taken on the web too.
 * @module
 */
import { NICK_MAX_LENGTH, ROOM_MAX_LENGTH } from './limits.js';

/** The characters a room name may start with (ISUPPORT `CHANTYPES`). */
export const ROOM_PREFIXES = '#&';

const NICK_RE = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]*$/;
/** The nick rule in words, as refusals tell it (it must say what `NICK_RE` checks). */
export const NICK_RULE = `use up to ${NICK_MAX_LENGTH} characters: letters a-z (any case), digits and - _ [ ] \\ \` ^ { | }, not starting with a digit or -`;
// Format characters (U+202E RIGHT-TO-LEFT OVERRIDE, U+200B ZERO WIDTH SPACE, ...) would let one room pass
// for another in a list, so they are refused like controls and spaces; lone surrogates cannot be sent as UTF-8.
const ROOM_BAD = /[\s,:\p{Cc}\p{Cf}\p{Cs}]/u;

/**
 * The RFC 1459 lower case of `name`: ASCII letters and `[]\~` folded to `a-z{}|^`.
 *
 * @example
 * foldName('Foo[Bar]') === 'foo{bar}'
 */
export function foldName(name: string): string {
  // A name already folded (most nicks and rooms) is returned itself: no copy per lookup, and a user's key
  // is its nick rather than an equal second string.
  let i = 0;
  while (i < name.length && !foldable(name.charCodeAt(i))) i++;
  if (i === name.length) return name;
  let out = name.slice(0, i);
  for (; i < name.length; i++) {
    const c = name.charCodeAt(i);
    out += foldable(c) ? String.fromCharCode(c + 32) : name[i];
  }
  return out;
}

/** A-Z and [\]^ (0x5B-0x5E) sit exactly 32 below a-z and {|}~. */
function foldable(c: number): boolean {
  return c >= 0x41 && c <= 0x5e;
}

/** True if `nick` is a valid nick: an RFC 2812 letter or special first, then letters, digits, specials, `-`. */
export function isValidNick(nick: string): boolean {
  return nick.length > 0 && nick.length <= NICK_MAX_LENGTH && NICK_RE.test(nick);
}

/** True if `name` looks like a room name (starts with `#` or `&`), valid or not. */
export function isRoomName(name: string): boolean {
  return name.length > 0 && ROOM_PREFIXES.includes(name[0]);
}

/**
 * True if `name` is a valid room name: a prefix, at least one more character, no spaces, commas, colons,
 * control or format characters.
 */
export function isValidRoomName(name: string): boolean {
  return isRoomName(name) && name.length > 1 && name.length <= ROOM_MAX_LENGTH && !ROOM_BAD.test(name);
}
