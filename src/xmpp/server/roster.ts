/**
 * `RosterManager`: rosters, presence subscriptions and presence broadcast of one server's local accounts
 * (RFC 6121 §2-4): roster get/set with pushes to every session of the account, the four subscription
 * presences with their state changes on both sides, pending requests kept until the contact logs in,
 * broadcast of available and unavailable presence to subscribers, probes answered at login from the
 * contacts' current presence, and directed presence remembered so that going offline reaches its targets.
 * Every change goes through one queue, in arrival order, since the store answers later.
 * @module
 */
import { Deferred, gatherResults } from '../../defer/index.js';
import { Element, el } from '../element.js';
import { JID } from '../jid.js';
import type { XMPPLimits } from '../limits.js';
import { NS } from '../namespaces.js';
import type { IXMPPSession } from './interfaces.js';
import type { IRosterStore, RosterRecord, Subscription } from './roster-store.js';

/** A bound session as the roster sees it: its last broadcast presence, and where it sent directed presence. */
export interface PresenceSession extends IXMPPSession {
  /** The last available presence it broadcast; undefined until its initial presence and after unavailable. */
  presence?: Element | undefined;
  /** Full or bare JIDs it sent directed available presence to. */
  readonly directed: Set<string>;
}

/** What the manager needs from its router. */
export interface RosterHost {
  /** The bound sessions of a bare JID. */
  sessionsOf(bare: string): PresenceSession[];
  /** The server's domain: contacts elsewhere are out of reach (no server-to-server); undefined takes every domain as local. */
  readonly domain: string | undefined;
}

const SUBSCRIPTION_TYPES = new Set(['subscribe', 'subscribed', 'unsubscribe', 'unsubscribed']);

function hasTo(s: Subscription): boolean {
  return s === 'to' || s === 'both';
}
function hasFrom(s: Subscription): boolean {
  return s === 'from' || s === 'both';
}
function withTo(s: Subscription, on: boolean): Subscription {
  const from = hasFrom(s);
  return on ? (from ? 'both' : 'to') : from ? 'from' : 'none';
}
function withFrom(s: Subscription, on: boolean): Subscription {
  const to = hasTo(s);
  return on ? (to ? 'both' : 'from') : to ? 'to' : 'none';
}

/** Rosters and presence of local accounts. */
export class RosterManager {
  /** Loaded rosters of accounts with at least one bound session, by bare JID. */
  readonly #cache = new Map<string, Map<string, RosterRecord>>();
  #queue: Deferred<void> = Deferred.succeed(undefined);
  #push = 0;

  constructor(
    readonly store: IRosterStore,
    readonly host: RosterHost,
    readonly limits: Pick<XMPPLimits, 'maxRosterItems' | 'maxRosterGroups' | 'maxRosterTextLength'>,
  ) {}

  /** Runs `work` after everything queued before it; a failure is logged by the Deferred machinery and does not stop the queue. */
  #enqueue(work: () => Deferred<unknown> | unknown): Deferred<void> {
    const done = this.#queue.addCallback(() => work()).addCallback(() => undefined);
    this.#queue = done.addErrback(() => undefined);
    return done;
  }

  /** The roster of `bare`: the cached one, or the stored one (cached while the account has sessions). */
  #roster(bare: string): Deferred<Map<string, RosterRecord>> {
    const cached = this.#cache.get(bare);
    if (cached) return Deferred.succeed(cached);
    return this.store.records(bare).addCallback((records) => {
      const roster = new Map(records.map((r) => [r.contact, r]));
      if (this.host.sessionsOf(bare).length > 0) this.#cache.set(bare, roster);
      return roster;
    });
  }

  #save(owner: string, roster: Map<string, RosterRecord>, record: RosterRecord): Deferred<void> {
    roster.set(record.contact, record);
    return this.store.put(owner, record);
  }

  /** An account's first session bound: load its roster. */
  bound(bare: string): void {
    void this.#enqueue(() => this.#roster(bare));
  }

  /** A session ended: unavailable to whoever saw it available, and the roster forgotten with the account's last session. */
  unbound(session: PresenceSession): void {
    void this.#enqueue(() => {
      if (session.presence || session.directed.size > 0) return this.#broadcast(session, el('presence', NS.CLIENT, { type: 'unavailable', from: session.jid.toString() }));
      return undefined;
    }).addCallback(() => {
      const bare = session.jid.bare().toString();
      if (this.host.sessionsOf(bare).length === 0) this.#cache.delete(bare);
    });
  }

  /** A roster IQ (get or set) from one of the owner's sessions. */
  rosterIq(iq: Element, from: PresenceSession): void {
    const owner = from.jid.bare().toString();
    const type = iq.getAttribute('type');
    const reply = (...children: Element[]) => from.deliver(el('iq', NS.CLIENT, { type: 'result', id: iq.getAttribute('id'), to: from.jid.toString() }, ...children));
    const error = (condition: string, errorType = 'modify') => from.deliver(el('iq', NS.CLIENT, { type: 'error', id: iq.getAttribute('id'), to: from.jid.toString() }, el('error', '', { type: errorType }, el(condition, NS.STANZA_ERRORS))));
    void this.#enqueue(() =>
      this.#roster(owner).addCallback((roster) => {
        if (type === 'get') return reply(el('query', NS.ROSTER, {}, ...[...roster.values()].filter((r) => r.inRoster).map(itemElement)));
        const items = iq.getChild('query', NS.ROSTER)?.elements('item') ?? [];
        // RFC 6121 §2.3.3: a set carries exactly one item.
        if (type !== 'set' || items.length !== 1) return error('bad-request');
        const item = items[0]!;
        const contact = JID.tryParse(item.getAttribute('jid'))?.bare();
        if (!contact || contact.toString() === owner) return error('bad-request');
        const key = contact.toString();
        if (item.getAttribute('subscription') === 'remove') {
          const existing = roster.get(key);
          if (!existing) return error('item-not-found', 'cancel');
          reply();
          return this.#removeItem(owner, roster, existing);
        }
        const name = item.getAttribute('name');
        const groups = [...new Set(item.elements('group').map((g) => g.text))];
        const { maxRosterGroups, maxRosterTextLength, maxRosterItems } = this.limits;
        if (groups.length > maxRosterGroups || groups.some((g) => g === '' || g.length > maxRosterTextLength) || (name?.length ?? 0) > maxRosterTextLength) return error('not-acceptable');
        const existing = roster.get(key);
        if (!existing?.inRoster && [...roster.values()].filter((r) => r.inRoster || r.pendingIn).length >= maxRosterItems) return error('resource-constraint', 'wait');
        const record: RosterRecord = { ...(existing ?? { contact: key, subscription: 'none', ask: false, pendingIn: false }), groups, inRoster: true };
        if (name !== undefined && name !== '') record.name = name;
        else delete record.name;
        return this.#save(owner, roster, record).addCallback(() => {
          reply();
          this.#pushItem(owner, record);
        });
      }),
    );
  }

  /** A presence from a bound session: a subscription change, a probe, directed or broadcast presence. */
  presence(stanza: Element, from: PresenceSession): void {
    const type = stanza.getAttribute('type');
    const to = JID.tryParse(stanza.getAttribute('to'));
    if (type !== undefined && SUBSCRIPTION_TYPES.has(type)) {
      if (!to || to.local === undefined) return;
      if (this.host.domain !== undefined && to.domain !== this.host.domain) return from.deliver(el('presence', NS.CLIENT, { type: 'error', from: to.bare().toString(), to: from.jid.toString() }, el('error', '', { type: 'cancel' }, el('remote-server-not-found', NS.STANZA_ERRORS))));
      void this.#enqueue(() => this.#subscription(type, from.jid.bare().toString(), to.bare().toString()));
      return;
    }
    if (type === 'probe') {
      if (to) void this.#enqueue(() => this.#probe(from, to.bare().toString()));
      return;
    }
    if (type !== undefined && type !== 'unavailable') return;
    if (to) {
      // Directed presence (RFC 6121 §4.6): delivered as is; remembered so going offline reaches it.
      if (type === 'unavailable') from.directed.delete(to.toString());
      else from.directed.add(to.toString());
      for (const s of this.#targets(to)) s.deliver(stanza);
      return;
    }
    void this.#enqueue(() => this.#broadcast(from, stanza));
  }

  /** Available sessions a presence to `to` reaches: that resource, or every available resource of the account. */
  #targets(to: JID): PresenceSession[] {
    const sessions = this.host.sessionsOf(to.bare().toString());
    return to.resource === undefined ? sessions.filter((s) => s.presence) : sessions.filter((s) => s.jid.equals(to));
  }

  #broadcast(from: PresenceSession, stanza: Element): Deferred<void> {
    const owner = from.jid.bare().toString();
    const available = stanza.getAttribute('type') !== 'unavailable';
    const initial = available && !from.presence;
    return this.#roster(owner).addCallback((roster) => {
      from.presence = available ? stanza : undefined;
      const seen = new Set<string>();
      const send = (s: PresenceSession): void => {
        if (s === from || seen.has(s.jid.toString())) return;
        seen.add(s.jid.toString());
        s.deliver(stanza);
      };
      for (const s of this.host.sessionsOf(owner)) send(s);
      for (const r of roster.values()) if (hasFrom(r.subscription)) for (const s of this.host.sessionsOf(r.contact)) if (s.presence || !available) send(s);
      if (!available) {
        for (const d of from.directed) for (const s of this.#targets(JID.parse(d))) send(s);
        from.directed.clear();
        return;
      }
      if (!initial) return;
      // Login (RFC 6121 §4.2.2): the contacts' and own other resources' presence, and requests left waiting.
      for (const s of this.host.sessionsOf(owner)) if (s !== from && s.presence) from.deliver(s.presence);
      for (const r of roster.values()) {
        if (hasTo(r.subscription)) for (const s of this.host.sessionsOf(r.contact)) if (s.presence) from.deliver(s.presence);
        if (r.pendingIn) from.deliver(el('presence', NS.CLIENT, { from: r.contact, to: from.jid.toString(), type: 'subscribe' }));
      }
    });
  }

  #probe(from: PresenceSession, contact: string): Deferred<void> {
    return this.#roster(from.jid.bare().toString()).addCallback((roster) => {
      const r = roster.get(contact);
      if (!r || !hasTo(r.subscription)) return;
      const sessions = this.host.sessionsOf(contact).filter((s) => s.presence);
      for (const s of sessions) from.deliver(s.presence!);
      if (sessions.length === 0) from.deliver(el('presence', NS.CLIENT, { from: contact, to: from.jid.toString(), type: 'unavailable' }));
    });
  }

  /** `user` sent a subscription presence of `type` to `contact` (both local bare JIDs). */
  #subscription(type: string, user: string, contact: string): Deferred<void> | void {
    if (user === contact) return;
    return this.#roster(user).addCallback((mine) =>
      this.#roster(contact).addCallback((theirs) => {
        const now = (r: Map<string, RosterRecord>, key: string): RosterRecord => r.get(key) ?? { contact: key, groups: [], subscription: 'none', ask: false, pendingIn: false, inRoster: false };
        const a = now(mine, contact);
        const b = now(theirs, user);
        const deliver = (presenceType: string) => {
          for (const s of this.host.sessionsOf(contact).filter((x) => x.presence)) s.deliver(el('presence', NS.CLIENT, { from: user, to: s.jid.toString(), type: presenceType }));
        };
        const presenceOfContactTo = (unavailable: boolean) => {
          for (const s of this.host.sessionsOf(contact)) {
            if (!s.presence) continue;
            for (const u of this.host.sessionsOf(user)) u.deliver(unavailable ? el('presence', NS.CLIENT, { from: s.jid.toString(), to: u.jid.toString(), type: 'unavailable' }) : s.presence);
          }
        };
        const writes: Deferred<void>[] = [];
        const update = (owner: string, roster: Map<string, RosterRecord>, before: RosterRecord, after: RosterRecord): void => {
          if (JSON.stringify(before) === JSON.stringify(after)) return;
          const full = [...roster.values()].filter((r) => r.inRoster || r.pendingIn).length;
          if (!roster.has(after.contact) && full >= this.limits.maxRosterItems) return;
          writes.push(this.#save(owner, roster, after));
          if (after.inRoster) this.#pushItem(owner, after);
        };
        if (type === 'subscribe') {
          if (!hasTo(a.subscription)) update(user, mine, a, { ...a, ask: true, inRoster: true });
          if (hasFrom(b.subscription)) {
            // Already approved: answer for the contact (RFC 6121 §3.1.3).
            for (const u of this.host.sessionsOf(user)) u.deliver(el('presence', NS.CLIENT, { from: contact, to: u.jid.toString(), type: 'subscribed' }));
          } else {
            update(contact, theirs, b, { ...b, pendingIn: true });
            deliver('subscribe');
          }
        } else if (type === 'subscribed') {
          // Approving: only what was asked for (no pre-approval here).
          if (!a.pendingIn && !b.ask) return undefined;
          update(user, mine, a, { ...a, pendingIn: false, subscription: withFrom(a.subscription, true), inRoster: true });
          update(contact, theirs, b, { ...b, ask: false, subscription: withTo(b.subscription, true) });
          deliver('subscribed');
          // The new subscriber sees the approver's presence at once.
          for (const s of this.host.sessionsOf(user)) if (s.presence) for (const c of this.host.sessionsOf(contact)) c.deliver(s.presence);
        } else if (type === 'unsubscribe') {
          update(user, mine, a, { ...a, ask: false, subscription: withTo(a.subscription, false) });
          update(contact, theirs, b, { ...b, pendingIn: false, subscription: withFrom(b.subscription, false) });
          deliver('unsubscribe');
          presenceOfContactTo(true);
        } else {
          update(user, mine, a, { ...a, pendingIn: false, subscription: withFrom(a.subscription, false) });
          update(contact, theirs, b, { ...b, ask: false, subscription: withTo(b.subscription, false) });
          deliver('unsubscribed');
          for (const s of this.host.sessionsOf(user)) if (s.presence) for (const c of this.host.sessionsOf(contact)) c.deliver(el('presence', NS.CLIENT, { from: s.jid.toString(), to: c.jid.toString(), type: 'unavailable' }));
        }
        return gatherResults(writes).addCallback(() => undefined);
      }),
    );
  }

  /** Removing an item cancels the subscriptions both ways (RFC 6121 §2.5.2). */
  #removeItem(owner: string, roster: Map<string, RosterRecord>, record: RosterRecord): Deferred<void> {
    const cancel: Deferred<void>[] = [];
    if (hasTo(record.subscription) || record.ask) cancel.push(this.#subscription('unsubscribe', owner, record.contact) ?? Deferred.succeed(undefined));
    if (hasFrom(record.subscription) || record.pendingIn) cancel.push(this.#subscription('unsubscribed', owner, record.contact) ?? Deferred.succeed(undefined));
    return gatherResults(cancel).addCallback(() => {
      roster.delete(record.contact);
      this.#pushItem(owner, { ...record, subscription: 'remove' as Subscription });
      return this.store.remove(owner, record.contact);
    });
  }

  /** A roster push (RFC 6121 §2.1.6) to every session of `owner`. */
  #pushItem(owner: string, record: RosterRecord): void {
    for (const s of this.host.sessionsOf(owner)) {
      s.deliver(el('iq', NS.CLIENT, { type: 'set', id: `push${++this.#push}`, to: s.jid.toString() }, el('query', NS.ROSTER, {}, itemElement(record))));
    }
  }
}

function itemElement(r: RosterRecord): Element {
  const item = el('item', '', { jid: r.contact, name: r.name, subscription: r.subscription, ask: r.ask ? 'subscribe' : undefined });
  for (const g of r.groups) item.addElement('group').addContent(g);
  return item;
}
