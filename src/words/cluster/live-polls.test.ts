/**
 * `ClusterPolls` on the in-memory bus and a fake clock: two live pages (two nodes) behind one address, their
 * long polls landing on either node.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBusHub } from '../../bus/index.js';
import { LiveElement, LivePage } from '../../live/index.js';
import { encodeHello } from '../../live/shared/frames.js';
import { TagLoader, tags } from '../../template/index.js';
import { Clock } from '../../testing/index.js';
import { Site } from '../../web/index.js';
import { ClusterPolls } from './live-polls.js';
import { nodeKey } from './wire.js';

class Plain extends LiveElement {
  static override loader = TagLoader(tags.div('page'));
}

async function twoNodes() {
  const clock = new Clock();
  const hub = new MemoryBusHub(clock);
  const nodes = await Promise.all(
    ['node-a', 'node-b'].map(async (nodeId) => {
      const bus = hub.connect({ nodeId });
      await bus.announce(nodeKey(nodeId));
      const polls = new ClusterPolls({ nodeId, clock, pollTimeout: 20, limits: { nodeCheck: 1 } });
      const page = new LivePage({ clock, pollTimeout: 20, remote: polls, element: () => new Plain() });
      await polls.start(bus, page.polling);
      return { bus, polls, page, site: new Site(page, { accessLog: false, clock }) };
    }),
  );
  return { clock, hub, a: nodes[0]!, b: nodes[1]! };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));
const json = (r: { text: string }) => JSON.parse(r.text) as unknown;

test('a page of node A polled through node B: opened, answered in order, each frame once', async () => {
  const { clock, a, b } = await twoNodes();
  const html = (await a.site.request('GET', '/')).text;
  const pageId = (JSON.parse(/id="torsion-live-boot">(.*?)<\/script>/s.exec(html)![1]!) as { page: string }).page;
  assert.match(pageId, /^node-a~/);
  const open = await b.site.request('POST', '/_live/poll?s=new', { body: JSON.stringify([encodeHello(pageId, 0)]) });
  const id = (json(open) as { s: string }).s;
  assert.match(id, /^node-a~/, 'the connection lives on the page node');
  assert.equal(b.page.polling.socketCount, 0);
  assert.equal(a.page.polling.socketCount, 1);
  // The WELCOME, through B.
  assert.deepEqual(json(await b.site.request('GET', `/_live/poll?s=${id}`)), ['[0,0]']);
  // A GET held on B is answered when the page's node has frames: the heartbeat's PING after 10 s.
  const held = b.site.request('GET', `/_live/poll?s=${id}`);
  await settle();
  clock.advance(10);
  await settle();
  clock.advance(0);
  const frames = json(await held) as string[];
  assert.ok(frames.length > 0 && frames.every((f) => f.startsWith('[3,')), `a PING: ${JSON.stringify(frames)}`);
  // The page's PING through B is answered on A, and only there: nothing comes twice.
  const next = a.site.request('GET', `/_live/poll?s=${id}`);
  assert.deepEqual(json(await b.site.request('POST', `/_live/poll?s=${id}`, { body: JSON.stringify(['[3,0]']) })), {});
  clock.advance(0);
  assert.deepEqual(json(await next), ['[2,0]']);
  const last = b.site.request('GET', `/_live/poll?s=${id}`);
  await settle();
  clock.advance(20);
  await settle();
  assert.deepEqual(json(await last), []);
  await Promise.all([a.polls.stop(), b.polls.stop()]);
});

test('a poll for a node that is gone: a new connection is told the page is gone, a held poll gets 410', async () => {
  const { clock, a, b } = await twoNodes();
  const html = (await a.site.request('GET', '/')).text;
  const pageId = (JSON.parse(/id="torsion-live-boot">(.*?)<\/script>/s.exec(html)![1]!) as { page: string }).page;
  const id = (json(await b.site.request('POST', '/_live/poll?s=new', { body: JSON.stringify([encodeHello(pageId, 0)]) })) as { s: string }).s;
  assert.deepEqual(json(await b.site.request('GET', `/_live/poll?s=${id}`)), ['[0,0]']);
  const held = b.site.request('GET', `/_live/poll?s=${id}`);
  await settle();
  // Node A is gone from the bus: it answers nothing more, and its presence is gone.
  await a.bus.close();
  clock.advance(1);
  await settle();
  assert.equal((await held).code, 410);
  assert.deepEqual(json(await b.site.request('POST', '/_live/poll?s=new', { body: JSON.stringify([encodeHello(pageId, 0)]) })), { gone: 'no such page' });
  // An id naming no node is not forwarded.
  assert.equal((await b.site.request('GET', '/_live/poll?s=nobody')).code, 410);
  await b.polls.stop();
});
