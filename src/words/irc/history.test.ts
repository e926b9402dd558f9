/**
 * CHATHISTORY under abuse, and echo-message after the commit, with a store the test controls: reads and
 * writes it holds pending until the test lets them go.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { HeldStore } from '../test-support/held-store.js';
import { Harness, type FakeClient } from './test-support/harness.js';

function setup(options: ConstructorParameters<typeof Harness>[0] = {}): { h: Harness; store: HeldStore; join: (nick: string, caps?: string) => FakeClient } {
  const store = new HeldStore({ historyPerRoom: 20_000, maxHistory: 20_000 });
  const h = new Harness({ flood: false, ...options }, { store });
  const join = (nick: string, caps?: string): FakeClient => {
    const c = caps ? h.connect().send(`CAP REQ :${caps}`, `NICK ${nick}`, `USER ${nick} 0 * :${nick}`, 'CAP END') : h.register(nick);
    c.send('JOIN #r');
    c.lines();
    return c;
  };
  return { h, store, join };
}

const fails = (lines: string[]): string[] => lines.filter((l) => l.includes(' FAIL CHATHISTORY '));

describe('CHATHISTORY limits', () => {
  test('AFTER asks the store for the lines it returns, not a window of 10,000 to slice', async () => {
    const { h, store, join } = setup();
    const a = join('a');
    for (let i = 0; i < 300; i++) {
      h.clock.advance(1);
      a.send(`PRIVMSG #r :line ${i}`);
    }
    const t = new Date((h.clock.seconds() - 250) * 1000).toISOString();
    a.send(`CHATHISTORY AFTER #r timestamp=${t} 2`, 'CHATHISTORY LATEST #r * 500');
    const lines = a.lines().map((l) => l.replace(/^.* :/, ''));
    assert.deepEqual(lines.slice(0, 2), ['line 50', 'line 51']);
    assert.equal(lines.length, 2 + 100, 'LATEST is cut to historyLimit');
    assert.deepEqual(
      store.reads.map((r) => r.query),
      [
        { limit: 2, after: Date.parse(t) / 1000, earliest: true },
        { limit: 100 },
      ],
    );
  });

  test("one client's requests run one at a time, at a rate; over the queue they get FAIL; others' messages never wait", () => {
    const { h, store, join } = setup({ historyThrottle: { burst: 3, rate: 1, maxQueued: 5 } });
    const attacker = join('attacker');
    const talker = join('talker');
    const observer = join('observer');
    talker.send('PRIVMSG #r :before');
    observer.lines();
    store.holdReads = true;
    for (let i = 0; i < 10; i++) attacker.send('CHATHISTORY LATEST #r * 100');
    assert.equal(store.reads.length, 1, 'one read at a time');
    const refused = fails(attacker.lines());
    assert.equal(refused.length, 10 - 1 - 5, 'one running, five waiting, the rest refused');
    assert.equal(refused[0], ':irc.test FAIL CHATHISTORY MESSAGE_ERROR LATEST #r :Too many history requests: wait for the answers before asking for more');
    talker.send('PRIVMSG #r :while the reads wait');
    assert.deepEqual(observer.lines(), [':talker!talker@127.0.0.1 PRIVMSG #r :while the reads wait']);

    store.reads[0].release();
    assert.equal(store.reads.length, 2, 'the next starts once the first is answered');
    store.reads[1].release();
    assert.equal(store.reads.length, 3);
    store.reads[2].release();
    assert.equal(store.reads.length, 3, 'the burst of 3 is spent: the fourth waits for the rate');
    h.clock.advance(1);
    assert.equal(store.reads.length, 4);
    store.reads[3].release();
    h.clock.advance(0.5);
    assert.equal(store.reads.length, 4);
    h.clock.advance(0.5);
    assert.equal(store.reads.length, 5);
    assert.equal(attacker.lines().filter((l) => l.endsWith(':before')).length, 4, 'each answered read was played');
  });

  test('a client that leaves has its running read cancelled and its waiting ones dropped', () => {
    for (const leave of ['QUIT', 'connection lost'] as const) {
      const { h, store, join } = setup();
      const a = join('a');
      store.holdReads = true;
      for (let i = 0; i < 5; i++) a.send('CHATHISTORY LATEST #r * 10');
      assert.equal(store.reads.length, 1);
      if (leave === 'QUIT') a.send('QUIT :bye');
      else a.transport.loseConnection();
      assert.equal(a.closed, true);
      assert.equal(store.reads[0].cancelled, true, `${leave}: the running read is cancelled`);
      h.clock.advance(60);
      assert.equal(store.reads.length, 1, `${leave}: nothing more is read`);
    }
  });
});

describe('echo-message after the commit', () => {
  test('the sender sees its line only once the store holds it; echoes keep their order; others get it at once', () => {
    const { store, join } = setup();
    const sender = join('sender', 'echo-message');
    const other = join('other');
    sender.lines();
    store.holdWrites = true;
    sender.send('PRIVMSG #r :first', 'PRIVMSG #r :second', 'PRIVMSG other :private');
    assert.deepEqual(other.lines(), [
      ':sender!sender@127.0.0.1 PRIVMSG #r :first',
      ':sender!sender@127.0.0.1 PRIVMSG #r :second',
      ':sender!sender@127.0.0.1 PRIVMSG other :private',
    ]);
    assert.deepEqual(sender.lines(), [], 'no echo before the store has the line');
    assert.equal(store.writes.length, 2, 'room lines are stored; the private one is not');
    store.writes[1].release();
    assert.deepEqual(sender.lines(), [], 'the second waits for the first');
    store.writes[0].release();
    assert.deepEqual(sender.lines(), [
      ':sender!sender@127.0.0.1 PRIVMSG #r :first',
      ':sender!sender@127.0.0.1 PRIVMSG #r :second',
      ':sender!sender@127.0.0.1 PRIVMSG other :private',
    ]);
    store.holdWrites = false;
    sender.send('PRIVMSG #r :third');
    assert.deepEqual(sender.lines(), [':sender!sender@127.0.0.1 PRIVMSG #r :third'], 'a store that answers at once echoes at once');
  });

  test('a line the store failed to keep is still echoed (the room got it), with a WARN', () => {
    const { store, join } = setup();
    const sender = join('sender', 'echo-message');
    store.holdWrites = true;
    sender.send('NOTICE #r :lost');
    store.writes[0].release(false);
    assert.deepEqual(sender.lines(), [
      ':sender!sender@127.0.0.1 NOTICE #r :lost',
      ':irc.test WARN NOTICE NOT_STORED #r :Delivered, but it could not be saved in the history',
    ]);
  });
});

describe('client tags in history', () => {
  test("IRCv3's 4,094 bytes of client tags are accepted and relayed whole; history keeps maxStoredTagBytes of them", () => {
    const { h, join } = setup();
    const sender = join('sender', 'message-tags');
    const reader = join('reader', 'message-tags');
    sender.lines();
    const big = `+big=${'x'.repeat(4094 - '+big='.length - ';+draft/reply=abc'.length)}`;
    const tags = `${big};+draft/reply=abc`;
    assert.equal(tags.length, 4094);
    sender.send(`@${tags} PRIVMSG #r :tagged`);
    assert.deepEqual(sender.lines(), [], 'no 417');
    const [relayed] = reader.lines();
    assert.ok(relayed.startsWith(`@${big};+draft/reply=abc;msgid=`), relayed.slice(0, 80));
    reader.send('CHATHISTORY LATEST #r * 1');
    const [played] = reader.lines();
    assert.match(played, /^@\+draft\/reply=abc;msgid=\S+ :sender PRIVMSG #r :tagged$/);
    assert.equal(h.service.maxStoredTagBytes, 512);
  });
});
