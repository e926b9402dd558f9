/**
 * Two `WordsApplication`s (IRC on loopback ports) on one in-memory bus: the plugin's wiring of the cluster,
 * and a node that stops making its users quit on the other.
 */
import { test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryBusHub } from '../../bus/index.js';
import { reactor } from '../../internet/index.js';
import { WordsApplication } from '../plugin.js';
import { RawIRC } from '../test-support/raw-irc.js';

test('two applications on one bus share a room; stopping one makes its users quit on the other', { timeout: 60_000 }, async () => {
  const hub = new MemoryBusHub(reactor);
  const dirs = [mkdtempSync(join(tmpdir(), 'torsion-words-app-')), mkdtempSync(join(tmpdir(), 'torsion-words-app-'))];
  const buses = dirs.map((_, i) => hub.connect({ nodeId: `n${i}` }));
  const apps = dirs.map((data, i) => new WordsApplication({ irc: ['tcp:0:interface=127.0.0.1'], web: [], data, bus: buses[i], scrypt: { N: 1024, r: 8, p: 1 } }));
  const clients: RawIRC[] = [];
  try {
    for (const app of apps) await app.startService();
    const [ann, bob] = ['ann', 'bob'].map((nick, i) => {
      const c = new RawIRC(apps[i].ports.irc[0]);
      clients.push(c);
      c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`);
      return c;
    });
    // One after the other, so ann is in the room to see bob join.
    ann.send('JOIN #room');
    await ann.waitFor(/ 366 ann #room /);
    bob.send('JOIN #room');
    await bob.waitFor(/ 366 bob #room /);
    await ann.waitFor(/:bob!\S+ JOIN #room/);
    bob.send('PRIVMSG #room :across');
    await ann.waitFor(/:bob!\S+ PRIVMSG #room :across/);
    await apps[1].stopService();
    await ann.waitFor(/:bob!\S+ QUIT :Server shutting down/);
  } finally {
    for (const c of clients) c.socket.destroy();
    for (const app of apps) if (app.running) await app.stopService();
    // A bus given to an application is the giver's to close.
    for (const bus of buses) await bus.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
