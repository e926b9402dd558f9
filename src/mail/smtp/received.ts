/**
 * The `Received:` trace header (RFC 5321 §4.4) and RFC 5322 dates.
 * @module
 */
import type { Address } from '../address.js';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** An RFC 5322 date-time in UTC (`Sat, 05 Dec 2026 07:48:47 +0000`) for `seconds` since the epoch. */
export function rfc5322Date(seconds: number): string {
  const d = new Date(Math.floor(seconds) * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${two(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}

/** What a `Received:` header says. */
export interface ReceivedInfo {
  helo: string;
  peerHost: string;
  hostname: string;
  esmtp: boolean;
  secure: boolean;
  authenticated: boolean;
  utf8: boolean;
  id: string;
  recipients: readonly Address[];
  seconds: number;
}

/**
 * The header line, folded, without its final CRLF. The protocol name is RFC 3848's (`ESMTPSA` for
 * authenticated over TLS) or RFC 6531's (`UTF8SMTPS`); `for` names the recipient when there is one.
 */
export function receivedHeader(info: ReceivedInfo): string {
  const proto = info.utf8 ? 'UTF8SMTP' : info.esmtp ? 'ESMTP' : 'SMTP';
  const suffix = info.esmtp || info.utf8 ? `${info.secure ? 'S' : ''}${info.authenticated ? 'A' : ''}` : '';
  const helo = info.helo.replace(/[()\\]/g, '');
  const forClause = info.recipients.length === 1 ? `\r\n\tfor <${info.recipients[0]!.toString()}>` : '';
  return `Received: from ${helo} ([${info.peerHost}])\r\n\tby ${info.hostname} with ${proto}${suffix} id ${info.id}${forClause};\r\n\t${rfc5322Date(info.seconds)}`;
}
