import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBusHub } from '../../bus/index.js';
import { Harness, type FakeClient } from '../irc/test-support/harness.js';
import { RecordingClient } from '../test-support/recording-client.js';
import { WordsCluster } from './index.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await turn();
}

/** Counts the transport writes `client` gets from now on. */
function countWrites(client: FakeClient): { readonly count: number } {
  const t = client.transport;
  const write = t.write.bind(t);
  const counter = { count: 0 };
  t.write = (data) => {
    counter.count++;
    write(data);
  };
  return counter;
}

/** An IRC client, bob, and a service user in #room, bob's welcome lines read. */
async function bobAndService() {
  const h = new Harness();
  const bob = h.register('bob');
  bob.send('JOIN #room');
  const svc = await h.service.login('svc', { client: new RecordingClient() });
  svc.join('#room');
  bob.lines();
  return { h, bob, svc };
}

test('output batch: lines fanned out while held reach an IRC client in one write at the end of the turn', async () => {
  const { h, bob, svc } = await bobAndService();
  const writes = countWrites(bob);

  h.service.output.hold();
  for (let i = 0; i < 20; i++) svc.send('#room', `line ${i}`);
  assert.equal(writes.count, 0, 'nothing is written before the turn ends');
  await turn();
  assert.equal(writes.count, 1);
  assert.deepEqual(
    bob.commands('PRIVMSG').map((l) => l.split(' :')[1]),
    Array.from({ length: 20 }, (_, i) => `line ${i}`),
  );

  // Not held: one write per line, as before.
  for (let i = 0; i < 3; i++) svc.send('#room', `more ${i}`);
  assert.equal(writes.count, 4);
});

test('output batch: a closing client still gets what was held for it first', async () => {
  const { h, bob, svc } = await bobAndService();
  h.service.output.hold();
  svc.send('#room', 'before the close');
  bob.proto.close('bye');
  await turn();
  const lines = bob.lines();
  const line = lines.findIndex((l) => l.endsWith(':before the close'));
  assert.ok(line >= 0);
  assert.ok(line < lines.findIndex((l) => l.includes(' ERROR :Closing Link')));
});

test('cluster: a flood from another node reaches an IRC client of this node in a write per turn, not one per line', async () => {
  const h = new Harness();
  const hub = new MemoryBusHub(h.clock);
  const here = new WordsCluster(h.service, hub.connect({ nodeId: 'here' }), { clock: h.clock });
  await here.start();
  const other = new Harness();
  const there = new WordsCluster(other.service, hub.connect({ nodeId: 'there' }), { clock: other.clock });
  await there.start();
  await settle();

  const bob = h.connect().send('NICK bob', 'USER bob 0 * :Bob', 'JOIN #room');
  const ann = await other.service.login('ann', { client: new RecordingClient() });
  ann.join('#room');
  await settle();
  bob.lines();
  const writes = countWrites(bob);

  for (let i = 0; i < 50; i++) ann.send('#room', `line ${i}`);
  await settle();
  assert.deepEqual(
    bob.commands('PRIVMSG').map((l) => l.split(' :')[1]),
    Array.from({ length: 50 }, (_, i) => `line ${i}`),
  );
  assert.ok(writes.count < 10, `50 lines took ${writes.count} writes`);
  await here.stop();
  await there.stop();
});
