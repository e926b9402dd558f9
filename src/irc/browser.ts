/**
 * `torsion/irc` for browsers: the message layer and `IRCClient`, without the reconnecting factory (which
 * reaches the Node reactor).
 * @module
 */
export { IRCParseError, IRCFormatError, IRCMessageTooLongError } from './errors.js';
export { parseMessage, formatMessage, parsePrefix, formatPrefix, makeMessage, type IRCMessage, type IRCPrefix } from './message.js';
export { escapeTagValue, unescapeTagValue, parseTags, formatTags } from './tags.js';
export { IRCLineReceiver, decodeIRCLine, type IRCLimit } from './receiver.js';
export { IRC_MAX_MESSAGE_BYTES, IRC_MAX_TAG_BYTES, IRC_MAX_SASL_BYTES, IRC_MAX_CLIENT_TAG_BYTES, IRC_MAX_LABEL_BYTES } from './limits.js';
export { splitMessage, utf8ByteLength, encodeUtf8 } from './split.js';
export { ircLower, ircEquals, caseMappingFor, type CaseMapping } from './casemapping.js';
export * from './numerics.js';
export { numericName } from './numeric-names.js';
export { IRCReplyError } from './errors.js';
export { ISupport, type ChannelModeClasses } from './isupport.js';
export { ctcpExtract, ctcpQuote, isCTCP, X_DELIM, type CTCPExtract } from './ctcp.js';
export { base64Encode, base64Decode, saslPlainPayloads, SASL_CHUNK } from './sasl.js';
export { TokenBucket } from './flood.js';
export { CapNegotiation, type CapHost, type CapState } from './cap.js';
export { ReplyCollector, type NamesEntry, type WhoisInfo } from './queries.js';
export { IRCClientHooks, type IRCClientTransport } from './client-hooks.js';
export { IRCClient, type IRCClientOptions, type ChannelSpec } from './client.js';
