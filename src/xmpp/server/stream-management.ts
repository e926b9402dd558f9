/**
 * The server's side of stream management (XEP-0198): counts of stanzas handled both ways, the stanzas sent
 * and not yet acknowledged (kept to be sent again on resumption), and the registry of sessions a client may
 * resume after its connection dropped.
 * @module
 */
import { randomBytes } from 'node:crypto';

/** One stream-managed session's counters and unacknowledged stanzas. */
export class StreamManagementState {
  /** The id a client resumes with (XEP-0198 §5), when resumption was asked for. */
  readonly id: string | undefined;
  /** Stanzas handled from the client (the `h` the server acknowledges). */
  inbound = 0;
  /** Stanzas sent to the client and not acknowledged yet, oldest first, as XML. */
  readonly #unacked: string[] = [];
  /** Stanzas sent in all, acknowledged ones included. */
  #sent = 0;

  constructor(resumable: boolean) {
    this.id = resumable ? randomBytes(16).toString('hex') : undefined;
  }

  /** Unacknowledged stanzas. */
  get unacked(): readonly string[] {
    return this.#unacked;
  }

  /** Records a stanza sent (or queued while detached). */
  sent(xml: string): void {
    this.#sent++;
    this.#unacked.push(xml);
  }

  /**
   * The client acknowledged `h` stanzas in all (counted modulo 2^32). Returns false when `h` is more than
   * was sent or less than was already acknowledged: a broken or lying client.
   */
  acknowledge(h: number): boolean {
    const acked = this.#sent - this.#unacked.length;
    const newly = (h - acked) >>> 0;
    if (!Number.isInteger(h) || h < 0 || newly > this.#unacked.length) return false;
    this.#unacked.splice(0, newly);
    return true;
  }
}

/** Where detached, resumable sessions wait: one per server, shared by its connections. */
export class StreamResumption<T> {
  readonly #detached = new Map<string, T>();

  /** Keeps `session` for resumption under `id`. */
  hold(id: string, session: T): void {
    this.#detached.set(id, session);
  }

  /** Takes the session held under `id` (it can be resumed once). */
  take(id: string): T | undefined {
    const s = this.#detached.get(id);
    this.#detached.delete(id);
    return s;
  }

  /** Forgets `id` (its timeout ran out). */
  drop(id: string): void {
    this.#detached.delete(id);
  }

  /** Takes every session waiting (for a shutdown). */
  drain(): T[] {
    const all = [...this.#detached.values()];
    this.#detached.clear();
    return all;
  }

  /** Sessions waiting. */
  get size(): number {
    return this.#detached.size;
  }
}
