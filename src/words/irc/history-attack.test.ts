/**
 * The CHATHISTORY attack of issue 12 on 127.0.0.1 with the real SQLite store: a room of 10,000 tagged
 * lines, several guests asking `CHATHISTORY AFTER #room timestamp=… 1` as fast as they can. Each read
 * fetches only the lines it returns, the excess is refused, and a message between two other members still
 * arrives promptly.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Deferred } from '../../defer/index.js';
import { ConnectionPool, type Params } from '../../db/index.js';
import { reactor, type IPv4Address } from '../../internet/index.js';
import type { IListeningPort } from '../../internet/interfaces.js';
import { DbStore, createWordsService, type ChatMessage, type WordsService } from '../index.js';
import { RawIRC } from '../test-support/raw-irc.js';
import { IRCServerFactory } from './index.js';

/** A SQLite pool that counts the history rows each query hands back. */
class CountingPool extends ConnectionPool {
  readonly historyRows: number[] = [];
  override runQuery<R>(sql: string, params?: Params): Deferred<R[]> {
    return super.runQuery<R>(sql, params).addCallback((rows) => {
      if (sql.includes('FROM words_messages')) this.historyRows.push(rows.length);
      return rows;
    });
  }
}

const ROOM_LINES = 10_000;
const ATTACKERS = 5;
const REQUESTS_EACH = 100;

describe('CHATHISTORY attack on loopback with SQLite', () => {
  let dir: string;
  let pool: CountingPool;
  let service: WordsService;
  let port: IListeningPort;
  let portNumber: number;
  const sockets: RawIRC[] = [];
  const start = Date.UTC(2030, 0, 1) / 1000; // the service's seconds

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-history-attack-'));
    pool = new CountingPool('sqlite', { filename: join(dir, 'words.sqlite') });
    const store = new DbStore({ pool });
    service = createWordsService({ store, name: 'irc.attack' });
    await service.start();
    const tags = { '+draft/blob': 'x'.repeat(400) };
    for (let i = 0; i < ROOM_LINES; i++) {
      const m: ChatMessage = { id: `${i}`, time: start + i / 1000, from: 'seed', to: '#room', text: `seed line ${i}`, kind: 'message', tags };
      void store.appendMessage('#room', m);
    }
    await store.flush();
    port = reactor.listenTCP(0, new IRCServerFactory(service, { flood: false }), { interface: '127.0.0.1' });
    portNumber = (port.getHost() as IPv4Address).port;
  });

  after(async () => {
    for (const s of sockets) s.socket.destroy();
    await port.stopListening();
    await service.stop();
    await pool.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function member(nick: string): Promise<RawIRC> {
    const c = new RawIRC(portNumber);
    sockets.push(c);
    c.send(`NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'JOIN #room');
    await c.waitFor(new RegExp(`:${nick}!\\S+ JOIN #room`), 20);
    return c;
  }

  test('reads stay within what they return, the excess is refused, and others talk on', async () => {
    const attackers = await Promise.all(Array.from({ length: ATTACKERS }, (_, i) => member(`guest${i}`)));
    const talker = await member('talker');
    const observer = await member('observer');
    const request = `CHATHISTORY AFTER #room timestamp=${new Date(start * 1000).toISOString()} 1`;
    const readsBefore = pool.historyRows.length;
    for (const a of attackers) a.send(...Array.from({ length: REQUESTS_EACH }, () => request));
    await Promise.all(attackers.map((a) => a.waitFor(/FAIL CHATHISTORY MESSAGE_ERROR AFTER #room :Too many history requests/, 20)));

    const sent = Date.now();
    talker.send('PRIVMSG #room :still here');
    await observer.waitFor(/:talker!\S+ PRIVMSG #room :still here/, 5);
    const latency = (Date.now() - sent) / 1000;
    assert.ok(latency < 5, `delivered after ${latency} s`);

    const reads = pool.historyRows.slice(readsBefore);
    assert.ok(reads.length > 0);
    assert.ok(Math.max(...reads) <= 1, `rows per read: at most what was asked (${Math.max(...reads)})`);
    // Each guest: a burst of 10 at once, then 2 a second while the test runs (well under 20 s).
    assert.ok(reads.length <= ATTACKERS * (10 + 2 * 20), `${reads.length} reads for ${ATTACKERS * REQUESTS_EACH} requests`);
    assert.match(attackers[0].text, /PRIVMSG #room :seed line 1\r\n/, 'answered with the oldest line after the time');
  });
});
