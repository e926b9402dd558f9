/**
 * The page's words for changes to a room's roles and settings, so a web user reads what happened rather
 * than IRC mode letters.
 * @module
 */
import type { RoomChange, RoomListName } from '../interfaces.js';

const LIST_WORDS: Record<RoomListName, string> = { bans: 'bans', banExceptions: 'ban exceptions', inviteExceptions: 'invite exceptions' };

/** One change in words, e.g. `cy was given voice`. The key itself is not shown. */
export function describeRoomChange(c: RoomChange): string {
  if ('role' in c) {
    const role = c.role === 'operator' ? 'operator' : 'voice';
    return c.granted ? `${c.nick} was given ${role}` : `${c.nick} lost ${role}`;
  }
  if ('list' in c) {
    const what = LIST_WORDS[c.list];
    return c.added ? `${c.mask} was added to the ${what}` : `${c.mask} was removed from the ${what}`;
  }
  switch (c.setting) {
    case 'topicLocked':
      return c.value ? 'only operators may set the topic' : 'anyone in the room may set the topic';
    case 'noOutsideMessages':
      return c.value ? 'only members may send to the room' : 'anyone may send to the room';
    case 'inviteOnly':
      return c.value ? 'the room is invite-only' : 'the room is no longer invite-only';
    case 'moderated':
      return c.value ? 'the room is moderated' : 'the room is no longer moderated';
    case 'secret':
      return c.value ? 'the room is secret' : 'the room is no longer secret';
    case 'key':
      return c.value !== undefined ? 'a key is needed to join' : 'no key is needed to join';
    case 'limit':
      return c.value !== undefined ? `the room holds at most ${c.value} members` : 'the room has no member limit';
  }
}

/** The changes `by` made, as one event line, e.g. `cy was given voice by bob`. */
export function describeRoomChanges(by: string, changes: readonly RoomChange[]): string {
  return `${changes.map(describeRoomChange).join('; ')} by ${by}`;
}
