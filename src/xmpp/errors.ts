/**
 * Errors of the XMPP layer, each with a stable `code`. Browser-safe.
 * @module
 */
import { TorsionError } from '../errors/index.js';
import type { Element } from './element.js';

/**
 * The XML stream broke a rule: not well-formed, restricted XML (a DTD, an entity declaration, a comment, a
 * processing instruction), or over a limit. `condition` is the RFC 6120 §4.9.3 stream error condition to
 * send before closing (`not-well-formed`, `restricted-xml`, `policy-violation`, ...).
 */
export class XMPPStreamError extends TorsionError {
  override readonly code = 'TORSION_XMPP_STREAM';
  override name = 'XMPPStreamError';
  constructor(
    /** The stream error condition (RFC 6120 §4.9.3). */
    readonly condition: string,
    message: string,
    /** The `<text/>` the peer sent with it, when it came from the peer. */
    readonly text?: string,
  ) {
    super(message);
  }
}

/** An IQ request was answered with `type="error"`; `condition` is the stanza error condition (RFC 6120 §8.3.3). */
export class XMPPStanzaError extends TorsionError {
  override readonly code = 'TORSION_XMPP_STANZA';
  override name = 'XMPPStanzaError';
  constructor(
    /** The defined condition (`item-not-found`, `conflict`, `service-unavailable`, ...). */
    readonly condition: string,
    /** The error type (`cancel`, `auth`, `modify`, `wait`, `continue`). */
    readonly errorType: string,
    /** The whole error stanza. */
    readonly stanza: Element,
    text?: string,
  ) {
    super(`${condition} (${errorType})${text ? `: ${text}` : ''}`);
  }
}

/** SASL failed: the server said `<failure/>`, or its answer did not prove it knows the password. */
export class XMPPAuthError extends TorsionError {
  override readonly code = 'TORSION_XMPP_AUTH';
  override name = 'XMPPAuthError';
  constructor(
    message: string,
    /** The SASL failure condition (`not-authorized`, ...), when the server sent one. */
    readonly condition?: string,
    /** The failure's human-readable `<text/>`: the one the server sent, or the one a server sends with it. */
    readonly text?: string,
  ) {
    super(message);
  }
}

/** A JID is not valid (RFC 7622): empty or too long parts, forbidden characters. */
export class JIDError extends TorsionError {
  override readonly code = 'TORSION_XMPP_JID';
  override name = 'JIDError';
}

/** An IQ request got no answer within its timeout. */
export class XMPPTimeoutError extends TorsionError {
  override readonly code = 'TORSION_XMPP_TIMEOUT';
  override name = 'XMPPTimeoutError';
}

/** The connection ended, or the client is not ready, before a request could be answered. */
export class XMPPNotConnectedError extends TorsionError {
  override readonly code = 'TORSION_XMPP_NOT_CONNECTED';
  override name = 'XMPPNotConnectedError';
}

/** Stream negotiation could not go on: no usable SASL mechanism, TLS required but not offered, binding refused. */
export class XMPPNegotiationError extends TorsionError {
  override readonly code = 'TORSION_XMPP_NEGOTIATION';
  override name = 'XMPPNegotiationError';
}

/** An in-band registration (XEP-0077) was refused; `condition` is the stanza error condition to answer. */
export class XMPPRegistrationError extends TorsionError {
  override readonly code = 'TORSION_XMPP_REGISTRATION';
  override name = 'XMPPRegistrationError';
  constructor(
    /** `conflict`, `not-acceptable`, `resource-constraint`, ... */
    readonly condition: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Stream management (XEP-0198) went wrong: the server acknowledged stanzas that were never sent, too many
 * stanzas wait for an acknowledgement, resumption failed, or automatic reconnection gave up.
 */
export class XMPPStreamManagementError extends TorsionError {
  override readonly code = 'TORSION_XMPP_STREAM_MANAGEMENT';
  override name = 'XMPPStreamManagementError';
}
