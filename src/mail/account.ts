/**
 * The avatar interface mail front doors log in to (`IMailAccount`), and SASL PLAIN's message (RFC 4616),
 * shared by SMTP AUTH and POP3.
 * @module
 */
import { defineAvatarInterface } from '../cred/index.js';
import type { MailAccount } from './interfaces.js';

/** A logged-in mail user: `portal.login(credentials, null, IMailAccount)` gives a {@link MailAccount}. */
export const IMailAccount = defineAvatarInterface<MailAccount>('IMailAccount');

/** The parts of a SASL PLAIN message, or null if it is not one (`authzid NUL authcid NUL passwd`). */
export function decodePlain(base64: string): { authzid: string; username: string; password: string } | null {
  const bytes = decodeBase64(base64);
  if (bytes === null) return null;
  const parts = bytes.toString('utf8').split('\0');
  if (parts.length !== 3 || parts[1] === '') return null;
  return { authzid: parts[0]!, username: parts[1]!, password: parts[2]! };
}

/** Strict base64 (no whitespace, correct padding), or null. */
export function decodeBase64(text: string): Buffer | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

/** A SASL PLAIN initial response for `username` and `password`. */
export function encodePlain(username: string, password: string): string {
  return Buffer.from(`\0${username}\0${password}`, 'utf8').toString('base64');
}
