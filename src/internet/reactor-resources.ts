/**
 * What a reactor closes when it stops: its listening ports and live connections.
 * @module
 */

/** Something the reactor closes at shutdown. */
export interface Closable {
  /** Closes it; resolves once it is closed. */
  closeForShutdown(): Promise<unknown> | void;
}

/** The open ports and connections of one reactor. */
export class ReactorResources {
  readonly #open = new Set<Closable>();

  add(c: Closable): void {
    this.#open.add(c);
  }

  delete(c: Closable): void {
    this.#open.delete(c);
  }

  /** How many are open. */
  get size(): number {
    return this.#open.size;
  }

  /** Closes them all; resolves once each has closed. */
  async closeAll(): Promise<void> {
    const all = [...this.#open];
    this.#open.clear();
    await Promise.all(all.map(async (c) => c.closeForShutdown()));
  }
}
