/**
 * Masks: who a ban or an exception is about, as `nick!user@host` with `*` (any run) and `?` (any one
 * character) wildcards, compared under the same case mapping as names. Every front door shows a user as
 * `nick!user@host` here, whatever it calls those parts.
 * @module
 */
import { MASK_MAX_LENGTH } from './limits.js';
import { globMatch } from '../cred/host-patterns.js';
import { foldName } from './names.js';

/** The parts of a user a mask is matched against. */
export interface MaskSubject {
  readonly nick: string;
  readonly username: string;
  readonly host: string;
}

const UNSAFE = /[\s,\p{Cc}]/u;

/**
 * The full form of a mask, or undefined when it is not usable (empty, too long, holding spaces, commas or
 * control characters). A nick alone stands for `nick!*@*`, `user@host` for `*!user@host`, `nick!user` for
 * `nick!user@*`.
 *
 * @example
 * normalizeMask('bar') === 'bar!*@*'
 */
export function normalizeMask(mask: string): string | undefined {
  if (mask === '' || mask.length > MASK_MAX_LENGTH || UNSAFE.test(mask) || mask.startsWith(':')) return undefined;
  const bang = mask.indexOf('!');
  const nick = bang >= 0 ? mask.slice(0, bang) : mask.includes('@') ? '' : mask;
  const rest = bang >= 0 ? mask.slice(bang + 1) : mask.includes('@') ? mask : '';
  const at = rest.lastIndexOf('@');
  const user = at < 0 ? rest : rest.slice(0, at);
  const host = at < 0 ? '' : rest.slice(at + 1);
  const full = `${nick || '*'}!${user || '*'}@${host || '*'}`;
  return full.length > MASK_MAX_LENGTH ? undefined : full;
}

/** True if two masks are the same under the case mapping (a list holds each mask once). */
export function sameMask(a: string, b: string): boolean {
  return foldName(a) === foldName(b);
}

/**
 * A matcher for a glob of `*` and `?` under the case mapping. The walk is `torsion/cred`'s `globMatch`
 * (time at most the product of the lengths), where a regular expression could backtrack exponentially on a
 * mask such as `*a*a*a*a*b`.
 */
export function globMatcher(pattern: string): (text: string) => boolean {
  const p = foldName(pattern);
  if (!/[*?]/.test(p)) return (text) => foldName(text) === p;
  return (text) => globMatch(foldName(text), p);
}

/** True if `mask` (in its full form) matches `subject`'s `nick!user@host`. */
export function maskMatches(mask: string, subject: MaskSubject): boolean {
  return globMatcher(mask)(`${subject.nick}!${subject.username}@${subject.host}`);
}
