/**
 * `XMPPLocalRouter`: routes stanzas between the sessions bound on one server (RFC 6121 §8 in outline):
 * to a full JID, to that session; a message to a bare JID, to every session of the account; an IQ to a
 * bare JID or to nobody, `service-unavailable`. Presence and the roster go through a {@link RosterManager}:
 * subscriptions, broadcast to subscribers, probes at login, directed presence (RFC 6121 §2-4).
 * @module
 */
import { Element, el } from '../element.js';
import { JID } from '../jid.js';
import { XMPP_LIMITS, type XMPPLimits } from '../limits.js';
import { NS } from '../namespaces.js';
import type { IXMPPRouter, IXMPPSession } from './interfaces.js';
import { RosterManager, type PresenceSession } from './roster.js';
import { MemoryRosterStore, type IRosterStore } from './roster-store.js';

/** An error reply to a stanza (its `to` and `from` swapped). */
export function stanzaErrorReply(stanza: Element, condition: string, type = 'cancel'): Element {
  return el(stanza.name, NS.CLIENT, { type: 'error', id: stanza.getAttribute('id'), from: stanza.getAttribute('to'), to: stanza.getAttribute('from') }, el('error', '', { type }, el(condition, NS.STANZA_ERRORS)));
}

/** Options of {@link XMPPLocalRouter}. */
export interface XMPPLocalRouterOptions {
  /** The server's domain: subscriptions to contacts elsewhere fail with `remote-server-not-found` (there is no server-to-server). Without it every domain counts as local. */
  domain?: string;
  /** Where rosters are kept (in memory by default). */
  rosterStore?: IRosterStore;
  /** `maxResourcesPerAccount` and the roster limits (`XMPP_LIMITS` by default). */
  limits?: Partial<XMPPLimits>;
}

/** Routes between local sessions. */
export class XMPPLocalRouter implements IXMPPRouter {
  readonly #sessions = new Map<string, PresenceSession>();
  readonly #byAccount = new Map<string, Set<string>>();
  readonly maxResourcesPerAccount: number;
  readonly roster: RosterManager;
  #next = 0;

  constructor(options: XMPPLocalRouterOptions = {}) {
    const limits = { ...XMPP_LIMITS, ...options.limits };
    this.maxResourcesPerAccount = limits.maxResourcesPerAccount;
    const sessionsOf = (bare: string): PresenceSession[] => [...(this.#byAccount.get(bare) ?? [])].map((j) => this.#sessions.get(j)!);
    this.roster = new RosterManager(options.rosterStore ?? new MemoryRosterStore(), { sessionsOf, domain: options.domain }, limits);
  }

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
    this.#sessions.set(jid.toString(), { jid, deliver: (s) => session.deliver(s), directed: new Set() });
    if (mine.size === 1) this.roster.bound(bare);
    return jid;
  }

  unbind(jid: JID): void {
    const session = this.#sessions.get(jid.toString());
    this.#sessions.delete(jid.toString());
    const bare = jid.bare().toString();
    const mine = this.#byAccount.get(bare);
    mine?.delete(jid.toString());
    if (mine?.size === 0) this.#byAccount.delete(bare);
    if (session) this.roster.unbound(session);
  }

  /** The bound sessions' JIDs. */
  get sessions(): JID[] {
    return [...this.#sessions.values()].map((s) => s.jid);
  }

  /** Roster IQs to the server (RFC 6121 §2). */
  serverIq(iq: Element, from: IXMPPSession): boolean {
    const session = this.#sessions.get(from.jid.toString());
    if (!session || !iq.getChild('query', NS.ROSTER)) return false;
    this.roster.rosterIq(iq, session);
    return true;
  }

  route(stanza: Element, from: IXMPPSession): void {
    const to = JID.tryParse(stanza.getAttribute('to'));
    const type = stanza.getAttribute('type');
    if (stanza.name === 'presence') {
      const session = this.#sessions.get(from.jid.toString());
      if (session) this.roster.presence(stanza, session);
      return;
    }
    if (to === undefined) return;
    const targets = this.#targets(to, stanza.name);
    for (const t of targets) t.deliver(stanza);
    if (targets.length === 0 && type !== 'error' && type !== 'result') from.deliver(stanzaErrorReply(stanza, 'service-unavailable'));
  }

  /**
   * A stanza from outside the bound sessions (an external component): to the session of a full JID, or to
   * every session of a bare JID (IQs only to a full JID); when none takes it, an error goes back to `from`.
   */
  routeInbound(stanza: Element, from: IXMPPSession): void {
    const to = JID.tryParse(stanza.getAttribute('to'));
    const type = stanza.getAttribute('type');
    const targets = to === undefined ? [] : this.#targets(to, stanza.name);
    for (const t of targets) t.deliver(stanza);
    if (targets.length === 0 && type !== 'error' && type !== 'result' && type !== 'unavailable') from.deliver(stanzaErrorReply(stanza, 'service-unavailable'));
  }

  #targets(to: JID, name: string): IXMPPSession[] {
    if (to.resource !== undefined) {
      const s = this.#sessions.get(to.toString());
      return s ? [s] : [];
    }
    if (name === 'iq') return [];
    return [...(this.#byAccount.get(to.toString()) ?? [])].map((jid) => this.#sessions.get(jid)!);
  }
}
