/**
 * A words store for tests that holds reads and writes pending until the test lets them go.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { MemoryStore } from '../memory-store.js';
import type { ChatMessage, HistoryQuery } from '../interfaces.js';

/** A MemoryStore that records history reads and can hold reads and writes pending. */
export class HeldStore extends MemoryStore {
  holdReads = false;
  holdWrites = false;
  readonly reads: { query: HistoryQuery; d: Deferred<ChatMessage[]>; cancelled: boolean; release(): void }[] = [];
  readonly writes: { message: ChatMessage; release(ok?: boolean): void }[] = [];

  override history(roomKey: string, query: HistoryQuery): Deferred<ChatMessage[]> {
    const answer = super.history(roomKey, query);
    if (!this.holdReads) {
      this.reads.push({ query, d: answer, cancelled: false, release: () => undefined });
      return answer;
    }
    const read = {
      query,
      cancelled: false,
      d: new Deferred<ChatMessage[]>(() => {
        read.cancelled = true;
      }),
      release: () => answer.addCallback((m) => read.d.callback(m)),
    };
    this.reads.push(read);
    return read.d;
  }

  override appendMessage(roomKey: string, message: ChatMessage): Deferred<void> {
    const written = super.appendMessage(roomKey, message);
    if (!this.holdWrites) return written;
    const d = new Deferred<void>();
    this.writes.push({ message, release: (ok = true) => (ok ? d.callback(undefined) : d.errback(new Error('disk full'))) });
    return d;
  }
}

