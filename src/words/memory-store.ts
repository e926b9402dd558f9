/**
 * `MemoryStore`: accounts and history in memory, for tests and for a chat that need not outlive its process.
 * @module
 */
import { Deferred } from '../defer/index.js';
import { AccountExistsError } from './errors.js';
import type { ScramCredentials } from '../cred/scram.js';
import type { AccountRecord, ChatMessage, HistoryQuery, IWordsStore } from './interfaces.js';
import { WORDS_LIMITS } from './limits.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Messages kept per room; older ones are dropped (1000 by default). */
  historyPerRoom?: number;
  /** Messages kept in all rooms together; the oldest are dropped, whatever their room (50000 by default). */
  maxHistory?: number;
}

/**
 * The newest `limit` of `messages` (oldest first) that match `query`, or with `query.earliest` the oldest.
 * It walks from the end it keeps and stops once it has `limit`, so a small query on a long list costs little.
 */
export function selectHistory(messages: readonly ChatMessage[], query: HistoryQuery): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (!(query.limit > 0)) return out;
  const { before, after, afterSeq, limit } = query;
  const matches = (m: ChatMessage): boolean =>
    (before === undefined || m.time < before) && (after === undefined || m.time > after) && (afterSeq === undefined || (m.seq !== undefined && m.seq > afterSeq));
  if (afterSeq !== undefined) {
    // In the order of the room's numbers, which a store shared by several nodes may have received out of.
    const numbered = messages.filter(matches).sort((x, y) => x.seq! - y.seq!);
    return query.earliest ? numbered.slice(0, limit) : numbered.slice(-limit);
  }
  if (query.earliest) {
    for (let i = 0; i < messages.length && out.length < limit; i++) if (matches(messages[i])) out.push(messages[i]);
    return out;
  }
  for (let i = messages.length - 1; i >= 0 && out.length < limit; i--) if (matches(messages[i])) out.push(messages[i]);
  return out.reverse();
}

/**
 * An {@link IWordsStore} in memory.
 *
 * @example
 * const service = createWordsService({ store: new MemoryStore() });
 */
export class MemoryStore implements IWordsStore {
  readonly #accounts = new Map<string, AccountRecord>();
  readonly #history = new Map<string, ChatMessage[]>();
  readonly #perRoom: number;
  readonly #maxHistory: number;
  /** Messages held in all rooms. */
  #total = 0;
  /**
   * The room of every message appended, in order, from `#head` on: the oldest message of all is found here.
   * The per-room limit drops lines without taking them out of this list, so a room may have more entries
   * (`#entries`) than lines; its surplus entries are its oldest ones and are skipped.
   */
  #order: string[] = [];
  #head = 0;
  readonly #entries = new Map<string, number>();

  constructor(options: MemoryStoreOptions = {}) {
    this.#perRoom = options.historyPerRoom ?? WORDS_LIMITS.memoryStore.historyPerRoom;
    this.#maxHistory = options.maxHistory ?? WORDS_LIMITS.memoryStore.maxHistory;
  }

  /** Messages held in all rooms. */
  get size(): number {
    return this.#total;
  }

  start(): Deferred<void> {
    return Deferred.succeed(undefined);
  }

  stop(): Deferred<void> {
    return Deferred.succeed(undefined);
  }

  getAccount(key: string): Deferred<AccountRecord | undefined> {
    const record = this.#accounts.get(key);
    return Deferred.succeed(record && { ...record });
  }

  createAccount(key: string, record: AccountRecord): Deferred<void> {
    if (this.#accounts.has(key)) return Deferred.fail(new AccountExistsError(record.name));
    this.#accounts.set(key, { ...record });
    return Deferred.succeed(undefined);
  }

  setPasswordHash(key: string, passwordHash: string, scram?: readonly ScramCredentials[]): Deferred<boolean> {
    const record = this.#accounts.get(key);
    if (record) {
      record.passwordHash = passwordHash;
      if (scram) record.scram = scram;
      else delete record.scram;
    }
    return Deferred.succeed(record !== undefined);
  }

  setScramCredentials(key: string, passwordHash: string, scram: readonly ScramCredentials[]): Deferred<boolean> {
    const record = this.#accounts.get(key);
    if (record?.passwordHash !== passwordHash) return Deferred.succeed(false);
    record.scram = scram;
    return Deferred.succeed(true);
  }

  deleteAccount(key: string): Deferred<boolean> {
    return Deferred.succeed(this.#accounts.delete(key));
  }

  appendMessage(roomKey: string, message: ChatMessage): Deferred<void> {
    let list = this.#history.get(roomKey);
    if (!list) this.#history.set(roomKey, (list = []));
    list.push(message);
    this.#total++;
    if (list.length > this.#perRoom) {
      list.shift();
      this.#total--;
    }
    this.#order.push(roomKey);
    this.#entries.set(roomKey, (this.#entries.get(roomKey) ?? 0) + 1);
    if (this.#total > this.#maxHistory) this.#dropOldest();
    if (this.#order.length > 2 * this.#total + 1024) this.#compact();
    return Deferred.succeed(undefined);
  }

  /** Drops the oldest messages of all until no more than `maxHistory` are held. */
  #dropOldest(): void {
    while (this.#total > this.#maxHistory) {
      const room = this.#order[this.#head++];
      const entries = this.#entries.get(room)!;
      const list = this.#history.get(room)!;
      if (entries === list.length) {
        list.shift();
        this.#total--;
      }
      if (entries === 1) {
        this.#entries.delete(room);
        this.#history.delete(room);
      } else this.#entries.set(room, entries - 1);
    }
  }

  /** Takes out the entries already consumed and those of lines the per-room limit dropped. */
  #compact(): void {
    const surplus = new Map<string, number>();
    for (const [room, entries] of this.#entries) surplus.set(room, entries - this.#history.get(room)!.length);
    const kept: string[] = [];
    for (let i = this.#head; i < this.#order.length; i++) {
      const room = this.#order[i];
      const skip = surplus.get(room)!;
      if (skip > 0) surplus.set(room, skip - 1);
      else kept.push(room);
    }
    this.#order = kept;
    this.#head = 0;
    for (const [room, list] of this.#history) {
      if (list.length > 0) this.#entries.set(room, list.length);
      else {
        this.#history.delete(room);
        this.#entries.delete(room);
      }
    }
  }

  history(roomKey: string, query: HistoryQuery): Deferred<ChatMessage[]> {
    return Deferred.succeed(selectHistory(this.#history.get(roomKey) ?? [], query));
  }

  flush(): Deferred<void> {
    return Deferred.succeed(undefined);
  }
}
