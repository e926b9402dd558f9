/**
 * JIDs (RFC 7622): `local@domain/resource`, each part checked and normalized in the spirit of PRECIS. The
 * localpart is case-folded and NFKC-normalized (UsernameCaseMapped) and may not hold the characters RFC
 * 7622 §3.3.1 forbids; the domain is lowercased, NFKC-normalized and checked label by label (or is an IP
 * literal); the resource is NFC-normalized (OpaqueString). Control characters and spaces are refused where
 * PRECIS refuses them, and each part is at most 1023 bytes. Browser-safe.
 * @module
 */
import { JIDError } from './errors.js';

const MAX_PART_BYTES = 1023;
const encoder = new TextEncoder();
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LOCAL_FORBIDDEN = /["&'/:<>@\s]/u;
const LABEL = /^(?!-)[\p{L}\p{N}-]{1,63}(?<!-)$/u;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function checkLength(part: string, what: string): void {
  if (part.length === 0) throw new JIDError(`the ${what} of a JID is empty`);
  if (encoder.encode(part).length > MAX_PART_BYTES) throw new JIDError(`the ${what} of a JID is longer than ${MAX_PART_BYTES} bytes`);
}

/** Prepares a localpart: NFKC, case-folded, no forbidden characters. */
export function prepareLocal(local: string): string {
  const out = local.normalize('NFKC').toLowerCase();
  checkLength(out, 'localpart');
  if (CONTROL.test(out) || LOCAL_FORBIDDEN.test(out)) throw new JIDError(`the localpart ${JSON.stringify(local)} holds a character JIDs forbid`);
  return out;
}

/** Prepares a domainpart: an IP literal, or NFKC lowercase labels of letters, digits and inner hyphens. */
export function prepareDomain(domain: string): string {
  let out = domain.normalize('NFKC').toLowerCase();
  if (out.endsWith('.')) out = out.slice(0, -1);
  checkLength(out, 'domainpart');
  if (IPV4.test(out) && out.split('.').every((n) => Number(n) <= 255)) return out;
  if (out.startsWith('[') && out.endsWith(']') && /^\[[0-9a-f:.]+\]$/.test(out)) return out;
  for (const label of out.split('.')) {
    if (!LABEL.test(label)) throw new JIDError(`the domainpart ${JSON.stringify(domain)} is not a valid domain name`);
  }
  return out;
}

/** Prepares a resourcepart: NFC, no control characters, not only spaces. */
export function prepareResource(resource: string): string {
  const out = resource.normalize('NFC');
  checkLength(out, 'resourcepart');
  if (CONTROL.test(out)) throw new JIDError('the resourcepart of a JID holds a control character');
  if (out.trim() === '') throw new JIDError('the resourcepart of a JID is only spaces');
  return out;
}

/**
 * A JID, parsed and prepared; equal JIDs have equal `toString()`s.
 *
 * @example
 * const jid = JID.parse('Juliet@Example.COM/balcony');
 * jid.bare().toString(); // 'juliet@example.com'
 */
export class JID {
  readonly local: string | undefined;
  readonly domain: string;
  readonly resource: string | undefined;

  constructor(local: string | undefined, domain: string, resource?: string) {
    this.local = local === undefined ? undefined : prepareLocal(local);
    this.domain = prepareDomain(domain);
    this.resource = resource === undefined ? undefined : prepareResource(resource);
  }

  /** Parses `[local@]domain[/resource]` (RFC 7622 §3.1: the resource starts at the first `/`, the local ends at the first `@` before it). */
  static parse(text: string): JID {
    const slash = text.indexOf('/');
    const head = slash === -1 ? text : text.slice(0, slash);
    const resource = slash === -1 ? undefined : text.slice(slash + 1);
    const at = head.indexOf('@');
    const local = at === -1 ? undefined : head.slice(0, at);
    const domain = at === -1 ? head : head.slice(at + 1);
    return new JID(local, domain, resource);
  }

  /** Like `parse`, but undefined instead of an error for a bad or missing JID. */
  static tryParse(text: string | undefined): JID | undefined {
    if (text === undefined) return undefined;
    try {
      return JID.parse(text);
    } catch {
      return undefined;
    }
  }

  /** The JID without its resource. */
  bare(): JID {
    return this.resource === undefined ? this : new JID(this.local, this.domain);
  }

  /** True when both JIDs are the same after preparation. */
  equals(other: JID): boolean {
    return this.toString() === other.toString();
  }

  toString(): string {
    return `${this.local === undefined ? '' : `${this.local}@`}${this.domain}${this.resource === undefined ? '' : `/${this.resource}`}`;
  }
}
