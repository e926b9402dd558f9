/**
 * Moderation from XMPP (XEP-0045 §8, the `muc#admin` IQs): a moderator kicks an occupant (role `none`),
 * gives or takes voice (`participant` / `visitor`) and makes or unmakes moderators (`moderator` /
 * `participant`), as the words room operations IRC's KICK and MODE `+v`/`+o` make, so IRC and the web see
 * them the same way.
 * @module
 */
import { Element, el } from '../../xmpp/element.js';
import { NS } from '../../xmpp/namespaces.js';
import { stanzaErrorReply } from '../../xmpp/server/router.js';
import { WordsError } from '../errors.js';
import type { RoomChange } from '../interfaces.js';
import type { ChatUser } from '../user.js';

/** The `muc#admin` namespace. */
export const MUC_ADMIN = 'http://jabber.org/protocol/muc#admin';

/** Words refusals as stanza errors. */
export const ADMIN_ERRORS: Record<string, [condition: string, type: string]> = {
  TORSION_WORDS_NOT_OPERATOR: ['forbidden', 'auth'],
  TORSION_WORDS_NOT_IN_ROOM: ['forbidden', 'auth'],
  TORSION_WORDS_USER_NOT_IN_ROOM: ['item-not-found', 'cancel'],
  TORSION_WORDS_NO_SUCH_USER: ['item-not-found', 'cancel'],
  TORSION_WORDS_NO_SUCH_ROOM: ['item-not-found', 'cancel'],
  TORSION_WORDS_LOGGED_OUT: ['forbidden', 'auth'],
};

/** The words changes a role item asks for, or undefined for a role that is not one of XEP-0045's. */
function roleChanges(nick: string, role: string): RoomChange[] | undefined {
  if (role === 'moderator') return [{ role: 'operator', nick, granted: true }];
  if (role === 'participant') return [{ role: 'operator', nick, granted: false }, { role: 'voice', nick, granted: true }];
  if (role === 'visitor') return [{ role: 'operator', nick, granted: false }, { role: 'voice', nick, granted: false }];
  return undefined;
}

/**
 * Answers a `muc#admin` IQ `set` to the room `roomName` from the words user `user` (undefined when the
 * session is in no room): the result, or a stanza error. Role items only (affiliations are not kept by words:
 * `feature-not-implemented`); the changes apply in order and stop at the first refusal.
 */
export function mucAdminIq(iq: Element, roomName: string, user: ChatUser | undefined): Element {
  const query = iq.getChild('query', MUC_ADMIN)!;
  if (iq.getAttribute('type') !== 'set') return stanzaErrorReply(iq, 'feature-not-implemented');
  if (!user) return stanzaErrorReply(iq, 'forbidden', 'auth');
  const items = query.elements('item');
  if (items.length === 0) return stanzaErrorReply(iq, 'bad-request', 'modify');
  try {
    for (const item of items) {
      const nick = item.getAttribute('nick');
      const role = item.getAttribute('role');
      if (!nick || !role) return stanzaErrorReply(iq, item.getAttribute('affiliation') ? 'feature-not-implemented' : 'bad-request', item.getAttribute('affiliation') ? 'cancel' : 'modify');
      if (role === 'none') {
        user.kick(roomName, nick, item.getChildText('reason') ?? '');
        continue;
      }
      const changes = roleChanges(nick, role);
      if (!changes) return stanzaErrorReply(iq, 'bad-request', 'modify');
      user.changeRoom(roomName, changes);
    }
  } catch (e) {
    if (!(e instanceof WordsError)) throw e;
    const [condition, type] = ADMIN_ERRORS[e.code] ?? ['not-allowed', 'cancel'];
    return stanzaErrorReply(iq, condition, type);
  }
  return el('iq', NS.CLIENT, { type: 'result', id: iq.getAttribute('id'), from: iq.getAttribute('to'), to: iq.getAttribute('from') });
}
