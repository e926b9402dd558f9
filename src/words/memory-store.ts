/**
 * `MemoryStore`: accounts and history in memory, for tests and for a chat that need not outlive its process.
 * @module
 */
import { Deferred } from '../defer/index.js';
import { AccountExistsError } from './errors.js';
import type { AccountRecord, ChatMessage, HistoryQuery, IWordsStore } from './interfaces.js';

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Messages kept per room; older ones are dropped (1000 by default). */
  historyPerRoom?: number;
}

/** Select the newest `limit` of `messages` (oldest first) that match `query`. */
export function selectHistory(messages: readonly ChatMessage[], query: HistoryQuery): ChatMessage[] {
  const picked = messages.filter(
    (m) => (query.before === undefined || m.time < query.before) && (query.after === undefined || m.time > query.after),
  );
  return query.limit <= 0 ? [] : picked.slice(-query.limit);
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

  constructor(options: MemoryStoreOptions = {}) {
    this.#perRoom = options.historyPerRoom ?? 1000;
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

  setPasswordHash(key: string, passwordHash: string): Deferred<boolean> {
    const record = this.#accounts.get(key);
    if (record) record.passwordHash = passwordHash;
    return Deferred.succeed(record !== undefined);
  }

  deleteAccount(key: string): Deferred<boolean> {
    return Deferred.succeed(this.#accounts.delete(key));
  }

  appendMessage(roomKey: string, message: ChatMessage): void {
    let list = this.#history.get(roomKey);
    if (!list) this.#history.set(roomKey, (list = []));
    list.push(message);
    // Trim in batches so a busy room does not shift the array on every line.
    if (list.length > this.#perRoom * 1.25) list.splice(0, list.length - this.#perRoom);
  }

  history(roomKey: string, query: HistoryQuery): Deferred<ChatMessage[]> {
    const list = this.#history.get(roomKey) ?? [];
    return Deferred.succeed(selectHistory(list.slice(-this.#perRoom), query));
  }

  flush(): Deferred<void> {
    return Deferred.succeed(undefined);
  }
}
