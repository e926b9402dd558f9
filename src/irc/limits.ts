/**
 * The limits of the IRC protocol that client and server share, named once. The server's own are its
 * options (`IRC_SERVER_LIMITS` in `src/words/irc/options.ts`); the client's are its fields
 * (`heartbeatInterval`, `floodBurst`, ...).
 * Browser-safe.
 * @module
 */

/** The longest message part of a line, tags excluded, CRLF included (RFC 1459 §2.3). */
export const IRC_MAX_MESSAGE_BYTES = 512;
/** The longest tag section, its `@` and trailing space included (IRCv3 message-tags). */
export const IRC_MAX_TAG_BYTES = 8191;
/** The longest SASL payload a server reassembles, in base64 characters; longer is refused (904). */
export const IRC_MAX_SASL_BYTES = 4096;
/**
 * The most tag data a client may send, `@` and the space after it not counted (IRCv3 message-tags: 4,094
 * bytes, so that the server has the rest of the 8,191 for its own tags); a server answers more with 417.
 */
export const IRC_MAX_CLIENT_TAG_BYTES = 4094;
/** The longest `label` a client may put on a command (IRCv3 labeled-response); a longer one is ignored. */
export const IRC_MAX_LABEL_BYTES = 64;
