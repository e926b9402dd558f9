/**
 * `MemoryBudget`: a count of the bytes held on behalf of a peer, with a limit, nested so that one page's
 * budget draws on its address's and the process's. Whatever holds text a peer can make it hold (a session's
 * queues, pending calls, a transport's outbox) charges the budget first and keeps nothing when the charge is
 * refused; the owner of the innermost budget learns of the refusal once, and drops the peer.
 *
 * When a shared budget (an address's, the process's) is full, the peer holding the most under it goes first,
 * which is seldom the one asking: a page that holds little is not dropped because others hog the memory.
 * @module
 */

/** Fixed cost of one held item beyond its characters: the array or map slot and the string header. */
export const ITEM_OVERHEAD = 64;

/** What holding `text` costs, in bytes (see `limits.ts` for how characters are counted). */
export function textCost(text: string): number {
  return text.length + ITEM_OVERHEAD;
}

/** Options of a {@link MemoryBudget}. */
export interface MemoryBudgetOptions {
  /** Whose budget it is, for the refusal's reason (`"the page's"`, `"the server's"`). */
  owner?: string;
  /**
   * Called once, with the reason, when this budget's owner must let go of everything: a charge on it was
   * refused, or a shared budget above it is full and it holds the most there. The owner should `close` it.
   */
  onExceeded?: (reason: string) => void;
}

/** Bytes held against a limit, and against the parent's limit too. */
export class MemoryBudget {
  #used = 0;
  #closed = false;
  #exceeded = false;
  /** The budgets drawing on this one; made with the first (a page's budget has none, and there are many pages). */
  #children: Set<MemoryBudget> | undefined;

  constructor(
    /** Most bytes this budget (and its children together) may hold. */
    public limit: number,
    /** The budget this one draws on, if any. */
    readonly parent: MemoryBudget | null = null,
    readonly options: MemoryBudgetOptions = {},
  ) {
    if (parent !== null) (parent.#children ??= new Set()).add(this);
  }

  /** Bytes held now. */
  get used(): number {
    return this.#used;
  }

  /** True after {@link MemoryBudget.close}: charges are refused and releases ignored. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Counts `bytes` against this budget and its ancestors if every one of them has room. When a shared
   * ancestor is full, the budget holding the most under it is told to let go first (see the module comment).
   * When there is still no room, counts nothing, tells `onExceeded` and returns false: the caller must not
   * keep the item.
   */
  charge(bytes: number): boolean {
    for (;;) {
      if (this.#closed) return false;
      const full = this.#full(bytes);
      if (full === null) break;
      const victim = full === this ? null : full.#largest();
      if (victim === null || victim === this || victim.#used === 0) {
        this.#refuse(`${full.options.owner ?? 'the'} memory budget of ${full.limit} bytes is used up`);
        return false;
      }
      victim.#refuse(`${full.options.owner ?? 'the'} memory budget of ${full.limit} bytes is used up, and this holds the most of it`);
      if (!victim.#closed) return false; // its owner did not let go: refuse rather than spin
    }
    for (let b: MemoryBudget | null = this; b !== null; b = b.parent) b.#used += bytes;
    return true;
  }

  /** Gives back `bytes` charged earlier (ignored once closed: closing gave everything back). */
  release(bytes: number): void {
    if (this.#closed) return;
    const n = Math.min(bytes, this.#used);
    for (let b: MemoryBudget | null = this; b !== null; b = b.parent) b.#used -= n;
  }

  /** Gives back everything still held and refuses later charges (the peer is gone). */
  close(): void {
    if (this.#closed) return;
    this.release(this.#used);
    this.#closed = true;
    if (this.parent !== null) this.parent.#children?.delete(this);
  }

  /** The innermost budget on the way up without room for `bytes` more, or null. */
  #full(bytes: number): MemoryBudget | null {
    for (let b: MemoryBudget | null = this; b !== null; b = b.parent) if (b.#used + bytes > b.limit) return b;
    return null;
  }

  /** The innermost budget under this one that holds the most, following the largest child at each level. */
  #largest(): MemoryBudget | null {
    let b: MemoryBudget = this;
    while (b.#children !== undefined && b.#children.size > 0) {
      let best: MemoryBudget | null = null;
      for (const c of b.#children) if (best === null || c.#used > best.#used) best = c;
      b = best!;
    }
    return b === this ? null : b;
  }

  #refuse(reason: string): void {
    if (this.#exceeded) return;
    this.#exceeded = true;
    this.options.onExceeded?.(reason);
  }
}
