/**
 * How the IRC door writes the service's room roles and settings as RFC 2811 mode letters, and reads them
 * back: `o` operator, `v` voice, `t` topicLocked, `n` noOutsideMessages, `i` inviteOnly, `m` moderated,
 * `s` secret, `k` key, `l` limit, and the lists `b` bans, `e` ban exceptions, `I` invite exceptions. The
 * service itself knows no letters.
 * @module
 */
import type { Membership, RoomChange, RoomFlag, RoomListName, RoomRole, RoomSettings } from '../index.js';

/** The channel mode letters the service has a meaning for. */
export const ROOM_MODE_LETTERS = 'ovtnklimsbeI';

const ROLE_LETTERS: Record<RoomRole, string> = { operator: 'o', voice: 'v' };
const FLAG_LETTERS: Record<RoomFlag, string> = { inviteOnly: 'i', moderated: 'm', noOutsideMessages: 'n', topicLocked: 't', secret: 's' };
const ROLES: Record<string, RoomRole> = { o: 'operator', v: 'voice' };
const FLAGS: Record<string, RoomFlag> = { i: 'inviteOnly', m: 'moderated', n: 'noOutsideMessages', t: 'topicLocked', s: 'secret' };
/** The letter of each list of masks. */
export const LIST_LETTERS: Record<RoomListName, string> = { bans: 'b', banExceptions: 'e', inviteExceptions: 'I' };
const LISTS: Record<string, RoomListName> = { b: 'bans', e: 'banExceptions', I: 'inviteExceptions' };

/**
 * `@` for an operator, `+` for a voiced member, '' otherwise (NAMES, WHO, WHOIS); with `all` (IRCv3
 * `multi-prefix`), every prefix the member has, highest first.
 */
export function memberPrefix(m: Pick<Membership, 'operator' | 'voice'> | undefined, all = false): string {
  if (all) return (m?.operator ? '@' : '') + (m?.voice ? '+' : '');
  return m?.operator ? '@' : m?.voice ? '+' : '';
}

/** The mode string and its arguments (RPL_CHANNELMODEIS), e.g. `['+ntk', 'secret']`; the key shows as `*` unless `showKey`. */
export function roomModeString(settings: RoomSettings, showKey = true): string[] {
  let letters = '+';
  const args: string[] = [];
  for (const flag of ['inviteOnly', 'moderated', 'noOutsideMessages', 'secret', 'topicLocked'] as const) if (settings[flag]) letters += FLAG_LETTERS[flag];
  if (settings.key !== undefined) {
    letters += 'k';
    args.push(showKey ? settings.key : '*');
  }
  if (settings.limit !== undefined) {
    letters += 'l';
    args.push(String(settings.limit));
  }
  return [letters, ...args];
}

/** The letter, sign and argument of one change. */
function letterOf(c: RoomChange): { adding: boolean; letter: string; arg?: string } {
  if ('role' in c) return { adding: c.granted, letter: ROLE_LETTERS[c.role], arg: c.nick };
  if ('list' in c) return { adding: c.added, letter: LIST_LETTERS[c.list], arg: c.mask };
  switch (c.setting) {
    case 'key':
      return { adding: c.value !== undefined, letter: 'k', arg: c.value ?? '*' };
    case 'limit':
      return c.value === undefined ? { adding: false, letter: 'l' } : { adding: true, letter: 'l', arg: String(c.value) };
    default:
      return { adding: c.value, letter: FLAG_LETTERS[c.setting] };
  }
}

/** The parameters of the MODE line announcing `changes`, e.g. `['+o-k', 'bob', '*']`. */
export function formatRoomChanges(changes: readonly RoomChange[]): string[] {
  let letters = '';
  let sign = '';
  const args: string[] = [];
  for (const c of changes) {
    const { adding, letter, arg } = letterOf(c);
    const s = adding ? '+' : '-';
    if (s !== sign) letters += sign = s;
    letters += letter;
    if (arg !== undefined) args.push(arg);
  }
  return [letters, ...args];
}

/** Something in a MODE command the door answers with a numeric, in the order met. */
export type ModeProblem =
  /** A query of a list (`+b` without a mask). */
  | { kind: 'list'; list: RoomListName }
  | { kind: 'unknown'; letter: string }
  /** A letter that takes an argument came without one. */
  | { kind: 'needMoreParams' };

/** What a channel MODE command asks for. */
export interface ParsedModes {
  changes: RoomChange[];
  problems: ModeProblem[];
}

/**
 * Reads a channel MODE command's letters and arguments. Reading stops at the change that would take
 * argument number `maxArgs + 1` (ISUPPORT `MODES`); `-k` needs no key; list letters with an argument
 * are changes to the list, without one a query of it.
 */
export function parseRoomModes(modeString: string, args: readonly string[], maxArgs: number): ParsedModes {
  const changes: RoomChange[] = [];
  const problems: ModeProblem[] = [];
  let adding = true;
  let argIndex = 0;
  for (const letter of modeString) {
    if (letter === '+' || letter === '-') {
      adding = letter === '+';
      continue;
    }
    const list = LISTS[letter];
    if (list !== undefined) {
      const mask = args[argIndex];
      if (mask === undefined) {
        problems.push({ kind: 'list', list });
        continue;
      }
      if (++argIndex > maxArgs) break;
      changes.push({ list, mask, added: adding });
      continue;
    }
    if (!ROOM_MODE_LETTERS.includes(letter)) {
      problems.push({ kind: 'unknown', letter });
      continue;
    }
    const flag = FLAGS[letter];
    if (flag !== undefined) {
      changes.push({ setting: flag, value: adding });
      continue;
    }
    if (letter === 'l' && !adding) {
      changes.push({ setting: 'limit', value: undefined });
      continue;
    }
    const arg = args[argIndex++];
    if (arg === undefined) {
      if (letter === 'k' && !adding) changes.push({ setting: 'key', value: undefined });
      else problems.push({ kind: 'needMoreParams' });
      continue;
    }
    if (argIndex > maxArgs) break;
    const role = ROLES[letter];
    if (role !== undefined) changes.push({ role, nick: arg, granted: adding });
    else if (letter === 'k') changes.push({ setting: 'key', value: adding ? arg : undefined });
    else changes.push({ setting: 'limit', value: Number(arg) });
  }
  return { changes, problems };
}
