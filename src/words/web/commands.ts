/**
 * The slash commands of the web chat, a small IRC-like set so web and IRC users can do the same things:
 * `/join #room`, `/part [reason]`, `/msg nick text`, `/me text`, `/topic text`, `/nick name`. A line that
 * starts with `//` says a line starting with `/`.
 * @module
 */
import type { ChatUser } from '../user.js';
import type { WebChatSession } from './session.js';

/** Commands about the room they are typed in. */
const ROOM_COMMANDS = new Set(['part', 'leave', 'me', 'topic']);

/** What `/help` answers. */
export const HELP = 'Commands: /join #room, /part [reason], /msg nick text, /me action, /topic text, /nick newnick, /help';

/** The answer to a line that needs a room, typed while in none. */
export const NO_ROOM = 'You are in no room: type /join #room (or use the Join box) first';

/**
 * Runs one line typed in `room` (`''` when the user is in no room). Returns `null`, or an error for the
 * user; `/help` is shown as an event, not as an error. Refusals of the service are thrown as `WordsError`s
 * for the caller to show.
 */
export function runCommand(session: WebChatSession, user: ChatUser, room: string, line: string): string | null {
  if (!line.startsWith('/') || line.startsWith('//')) {
    if (room === '') return NO_ROOM;
    session.sendMessage(user, room, line.startsWith('//') ? line.slice(1) : line);
    return null;
  }
  const space = line.indexOf(' ');
  const command = (space < 0 ? line.slice(1) : line.slice(1, space)).toLowerCase();
  const rest = space < 0 ? '' : line.slice(space + 1).trim();
  if (room === '' && ROOM_COMMANDS.has(command)) return NO_ROOM;
  switch (command) {
    case 'join':
    case 'j': {
      const [name, key] = rest.split(/\s+/);
      if (!name) return 'Usage: /join #room';
      const target = name.startsWith('#') || name.startsWith('&') ? name : `#${name}`;
      session.join(user, target, key);
      return null;
    }
    case 'part':
    case 'leave':
      user.part(room, rest);
      return null;
    case 'msg':
    case 'query': {
      const m = /^(\S+)\s+(.+)$/s.exec(rest);
      if (!m) return 'Usage: /msg nick text';
      session.sendMessage(user, m[1]!, m[2]!);
      return null;
    }
    case 'me':
      if (rest === '') return 'Usage: /me action';
      session.sendMessage(user, room, rest, true);
      return null;
    case 'topic':
      user.setTopic(room, rest);
      return null;
    case 'nick':
      if (rest === '') return 'Usage: /nick newnick';
      user.setNick(rest).addErrback((f) => {
        session.view.event(null, f.getErrorMessage());
      });
      return null;
    case 'help':
      session.view.event(room === '' ? null : room, HELP);
      return null;
    default:
      return `Unknown command /${command}. ${HELP}`;
  }
}
