/**
 * Opening-handshake helpers shared by the server resource and the client (RFC 6455 section 4).
 * @module
 */
import { createHash, randomBytes } from 'node:crypto';

/** The GUID the accept hash is salted with. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** `Sec-WebSocket-Accept` for a `Sec-WebSocket-Key`. */
export function acceptKey(key: string): string {
  return createHash('sha1').update(key + WEBSOCKET_GUID).digest('base64');
}

/** A fresh random `Sec-WebSocket-Key` (16 random bytes, base64). */
export function newKey(): string {
  return randomBytes(16).toString('base64');
}

/** True when `key` is the base64 of exactly 16 bytes. */
export function isValidKey(key: string): boolean {
  return /^[A-Za-z0-9+/]{22}==$/.test(key);
}

/** The comma-separated tokens of a header, trimmed and lower-cased. */
export function headerTokens(value: string | null): string[] {
  if (value === null) return [];
  return value
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
}

/** The subprotocols a client offered (case kept: subprotocol names are case-sensitive). */
export function offeredProtocols(value: string | null): string[] {
  if (value === null) return [];
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0);
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Throws unless `name` is a valid subprotocol token. */
export function checkSubprotocol(name: string): void {
  if (!TOKEN.test(name)) throw new TypeError(`${JSON.stringify(name)} is not a valid subprotocol name`);
}
