/**
 * How the IRC door writes the service's room roles and settings as RFC 2811 mode letters, and reads them
 * back: `o` operator, `v` voice, `t` topicLocked, `n` noOutsideMessages, `i` inviteOnly, `m` moderated,
 * `k` key, `l` limit. The service itself knows no letters.
 * @module
 */
import type { Membership, RoomChange, RoomFlag, RoomRole, RoomSettings } from '../index.js';

/** The channel mode letters the service has a meaning for. */
export const ROOM_MODE_LETTERS = 'ovtnklim';

const ROLE_LETTERS: Record<RoomRole, string> = { operator: 'o', voice: 'v' };
const FLAG_LETTERS: Record<RoomFlag, string> = { inviteOnly: 'i', moderated: 'm', noOutsideMessages: 'n', topicLocked: 't' };
const ROLES: Record<string, RoomRole> = { o: 'operator', v: 'voice' };
const FLAGS: Record<string, RoomFlag> = { i: 'inviteOnly', m: 'moderated', n: 'noOutsideMessages', t: 'topicLocked' };
/** Letters of lists (bans, exceptions, invitations) this server keeps none of. */
const LIST_LETTERS = 'beI';

/** `@` for an operator, `+` for a voiced member, '' otherwise (NAMES, WHO, WHOIS). */
export function memberPrefix(m: Pick<Membership, 'operator' | 'voice'> | undefined): string {
  return m?.operator ? '@' : m?.voice ? '+' : '';
}

/** The mode string and its arguments (RPL_CHANNELMODEIS), e.g. `['+ntk', 'secret']`; the key shows as `*` unless `showKey`. */
export function roomModeString(settings: RoomSettings, showKey = true): string[] {
  let letters = '+';
  const args: string[] = [];
  for (const flag of ['inviteOnly', 'moderated', 'noOutsideMessages', 'topicLocked'] as const) if (settings[flag]) letters += FLAG_LETTERS[flag];
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
  /** A query of a list (`+b` without a mask): always empty here. */
  | { kind: 'list'; letter: string }
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
 * (a ban mask) are skipped.
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
    if (LIST_LETTERS.includes(letter)) {
      if (args[argIndex] === undefined) problems.push({ kind: 'list', letter });
      else argIndex++;
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
