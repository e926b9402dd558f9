/**
 * Message numbers of the transport layer (RFC 4250 §4.1) and disconnect reason codes (§4.2.2).
 * @module
 */

/** Transport-layer message numbers. */
export const MSG = Object.freeze({
  DISCONNECT: 1,
  IGNORE: 2,
  UNIMPLEMENTED: 3,
  DEBUG: 4,
  SERVICE_REQUEST: 5,
  SERVICE_ACCEPT: 6,
  EXT_INFO: 7,
  KEXINIT: 20,
  NEWKEYS: 21,
  /** KEXDH_INIT and KEX_ECDH_INIT share this number. */
  KEX_INIT: 30,
  /** KEXDH_REPLY and KEX_ECDH_REPLY share this number. */
  KEX_REPLY: 31,
});

/** The first message number that belongs to a service (RFC 4250 §4.1.2). */
export const FIRST_SERVICE_MESSAGE = 50;

/** SSH_MSG_DISCONNECT reason codes. */
export const DISCONNECT = Object.freeze({
  HOST_NOT_ALLOWED_TO_CONNECT: 1,
  PROTOCOL_ERROR: 2,
  KEY_EXCHANGE_FAILED: 3,
  RESERVED: 4,
  MAC_ERROR: 5,
  COMPRESSION_ERROR: 6,
  SERVICE_NOT_AVAILABLE: 7,
  PROTOCOL_VERSION_NOT_SUPPORTED: 8,
  HOST_KEY_NOT_VERIFIABLE: 9,
  CONNECTION_LOST: 10,
  BY_APPLICATION: 11,
  TOO_MANY_CONNECTIONS: 12,
  AUTH_CANCELLED_BY_USER: 13,
  NO_MORE_AUTH_METHODS_AVAILABLE: 14,
  ILLEGAL_USER_NAME: 15,
});
