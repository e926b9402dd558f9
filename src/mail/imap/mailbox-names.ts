/**
 * Mailbox names: INBOX (case-insensitive, RFC 3501 §5.1), the `/` hierarchy, the checks every name
 * passes before it touches the disk, the Maildir++ folder that holds it (`Archive/2024` is
 * `.Archive.2024`, as Dovecot lays it out; a `.` inside a level is kept as `\2e` and a `\` as `\5c`, the
 * escapes of Dovecot's listescape plugin), and LIST patterns.
 * @module
 */
import { IMAPMailboxNameError } from '../errors.js';
import { decodeMailboxName } from './mutf7.js';
import { valueText, type IMAPValue } from './values.js';

/** The hierarchy separator on the wire. */
export const SEPARATOR = '/';

/** How long and how deep a name may be. */
export interface NameLimits {
  maxMailboxNameLength: number;
  maxMailboxDepth: number;
}

/** True if `value` names INBOX. */
export function isInbox(value: IMAPValue | undefined): boolean {
  return valueText(value)?.toUpperCase() === 'INBOX';
}

/**
 * The levels of the mailbox name `text` (modified UTF-7, as on the wire), INBOX spelt in capitals. A
 * trailing `/` is dropped when `trailingSeparator` allows it (CREATE). Fails with
 * {@link IMAPMailboxNameError} for anything that could escape the maildir or that a client could not
 * list back: an empty level, a level of dots only (`.`, `..`), `%` or `*`, a name that is not canonical
 * modified UTF-7, or one past the limits.
 */
export function parseMailboxName(text: string | undefined, limits: NameLimits, trailingSeparator = false): string[] {
  if (text === undefined) throw new IMAPMailboxNameError('mailbox name expected');
  let name = text;
  if (trailingSeparator && name.endsWith(SEPARATOR)) name = name.slice(0, -1);
  if (Buffer.byteLength(name) > limits.maxMailboxNameLength) throw new IMAPMailboxNameError(`mailbox name longer than ${limits.maxMailboxNameLength} bytes`);
  decodeMailboxName(name);
  const levels = name.split(SEPARATOR);
  if (levels.length > limits.maxMailboxDepth) throw new IMAPMailboxNameError(`mailbox name deeper than ${limits.maxMailboxDepth} levels`);
  for (const level of levels) {
    if (level === '') throw new IMAPMailboxNameError('empty level in mailbox name');
    if (/[%*]/.test(level)) throw new IMAPMailboxNameError('mailbox names cannot hold "%" or "*"');
    if (/^\.+$/.test(level)) throw new IMAPMailboxNameError('a mailbox name level cannot be only dots');
  }
  if (levels[0]!.toUpperCase() === 'INBOX') levels[0] = 'INBOX';
  return levels;
}

/** The name on the wire of these levels. */
export function joinMailboxName(levels: readonly string[]): string {
  return levels.join(SEPARATOR);
}

/** A level as Maildir++ keeps it: `.` (its separator) and `\` (the escape) as `\2e` and `\5c`. */
function escapeLevel(level: string): string {
  return level.replace(/[.\\]/g, (c) => `\\${c.charCodeAt(0).toString(16)}`);
}

/** A level of a Maildir++ folder name with its `\XX` escapes undone (any two hex digits, as Dovecot reads them). */
function unescapeLevel(level: string): string {
  return level.replace(/\\([0-9a-fA-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The Maildir++ folder of a mailbox below the account's maildir (`.Archive.2024`); INBOX is the maildir itself (''). */
export function folderOf(levels: readonly string[]): string {
  return levels.length === 1 && levels[0] === 'INBOX' ? '' : `.${levels.map(escapeLevel).join('.')}`;
}

/** The levels of a Maildir++ folder name (`.Sent` is `['Sent']`), or undefined if it is not one this server could have made. */
export function levelsOfFolder(folder: string, limits: NameLimits): string[] | undefined {
  if (!folder.startsWith('.') || folder === '.' || folder === '..') return undefined;
  try {
    const levels = parseMailboxName(folder.slice(1).split('.').map(unescapeLevel).join(SEPARATOR), limits);
    return folderOf(levels) === folder ? levels : undefined;
  } catch {
    return undefined;
  }
}

/**
 * True if the LIST pattern (`*` anything, `%` anything but `/`) matches `name`; INBOX at the start of a
 * pattern matches in any case. A table walk, time bounded by pattern length times name length whatever
 * the wildcards (a backtracking regular expression could be made to take exponential time).
 */
export function matchesPattern(pattern: string, name: string): boolean {
  const p = /^inbox([/*%]|$)/i.test(pattern) ? `INBOX${pattern.slice(5)}` : pattern;
  // can[j]: the first i characters of the pattern match the first j of the name.
  let can = new Array<boolean>(name.length + 1).fill(false);
  can[0] = true;
  for (const c of p) {
    const next = new Array<boolean>(name.length + 1).fill(false);
    if (c === '*' || c === '%') {
      for (let j = 0; j <= name.length; j++) next[j] = can[j]! || (j > 0 && next[j - 1]! && (c === '*' || name[j - 1] !== SEPARATOR));
    } else {
      for (let j = 1; j <= name.length; j++) next[j] = can[j - 1]! && name[j - 1] === c;
    }
    can = next;
  }
  return can[name.length]!;
}
