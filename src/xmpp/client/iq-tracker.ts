/**
 * The IQ requests waiting for their answers: each gets an id, a Deferred and a timeout on the clock it is
 * given; a `result` fires the Deferred, an `error` fails it with the mapped stanza error condition.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';
import type { Element } from '../element.js';
import { XMPPNotConnectedError, XMPPStanzaError, XMPPTimeoutError } from '../errors.js';
import { NS } from '../namespaces.js';

interface Pending {
  deferred: Deferred<Element>;
  timer: IDelayedCall | undefined;
  to: string | undefined;
}

/** The stanza error of an `error` stanza: its condition, type and text. */
export function stanzaError(stanza: Element): XMPPStanzaError {
  const error = stanza.getChild('error');
  const condition = error?.elements().find((c) => c.namespace === NS.STANZA_ERRORS && c.name !== 'text')?.name ?? 'undefined-condition';
  return new XMPPStanzaError(condition, error?.getAttribute('type') ?? 'cancel', stanza, error?.getChildText('text', NS.STANZA_ERRORS));
}

/** Tracks IQ requests by id. */
export class IqTracker {
  readonly #pending = new Map<string, Pending>();
  #next = 0;

  constructor(
    private readonly clock: IReactorTime,
    private readonly prefix: string,
    private readonly maxPending: number,
  ) {}

  /** How many requests wait for an answer. */
  get size(): number {
    return this.#pending.size;
  }

  /** Gives `iq` an id (unless it has one) and returns the Deferred of its answer, failing after `timeout` seconds. */
  track(iq: Element, timeout: number): Deferred<Element> {
    const d = new Deferred<Element>();
    if (this.#pending.size >= this.maxPending) {
      d.errback(new XMPPNotConnectedError(`more than ${this.maxPending} IQ requests are waiting for answers`));
      return d;
    }
    let id = iq.getAttribute('id');
    if (id === undefined || this.#pending.has(id)) {
      id = `${this.prefix}${++this.#next}`;
      iq.setAttribute('id', id);
    }
    const key = id;
    const timer = timeout > 0 ? this.clock.callLater(timeout, () => this.#settle(key, new XMPPTimeoutError(`no answer to IQ ${key} within ${timeout} s`))) : undefined;
    this.#pending.set(key, { deferred: d, timer, to: iq.getAttribute('to') });
    return d;
  }

  /** Settles the request an answering IQ belongs to; false when it answers nothing we asked (or comes from elsewhere). */
  answer(iq: Element, sameSender: (asked: string | undefined, from: string | undefined) => boolean): boolean {
    const id = iq.getAttribute('id');
    const type = iq.getAttribute('type');
    if (id === undefined || (type !== 'result' && type !== 'error')) return false;
    const p = this.#pending.get(id);
    if (!p || !sameSender(p.to, iq.getAttribute('from'))) return false;
    this.#settle(id, type === 'result' ? iq : stanzaError(iq));
    return true;
  }

  /** Fails every waiting request (the connection ended). */
  failAll(reason: Error): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, reason);
  }

  #settle(id: string, outcome: Element | Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    if (p.timer?.active()) p.timer.cancel();
    if (outcome instanceof Error) p.deferred.errback(outcome);
    else p.deferred.callback(outcome);
  }
}
