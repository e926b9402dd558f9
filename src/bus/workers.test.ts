import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Clock, eventually } from '../testing/index.js';
import { WorkerBus, WorkerBusHost, type PrimaryLink, type WorkerLink } from './index.js';
import { busContract } from './test-support/contract.js';
import { ipcPair, twoWorkers } from './test-support/ipc-pair.js';

busContract('worker bus', async () => {
  const { a, b } = twoWorkers();
  return { a, b, cleanup: async () => void (await Promise.all([a.close(), b.close()])) };
});

test('worker bus: a worker that exits gives up its keys at once', async () => {
  const { a, b, links } = twoWorkers();
  assert.equal(await a.claim('nick:ann'), true);
  assert.equal(await b.claim('nick:ann'), false);
  links[0]!.worker.exit();
  await new Promise((r) => setImmediate(r));
  assert.equal(await b.whereIs('nick:ann'), undefined);
  assert.equal(await b.claim('nick:ann'), true);
  await b.close();
});

test('worker bus: what is sent in one turn goes as one IPC message each way, in order', async () => {
  const host = new WorkerBusHost(new Clock());
  const [one, two] = [ipcPair(), ipcPair()];
  const sent = { toPrimary: 0, toWorker: 0 };
  const countedPrimary: PrimaryLink = { send: (m) => (sent.toPrimary++, one.primary.send!(m)), on: (e, l) => one.primary.on(e, l) };
  const countedWorker = { send: (m: unknown) => (sent.toWorker++, two.worker.send(m as never)), on: two.worker.on.bind(two.worker) } as WorkerLink;
  host.attach(one.worker);
  host.attach(countedWorker);
  const a = new WorkerBus(countedPrimary, 'a');
  const b = new WorkerBus(two.primary, 'b');
  const got: unknown[] = [];
  await b.subscribe('room', (d) => got.push(d));
  sent.toWorker = 0;
  const counts = await Promise.all(Array.from({ length: 50 }, () => a.increment('seq')));
  for (let i = 0; i < 200; i++) await a.publish('room', i);
  await eventually(() => got.length === 200);
  assert.deepEqual(counts, Array.from({ length: 50 }, (_, i) => i + 1));
  assert.deepEqual(got, Array.from({ length: 200 }, (_, i) => i), 'in the order published');
  assert.ok(sent.toPrimary <= 4, `${sent.toPrimary} messages to the primary for 50 increments and 200 publishes`);
  assert.ok(sent.toWorker <= 2, `${sent.toWorker} messages to the other worker for 200 deliveries`);
  await Promise.all([a.close(), b.close()]);
});

test('worker bus: deliveries in a row for one channel cross the IPC as one string, each text intact and in order', async () => {
  const host = new WorkerBusHost(new Clock());
  const [one, two] = [ipcPair(), ipcPair()];
  const toB: unknown[] = [];
  const watched = { send: (m: unknown) => (toB.push(m), two.worker.send(m as never)), on: two.worker.on.bind(two.worker) } as WorkerLink;
  host.attach(one.worker);
  host.attach(watched);
  const a = new WorkerBus(one.primary, 'a');
  const b = new WorkerBus(two.primary, 'b');
  const got: unknown[] = [];
  const other: unknown[] = [];
  await b.subscribe('room', (d) => got.push(d));
  await b.subscribe('other', (d) => other.push(d));
  toB.length = 0;
  const lines = Array.from({ length: 200 }, (_, i) => (i % 50 === 0 ? `line ${i}\nwith a break "quoted"` : `line ${i}`));
  for (const [i, line] of lines.entries()) {
    await a.publish('room', { line });
    if (i === 100) await a.publish('other', 'between');
  }
  await eventually(() => got.length === 200 && other.length === 1);
  assert.deepEqual(got, lines.map((line) => ({ line })), 'every line, intact and in order');
  const wire = JSON.stringify(toB);
  const perMessage = wire.split('"channel"').length - 1;
  assert.ok(perMessage <= 6, `${perMessage} delivery objects crossed the IPC for 201 messages`);
  await Promise.all([a.close(), b.close()]);
});

test('worker bus: numbered publishes in a row cross the IPC as one string and their numbers come back in one reply', async () => {
  const host = new WorkerBusHost(new Clock());
  const [one, two] = [ipcPair(), ipcPair()];
  const toPrimary: unknown[] = [];
  const toA: unknown[] = [];
  const watchedPrimary: PrimaryLink = { send: (m) => (toPrimary.push(m), one.primary.send!(m)), on: (e, l) => one.primary.on(e, l) };
  const watchedA = { send: (m: unknown) => (toA.push(m), one.worker.send(m as never)), on: one.worker.on.bind(one.worker) } as WorkerLink;
  host.attach(watchedA);
  host.attach(two.worker);
  const a = new WorkerBus(watchedPrimary, 'a');
  const b = new WorkerBus(two.primary, 'b');
  const gotA: [unknown, number | undefined][] = [];
  const gotB: [unknown, number | undefined][] = [];
  await a.subscribe('room', (d, e) => gotA.push([d, e.seq]));
  await b.subscribe('room', (d, e) => gotB.push([d, e.seq]));
  toPrimary.length = 0;
  toA.length = 0;
  const lines = Array.from({ length: 100 }, (_, i) => ({ line: `${i} "quoted"\nand broken` }));
  const numbers = await Promise.all(lines.map((line) => a.publishNumbered('room', 'seq:#room', line)));
  await eventually(() => gotB.length === 100);
  const expected = lines.map((line, i) => [line, i + 1]);
  assert.deepEqual(numbers, expected.map(([, seq]) => seq));
  assert.deepEqual(gotA, expected, 'the publisher\'s own subscribers, each line with its number, in order');
  assert.deepEqual(gotB, expected, 'the other worker\'s, the same');
  const requests = JSON.stringify(toPrimary).split('"publishNumbered"').length - 1;
  assert.ok(requests <= 2, `${requests} publish requests crossed the IPC for 100 numbered publishes`);
  const replies = JSON.stringify(toA).split('"ok"').length - 1;
  assert.ok(replies <= 2, `${replies} replies crossed the IPC for 100 numbered publishes`);
  await Promise.all([a.close(), b.close()]);
});

test('worker bus: numbered floods of two workers on one counter: every number once, as its publisher got it, on every node', async () => {
  const { a, b } = twoWorkers();
  const seen = { a: new Map<number, unknown>(), b: new Map<number, unknown>() };
  await a.subscribe('room', (d, e) => seen.a.set(e.seq!, d));
  await b.subscribe('room', (d, e) => seen.b.set(e.seq!, d));
  const given = new Map<number, unknown>();
  const sends: Promise<void>[] = [];
  for (let turn = 0; turn < 5; turn++) {
    for (let i = 0; i < 40; i++) {
      for (const [name, bus] of [['a', a], ['b', b]] as const) {
        const data = `${name} ${turn}.${i}`;
        sends.push(bus.publishNumbered('room', 'seq:#room', data).then((seq) => void given.set(seq, data)));
      }
    }
    await new Promise((r) => setImmediate(r));
  }
  await Promise.all(sends);
  await eventually(() => seen.a.size === 400 && seen.b.size === 400);
  assert.deepEqual([...given.keys()].sort((x, y) => x - y), Array.from({ length: 400 }, (_, i) => i + 1));
  for (const node of [seen.a, seen.b]) for (const [seq, data] of given) assert.equal(node.get(seq), data, `number ${seq}`);
  // A floor above the counter starts a new run: the lines before it keep their numbers in a row.
  const floors = await Promise.all([0, 0, 900, 900].map((floor) => a.publishNumbered('room', 'seq:#room', floor, floor)));
  assert.deepEqual(floors, [401, 402, 901, 902]);
  await Promise.all([a.close(), b.close()]);
});

test('worker bus: the primary leaves a worker of an older bus format unanswered instead of misreading it', async () => {
  const host = new WorkerBusHost(new Clock());
  const fromWorker = new EventEmitter();
  const sent: unknown[] = [];
  host.attach({ send: (m: unknown) => sent.push(m), on: (event: string, l: (...a: unknown[]) => void) => fromWorker.on(event, l) } as unknown as WorkerLink);
  // What a worker of the previous format sent: a request each, and a publish as one.
  fromWorker.emit('message', { t: 'torsion:bus', node: 'old', id: 1, op: 'claim', args: ['nick:ann'] });
  fromWorker.emit('message', { t: 'torsion:bus', node: 'old', id: 0, op: 'publish', args: ['room', '{"from":"old","data":1}'] });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(sent, []);
  assert.equal(await host.hub.connect({ nodeId: 'new' }).whereIs('nick:ann'), undefined, 'the old request did nothing');
});

test('worker bus: a node of the primary\'s own hub gets a worker\'s run of messages one by one, each with its number', async () => {
  const host = new WorkerBusHost(new Clock());
  const one = ipcPair();
  host.attach(one.worker);
  const a = new WorkerBus(one.primary, 'a');
  const local = host.hub.connect({ nodeId: 'local' });
  const got: [unknown, number | undefined][] = [];
  await local.subscribe('room', (d, e) => got.push([d, e.seq]));
  const lines = Array.from({ length: 50 }, (_, i) => ({ i }));
  await Promise.all(lines.map((line) => a.publishNumbered('room', 'seq:#room', line)));
  for (let i = 0; i < 3; i++) await a.publish('room', `plain ${i}`);
  await eventually(() => got.length === 53);
  assert.deepEqual(got, [...lines.map((line, i) => [line, i + 1]), ...[0, 1, 2].map((i) => [`plain ${i}`, undefined])]);
  await Promise.all([a.close(), local.close()]);
});

test('worker bus: a numbered run takes numbers in a row with the single publishes around it; every node gets each message with its number', async () => {
  const { a, b } = twoWorkers();
  const gotA: [unknown, number | undefined][] = [];
  const gotB: [unknown, number | undefined][] = [];
  await a.subscribe('room', (d, e) => gotA.push([d, e.seq]));
  await b.subscribe('room', (d, e) => gotB.push([d, e.seq]));
  const before = a.publishNumbered('room', 'seq:#room', 'before');
  const run = a.publishNumberedRun('room', 'seq:#room', [{ n: 1 }, { n: 2 }, { n: 3 }]);
  const after = a.publishNumbered('room', 'seq:#room', 'after');
  assert.deepEqual(await Promise.all([before, run, after]), [1, 2, 5], 'the run resolves with its first number');
  await eventually(() => gotB.length === 5);
  const expected = [['before', 1], [{ n: 1 }, 2], [{ n: 2 }, 3], [{ n: 3 }, 4], ['after', 5]];
  assert.deepEqual(gotA, expected, 'the publisher\'s own subscribers');
  assert.deepEqual(gotB, expected, 'the other worker\'s');
  assert.notEqual(gotA[1]![0], gotB[1]![0], 'each its own copy');
  await assert.rejects(a.publishNumberedRun('room', 'seq:#room', [1, 'x'.repeat(a.limits.maxMessageBytes)]), 'a message too large rejects the run');
  await a.publishNumbered('room', 'seq:#room', 'last');
  await eventually(() => gotB.length === 6);
  assert.deepEqual(gotB[5], ['last', 6], 'nothing of the rejected run was sent');
  await Promise.all([a.close(), b.close()]);
});
