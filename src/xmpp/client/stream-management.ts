/**
 * The client's side of stream management (XEP-0198): the count of stanzas handled from the server, and the
 * stanzas sent and not yet acknowledged, kept to be sent again after a resumption (or, for messages, in a
 * fresh session when resumption fails).
 * @module
 */
import { XMPPStreamManagementError } from '../errors.js';

/** A stanza sent and not acknowledged yet: its XML and its element name. */
export interface UnackedStanza {
  xml: string;
  name: string;
}

/** One stream-managed session as the client sees it. */
export class ClientStreamManagement {
  /** The id to resume with, when the server allowed resumption (`<enabled resume='true'/>`). */
  id: string | undefined;
  /** True once the server answered `<enabled/>`: from then on stanzas from it are counted. */
  enabled = false;
  /** Stanzas handled from the server, modulo 2^32 (the `h` the client acknowledges). */
  inbound = 0;
  /** Stanzas counted as sent (modulo 2^32), acknowledged ones included. */
  #sent = 0;
  readonly #unacked: UnackedStanza[] = [];
  /** Stanzas sent since the last `<r/>` the client sent. */
  sinceRequest = 0;

  constructor(readonly maxUnacked: number) {}

  /** Stanzas sent and not acknowledged, oldest first. */
  get unacked(): readonly UnackedStanza[] {
    return this.#unacked;
  }

  /** Records a stanza sent (or queued while reconnecting); refuses one past the limit rather than keep everything. */
  sent(xml: string): void {
    if (this.#unacked.length >= this.maxUnacked) {
      throw new XMPPStreamManagementError(`more than ${this.maxUnacked} stanzas are waiting for the server's acknowledgement`);
    }
    this.#sent = (this.#sent + 1) >>> 0;
    this.sinceRequest++;
    this.#unacked.push({ xml, name: /^<([A-Za-z_][\w.-]*)/.exec(xml)?.[1] ?? '' });
  }

  /** A stanza from the server was handled. */
  received(): void {
    if (this.enabled) this.inbound = (this.inbound + 1) >>> 0;
  }

  /**
   * The server says it handled `h` stanzas in all: forget those. Throws when `h` is not a count, is more than
   * was sent, or goes back before what was already acknowledged.
   */
  acknowledge(hText: string | undefined): void {
    const h = Number(hText);
    const acked = (this.#sent - this.#unacked.length) >>> 0;
    const newly = (h - acked) >>> 0;
    if (hText === undefined || !Number.isInteger(h) || h < 0 || h > 0xffffffff || newly > this.#unacked.length) {
      throw new XMPPStreamManagementError(`the server acknowledged h=${hText ?? '(none)'}, but ${acked} of ${this.#sent} stanzas were acknowledged before`);
    }
    this.#unacked.splice(0, newly);
  }

  /** Takes every unacknowledged stanza (for a fresh session after resumption failed). */
  drain(): UnackedStanza[] {
    return this.#unacked.splice(0);
  }
}
