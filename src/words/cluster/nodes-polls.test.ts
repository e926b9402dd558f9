/**
 * Live pages across nodes without sticky sessions: two `torsion words` processes on one real redis-server
 * behind a load balancer that sends each HTTP request to the next node and refuses WebSockets. The page's
 * long polls land on both nodes; those for the other node are forwarded to the page's node over the bus.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { launchChromium } from '../../testing/chromium.js';
import { requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { startWordsNode, type WordsNode } from './test-support/node-process.js';
import { startSpreadingProxy, type SpreadingProxy } from './test-support/spreading-proxy.js';

describe('live pages behind a load balancer without sticky sessions', () => {
  let redis: PeerProgram;
  let proxy: SpreadingProxy;
  const nodes: WordsNode[] = [];
  const clients: RawIRC[] = [];

  before(async () => {
    redis = await startPeerProgram({
      executable: requirePeer('redis-server', 'redis-server'),
      args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ready: /Ready to accept connections/,
    });
    const url = `redis://127.0.0.1:${redis.port}/0`;
    nodes.push(...(await Promise.all([0, 1].map((i) => startWordsNode(['--redis', url, '--node-timeout', '3', '--name', `node${i}.test`])))));
    proxy = await startSpreadingProxy([nodes[0].web, nodes[1].web]);
  });

  after(async () => {
    for (const c of clients) c.socket.destroy();
    await proxy?.close();
    for (const n of nodes) await n.kill();
    await redis?.stop();
  });

  test('a page whose polls alternate between the nodes gets each line once, in order', { timeout: 120_000 }, async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      // The first request goes to node 0: the page lives there.
      await page.goto(`http://127.0.0.1:${proxy.port}/`);
      await page.fill('input[name=nick]', 'webby');
      await page.press('input[name=nick]', 'Enter');
      await page.waitForSelector('input[name=message]', { state: 'visible', timeout: 60_000 });
      const ircy = new RawIRC(nodes[1].irc);
      clients.push(ircy);
      ircy.send('NICK ircy', 'USER ircy 0 * :ircy');
      await ircy.waitFor(/ 001 ircy /);
      ircy.send('JOIN #lobby');
      await ircy.waitFor(/ 353 ircy = #lobby :[^\r]*webby/);
      const lines = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`);
      // One at a time, each seen before the next is sent: every line is its own poll's answer.
      for (const [i, line] of lines.entries()) {
        ircy.send(`PRIVMSG #lobby :${line}`);
        await page.waitForFunction((n) => document.querySelectorAll('.message').length >= n, i + 1, { timeout: 30_000 });
      }
      await page.fill('input[name=message]', 'back to irc');
      await page.press('input[name=message]', 'Enter');
      await ircy.waitFor(/:webby!\S+ PRIVMSG #lobby :back to irc/);
      const seen = await page.evaluate(() => [...document.querySelectorAll('.message')].filter((m) => m.querySelector('.nick')?.textContent === 'ircy').map((m) => m.querySelector('.text')?.textContent));
      assert.deepEqual(seen, lines);
      const polls = proxy.requests.filter((r) => r.path.includes('/_live/poll') && r.status === 200);
      for (const method of ['GET', 'POST']) {
        const ports = new Set(polls.filter((r) => r.method === method).map((r) => r.port));
        assert.deepEqual([...ports].sort(), [nodes[0].web, nodes[1].web].sort(), `${method} polls answered by both nodes`);
      }
      assert.ok(proxy.requests.every((r) => r.status !== 410), 'no poll found its connection gone');
    } finally {
      await browser.close();
    }
  });
});
