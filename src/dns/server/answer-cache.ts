/**
 * The server's precompiled answers: the encoded reply to a query, keyed by the query's bytes after its ID
 * (flags, question, EDNS record) and the transport it came over, so a repeated question costs a map lookup
 * and a copy with the new ID patched in instead of a decode, a zone lookup and an encode.
 *
 * Keying by exact bytes keeps the reply a pure function of its key: the question is echoed with the
 * asker's own letter case, the RD and DO bits and the EDNS size are part of the key. An entry lives as long
 * as the shortest TTL in its reply (capped by a limit), and the whole cache is dropped when a zone changes.
 * @module
 */
import type { IReactorTime } from '../../time/interfaces.js';

interface Entry {
  /** The reply with ID 0. */
  reply: Uint8Array;
  /** Clock seconds after which the entry is stale. */
  expires: number;
}

/** Replies by query bytes, bounded in entries and in the size of what it keys on. */
export class AnswerCache {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly clock: IReactorTime, private readonly maxEntries: number, private readonly maxSeconds: number,
    private readonly maxQueryBytes: number) {}

  /** How many replies are held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The key of a query, or undefined when it is not worth caching (no header, or too long). */
  key(query: Uint8Array, via: 'udp' | 'tcp'): string | undefined {
    if (this.maxEntries <= 0 || query.length < 12 || query.length > this.maxQueryBytes) return undefined;
    // One string from the bytes at once: a character appended per byte made a string (garbage) per byte.
    return (via === 'udp' ? 'u' : 't') + String.fromCharCode.apply(null, query.subarray(2) as unknown as number[]);
  }

  /** A fresh copy of the cached reply to the query `key` was made from, carrying `id`; undefined on a miss. */
  get(key: string, id: number): Uint8Array | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (this.clock.seconds() >= entry.expires) {
      this.#entries.delete(key);
      return undefined;
    }
    // A copy, not the cached bytes: a send may still hold the previous reply when the next ID is patched.
    const out = new Uint8Array(entry.reply.length);
    out.set(entry.reply);
    out[0] = id >> 8;
    out[1] = id & 0xff;
    return out;
  }

  /** Keeps `reply` for at most `ttl` seconds (0: not kept); the oldest entry goes when the cache is full. */
  set(key: string, reply: Uint8Array, ttl: number): void {
    const seconds = Math.min(ttl, this.maxSeconds);
    if (seconds <= 0) return;
    const stored = reply.slice();
    stored[0] = 0;
    stored[1] = 0;
    this.#entries.delete(key);
    this.#entries.set(key, { reply: stored, expires: this.clock.seconds() + seconds });
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Forgets every reply (a zone was loaded or replaced). */
  clear(): void {
    this.#entries.clear();
  }
}
