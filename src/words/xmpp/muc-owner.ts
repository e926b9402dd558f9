/**
 * Room configuration from XMPP (XEP-0045 §10, the `muc#owner` IQs). Words keeps no affiliations, so a
 * room's operators are its owners. The configuration form (XEP-0004) shows the room settings IRC's MODE
 * changes, and a submitted form becomes the same words room changes, so IRC and the web see them as MODE
 * lines: `muc#roomconfig_changesubject` is `-t`, `moderatedroom` `+m`, `membersonly` `+i`, `publicroom` not
 * `+s`, `passwordprotectedroom` with `roomsecret` `+k`, `maxusers` `+l`. Words rooms vanish with their last
 * member, so `persistentroom` is always false. Destroying a room kicks every member, its owner last.
 * @module
 */
import { Element, el } from '../../xmpp/element.js';
import { NS } from '../../xmpp/namespaces.js';
import { stanzaErrorReply } from '../../xmpp/server/router.js';
import { WordsError } from '../errors.js';
import type { RoomChange } from '../interfaces.js';
import type { ChatRoom } from '../room.js';
import type { ChatUser } from '../user.js';
import { ADMIN_ERRORS } from './muc-admin.js';
import { TorsionError } from '../../errors/index.js';

/** The `muc#owner` namespace. */
export const MUC_OWNER = 'http://jabber.org/protocol/muc#owner';
/** Data forms (XEP-0004). */
export const DATA_FORMS = 'jabber:x:data';
const ROOMCONFIG = 'http://jabber.org/protocol/muc#roomconfig';
const F = 'muc#roomconfig_';
/** The `maxusers` choices offered besides the room's own limit. */
const MAXUSERS_OPTIONS = ['10', '20', '30', '50', '100', 'none'];

/** A submitted form's value that cannot be a room setting (answered with `not-acceptable`). */
class BadValue extends TorsionError {
  override readonly code: string = 'TORSION_XMPP_MUC_BAD_CONFIG';
  override name = 'BadValue';
}

function field(type: string, name: string, label: string, ...values: string[]): Element {
  const f = el('field', '', { type, var: name, label });
  for (const v of values) f.addElement('value').addContent(v);
  return f;
}

/** The configuration form of `room` as it is now. */
export function roomConfigForm(room: ChatRoom): Element {
  const s = room.settings;
  const flag = (on: boolean): string => (on ? '1' : '0');
  const limit = s.limit === undefined ? 'none' : String(s.limit);
  const maxusers = field('list-single', `${F}maxusers`, 'Maximum number of occupants', limit);
  for (const o of new Set([...MAXUSERS_OPTIONS, limit])) maxusers.addElement('option', '', { label: o }).addElement('value').addContent(o);
  return el(
    'x',
    DATA_FORMS,
    { type: 'form' },
    el('title', '', {}, `Configuration of ${room.name}`),
    field('hidden', 'FORM_TYPE', '', ROOMCONFIG),
    field('boolean', `${F}changesubject`, 'Allow occupants to change the subject', flag(!s.topicLocked)),
    field('boolean', `${F}moderatedroom`, 'Only voiced occupants speak', flag(s.moderated)),
    field('boolean', `${F}membersonly`, 'Join by invitation only', flag(s.inviteOnly)),
    field('boolean', `${F}publicroom`, 'List the room in room lists', flag(!s.secret)),
    field('boolean', `${F}passwordprotectedroom`, 'A password is needed to join', flag(s.key !== undefined)),
    field('text-private', `${F}roomsecret`, 'Password', s.key ?? ''),
    maxusers,
    field('boolean', `${F}persistentroom`, 'Keep the room when the last occupant leaves (not offered: rooms vanish with their last member)', '0'),
  );
}

/** The disco#info features (XEP-0045 §15.6) that say how `room` is configured. */
export function roomFeatures(room: ChatRoom): string[] {
  const s = room.settings;
  return [
    NS.MUC,
    s.secret ? 'muc_hidden' : 'muc_public',
    s.inviteOnly ? 'muc_membersonly' : 'muc_open',
    s.moderated ? 'muc_moderated' : 'muc_unmoderated',
    s.key !== undefined ? 'muc_passwordprotected' : 'muc_unsecured',
    'muc_temporary',
    'muc_semianonymous',
  ];
}

function booleanValue(value: string | undefined): boolean {
  if (value === '1' || value === 'true') return true;
  if (value === '0' || value === 'false') return false;
  throw new BadValue(`not a boolean: ${value}`);
}

/**
 * The words changes a submitted form asks of `room`. Fields left out keep their setting; fields this server
 * does not know are ignored (clients send back every field of every server they know); a value that cannot
 * be a setting throws `BadValue`.
 */
export function configChanges(form: Element, room: ChatRoom): RoomChange[] {
  const values = new Map<string, string[]>();
  for (const f of form.elements('field')) {
    const name = f.getAttribute('var');
    if (name) values.set(name, f.elements('value').map((v) => v.text));
  }
  const formType = values.get('FORM_TYPE');
  if (formType && formType[0] !== ROOMCONFIG) throw new BadValue('not a room configuration form');
  const one = (name: string): string | undefined => {
    const v = values.get(F + name);
    if (v === undefined) return undefined;
    if (v.length > 1) throw new BadValue(`one value expected for ${name}`);
    return v[0] ?? '';
  };
  const changes: RoomChange[] = [];
  const flag = (name: string, setting: 'topicLocked' | 'moderated' | 'inviteOnly' | 'secret', inverted: boolean): void => {
    const v = one(name);
    if (v !== undefined) changes.push({ setting, value: booleanValue(v) !== inverted });
  };
  flag('changesubject', 'topicLocked', true);
  flag('moderatedroom', 'moderated', false);
  flag('membersonly', 'inviteOnly', false);
  flag('publicroom', 'secret', true);
  const persistent = one('persistentroom');
  if (persistent !== undefined && booleanValue(persistent)) throw new BadValue('rooms vanish with their last member');
  const protectedValue = one('passwordprotectedroom');
  const protect = protectedValue === undefined ? undefined : booleanValue(protectedValue);
  const secret = one('roomsecret');
  if (protect === false) changes.push({ setting: 'key', value: undefined });
  else if (protect === true || (secret !== undefined && secret !== '' && room.settings.key !== undefined)) {
    const key = secret || room.settings.key;
    // The same keys IRC's +k takes: words drops the others, which would leave the room open unseen.
    if (!key || /[\s,\0]/.test(key)) throw new BadValue('the password must be non-empty, without spaces or commas');
    changes.push({ setting: 'key', value: key });
  }
  const maxusers = one('maxusers');
  if (maxusers !== undefined) {
    if (maxusers === 'none' || maxusers === '' || maxusers === '0') changes.push({ setting: 'limit', value: undefined });
    else if (/^[1-9][0-9]{0,8}$/.test(maxusers)) changes.push({ setting: 'limit', value: Number(maxusers) });
    else throw new BadValue(`not a number of occupants: ${maxusers}`);
  }
  return changes;
}

function result(iq: Element, ...children: Element[]): Element {
  return el('iq', NS.CLIENT, { type: 'result', id: iq.getAttribute('id'), from: iq.getAttribute('to'), to: iq.getAttribute('from') }, ...children);
}

/** Kicks every member of `room`, `user` last, so the room vanishes (its history stays in the store). */
function destroyRoom(room: ChatRoom, user: ChatUser, reason: string): void {
  const others = [...room.members()].filter((m) => m.user !== user).map((m) => m.user.nick);
  for (const nick of others) user.kick(room.name, nick, reason);
  user.kick(room.name, user.nick, reason);
}

/**
 * Answers a `muc#owner` IQ to `room` from the words user `user` (undefined when the session is in no room):
 * the form for a `get`; for a `set`, a submitted form applied, a cancel, or `<destroy/>`. Only the room's
 * operators may: others get `forbidden`. A value that cannot be a setting is `not-acceptable` and nothing
 * changes.
 */
export function mucOwnerIq(iq: Element, room: ChatRoom, user: ChatUser | undefined): Element {
  const query = iq.getChild('query', MUC_OWNER)!;
  const type = iq.getAttribute('type');
  if (!user || !room.membership(user)?.operator) return stanzaErrorReply(iq, 'forbidden', 'auth');
  if (type === 'get') return result(iq, el('query', MUC_OWNER, {}, roomConfigForm(room)));
  const destroy = query.getChild('destroy');
  const form = query.getChild('x', DATA_FORMS);
  try {
    if (destroy) destroyRoom(room, user, destroy.getChildText('reason') ?? 'room destroyed');
    else if (form?.getAttribute('type') === 'submit') {
      const changes = configChanges(form, room);
      if (changes.length > 0) user.changeRoom(room.name, changes);
    } else if (form?.getAttribute('type') !== 'cancel') return stanzaErrorReply(iq, 'bad-request', 'modify');
  } catch (e) {
    if (e instanceof BadValue) return stanzaErrorReply(iq, 'not-acceptable', 'modify');
    if (!(e instanceof WordsError)) throw e;
    const [condition, errorType] = ADMIN_ERRORS[e.code] ?? ['not-allowed', 'cancel'];
    return stanzaErrorReply(iq, condition, errorType);
  }
  return result(iq);
}
