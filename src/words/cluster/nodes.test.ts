/**
 * Three `torsion words` processes on one real redis-server (loopback ports): IRC users on different nodes
 * share a room in one order, nicks are unique across nodes, a node killed with -9 has its users quit on the
 * others. (A web page across nodes: nodes-web.test.ts.)
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { startWordsNode, type WordsNode } from './test-support/node-process.js';

const NODE_TIMEOUT = 3;

describe('torsion words on three nodes and one Redis', () => {
  let redis: PeerProgram;
  const nodes: WordsNode[] = [];
  const clients: RawIRC[] = [];

  before(async () => {
    redis = await startPeerProgram({
      executable: requirePeer('redis-server', 'redis-server'),
      args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      ready: /Ready to accept connections/,
    });
    const url = `redis://127.0.0.1:${redis.port}/0`;
    // Started side by side: each start is mostly compiling the sources, and the file has two minutes in all.
    nodes.push(...(await Promise.all([0, 1, 2].map((i) => startWordsNode(['--redis', url, '--node-timeout', String(NODE_TIMEOUT), '--name', `node${i}.test`])))));
  });

  after(async () => {
    for (const c of clients) c.socket.destroy();
    for (const n of nodes) await n.kill();
    await redis?.stop();
  });

  async function irc(node: number, nick: string): Promise<RawIRC> {
    const c = new RawIRC(nodes[node].irc);
    clients.push(c);
    c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
    await c.waitFor(new RegExp(` 001 ${nick} `));
    return c;
  }

  test('users on different nodes share a room: joins, topic, lines and private messages', { timeout: 120_000 }, async () => {
    const ann = await irc(0, 'ann');
    const bob = await irc(1, 'bob');
    const cat = await irc(2, 'cat');
    for (const c of [ann, bob, cat]) {
      c.send('JOIN #room');
      await c.waitFor(/ 366 \S+ #room /);
    }
    await ann.waitFor(/:cat!\S+ JOIN #room/);
    cat.send('NAMES #room');
    await cat.waitFor(/ 353 cat = #room :@ann bob cat/);
    ann.send('TOPIC #room :shared topic');
    await cat.waitFor(/:ann!\S+ TOPIC #room :shared topic/);
    bob.send('PRIVMSG #room :hello from node 1');
    await ann.waitFor(/:bob!\S+ PRIVMSG #room :hello from node 1/);
    await cat.waitFor(/:bob!\S+ PRIVMSG #room :hello from node 1/);
    cat.send('PRIVMSG ann :private, across nodes');
    await ann.waitFor(/:cat!\S+ PRIVMSG ann :private, across nodes/);
    bob.send('WHOIS cat');
    await bob.waitFor(/ 311 bob cat cat /);
  });

  test('a room\'s lines arrive in one order on every node, however the senders interleave', { timeout: 120_000 }, async () => {
    const listeners = [await irc(0, 'l0'), await irc(1, 'l1'), await irc(2, 'l2')];
    const senders = [await irc(0, 's0'), await irc(1, 's1'), await irc(2, 's2')];
    for (const c of [...listeners, ...senders]) {
      c.send('JOIN #order');
      await c.waitFor(/ 366 \S+ #order /);
    }
    // Within the IRC flood limit's burst and rate, so the lines are not held back for long.
    const N = 20;
    for (let i = 0; i < N; i++) for (const [k, s] of senders.entries()) s.send(`PRIVMSG #order :${k}-${i}`);
    const lines = (c: RawIRC): string[] => [...c.text.matchAll(/ PRIVMSG #order :(\S+)\r$/gm)].map((m) => m[1]);
    await eventually(() => listeners.every((l) => lines(l).length >= 3 * N), { timeout: 60, interval: 0.05, message: () => listeners.map((l) => lines(l).length).join(' ') });
    const seen = listeners.map(lines);
    assert.equal(seen[0].length, 3 * N);
    assert.deepEqual(seen[1], seen[0], 'node 1 saw the order node 0 saw');
    assert.deepEqual(seen[2], seen[0], 'node 2 saw the order node 0 saw');
    for (let k = 0; k < 3; k++) {
      const own = seen[0].filter((l) => l.startsWith(`${k}-`));
      assert.deepEqual(own, Array.from({ length: N }, (_, i) => `${k}-${i}`), 'each sender\'s lines in the order sent');
    }
  });

  test('a nick taken on one node gets 433 on another; of two simultaneous claims one wins', { timeout: 60_000 }, async () => {
    await irc(0, 'unique');
    const other = new RawIRC(nodes[1].irc);
    clients.push(other);
    other.send('NICK unique', 'USER x 0 * :x');
    await other.waitFor(/ 433 \* unique :/);
    const a = new RawIRC(nodes[1].irc);
    const b = new RawIRC(nodes[2].irc);
    clients.push(a, b);
    a.send('NICK racer', 'USER r 0 * :r');
    b.send('NICK racer', 'USER r 0 * :r');
    await Promise.all([a.waitFor(/ 001 racer | 433 \* racer /), b.waitFor(/ 001 racer | 433 \* racer /)]);
    assert.deepEqual([/ 001 racer /.test(a.text), / 001 racer /.test(b.text)].sort(), [false, true]);
  });

  test('a node killed with -9: its users quit on the others within the node timeout, saying so; their nicks are free', { timeout: 120_000 }, async () => {
    const stay = await irc(0, 'stayer');
    const doomed = await irc(2, 'doomed');
    for (const c of [stay, doomed]) {
      c.send('JOIN #wake');
      await c.waitFor(/ 366 \S+ #wake /);
    }
    await stay.waitFor(/:doomed!\S+ JOIN #wake/);
    const killedAt = performance.now();
    await nodes[2].kill();
    await stay.waitFor(/:doomed!\S+ QUIT :Node went away \([^)]+ stopped answering\)/, 30);
    const took = (performance.now() - killedAt) / 1000;
    assert.ok(took < NODE_TIMEOUT + 10, `quit seen ${took.toFixed(1)} s after the kill (node timeout ${NODE_TIMEOUT} s, generous bound for a busy machine)`);
    const again = await irc(1, 'doomed');
    again.send('JOIN #wake');
    await again.waitFor(/ 366 doomed #wake /);
  });
});
