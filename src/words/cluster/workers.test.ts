/**
 * `torsion words --workers 2` without Redis: the workers share the chat through the primary's bus, so two
 * IRC users whose connections landed on different workers meet in one room.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../../testing/index.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { startWordsNode } from './test-support/node-process.js';

test('torsion words --workers 2: users on different workers share rooms and nicks', { timeout: 110_000 }, async () => {
  const node = await startWordsNode(['--workers', '2']);
  const clients: RawIRC[] = [];
  try {
    // Both workers listen before anyone connects, so the connections are shared between them.
    await eventually(() => /2 workers of words ready/.test(node.log()), { timeout: 60, interval: 0.05 });
    const login = async (nick: string): Promise<RawIRC> => {
      const c = new RawIRC(node.irc);
      clients.push(c);
      c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
      await c.waitFor(new RegExp(` 001 ${nick} | 433 \\* ${nick} `));
      return c;
    };
    // Cluster hands connections to the workers in turn; a few users make sure both workers hold some.
    const users = await Promise.all(['w0', 'w1', 'w2', 'w3'].map(login));
    for (const u of users) {
      u.send('JOIN #shared');
      await u.waitFor(/ 366 \S+ #shared /);
    }
    users[0].send('PRIVMSG #shared :hello every worker');
    for (const u of users.slice(1)) await u.waitFor(/:w0!\S+ PRIVMSG #shared :hello every worker/);
    users[3].send('NAMES #shared');
    await users[3].waitFor(/ 353 w3 = #shared :@?w0 @?w1 @?w2 @?w3/);
    const taken = await Promise.all(['w0', 'w0'].map(login));
    assert.ok(taken.every((c) => / 433 \* w0 /.test(c.text)), 'the nick is taken on whichever worker the connection lands');
    assert.equal(node.log().match(/joined the chat/g)?.length, 2, 'two nodes on the primary\'s bus');

    // The workers share one SQLite file: a line is stored once (by its sender's worker), not once per worker.
    users[1].send('PRIVMSG #shared :a later line');
    for (const u of [users[0], ...users.slice(2)]) await u.waitFor(/:w1!\S+ PRIVMSG #shared :a later line/);
    const reader = users[2];
    const history = await eventually(
      async () => {
        const before = reader.text.length;
        reader.send('CHATHISTORY LATEST #shared * 50');
        // The answer comes from whichever worker holds this connection; a store flushes its writes in batches.
        await new Promise((r) => setTimeout(r, 300));
        const got = reader.text.slice(before);
        return got.includes(':a later line') ? got : undefined;
      },
      { timeout: 20, interval: 0.2 },
    );
    assert.equal(history.match(/PRIVMSG #shared :hello every worker/g)?.length, 1, history);
  } finally {
    for (const c of clients) c.socket.destroy();
    await node.kill();
  }
});
