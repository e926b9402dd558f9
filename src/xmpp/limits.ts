/**
 * Every limit an XMPP peer can push against, named once with its default. Browser-safe.
 * @module
 */

/** The limits of one XML stream (RFC 6120 §11 restricted XML) and of the client over it. */
export interface XMPPLimits {
  /** The most characters of one top-level stanza (and of the stream header), markup included; more is a `policy-violation` stream error. */
  maxStanzaSize: number;
  /** The deepest element nesting inside a stanza (the stanza itself is depth 1); deeper is `policy-violation`. */
  maxDepth: number;
  /** The most attributes on one element, namespace declarations included; more is `policy-violation`. */
  maxAttributes: number;
  /** The most SASL challenges one authentication may take before the client gives up. */
  maxSaslSteps: number;
  /** Seconds an IQ request waits for its answer before its Deferred fails with a timeout. */
  iqTimeout: number;
  /** The most IQ requests waiting for an answer at once; more fail at once instead of queueing without bound. */
  maxPendingIqs: number;
  /** Seconds between whitespace keepalives the client sends while idle (0: none). */
  keepaliveInterval: number;
  /** The most failed SASL attempts a server allows on one connection before closing it. */
  maxAuthFailures: number;
  /** The most resources (connected sessions) one account may bind at once on a server. */
  maxResourcesPerAccount: number;
  /** The most SCRAM iterations a client accepts from a server (a hostile server could ask for billions). */
  maxScramIterations: number;
  /** The most roster items one account keeps on a server, requests waiting for an answer included; more are refused (`resource-constraint`) or dropped. */
  maxRosterItems: number;
  /** The most groups one roster item may be in. */
  maxRosterGroups: number;
  /** Longest roster item name or group name, in characters. */
  maxRosterTextLength: number;
  /** Seconds a server keeps a session whose connection dropped with stream management on, for the client to resume (XEP-0198). */
  resumeTimeout: number;
  /**
   * The most stanzas one side keeps unacknowledged for one session (XEP-0198). On a server, a client that
   * acknowledges none past this is disconnected; on a client, `send` throws `XMPPStreamManagementError` past it.
   */
  maxUnackedStanzas: number;
  /** A stream-managing server or client asks the other side for an acknowledgement (`<r/>`) after this many stanzas sent. */
  ackRequestEvery: number;
  /** Seconds a client waits before its first automatic reconnection attempt after its connection dropped; each failed attempt doubles it. */
  reconnectDelay: number;
  /** The longest wait, in seconds, between two automatic reconnection attempts. */
  reconnectMaxDelay: number;
  /** Reconnection attempts in a row that may fail before the client gives up (0: never give up). */
  maxReconnectAttempts: number;
}

/** The defaults: 256 KiB stanzas, depth 32, 64 attributes, 5 SASL steps, 60 s IQ timeout, 1,000 pending IQs, 60 s keepalive, 1,000,000 SCRAM iterations; a server closes after 3 failed logins, binds at most 10 resources per account, keeps 1,000 roster items of at most 16 groups and 256-character names per account, and keeps a dropped stream-managed session 300 s with at most 1,000 unacknowledged stanzas, asking for an acknowledgement every 5 (both sides); a client reconnects after 1 s, doubling to at most 60 s, and gives up after 10 failed attempts in a row. */
export const XMPP_LIMITS: Readonly<XMPPLimits> = Object.freeze({
  maxStanzaSize: 256 * 1024,
  maxDepth: 32,
  maxAttributes: 64,
  maxSaslSteps: 5,
  iqTimeout: 60,
  maxPendingIqs: 1000,
  keepaliveInterval: 60,
  maxScramIterations: 1_000_000,
  maxAuthFailures: 3,
  maxResourcesPerAccount: 10,
  maxRosterItems: 1000,
  maxRosterGroups: 16,
  maxRosterTextLength: 256,
  resumeTimeout: 300,
  maxUnackedStanzas: 1000,
  ackRequestEvery: 5,
  reconnectDelay: 1,
  reconnectMaxDelay: 60,
  maxReconnectAttempts: 10,
});

/** The defaults with `overrides` on top. */
export function xmppLimits(overrides: Partial<XMPPLimits> = {}): XMPPLimits {
  return { ...XMPP_LIMITS, ...overrides };
}
