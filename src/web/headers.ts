/**
 * A case-insensitive view over the request's header list, kept as the flat `[name, value, ...]` array
 * the parser produced (names already lower-cased), so nothing is copied until somebody asks.
 * @module
 */
import { CODEC_LIMITS } from './limits.js';

/**
 * Request headers: case-insensitive, repeated fields kept in order.
 *
 * @example
 * request.headers.get('Content-Type'); // 'text/plain' or null
 */
export class Headers {
  /** @param raw flat `[lowerName, value, ...]` pairs. */
  constructor(readonly raw: string[]) {}

  /** The value of `name`, repeated fields joined with `, ` (`; ` for Cookie), or null. */
  get(name: string): string | null {
    const lower = name.toLowerCase();
    const raw = this.raw;
    let found: string | null = null;
    for (let i = 0; i < raw.length; i += 2) {
      if (raw[i] === lower) found = found === null ? raw[i + 1] : found + (lower === 'cookie' ? '; ' : ', ') + raw[i + 1];
    }
    return found;
  }

  /** Every value of `name`, in order. */
  getAll(name: string): string[] {
    const lower = name.toLowerCase();
    const out: string[] = [];
    for (let i = 0; i < this.raw.length; i += 2) if (this.raw[i] === lower) out.push(this.raw[i + 1]);
    return out;
  }

  /** True when the request has `name`. */
  has(name: string): boolean {
    const lower = name.toLowerCase();
    for (let i = 0; i < this.raw.length; i += 2) if (this.raw[i] === lower) return true;
    return false;
  }

  /** `[lowerName, value]` pairs in arrival order. */
  *[Symbol.iterator](): IterableIterator<[string, string]> {
    for (let i = 0; i < this.raw.length; i += 2) yield [this.raw[i], this.raw[i + 1]];
  }
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Names that passed the token test. */
const checkedNames = new Set<string>();

/** The last name and value that passed (a resource mostly sets the same header on every response). */
let lastName = '';
let lastValue = '';

/** Throws if `name`/`value` could break the response head (header injection). */
export function checkHeader(name: string, value: string): void {
  if (name === lastName && value === lastValue) return;
  if (!checkedNames.has(name)) {
    if (!TOKEN.test(name)) throw new TypeError(`invalid header name ${JSON.stringify(name)}`);
    if (checkedNames.size < CODEC_LIMITS.headerNameCache) checkedNames.add(name);
  }
  // A loop, not a regex: values are mostly short and this runs for every header of every response.
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x0d || c === 0x0a || c === 0) throw new TypeError(`invalid characters in header ${name}`);
  }
  lastName = name;
  lastValue = value;
}
