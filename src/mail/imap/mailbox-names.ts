/**
 * Mailbox names: this server keeps one, INBOX (case-insensitive, RFC 3501 §5.1), and LIST patterns.
 * @module
 */
import { valueText, type IMAPValue } from './values.js';

/** True if `value` names INBOX. */
export function isInbox(value: IMAPValue | undefined): boolean {
  return valueText(value)?.toUpperCase() === 'INBOX';
}

/** True if the LIST pattern (`*` and `%` wildcards) matches `name`. */
export function matchesPattern(pattern: string, name: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/%/g, '[^/]*')}$`, 'i');
  return re.test(name);
}
