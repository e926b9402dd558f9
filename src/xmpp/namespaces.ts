/**
 * The XML namespaces of XMPP, named once. Browser-safe.
 * @module
 */
export const NS = Object.freeze({
  STREAMS: 'http://etherx.jabber.org/streams',
  CLIENT: 'jabber:client',
  COMPONENT: 'jabber:component:accept',
  STREAM_ERRORS: 'urn:ietf:params:xml:ns:xmpp-streams',
  STANZA_ERRORS: 'urn:ietf:params:xml:ns:xmpp-stanzas',
  TLS: 'urn:ietf:params:xml:ns:xmpp-tls',
  SASL: 'urn:ietf:params:xml:ns:xmpp-sasl',
  BIND: 'urn:ietf:params:xml:ns:xmpp-bind',
  SESSION: 'urn:ietf:params:xml:ns:xmpp-session',
  ROSTER: 'jabber:iq:roster',
  DISCO_INFO: 'http://jabber.org/protocol/disco#info',
  DISCO_ITEMS: 'http://jabber.org/protocol/disco#items',
  PING: 'urn:xmpp:ping',
  MUC: 'http://jabber.org/protocol/muc',
  MUC_USER: 'http://jabber.org/protocol/muc#user',
  DELAY: 'urn:xmpp:delay',
  REGISTER: 'jabber:iq:register',
  REGISTER_FEATURE: 'http://jabber.org/features/iq-register',
  SM: 'urn:xmpp:sm:3',
  XML: 'http://www.w3.org/XML/1998/namespace',
});
