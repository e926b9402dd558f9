/**
 * The stanzas of multi-user chat (XEP-0045) the words front door writes, and the mapping between words
 * rooms (`#lobby`) and room JIDs (`lobby@conference.example.org`).
 * @module
 */
import { Element, el } from '../../xmpp/element.js';
import { JID } from '../../xmpp/jid.js';
import { NS } from '../../xmpp/namespaces.js';
import { isValidRoomName } from '../names.js';
import type { Membership } from '../room.js';

/** The room JID of a words room, or undefined when its name cannot be a JID localpart. */
export function roomJid(roomName: string, mucDomain: string): JID | undefined {
  try {
    return new JID(roomName.slice(1), mucDomain);
  } catch {
    return undefined;
  }
}

/** The words room (`#name`) a room JID stands for, or undefined when it is not one. */
export function roomNameOf(jid: JID, mucDomain: string): string | undefined {
  if (jid.domain !== mucDomain || jid.local === undefined) return undefined;
  const name = `#${jid.local}`;
  return isValidRoomName(name) ? name : undefined;
}

/** A member's MUC affiliation and role: room operators are admins and moderators, everyone else a participant (a visitor when unvoiced in a moderated room). */
export function mucItem(member: Membership | undefined, moderated: boolean): { affiliation: string; role: string } {
  if (member?.operator) return { affiliation: 'admin', role: 'moderator' };
  if (member?.voice) return { affiliation: 'member', role: 'participant' };
  return { affiliation: 'none', role: moderated ? 'visitor' : 'participant' };
}

/** An occupant's presence (`from` the occupant JID) with its muc#user item and status codes. */
export function occupantPresence(from: JID, to: JID, item: { affiliation: string; role: string; nick?: string }, codes: readonly number[] = [], type?: string, reason?: string): Element {
  const x = el('x', NS.MUC_USER, {}, el('item', '', { affiliation: item.affiliation, role: item.role, nick: item.nick }, ...(reason ? [el('reason', '', {}, reason)] : [])));
  for (const code of codes) x.addElement('status', '', { code: String(code) });
  return el('presence', NS.CLIENT, { from: from.toString(), to: to.toString(), type }, x);
}

/** A presence error in answer to a join or nick change (XEP-0045 §7.2), with the muc `<x/>` echoed. */
export function presenceError(from: string, to: JID, condition: string, type: string, text?: string): Element {
  const error = el('error', '', { type }, el(condition, NS.STANZA_ERRORS));
  if (text) error.addElement('text', NS.STANZA_ERRORS).addContent(text);
  return el('presence', NS.CLIENT, { from, to: to.toString(), type: 'error' }, el('x', NS.MUC), error);
}

/** A groupchat message from an occupant; `delay` (seconds) marks a line from history (XEP-0203). */
export function groupchat(from: JID, to: JID, body: string, id?: string, delay?: number): Element {
  const m = el('message', NS.CLIENT, { from: from.toString(), to: to.toString(), type: 'groupchat', id }, el('body', '', {}, body));
  if (delay !== undefined) m.addElement('delay', NS.DELAY, { stamp: new Date(delay * 1000).toISOString(), from: from.bare().toString() });
  return m;
}
