/**
 * Holding what the front doors write to their clients until the end of an event-loop turn. A room line that
 * comes from the bus (another worker or node) arrives outside any client's input, so without this each
 * member would get one socket write (one system call) per line; held, a burst of lines costs each member one
 * write per turn.
 * @module
 */

/** A front door that can gather its clients' output and write it later, once per client. */
export interface OutputBatcher {
  /** Starts gathering (nests with the front door's own batches). */
  beginBatch(): void;
  /** Ends one {@link beginBatch}; the outermost end writes what was gathered. */
  endBatch(): void;
}

/** The front doors of one service, and the turn-long batch they are in, if any. */
export class OutputBatches {
  readonly #batchers = new Set<OutputBatcher>();
  /** The front doors that began the batch of this turn (undefined when none is held). */
  #held: OutputBatcher[] | undefined;

  /** Lets `batcher` take part in the batches held from now on. */
  add(batcher: OutputBatcher): void {
    this.#batchers.add(batcher);
  }

  /** Takes `batcher` out (what it holds now is still written at the end of the turn). */
  remove(batcher: OutputBatcher): void {
    this.#batchers.delete(batcher);
  }

  /**
   * Holds every front door's output until the end of this turn of the event loop (Node's check phase), then
   * writes it once per client. Idempotent within a turn.
   */
  hold(): void {
    if (this.#held !== undefined || this.#batchers.size === 0) return;
    const held = [...this.#batchers];
    this.#held = held;
    for (const b of held) b.beginBatch();
    setImmediate(() => {
      this.#held = undefined;
      for (const b of held) b.endBatch();
    });
  }
}
