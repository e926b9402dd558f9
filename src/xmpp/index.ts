/**
 * `torsion/xmpp`: XMPP (RFC 6120/6121), Twisted's jabber package for TypeScript: the restricted-XML stream
 * parser and serializer, the element model, JIDs, SASL mechanisms and `XMPPClient`.
 * @module
 */
export { Element, el, escapeXML, type Node } from './element.js';
export { XMLStreamParser, streamHeader, streamErrorElement, STREAM_END, type XMLStreamHandlers } from './stream-parser.js';
export { JID, prepareLocal, prepareDomain, prepareResource } from './jid.js';
export { NS } from './namespaces.js';
export { XMPP_LIMITS, xmppLimits, type XMPPLimits } from './limits.js';
export { XMPPStreamError, XMPPStanzaError, XMPPAuthError, JIDError, XMPPTimeoutError, XMPPNotConnectedError, XMPPNegotiationError, XMPPRegistrationError, XMPPStreamManagementError } from './errors.js';
export { ScramMechanism, PlainMechanism, chooseMechanism, SASL_PREFERENCE, type SASLMechanism } from './sasl.js';
export { XMPPClient, errorReply, type XMPPClientOptions, type RosterItem } from './client/client.js';
export { stanzaError } from './client/iq-tracker.js';
export { XMPPComponent, XMPPComponentServerProtocol } from './component/component.js';
export { handshakeDigest, checkHandshake } from './component/handshake.js';
export { ScramServerExchange, scramCredentials, type ScramClientProof, type ScramCredentials } from './scram-server.js';
export { XMPPServerProtocol, type XMPPServerOptions } from './server/c2s.js';
export { XMPPLocalRouter, stanzaErrorReply, type XMPPLocalRouterOptions } from './server/router.js';
export { StreamManagementState, StreamResumption } from './server/stream-management.js';
export { RosterManager, type PresenceSession, type RosterHost } from './server/roster.js';
export { MemoryRosterStore, DbRosterStore, type IRosterStore, type RosterRecord, type Subscription } from './server/roster-store.js';
export type { IScramLogin, IXMPPAuthenticator, IXMPPRegistrar, IXMPPRouter, IXMPPSession } from './server/interfaces.js';
