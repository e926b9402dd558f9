/**
 * `DepartedUsers`: who used a nick before (IRC's WHOWAS), remembered when a user leaves or changes nick.
 * Bounded per nick and in all; the oldest entries go first.
 * @module
 */
import type { DepartedUser } from './interfaces.js';
import { foldName } from './names.js';

/** The bounds of {@link DepartedUsers}. */
export interface WhowasOptions {
  /** Entries kept per nick (10 by default). */
  perNick?: number;
  /** Entries kept in all (5,000 by default). */
  maxEntries?: number;
}

/** Entries per folded nick, newest first, with a queue of every entry, oldest first, to evict from. */
export class DepartedUsers {
  readonly #byNick = new Map<string, DepartedUser[]>();
  /** Every entry in the order remembered, with its folded nick, for eviction. */
  #order: { key: string; entry: DepartedUser }[] = [];
  #head = 0;

  constructor(
    readonly perNick: number,
    readonly maxEntries: number,
  ) {}

  /** How many entries are kept. */
  get size(): number {
    return this.#order.length - this.#head;
  }

  /** Remembers `entry` under its nick. */
  remember(entry: DepartedUser): void {
    if (this.perNick <= 0 || this.maxEntries <= 0) return;
    const key = foldName(entry.nick);
    let list = this.#byNick.get(key);
    if (!list) this.#byNick.set(key, (list = []));
    list.unshift(entry);
    if (list.length > this.perNick) this.#forget(key, list.pop()!);
    this.#order.push({ key, entry });
    while (this.size > this.maxEntries) {
      const oldest = this.#order[this.#head];
      this.#evict(oldest.key, oldest.entry);
    }
    this.#compact();
  }

  /**
   * Entries for `nick`, newest first: at most `count` when it is positive, all kept otherwise. The nick may
   * hold `*` and `?` wildcards.
   */
  lookup(nick: string, count = 0, matches?: (nick: string) => boolean): DepartedUser[] {
    const limit = count > 0 ? count : Infinity;
    if (!matches) return (this.#byNick.get(foldName(nick)) ?? []).slice(0, Math.min(limit, this.perNick));
    const out: DepartedUser[] = [];
    for (const list of this.#byNick.values()) {
      if (!matches(list[0].nick)) continue;
      out.push(...list.slice(0, Math.min(limit, this.perNick)));
    }
    return out.sort((a, b) => b.time - a.time);
  }

  /** Drops an entry pushed out of its nick's list from the eviction queue too. */
  #forget(key: string, entry: DepartedUser): void {
    const i = this.#order.findIndex((o, n) => n >= this.#head && o.entry === entry && o.key === key);
    if (i >= 0) this.#order.splice(i, 1);
  }

  /** Drops the oldest entry of all. */
  #evict(key: string, entry: DepartedUser): void {
    this.#head++;
    const list = this.#byNick.get(key);
    if (!list) return;
    const i = list.lastIndexOf(entry);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.#byNick.delete(key);
  }

  /** Shrinks the queue once its evicted head is most of it. */
  #compact(): void {
    if (this.#head > 1024 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
  }
}
