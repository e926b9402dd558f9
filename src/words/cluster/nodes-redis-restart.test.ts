/**
 * Redis restarts mid-conversation between two `torsion words` processes: each node's own rooms keep working
 * while Redis is away, the nodes log the outage, reconnect and announce their users and nicks again, the lines
 * sent meanwhile reach the other node once and in order, and nobody is taken for gone.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, requirePeer, startPeerProgram, type PeerProgram } from '../../testing/index.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { startWordsNode, type WordsNode } from './test-support/node-process.js';

let redis: PeerProgram;
const nodes: WordsNode[] = [];
const clients: RawIRC[] = [];

function startRedis(port?: number): Promise<PeerProgram> {
  return startPeerProgram({
    executable: requirePeer('redis-server', 'redis-server'),
    args: (p) => ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    ready: /Ready to accept connections/,
    ...(port === undefined ? {} : { port }),
  });
}

before(async () => {
  redis = await startRedis();
  const url = `redis://127.0.0.1:${redis.port}/0`;
  nodes.push(...(await Promise.all([0, 1].map((i) => startWordsNode(['--redis', url, '--node-timeout', '3', '--name', `node${i}.test`])))));
});

after(async () => {
  for (const c of clients) c.socket.destroy();
  for (const n of nodes) await n.kill();
  await redis?.stop();
});

async function irc(node: number, nick: string): Promise<RawIRC> {
  const c = new RawIRC(nodes[node]!.irc);
  clients.push(c);
  c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'JOIN #room');
  await c.waitFor(new RegExp(` 366 ${nick} #room `));
  return c;
}

/** The texts of the lines from `nick` to #room that `c` received, in order. */
function linesFrom(c: RawIRC, nick: string): string[] {
  return [...c.text.matchAll(new RegExp(`:${nick}!\\S+ PRIVMSG #room :([^\\r]*)`, 'g'))].map((m) => m[1]!);
}

test('Redis restarts mid-conversation: local rooms work meanwhile, nothing sent is lost, nobody quits', { timeout: 120_000 }, async () => {
  const ann = await irc(0, 'ann');
  const cid = await irc(0, 'cid');
  const bob = await irc(1, 'bob');
  await ann.waitFor(/:bob!\S+ JOIN #room/);
  ann.send('PRIVMSG #room :before');
  await bob.waitFor(/:ann!\S+ PRIVMSG #room :before/);

  const port = redis.port;
  await redis.stop();
  await eventually(() => nodes.every((n) => /lost the connection to Redis/.test(n.log())), { timeout: 20, message: () => nodes.map((n) => n.log()).join('\n') });
  const during = ['during 1', 'during 2', 'during 3'];
  for (const line of during) ann.send(`PRIVMSG #room :${line}`);
  bob.send('PRIVMSG #room :from bob, during');
  // ann's room works on node 0 while Redis is away.
  await cid.waitFor(/:ann!\S+ PRIVMSG #room :during 3/, 20);

  redis = await startRedis(port);
  await eventually(() => nodes.every((n) => /reconnected to Redis/.test(n.log())), { timeout: 30, message: () => nodes.map((n) => n.log()).join('\n') });
  await bob.waitFor(/:ann!\S+ PRIVMSG #room :during 3/, 30);
  await ann.waitFor(/:bob!\S+ PRIVMSG #room :from bob, during/, 30);
  ann.send('PRIVMSG #room :after');
  await bob.waitFor(/:ann!\S+ PRIVMSG #room :after/, 30);
  // The restarted Redis lost the room's counter: the nodes' floors make it go on past what they applied.
  await cid.waitFor(/:ann!\S+ PRIVMSG #room :after/, 30);
  assert.deepEqual(linesFrom(bob, 'ann'), ['before', ...during, 'after']);
  assert.deepEqual(linesFrom(cid, 'ann'), ['before', ...during, 'after']);

  // Nicks and users were announced again: ann is still taken on node 1, and nobody quit anywhere.
  const copy = new RawIRC(nodes[1]!.irc);
  clients.push(copy);
  copy.send('NICK ann', 'USER x 0 * :x');
  await copy.waitFor(/ 433 \S+ ann /);
  bob.send('NAMES #room');
  await bob.waitFor(/ 353 bob = #room :[^\r]*\bann\b[^\r]*\bcid\b|353 bob = #room :[^\r]*\bcid\b[^\r]*\bann\b/);
  for (const c of [ann, bob, cid]) assert.doesNotMatch(c.text, / QUIT /);
});
