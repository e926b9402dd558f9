/**
 * The write batching behind `ISSHTransport.batchWrites`: the wire bytes of the packets sent while a
 * batch is open are gathered and leave together when it closes (one `writeSequence`: one `writev` on a
 * socket), in the order they were sealed.
 * @module
 */
import type { ITransport } from '../../internet/interfaces.js';

/** Gathers packets' wire bytes for one write; outside a batch, each is written at once. */
export class WriteBatch {
  #chunks: Buffer[] | undefined;

  /** `transport` gives the transport to write to (a protocol has it only once connected). */
  constructor(private readonly transport: () => ITransport) {}

  /** Runs `fn` with a batch open (or inside the one already open) and writes what it gathered. */
  run(fn: () => void): void {
    if (this.#chunks !== undefined) return fn();
    this.#chunks = [];
    try {
      fn();
    } finally {
      this.flush();
    }
  }

  /** Writes `wire` now, or adds it to the open batch. */
  write(wire: Buffer): void {
    if (this.#chunks !== undefined) this.#chunks.push(wire);
    else this.transport().write(wire);
  }

  /** Writes what the open batch gathered so far and closes it (before closing the connection, say). */
  flush(): void {
    const chunks = this.#chunks;
    this.#chunks = undefined;
    if (chunks === undefined || chunks.length === 0) return;
    if (chunks.length === 1) this.transport().write(chunks[0]!);
    else this.transport().writeSequence(chunks);
  }
}
