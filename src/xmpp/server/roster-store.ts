/**
 * Where a server keeps rosters (RFC 6121 §2): one record per (account, contact), with the subscription
 * state both ways. `MemoryRosterStore` for tests and memory-only servers, `DbRosterStore` on a `torsion/db`
 * pool (SQLite or PostgreSQL), so rosters and pending subscription requests survive a restart.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { ConnectionPool, Row } from '../../db/index.js';

/** The subscription states of RFC 6121 §2.1.2.5, from the owner's side. */
export type Subscription = 'none' | 'to' | 'from' | 'both';

/** One roster record. */
export interface RosterRecord {
  /** The contact's bare JID. */
  contact: string;
  name?: string;
  groups: string[];
  subscription: Subscription;
  /** The owner asked to see the contact's presence and has no answer yet ("pending out", shown as `ask="subscribe"`). */
  ask: boolean;
  /** The contact asked to see the owner's presence and the owner has not answered ("pending in", kept so it is asked again at the next login). */
  pendingIn: boolean;
  /** Shown in the owner's roster (a record only pending in is not, RFC 6121 §3.1.3). */
  inRoster: boolean;
}

/** Where rosters live; keys are bare JIDs as strings. */
export interface IRosterStore {
  /** Makes the tables, if any. */
  start(): Deferred<void>;
  /** Every record of `owner`. */
  records(owner: string): Deferred<RosterRecord[]>;
  /** Adds or replaces one record. */
  put(owner: string, record: RosterRecord): Deferred<void>;
  /** Removes one record. */
  remove(owner: string, contact: string): Deferred<void>;
}

/** Rosters in memory. */
export class MemoryRosterStore implements IRosterStore {
  readonly #rosters = new Map<string, Map<string, RosterRecord>>();

  start(): Deferred<void> {
    return Deferred.succeed(undefined);
  }

  records(owner: string): Deferred<RosterRecord[]> {
    return Deferred.succeed([...(this.#rosters.get(owner)?.values() ?? [])].map((r) => ({ ...r, groups: [...r.groups] })));
  }

  put(owner: string, record: RosterRecord): Deferred<void> {
    let roster = this.#rosters.get(owner);
    if (!roster) this.#rosters.set(owner, (roster = new Map()));
    roster.set(record.contact, { ...record, groups: [...record.groups] });
    return Deferred.succeed(undefined);
  }

  remove(owner: string, contact: string): Deferred<void> {
    this.#rosters.get(owner)?.delete(contact);
    return Deferred.succeed(undefined);
  }
}

/** Rosters in a `torsion/db` pool (SQLite or PostgreSQL), in the table `xmpp_roster`. */
export class DbRosterStore implements IRosterStore {
  readonly #pg: boolean;

  constructor(readonly pool: ConnectionPool) {
    this.#pg = pool.driver === 'pg';
  }

  #sql(text: string): string {
    if (!this.#pg) return text;
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  }

  start(): Deferred<void> {
    return this.pool
      .runOperation(
        'CREATE TABLE IF NOT EXISTS xmpp_roster (owner TEXT NOT NULL, contact TEXT NOT NULL, name TEXT, groups_json TEXT NOT NULL, subscription TEXT NOT NULL, ask INTEGER NOT NULL, pending_in INTEGER NOT NULL, in_roster INTEGER NOT NULL, PRIMARY KEY (owner, contact))',
      )
      .addCallback(() => undefined);
  }

  records(owner: string): Deferred<RosterRecord[]> {
    return this.pool.runQuery<Row>(this.#sql('SELECT contact, name, groups_json, subscription, ask, pending_in, in_roster FROM xmpp_roster WHERE owner = ? ORDER BY contact'), [owner]).addCallback((rows) =>
      rows.map((r) => {
        const record: RosterRecord = {
          contact: String(r.contact),
          groups: JSON.parse(String(r.groups_json)) as string[],
          subscription: String(r.subscription) as Subscription,
          ask: Number(r.ask) === 1,
          pendingIn: Number(r.pending_in) === 1,
          inRoster: Number(r.in_roster) === 1,
        };
        if (r.name !== null && r.name !== undefined) record.name = String(r.name);
        return record;
      }),
    );
  }

  put(owner: string, record: RosterRecord): Deferred<void> {
    const columns = '(owner, contact, name, groups_json, subscription, ask, pending_in, in_roster) VALUES (?, ?, ?, ?, ?, ?, ?, ?)';
    const sql = this.#pg
      ? `INSERT INTO xmpp_roster ${columns} ON CONFLICT (owner, contact) DO UPDATE SET name = EXCLUDED.name, groups_json = EXCLUDED.groups_json, subscription = EXCLUDED.subscription, ask = EXCLUDED.ask, pending_in = EXCLUDED.pending_in, in_roster = EXCLUDED.in_roster`
      : `INSERT OR REPLACE INTO xmpp_roster ${columns}`;
    const values = [owner, record.contact, record.name ?? null, JSON.stringify(record.groups), record.subscription, record.ask ? 1 : 0, record.pendingIn ? 1 : 0, record.inRoster ? 1 : 0];
    return this.pool.runOperation(this.#sql(sql), values).addCallback(() => undefined);
  }

  remove(owner: string, contact: string): Deferred<void> {
    return this.pool.runOperation(this.#sql('DELETE FROM xmpp_roster WHERE owner = ? AND contact = ?'), [owner, contact]).addCallback(() => undefined);
  }
}
