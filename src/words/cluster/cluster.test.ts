import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBusHub, type BusHandler, type IBus } from '../../bus/index.js';
import { Clock } from '../../testing/index.js';
import { NickInUseError, createWordsService, type ChatUser, type WordsService } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { WordsCluster } from './index.js';
import { wrapBus } from './test-support/wrap-bus.js';

const FAST = { N: 1024, r: 8, p: 1 };
const BUS = { presenceTtl: 15, heartbeat: 5 };

/** Lets the promise chains of the nodes run (the memory bus delivers at once; sending goes through promises). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** A user logged in on a node, with what her client was told. */
interface Login {
  user: ChatUser;
  client: RecordingClient;
}

interface Node {
  service: WordsService;
  cluster: WordsCluster;
  bus: IBus;
  login(nick: string): Promise<Login>;
}

async function node(hub: MemoryBusHub, clock: Clock, id: string, bus: IBus = hub.connect({ nodeId: id, limits: BUS }), nodeCheck = 5): Promise<Node> {
  const service = createWordsService({ scrypt: FAST, clock });
  await service.start();
  const cluster = new WordsCluster(service, bus, { clock, limits: { nodeCheck } });
  await cluster.start();
  await settle();
  return {
    service,
    cluster,
    bus,
    async login(nick) {
      const client = new RecordingClient();
      const user = await service.login(nick, { client });
      await settle();
      return { user, client };
    },
  };
}

/** A node's bus whose deliveries of messages from `slowFrom` wait until `release` (or are dropped by `drop`). */
function slowBus(inner: IBus, slowFrom: string): { bus: IBus; release(): void; drop(): void } {
  const held: (() => void)[] = [];
  const bus = wrapBus(inner, {
    subscribe: (c, handler: BusHandler) =>
      inner.subscribe(c, (data, env) => {
        if (env.from === slowFrom) held.push(() => handler(data, env));
        else handler(data, env);
      }),
  });
  return { bus, release: () => held.splice(0).forEach((f) => f()), drop: () => void held.splice(0) };
}

/** Nodes a and b on one hub, a's numbered publishes made by `publishNumbered` (given a's own bus), with ann on a and bob on b in `room`. */
async function annAndBob(publishNumbered: (inner: IBus) => IBus['publishNumbered'], room = '#room'): Promise<{ a: Node; b: Node; ann: Login; bob: Login }> {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const inner = hub.connect({ nodeId: 'a', limits: BUS });
  const [a, b] = [await node(hub, clock, 'a', wrapBus(inner, { publishNumbered: publishNumbered(inner) })), await node(hub, clock, 'b')];
  const ann = await a.login('ann');
  const bob = await b.login('bob');
  for (const u of [ann, bob]) {
    u.user.join(room);
    await settle();
  }
  return { a, b, ann, bob };
}

test('cluster: users on two nodes share a room: joins, messages, topic, part, private messages, away and nick', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const [a, b] = [await node(hub, clock, 'a'), await node(hub, clock, 'b')];
  const ann = await a.login('ann');
  const bob = await b.login('bob');
  ann.user.join('#room');
  await settle();
  bob.user.join('#room');
  await settle();
  assert.deepEqual(ann.client.take(), ['join ann #room', 'join bob #room']);
  assert.deepEqual(bob.client.take(), ['join bob #room']);
  assert.deepEqual([...b.service.findRoom('#room')!.members()].map((m) => [m.user.nick, m.operator]), [['ann', true], ['bob', false]], 'the first joiner is operator on every node');
  ann.user.setTopic('#room', 'hello all');
  bob.user.send('#room', 'hi from b');
  ann.user.send('bob', 'psst');
  await settle();
  assert.deepEqual(ann.client.take(), ['topic #room by ann: hello all', 'message bob->#room: hi from b']);
  assert.deepEqual(bob.client.take(), ['topic #room by ann: hello all', 'message ann->bob: psst']);
  bob.user.setAway('lunch');
  await bob.user.setNick('robert');
  await settle();
  assert.deepEqual(ann.client.take(), ['away bob: lunch', 'nick bob->robert']);
  assert.equal(a.service.findUser('robert')?.away, 'lunch');
  bob.user.part('#room', 'bye');
  await settle();
  assert.deepEqual(ann.client.take(), ['part robert #room: bye']);
  bob.user.quit('gone');
  await settle();
  assert.equal(a.service.findUser('robert'), undefined, 'a quit removes the mirror');
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});

test('cluster: each room applies events in sequence order on every node, and skips a lost one after gapWait', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const a = await node(hub, clock, 'a');
  const b = await node(hub, clock, 'b');
  const slow = slowBus(hub.connect({ nodeId: 'c', limits: BUS }), 'a');
  const c = await node(hub, clock, 'c', slow.bus);
  slow.release();
  const users = [await a.login('ann'), await b.login('bob'), await c.login('cat')];
  for (const u of users) {
    u.user.join('#room');
    await settle();
    slow.release();
    await settle();
  }
  for (const u of users) u.client.take();
  // ann's line is numbered first but reaches c last.
  users[0].user.send('#room', 'one');
  await settle();
  users[1].user.send('#room', 'two');
  await settle();
  assert.deepEqual(users[2].client.take(), [], 'two waits for one on c');
  slow.release();
  await settle();
  const lines = (u: { client: RecordingClient }): string[] => u.client.messages.map((m) => m.text);
  assert.deepEqual(lines(users[2]), ['one', 'two']);
  assert.deepEqual(lines(users[1]), ['one']);
  assert.deepEqual(lines(users[0]), ['two']);
  // A line from a that c never gets: c holds b's next line for gapWait seconds, then goes on.
  users[0].user.send('#room', 'lost');
  await settle();
  slow.drop();
  users[1].user.send('#room', 'three');
  await settle();
  assert.deepEqual(lines(users[2]), ['one', 'two']);
  clock.advance(2);
  assert.deepEqual(lines(users[2]), ['one', 'two', 'three']);
  await Promise.all([a.cluster.stop(), b.cluster.stop(), c.cluster.stop()]);
});

test('cluster: a nick is unique across nodes; of two simultaneous logins exactly one wins; free again after quit', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const [a, b] = [await node(hub, clock, 'a'), await node(hub, clock, 'b')];
  await a.login('ann');
  await assert.rejects(b.service.login('ANN', { client: new RecordingClient() }).asPromise(), NickInUseError);
  const results = await Promise.allSettled([a.service.login('dup', { client: new RecordingClient() }).asPromise(), b.service.login('dup', { client: new RecordingClient() }).asPromise()]);
  assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  assert.ok((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason instanceof NickInUseError);
  const bee = await b.login('bee');
  await assert.rejects(bee.user.setNick('ann').asPromise(), NickInUseError, 'NICK to a nick taken on another node');
  a.service.findUser('ann')!.quit('bye');
  await settle();
  await bee.user.setNick('ann').asPromise();
  await settle();
  assert.equal(a.service.findUser('ann')?.node, 'b', 'node a mirrors the new holder');
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});

test('cluster: when a node dies, its users quit on the others (saying so) and their nicks are free again', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const a = await node(hub, clock, 'a');
  const b = await node(hub, clock, 'b');
  const ann = await a.login('ann');
  const bob = await b.login('bob');
  ann.user.join('#room');
  await settle();
  bob.user.join('#room');
  await settle();
  bob.client.take();
  (a.bus as ReturnType<MemoryBusHub['connect']>).abandon();
  await a.cluster.stop();
  for (let t = 0; t < 25 && bob.client.events.length === 0; t++) {
    clock.advance(1);
    await settle();
  }
  assert.deepEqual(bob.client.take(), ['quit ann: Node went away (a stopped answering)']);
  assert.ok(clock.seconds() <= BUS.presenceTtl + 5 + 1, `within presenceTtl and one check (${clock.seconds()} s)`);
  assert.equal(b.service.findRoom('#room')!.size, 1);
  await b.login('ann');
  await b.cluster.stop();
});

test('cluster: a nick held by a user of a dead node is free before the next check notices the node', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const a = await node(hub, clock, 'a');
  const b = await node(hub, clock, 'b', undefined, 3600);
  const old = await a.login('ann');
  const bob = await b.login('bob');
  old.user.join('#room');
  await settle();
  bob.user.join('#room');
  await settle();
  await assert.rejects(b.login('ann'), NickInUseError, 'a live node\'s user holds it');
  (a.bus as ReturnType<MemoryBusHub['connect']>).abandon();
  await a.cluster.stop();
  clock.advance(BUS.presenceTtl);
  await settle();
  assert.equal(b.service.findUser('ann')?.node, 'a', 'node b has not checked yet');
  const ann = await b.login('ann');
  assert.equal(ann.user.node, undefined);
  assert.deepEqual(bob.client.take().filter((e) => e.startsWith('quit')), ['quit ann: Node went away (a stopped answering)']);
  await b.cluster.stop();
});

test('cluster: a node that starts later learns the users, rooms, roles and topics of the running ones', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const a = await node(hub, clock, 'a');
  const ann = await a.login('ann');
  ann.user.join('#room');
  await settle();
  ann.user.setTopic('#room', 'old news');
  ann.user.changeRoom('#room', [{ setting: 'moderated', value: true }]);
  await settle();
  const b = await node(hub, clock, 'b');
  const room = b.service.findRoom('#room')!;
  assert.equal(room.topic, 'old news');
  assert.equal(room.settings.moderated, true);
  assert.deepEqual([...room.members()].map((m) => [m.user.nick, m.operator]), [['ann', true]]);
  const bob = await b.login('bob');
  bob.user.join('#room');
  await settle();
  ann.user.send('#room', 'welcome');
  await settle();
  assert.deepEqual(bob.client.take(), ['join bob #room', 'message ann->#room: welcome']);
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});

test('cluster: stopping waits at most stopWait for a bus that does not answer', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const inner = hub.connect({ nodeId: 'a', limits: BUS });
  let hung = false;
  const bus = wrapBus(inner, { publish: (c, d) => (hung ? new Promise<void>(() => undefined) : inner.publish(c, d)) });
  const a = await node(hub, clock, 'a', bus);
  const ann = await a.login('ann');
  hung = true;
  ann.user.quit('bye');
  let stopped = false;
  const stopping = a.cluster.stop().then(() => (stopped = true));
  await settle();
  assert.equal(stopped, false, 'waiting for the quit to go out');
  clock.advance(3);
  await stopping;
});

test('cluster: a room line carries its room number to every member and into each node\'s history; history after a number replays the rest', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const [a, b] = [await node(hub, clock, 'a'), await node(hub, clock, 'b')];
  const ann = await a.login('ann');
  const bob = await b.login('bob');
  const cat = await b.login('cat');
  for (const u of [ann, bob, cat]) {
    u.user.join('#room');
    await settle();
  }
  // Said at once on both nodes: the numbers decide one order.
  for (let i = 0; i < 5; i++) {
    ann.user.send('#room', `a${i}`);
    bob.user.send('#room', `b${i}`);
  }
  await settle();
  const seen = cat.client.messages.map((m) => [m.seq, m.text] as const);
  assert.equal(seen.length, 10);
  const seqs = seen.map(([s]) => s!);
  assert.deepEqual([...seqs].sort((x, y) => x - y), seqs, 'delivered in the order of their numbers');
  assert.equal(new Set(seqs).size, 10, 'each line its own number');
  assert.ok(seqs[0]! > 3, 'the joins took numbers before them');
  const byText = new Map(seen.map(([s, t]) => [t, s]));
  for (const m of [...ann.client.messages, ...bob.client.messages]) assert.equal(m.seq, byText.get(m.text), `${m.text} has one number on both nodes`);
  // Each node has its own store here: each holds every line, with the numbers the members saw.
  for (const n of [a, b]) {
    const history = await n.service.history('#room', { limit: 100 });
    assert.deepEqual(history.map((m) => [m.seq, m.text]), seen);
  }
  // A page that saw the room up to the fourth line asks for the rest: exactly the six after it, in order.
  const missed = await b.service.history('#room', { limit: 100, afterSeq: seqs[3]! });
  assert.deepEqual(missed.map((m) => m.text), seen.slice(4).map(([, t]) => t));
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});

test('cluster: a line said while the bus is away is delivered at once and stored with its number once the bus is back', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const inner = hub.connect({ nodeId: 'a', limits: BUS });
  let connected = true;
  let release: () => void = () => undefined;
  const away = new Promise<void>((r) => (release = r));
  const bus = Object.defineProperty(
    wrapBus(inner, {
      publishNumbered: async (c, k, d, f) => {
        if (!connected) await away;
        return inner.publishNumbered(c, k, d, f);
      },
    }),
    'connected',
    { get: () => connected },
  );
  const a = await node(hub, clock, 'a', bus);
  const ann = await a.login('ann');
  const bob = await a.login('bob');
  for (const u of [ann, bob]) {
    u.user.join('#room');
    await settle();
  }
  connected = false;
  const { stored } = ann.user.send('#room', 'during');
  let done: boolean | undefined;
  stored!.addCallback((ok) => void (done = ok));
  await settle();
  assert.deepEqual(bob.client.messages.map((m) => m.text), ['during'], 'delivered here at once');
  assert.equal(done, undefined, 'not stored before its number is known');
  connected = true;
  release();
  await settle();
  assert.equal(done, true);
  const history = await a.service.history('#room', { limit: 10, afterSeq: 2 });
  assert.deepEqual(history.map((m) => [m.seq, m.text]), [[3, 'during']], 'stored once, with the number after the two joins');
  await a.cluster.stop();
});

test('cluster: a room line reaches only each node\'s own members: the mirrors of other nodes\' users are passed over', async () => {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const [a, b] = [await node(hub, clock, 'a'), await node(hub, clock, 'b')];
  const ann = await a.login('ann');
  const bob = await b.login('bob');
  for (const u of [ann, bob]) {
    u.user.join('#room');
    await settle();
  }
  const told: string[] = [];
  for (const n of [a, b]) {
    const mirror = n.service.userById((n === a ? bob : ann).user.uid)!;
    const receive = mirror.client.receive.bind(mirror.client);
    mirror.client.receive = (m) => {
      told.push(`${n === a ? 'a' : 'b'}: ${m.text}`);
      receive(m);
    };
  }
  ann.user.send('#room', 'one');
  bob.user.send('#room', 'two');
  ann.user.send('bob', 'psst');
  await settle();
  // ann changes nick and leaves and comes back: still one copy of each line, on her own node only.
  await ann.user.setNick('anna');
  ann.user.part('#room');
  await settle();
  ann.user.join('#room');
  await settle();
  bob.user.send('#room', 'three');
  await settle();
  assert.deepEqual(told, ['a: psst'], 'only the private message goes through a mirror');
  assert.deepEqual(ann.client.messages.map((m) => m.text), ['two', 'three']);
  assert.deepEqual(bob.client.messages.map((m) => m.text), ['one', 'psst']);
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});

test('cluster: a quit after a line waits for the line\'s number, so every node applies the line first', async () => {
  let release: () => void = () => undefined;
  let held: Promise<void> | undefined = undefined;
  const { a, b, ann, bob } = await annAndBob((inner) => async (c, k, d, f) => {
    if (held !== undefined) await held;
    return inner.publishNumbered(c, k, d, f);
  });
  bob.client.take();
  held = new Promise<void>((r) => (release = r));
  ann.user.send('#room', 'last words');
  ann.user.quit('bye');
  await settle();
  assert.deepEqual(bob.client.take(), [], 'the quit waits behind the line');
  release();
  await settle();
  assert.deepEqual(bob.client.take(), ['message ann->#room: last words', 'quit ann: bye']);
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});

test('cluster: a room line crosses as its fields in a row, and arrives whole: kind, tags, its room as `to`, its number', async () => {
  const sent: unknown[] = [];
  const { a, b, ann, bob } = await annAndBob(
    (inner) => (c, k, d, f) => {
      sent.push(d);
      return inner.publishNumbered(c, k, d, f);
    },
    '#Room',
  );
  sent.length = 0;
  const plain = ann.user.send('#room', 'hello').message;
  const tagged = ann.user.send('#ROOM', 'waves', { kind: 'action', tags: { '+draft/reply': 'x1' } }).message;
  await settle();
  assert.deepEqual(
    sent.map((e) => (e as { k: string }).k),
    ['line', 'line'],
  );
  assert.ok(sent.every((e) => Array.isArray((e as { l: unknown }).l)));
  const got = bob.client.messages;
  assert.equal(got.length, 2);
  assert.deepEqual(got[0], { ...plain, seq: got[0]!.seq });
  assert.deepEqual(got[1], { ...tagged, seq: got[1]!.seq });
  assert.equal(got[0]!.to, '#Room', 'the room as first spelled');
  assert.ok(got[1]!.seq! > got[0]!.seq!);
  const history = await b.service.history('#room', { limit: 10 });
  assert.deepEqual(history, got, 'stored as delivered');
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});

test('cluster: a quit waits for every line before it, also when an earlier line fails after a later one was numbered', async () => {
  let fail: (() => void) | undefined;
  let failNext = false;
  const { a, b, ann, bob } = await annAndBob((inner) => (c, k, d, f) => {
    if (!failNext) return inner.publishNumbered(c, k, d, f);
    failNext = false;
    return new Promise<number>((_, reject) => (fail = () => reject(new Error('lost on its way'))));
  });
  bob.client.take();
  failNext = true;
  const { stored } = ann.user.send('#room', 'lost');
  ann.user.send('#room', 'kept');
  ann.user.quit('bye');
  await settle();
  assert.deepEqual(bob.client.take(), ['message ann->#room: kept'], 'the quit waits for the first line to settle');
  let wasStored: boolean | undefined;
  stored!.addCallback((ok) => void (wasStored = ok));
  fail!();
  await settle();
  assert.equal(wasStored, false, 'the failed line says it was not stored');
  assert.deepEqual(bob.client.take(), ['quit ann: bye']);
  await Promise.all([a.cluster.stop(), b.cluster.stop()]);
});
