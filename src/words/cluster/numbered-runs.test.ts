/**
 * A node on the workers' bus hands a turn's lines for one room to the bus as one run (`publishNumberedRun`):
 * numbered in a row, in the order said, before what was said after them; a run that fails answers each line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WorkerBus, WorkerBusHost, type IBus } from '../../bus/index.js';
import { Clock, eventually } from '../../testing/index.js';
import { createWordsService, type ChatUser, type WordsService } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { WordsCluster } from './index.js';
import { wrapBus } from './test-support/wrap-bus.js';
import { ipcPair } from '../../bus/test-support/ipc-pair.js';

const FAST = { N: 1024, r: 8, p: 1 };

/** `bus` counting its numbered publishes: per line, and runs (with their lengths). */
function counted(bus: WorkerBus, fail = false): { bus: IBus; single: number; runs: number[] } {
  const seen = { single: 0, runs: [] as number[] };
  const wrapped = wrapBus(bus, {
    publishNumbered: (c, k, d, f) => (seen.single++, bus.publishNumbered(c, k, d, f)),
    publishNumberedRun: (c, k, d, f) => {
      seen.runs.push(d.length);
      return fail ? Promise.reject(new Error('the primary is away')) : bus.publishNumberedRun(c, k, d, f);
    },
  });
  return Object.assign(seen, { bus: wrapped });
}

interface Node {
  service: WordsService;
  cluster: WordsCluster;
  login(nick: string): Promise<{ user: ChatUser; client: RecordingClient }>;
}

async function node(clock: Clock, bus: IBus): Promise<Node> {
  const service = createWordsService({ scrypt: FAST, clock });
  await service.start();
  const cluster = new WordsCluster(service, bus, { clock });
  await cluster.start();
  return {
    service,
    cluster,
    async login(nick) {
      const client = new RecordingClient();
      return { user: await service.login(nick, { client }), client };
    },
  };
}

async function twoWorkers(fail = false): Promise<{ a: Node; b: Node; seen: ReturnType<typeof counted>; close(): Promise<void> }> {
  const clock = new Clock();
  const host = new WorkerBusHost(clock);
  const [one, two] = [ipcPair(), ipcPair()];
  host.attach(one.worker);
  host.attach(two.worker);
  const [busA, busB] = [new WorkerBus(one.primary, 'a'), new WorkerBus(two.primary, 'b')];
  const seen = counted(busA, fail);
  const a = await node(clock, seen.bus);
  const b = await node(clock, busB);
  return {
    a,
    b,
    seen,
    close: async () => {
      await Promise.all([a.cluster.stop(), b.cluster.stop()]);
      await Promise.all([busA.close(), busB.close()]);
    },
  };
}

test('cluster on the workers\' bus: a turn\'s lines go as one numbered run, in order, before the quit said after them', async () => {
  const { a, b, seen, close } = await twoWorkers();
  try {
    const ann = await a.login('ann');
    const bob = await b.login('bob');
    await eventually(() => b.service.findUser('ann') !== undefined && a.service.findUser('bob') !== undefined);
    ann.user.join('#room');
    await eventually(() => b.service.findRoom('#room')?.membership(b.service.findUser('ann')!) !== undefined);
    bob.user.join('#room');
    await eventually(() => a.service.findRoom('#room')?.membership(a.service.findUser('bob')!) !== undefined);
    bob.client.take();
    ann.client.take();
    seen.runs.length = 0;
    seen.single = 0;
    const said = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const stored = said.map((text) => ann.user.send('#room', text).stored!);
    ann.user.quit('bye');
    await eventually(() => bob.client.take().length === 0 && bob.client.messages.length === 50 && b.service.findUser('ann') === undefined);
    assert.deepEqual(seen.runs, [50], 'the 50 lines were handed to the bus as one run');
    assert.equal(seen.single, 0, 'and none of them one by one');
    assert.deepEqual(bob.client.messages.map((m) => m.text), said, 'the other node got every line in the order said');
    const first = bob.client.messages[0]!.seq!;
    assert.deepEqual(bob.client.messages.map((m) => m.seq), said.map((_, i) => first + i), 'numbered in a row');
    assert.deepEqual(await Promise.all(stored.map((d) => d.asPromise())), said.map(() => true), 'each line was stored on its node');
  } finally {
    await close();
  }
});

test('cluster on the workers\' bus: a run that fails answers each of its lines, and what waited behind it still goes out', async () => {
  const { a, b, seen, close } = await twoWorkers(true);
  try {
    const ann = await a.login('ann');
    await b.login('bob');
    await eventually(() => b.service.findUser('ann') !== undefined);
    ann.user.join('#room');
    await eventually(() => ann.user.rooms.size === 1);
    const stored = ['one', 'two', 'three'].map((text) => ann.user.send('#room', text).stored!);
    ann.user.quit('bye');
    const answers = await Promise.all(stored.map((d) => d.asPromise()));
    assert.ok(seen.runs.includes(3), `a run of the three lines was tried (${JSON.stringify(seen.runs)})`);
    assert.deepEqual(answers, [false, false, false], 'each line answered: not sent, not stored');
    await eventually(() => b.service.findUser('ann') === undefined);
  } finally {
    await close();
  }
});
