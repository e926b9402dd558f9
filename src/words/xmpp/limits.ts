/**
 * The limits of the XMPP front door of `torsion/words`, each named once with its default. The XML stream's
 * own limits (stanza size, depth, attributes, failed logins, resources per account) are `torsion/xmpp`'s
 * `XMPP_LIMITS`; the chat's (rooms per user, name lengths, login throttle) are `WORDS_LIMITS`.
 * @module
 */

/** Bounds of the XMPP front door. */
export interface XMPPDoorLimits {
  /** The most history lines sent on joining a room (a client's `<history maxstanzas>` may ask for fewer). */
  historyOnJoin: number;
  /** Longest message body accepted from an XMPP client, in characters; longer is refused with `not-acceptable`. */
  maxMessageLength: number;
  /** Messages and room changes a session may send in a burst before it is throttled. */
  floodBurst: number;
  /** Messages and room changes per second a session may keep sending after its burst; more get `resource-constraint`. */
  floodRate: number;
  /** Shortest password accepted for an in-band registration (XEP-0077), in characters. */
  minPasswordLength: number;
  /** External components (XEP-0114) connected at once, one per subdomain; more are refused with `policy-violation`. */
  maxComponents: number;
  /** Failed component handshakes an address, or a component domain, may have back to back before each further attempt waits a delay. */
  componentFreeFailures: number;
  /** Seconds of the first wait after `componentFreeFailures` failed handshakes; each further failure doubles it. While it lasts, handshakes from that address are refused unchecked (`policy-violation`). */
  componentFailureDelay: number;
  /** The longest wait, in seconds, after failed component handshakes. */
  componentMaxFailureDelay: number;
}

/** The defaults: 20 history lines on join, 4,000-character bodies, a burst of 10 then 2 per second, 6-character passwords at registration, 16 components; after 3 failed component handshakes from an address, it waits 1 s, doubling up to 300 s. */
export const XMPP_DOOR_LIMITS: Readonly<XMPPDoorLimits> = Object.freeze({
  historyOnJoin: 20,
  maxMessageLength: 4000,
  floodBurst: 10,
  floodRate: 2,
  minPasswordLength: 6,
  maxComponents: 16,
  componentFreeFailures: 3,
  componentFailureDelay: 1,
  componentMaxFailureDelay: 300,
});

/** The defaults with `overrides` on top. */
export function xmppDoorLimits(overrides: Partial<XMPPDoorLimits> = {}): XMPPDoorLimits {
  return { ...XMPP_DOOR_LIMITS, ...overrides };
}
