/**
 * Rosters and presence subscriptions on the server (RFC 6121) with `XMPPClient`s in memory: roster
 * get/set/push, the subscription handshake both ways, requests kept for an offline contact, presence
 * broadcast to subscribers only, probes at login, directed presence, removal, the limits, and rosters kept
 * in SQLite through `torsion/db`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionPool } from '../../db/index.js';
import { Clock, connectedServerAndClient, eventually, successResultOf, failureResultOf, type IOPump } from '../../testing/index.js';
import { XMPPClient, type RosterItem } from '../client/client.js';
import type { Element } from '../element.js';
import { XMPPStanzaError } from '../errors.js';
import { scramCredentials, type ScramCredentials } from '../scram-server.js';
import type { IXMPPAuthenticator } from './interfaces.js';
import { XMPPServerProtocol } from './c2s.js';
import { XMPPLocalRouter } from './router.js';
import { DbRosterStore } from './roster-store.js';

const keys = new Map<string, Record<'sha1' | 'sha256', ScramCredentials>>();
for (const u of ['juliet', 'romeo', 'nurse', 'mallory']) keys.set(u, { sha1: scramCredentials('sha1', `${u}-pw`, { iterations: 1024 }), sha256: scramCredentials('sha256', `${u}-pw`, { iterations: 1024 }) });
const authenticator: IXMPPAuthenticator = { scramCredentials: (u, hash) => keys.get(u)?.[hash] };

class Recorder extends XMPPClient {
  readonly presences: Element[] = [];
  readonly pushes: RosterItem[] = [];
  override presenceReceived(p: Element): void {
    this.presences.push(p);
  }
  override rosterPushed(items: RosterItem[]): void {
    this.pushes.push(...items);
  }
  /** Presences since the last call as `type from` (`available` for no type). */
  seen(): string[] {
    return this.presences.splice(0).map((p) => `${p.getAttribute('type') ?? 'available'} ${p.getAttribute('from')}`);
  }
}

class World {
  readonly pumps: IOPump[] = [];
  constructor(readonly router = new XMPPLocalRouter({ domain: 'example.com', limits: { maxRosterItems: 3 } })) {}
  login(user: string, resource = 'r', available = true): Recorder {
    const client = new Recorder({ jid: `${user}@example.com`, password: `${user}-pw`, clock: new Clock(), requireTLS: false, resource });
    const server = new XMPPServerProtocol({ domain: 'example.com', authenticator, router: this.router });
    this.pumps.push(connectedServerAndClient(server, client).pump);
    this.flush();
    successResultOf(client.ready);
    if (available) {
      client.sendPresence();
      this.flush();
    }
    return client;
  }
  flush(): void {
    for (let i = 0; i < 3; i++) for (const p of this.pumps) p.flush();
  }
  drop(client: XMPPClient): void {
    client.transport.loseConnection();
    this.flush();
  }
}

/** Flushes the in-memory connections until `done` (the database answers on its own thread), within 10 s. */
async function drive(w: World, done: () => boolean | Promise<boolean>): Promise<void> {
  await eventually(async () => {
    w.flush();
    return await done();
  }, { timeout: 10, interval: 0.01, message: 'the database' });
}

describe('rosters and presence subscriptions', () => {
  test('roster set pushes to every session of the account; get lists the item; a bad set is refused', () => {
    const w = new World();
    const j1 = w.login('juliet', 'balcony');
    const j2 = w.login('juliet', 'garden');
    const set = j1.setRosterItem('romeo@example.com', 'Romeo', ['Montague', 'Verona']);
    w.flush();
    successResultOf(set);
    for (const j of [j1, j2]) assert.deepEqual(j.pushes.splice(0), [{ jid: 'romeo@example.com', name: 'Romeo', subscription: 'none', groups: ['Montague', 'Verona'] }]);
    const roster = j2.getRoster();
    w.flush();
    assert.deepEqual(successResultOf(roster), [{ jid: 'romeo@example.com', name: 'Romeo', subscription: 'none', groups: ['Montague', 'Verona'] }]);
    const self = j1.setRosterItem('juliet@example.com');
    const groups = j1.setRosterItem('nurse@example.com', 'n', Array.from({ length: 17 }, (_, i) => `g${i}`));
    w.flush();
    assert.equal((failureResultOf(self).value as XMPPStanzaError).condition, 'bad-request');
    assert.equal((failureResultOf(groups).value as XMPPStanzaError).condition, 'not-acceptable', 'more than maxRosterGroups');
  });

  test('subscribe and approve: both rosters change, the subscriber sees presence, a stranger does not', () => {
    const w = new World();
    const juliet = w.login('juliet');
    const romeo = w.login('romeo');
    const mallory = w.login('mallory');
    juliet.sendPresence({ to: 'romeo@example.com', type: 'subscribe' });
    w.flush();
    assert.deepEqual(romeo.seen(), ['subscribe juliet@example.com']);
    assert.deepEqual(juliet.pushes.splice(0).map((p) => p.subscription), ['none'], 'pending out');
    romeo.sendPresence({ to: 'juliet@example.com', type: 'subscribed' });
    w.flush();
    assert.deepEqual(juliet.seen(), ['subscribed romeo@example.com', 'available romeo@example.com/r']);
    assert.deepEqual(juliet.pushes.splice(0).map((p) => `${p.jid} ${p.subscription}`), ['romeo@example.com to']);
    assert.deepEqual(romeo.pushes.splice(0).map((p) => `${p.jid} ${p.subscription}`), ['juliet@example.com from']);
    romeo.sendPresence({ show: 'away' });
    w.flush();
    assert.deepEqual(juliet.seen(), ['available romeo@example.com/r']);
    assert.deepEqual(mallory.seen(), [], 'no subscription, no presence');
    // A probe answered from romeo's current presence.
    juliet.sendPresence({ to: 'romeo@example.com', type: 'probe' });
    mallory.sendPresence({ to: 'romeo@example.com', type: 'probe' });
    w.flush();
    assert.deepEqual(juliet.seen(), ['available romeo@example.com/r']);
    assert.deepEqual(mallory.seen(), [], 'a probe without a subscription learns nothing');
    // At login a new session of juliet's gets romeo's presence (the server probes for it).
    const juliet2 = w.login('juliet', 'second');
    assert.ok(juliet2.seen().includes('available romeo@example.com/r'));
    // Going offline reaches the subscriber.
    juliet.seen();
    w.drop(romeo);
    assert.deepEqual(juliet.seen(), ['unavailable romeo@example.com/r']);
  });

  test('a request to an offline contact waits for its next login; deny, unsubscribe and remove', () => {
    const w = new World();
    const juliet = w.login('juliet');
    juliet.sendPresence({ to: 'nurse@example.com', type: 'subscribe' });
    w.flush();
    const nurse = w.login('nurse');
    assert.deepEqual(nurse.seen(), ['subscribe juliet@example.com'], 'asked again at login');
    const roster = nurse.getRoster();
    w.flush();
    assert.deepEqual(successResultOf(roster), [], 'a request alone is not a roster item');
    nurse.sendPresence({ to: 'juliet@example.com', type: 'unsubscribed' });
    w.flush();
    assert.deepEqual(juliet.seen(), ['unsubscribed nurse@example.com', 'unavailable nurse@example.com/r'], 'RFC 6121 §3.2.3: with the denial, unavailable from the denier');
    assert.deepEqual(juliet.pushes.splice(-1).map((p) => `${p.subscription}`), ['none']);
    const again = w.login('nurse', 'later');
    assert.deepEqual(again.seen().filter((s) => s.startsWith('subscribe')), [], 'a denied request is not asked again');

    const romeo = w.login('romeo');
    juliet.sendPresence({ to: 'romeo@example.com', type: 'subscribe' });
    w.flush();
    romeo.sendPresence({ to: 'juliet@example.com', type: 'subscribed' });
    w.flush();
    juliet.pushes.splice(0);
    romeo.pushes.splice(0);
    const removed = juliet.removeRosterItem('romeo@example.com');
    w.flush();
    successResultOf(removed);
    assert.deepEqual(juliet.pushes.map((p) => `${p.jid} ${p.subscription}`).pop(), 'romeo@example.com remove');
    assert.deepEqual(romeo.pushes.map((p) => `${p.jid} ${p.subscription}`).pop(), 'juliet@example.com none', 'removal cancels the subscription on the contact side');
    romeo.seen();
    juliet.seen();
    romeo.sendPresence({ status: 'still here' });
    w.flush();
    assert.deepEqual(juliet.seen(), [], 'no longer subscribed');
  });

  test('directed presence reaches its target, and so does going offline', () => {
    const w = new World();
    const juliet = w.login('juliet');
    const mallory = w.login('mallory');
    juliet.sendPresence({ to: 'mallory@example.com/r' });
    w.flush();
    assert.deepEqual(mallory.seen(), ['available juliet@example.com/r']);
    w.drop(juliet);
    assert.deepEqual(mallory.seen(), ['unavailable juliet@example.com/r']);
  });

  test('maxRosterItems bounds an account, requests waiting included; a remote contact is out of reach', () => {
    const w = new World();
    const juliet = w.login('juliet');
    const sets = ['a', 'b', 'c', 'd'].map((n) => juliet.setRosterItem(`${n}@example.com`));
    juliet.sendPresence({ to: 'someone@elsewhere.example', type: 'subscribe' });
    w.flush();
    sets.slice(0, 3).forEach((d) => successResultOf(d));
    assert.equal((failureResultOf(sets[3]!).value as XMPPStanzaError).condition, 'resource-constraint');
    assert.match(juliet.presences.map((p) => p.toXML()).join(), /type="error".*remote-server-not-found/);
  });

  test('rosters and pending requests kept in SQLite survive a new router on the same database', async () => {
    const pool = new ConnectionPool('sqlite', { filename: ':memory:', max: 1 });
    try {
      const store = new DbRosterStore(pool);
      await store.start();
      const first = new World(new XMPPLocalRouter({ domain: 'example.com', rosterStore: store }));
      const juliet = first.login('juliet');
      const set = juliet.setRosterItem('romeo@example.com', 'Romeo', ['Verona']);
      juliet.sendPresence({ to: 'nurse@example.com', type: 'subscribe' });
      await drive(first, () => set.called);
      successResultOf(set);
      await drive(first, async () => (await store.records('nurse@example.com')).length > 0);
      assert.deepEqual(await store.records('nurse@example.com'), [{ contact: 'juliet@example.com', groups: [], subscription: 'none', ask: false, pendingIn: true, inRoster: false }]);
      const second = new World(new XMPPLocalRouter({ domain: 'example.com', rosterStore: store }));
      const again = second.login('juliet', 'r', false);
      const roster = again.getRoster();
      await drive(second, () => roster.called);
      assert.deepEqual((await roster).map((i) => `${i.jid} ${i.name} ${i.subscription} ${i.groups.join()}`).sort(), ['nurse@example.com undefined none ', 'romeo@example.com Romeo none Verona']);
    } finally {
      await pool.close();
    }
  });
});
