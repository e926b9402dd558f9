/**
 * `XMPPLocalRouter`: routes stanzas between the sessions bound on one server (RFC 6121 §8 in outline):
 * to a full JID, to that session; a message to a bare JID, to every session of the account; an IQ to a
 * bare JID or to nobody, `service-unavailable`; directed presence to its target; broadcast presence
 * (no `to`) to the other sessions of the same account only, since there is no roster subscription here.
 * @module
 */
import { Element, el } from '../element.js';
import { JID } from '../jid.js';
import { XMPP_LIMITS } from '../limits.js';
import { NS } from '../namespaces.js';
import type { IXMPPRouter, IXMPPSession } from './interfaces.js';

/** An error reply to a stanza (its `to` and `from` swapped). */
export function stanzaErrorReply(stanza: Element, condition: string, type = 'cancel'): Element {
  return el(stanza.name, NS.CLIENT, { type: 'error', id: stanza.getAttribute('id'), from: stanza.getAttribute('to'), to: stanza.getAttribute('from') }, el('error', '', { type }, el(condition, NS.STANZA_ERRORS)));
}

/** Routes between local sessions. */
export class XMPPLocalRouter implements IXMPPRouter {
  readonly #sessions = new Map<string, IXMPPSession>();
  readonly #byAccount = new Map<string, Set<string>>();
  #next = 0;

  constructor(readonly maxResourcesPerAccount = XMPP_LIMITS.maxResourcesPerAccount) {}

  bind(account: JID, resource: string | undefined, session: Omit<IXMPPSession, 'jid'>): JID | string {
    const bare = account.bare().toString();
    const mine = this.#byAccount.get(bare) ?? new Set<string>();
    if (mine.size >= this.maxResourcesPerAccount) return 'resource-constraint';
    let jid: JID;
    try {
      jid = new JID(account.local, account.domain, resource ?? `torsion-${++this.#next}`);
    } catch {
      return 'bad-request';
    }
    if (this.#sessions.has(jid.toString())) {
      // RFC 6120 §7.7.2.2: a requested resource in use gets a server-generated one instead.
      jid = new JID(account.local, account.domain, `${jid.resource}-${++this.#next}`);
    }
    mine.add(jid.toString());
    this.#byAccount.set(bare, mine);
    this.#sessions.set(jid.toString(), { jid, deliver: (s) => session.deliver(s) });
    return jid;
  }

  unbind(jid: JID): void {
    this.#sessions.delete(jid.toString());
    const bare = jid.bare().toString();
    const mine = this.#byAccount.get(bare);
    mine?.delete(jid.toString());
    if (mine?.size === 0) this.#byAccount.delete(bare);
  }

  /** The bound sessions' JIDs. */
  get sessions(): JID[] {
    return [...this.#sessions.values()].map((s) => s.jid);
  }

  route(stanza: Element, from: IXMPPSession): void {
    const to = JID.tryParse(stanza.getAttribute('to'));
    const type = stanza.getAttribute('type');
    if (stanza.name === 'presence' && to === undefined) {
      for (const jid of this.#byAccount.get(from.jid.bare().toString()) ?? []) if (jid !== from.jid.toString()) this.#sessions.get(jid)?.deliver(stanza);
      return;
    }
    if (to === undefined) return;
    const targets: IXMPPSession[] = [];
    if (to.resource !== undefined) {
      const s = this.#sessions.get(to.toString());
      if (s) targets.push(s);
    } else if (stanza.name !== 'iq') {
      for (const jid of this.#byAccount.get(to.toString()) ?? []) targets.push(this.#sessions.get(jid)!);
    }
    for (const t of targets) t.deliver(stanza);
    if (targets.length === 0 && type !== 'error' && type !== 'result' && !(stanza.name === 'presence')) from.deliver(stanzaErrorReply(stanza, 'service-unavailable'));
  }
}
