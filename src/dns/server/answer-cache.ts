/**
 * The server's precompiled answers: the encoded reply to a query, keyed by the query's bytes after its ID
 * (flags, question, EDNS record) and the transport it came over, so a repeated question costs a hash, a
 * compare and a copy with the new ID patched in instead of a decode, a zone lookup and an encode.
 *
 * Keying by exact bytes keeps the reply a pure function of its key: the question is echoed with the
 * asker's own letter case, the RD and DO bits and the EDNS size are part of the key. An entry lives as long
 * as the shortest TTL in its reply (capped by a limit), and the whole cache is dropped when a zone changes.
 *
 * The table is indexed by a seeded 30-bit hash of those bytes (a small integer, which a Map hashes fastest)
 * rather than by a string of them: building that string was most of the cost of a hit. An entry keeps the
 * bytes it was made from and a lookup compares them, so two queries with one hash never share a reply; the
 * later one simply takes the slot, as an eviction would.
 * @module
 */
import type { IReactorTime } from '../../time/interfaces.js';

interface Entry {
  /** The query's bytes after its ID. */
  question: Uint8Array;
  via: 'udp' | 'tcp';
  /** The reply with ID 0. */
  reply: Uint8Array;
  /** Clock seconds after which the entry is stale. */
  expires: number;
}

/** Bytes of each slab that cache hits are copied into. */
const SLAB_BYTES = 16384;

/** Replies by query bytes, bounded in entries and in the size of what it keys on. */
export class AnswerCache {
  readonly #entries = new Map<number, Entry>();
  #slab = new ArrayBuffer(0);
  #slabUsed = 0;

  /**
   * @param seed the hash's seed; random by default so that nobody can pick queries that share a slot
   */
  constructor(private readonly clock: IReactorTime, private readonly maxEntries: number, private readonly maxSeconds: number,
    private readonly maxQueryBytes: number, private readonly seed = (Math.random() * 0x40000000) | 0) {}

  /** How many replies are held. */
  get size(): number {
    return this.#entries.size;
  }

  /** The slot of a query, or -1 when it is not worth caching (no header, or too long). */
  slot(query: Uint8Array, via: 'udp' | 'tcp'): number {
    const n = query.length;
    if (this.maxEntries <= 0 || n < 12 || n > this.maxQueryBytes) return -1;
    // FNV-1a over the bytes after the ID, from a secret start.
    let h = (this.seed ^ (via === 'udp' ? 0x5bd1e995 : 0x1b873593)) | 0;
    for (let i = 2; i < n; i++) h = Math.imul(h ^ query[i]!, 16777619);
    return (h ^ (h >>> 15)) & 0x3fffffff;
  }

  /** A fresh copy of the cached reply to `query` (in slot `slot`), carrying the query's ID; undefined on a miss. */
  get(slot: number, query: Uint8Array, via: 'udp' | 'tcp'): Uint8Array | undefined {
    const entry = this.#entries.get(slot);
    if (entry === undefined || entry.via !== via || !sameQuestion(entry.question, query)) return undefined;
    if (this.clock.seconds() >= entry.expires) {
      this.#entries.delete(slot);
      return undefined;
    }
    const out = this.#copy(entry.reply);
    out[0] = query[0]!;
    out[1] = query[1]!;
    return out;
  }

  /**
   * A copy of `reply`, not the cached bytes: a send may still hold the previous reply when the next ID is
   * patched. Small copies are cut in turn from a shared slab that is never written twice (a full slab is
   * replaced, and lives on while a reply cut from it does): a buffer of its own per reply cost Node a
   * `malloc` and a backing store per datagram when the send handed it to the kernel.
   */
  #copy(reply: Uint8Array): Uint8Array {
    const n = reply.length;
    if (n > SLAB_BYTES >> 4) return reply.slice();
    if (this.#slabUsed + n > this.#slab.byteLength) {
      this.#slab = new ArrayBuffer(SLAB_BYTES);
      this.#slabUsed = 0;
    }
    const out = new Uint8Array(this.#slab, this.#slabUsed, n);
    this.#slabUsed += n;
    out.set(reply);
    return out;
  }

  /** Keeps `reply` to `query` for at most `ttl` seconds (0: not kept); the oldest entry goes when the cache is full. */
  set(slot: number, query: Uint8Array, via: 'udp' | 'tcp', reply: Uint8Array, ttl: number): void {
    const seconds = Math.min(ttl, this.maxSeconds);
    if (seconds <= 0) return;
    const stored = reply.slice();
    stored[0] = 0;
    stored[1] = 0;
    this.#entries.delete(slot);
    this.#entries.set(slot, { question: query.slice(2), via, reply: stored, expires: this.clock.seconds() + seconds });
    if (this.#entries.size > this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Forgets every reply (a zone was loaded or replaced). */
  clear(): void {
    this.#entries.clear();
  }
}

/** Whether `query`'s bytes after its ID are `question`. */
function sameQuestion(question: Uint8Array, query: Uint8Array): boolean {
  const n = question.length;
  if (query.length !== n + 2) return false;
  for (let i = 0; i < n; i++) if (question[i] !== query[i + 2]) return false;
  return true;
}
