/**
 * Which DISCONNECT reason code (RFC 4250 §4.2.2) an error that closes the connection is reported with.
 * @module
 */
import {
  SSHCompressionError,
  SSHHostKeyRejectedError,
  SSHKexError,
  SSHMacError,
  SSHProtocolError,
  SSHServiceNotAvailableError,
  SSHVersionError,
} from '../errors.js';
import { DISCONNECT } from './constants.js';

/** The reason code a local error is reported to the peer with. */
export function reasonCodeOf(error: unknown): number {
  if (error instanceof SSHMacError) return DISCONNECT.MAC_ERROR;
  if (error instanceof SSHCompressionError) return DISCONNECT.COMPRESSION_ERROR;
  if (error instanceof SSHKexError) return DISCONNECT.KEY_EXCHANGE_FAILED;
  if (error instanceof SSHHostKeyRejectedError) return DISCONNECT.HOST_KEY_NOT_VERIFIABLE;
  if (error instanceof SSHServiceNotAvailableError) return DISCONNECT.SERVICE_NOT_AVAILABLE;
  if (error instanceof SSHVersionError) return DISCONNECT.PROTOCOL_VERSION_NOT_SUPPORTED;
  if (error instanceof SSHProtocolError) return DISCONNECT.PROTOCOL_ERROR;
  return DISCONNECT.BY_APPLICATION;
}

