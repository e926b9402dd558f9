import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBusHub, type IBus } from '../../bus/index.js';
import { Clock } from '../../testing/index.js';
import { MemoryStore, createWordsService, type IWordsStore } from '../index.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { WordsCluster } from './index.js';
import { wrapBus } from './test-support/wrap-bus.js';
import type { ClusterEvent } from './wire.js';

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** `inner`, except that room lines whose text includes `lost` never reach this node. */
function losingBus(inner: IBus): IBus {
  return wrapBus(inner, {
    subscribe: (c, handler) =>
      inner.subscribe(c, (data, env) => {
        const e = data as ClusterEvent;
        if (e.k === 'line' && e.l[5].includes('lost')) return;
        handler(data, env);
      }),
  });
}

async function twoNodes(sharedStore: boolean) {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const shared = new MemoryStore();
  const make = async (id: string, bus: IBus, store: IWordsStore) => {
    const service = createWordsService({ scrypt: { N: 1024, r: 8, p: 1 }, clock, store });
    await service.start();
    const cluster = new WordsCluster(service, bus, { clock, sharedStore, limits: { gapWait: 2 } });
    await cluster.start();
    return { service, cluster };
  };
  const a = await make('a', hub.connect({ nodeId: 'a' }), shared);
  const b = await make('b', losingBus(hub.connect({ nodeId: 'b' })), sharedStore ? shared : new MemoryStore());
  await settle();
  const ann = await a.service.login('ann', { client: new RecordingClient() });
  const bobClient = new RecordingClient();
  const bob = await b.service.login('bob', { client: bobClient });
  await settle();
  ann.join('#room');
  await settle();
  bob.join('#room');
  await settle();
  bobClient.take();
  ann.send('#room', 'first');
  await settle();
  ann.send('#room', 'this one is lost on its way to b');
  await settle();
  ann.send('#room', 'third');
  await settle();
  return { clock, a, b, bobClient };
}

test('gap fill: a line the bus lost on its way to a node comes from the shared history, in its place', async () => {
  const { clock, a, b, bobClient } = await twoNodes(true);
  assert.deepEqual(bobClient.take(), ['message ann->#room: first'], 'the third line waits for the missing second');
  clock.advance(2);
  await settle();
  assert.deepEqual(bobClient.take(), ['message ann->#room: this one is lost on its way to b', 'message ann->#room: third']);
  assert.deepEqual(
    bobClient.messages.map((m) => m.seq),
    [3, 4, 5],
    'with their numbers (the joins took 1 and 2)',
  );
  const stored = await b.service.history('#room', { limit: 10 }).asPromise();
  assert.equal(stored.length, 3, 'stored once each');
  await a.cluster.stop();
  await b.cluster.stop();
});

test('gap fill: without a shared history the gap is skipped after gapWait, as before', async () => {
  const { clock, a, b, bobClient } = await twoNodes(false);
  assert.deepEqual(bobClient.take(), ['message ann->#room: first']);
  clock.advance(2);
  await settle();
  assert.deepEqual(bobClient.take(), ['message ann->#room: third']);
  await a.cluster.stop();
  await b.cluster.stop();
});
