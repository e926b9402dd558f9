/**
 * Delivery status notifications (RFC 3464): the bounce the queue sends a sender whose message could not
 * be delivered.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { rfc5322Date } from './received.js';

/** A recipient that failed, and why. */
export interface FailedRecipient {
  address: string;
  /** The enhanced status (`5.1.1`). */
  status: string;
  /** The last reply or error, for `Diagnostic-Code`. */
  diagnostic: string;
}

/** What a bounce says. */
export interface BounceInfo {
  /** This server's name (`Reporting-MTA`, the `MAILER-DAEMON` address). */
  hostname: string;
  /** The original sender, the bounce's recipient. */
  to: string;
  failed: readonly FailedRecipient[];
  /** When the message was queued, in seconds. */
  arrival: number;
  /** Now, in seconds. */
  now: number;
  /** The original message (CRLF); its header is returned. */
  original: Uint8Array;
}

/** The bounce message, CRLF line ends, ready to deliver with the null sender `<>`. */
export function bounceMessage(info: BounceInfo): Uint8Array {
  const boundary = `=_torsion_${randomBytes(8).toString('hex')}`;
  const original = Buffer.from(info.original);
  const headerEnd = original.indexOf('\r\n\r\n');
  const headers = (headerEnd < 0 ? original : original.subarray(0, headerEnd + 2)).toString('utf8');
  const clean = (s: string): string => s.replace(/[\r\n]+/g, ' ');
  const perRecipient = info.failed
    .map((f) => [`Final-Recipient: rfc822; ${clean(f.address)}`, 'Action: failed', `Status: ${f.status}`, `Diagnostic-Code: smtp; ${clean(f.diagnostic)}`].join('\r\n'))
    .join('\r\n\r\n');
  const lines = [
    `From: Mail Delivery System <MAILER-DAEMON@${info.hostname}>`,
    `To: <${clean(info.to)}>`,
    'Subject: Undelivered Mail Returned to Sender',
    `Date: ${rfc5322Date(info.now)}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${info.hostname}>`,
    'Auto-Submitted: auto-replied',
    'MIME-Version: 1.0',
    `Content-Type: multipart/report; report-type=delivery-status; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Your message could not be delivered to ${info.failed.length === 1 ? 'this recipient' : 'these recipients'}:`,
    '',
    ...info.failed.map((f) => `  <${clean(f.address)}>: ${clean(f.diagnostic)}`),
    '',
    `--${boundary}`,
    'Content-Type: message/delivery-status',
    '',
    `Reporting-MTA: dns; ${info.hostname}`,
    `Arrival-Date: ${rfc5322Date(info.arrival)}`,
    '',
    perRecipient,
    '',
    `--${boundary}`,
    'Content-Type: text/rfc822-headers',
    '',
    headers.replace(/\r\n$/, ''),
    '',
    `--${boundary}--`,
    '',
  ];
  return Buffer.from(lines.join('\r\n'), 'utf8');
}
