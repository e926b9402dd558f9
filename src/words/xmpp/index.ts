/**
 * `torsion/words/xmpp`: the XMPP front door of a words service. XMPP clients log in with their words
 * accounts, and the words rooms are multi-user chat rooms at `conference.<domain>`, shared with the IRC and
 * web front doors.
 * @module
 */
export { XMPPWordsFactory, type XMPPDoorOptions } from './door.js';
export { WordsXMPPSession } from './session.js';
export { XMPP_DOOR_LIMITS, xmppDoorLimits, type XMPPDoorLimits } from './limits.js';
export { roomJid, roomNameOf } from './muc-stanzas.js';
export { XMPPComponentFactory, type XMPPComponentOptions } from './components.js';
