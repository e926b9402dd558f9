import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { seededRandom, splitEvery, splitRandom } from '../../testing/index.js';
import { Harness, type FakeClient } from './test-support/harness.js';

const INPUT_TOO_LONG = ':irc.test 417 bad :Input line was too long';

function feed(c: FakeClient, chunks: Iterable<Uint8Array>): void {
  for (const chunk of chunks) c.proto.dataReceived(chunk);
}

describe('IRC server: lines too long to buffer', () => {
  test('a line over 8,703 bytes, in any chunking, gets 417 and is skipped to its newline; the next lines are handled', () => {
    const input = Buffer.from(`PRIVMSG #g :${'x'.repeat(9000)}\r\nPING :after\r\n@${'k='.padEnd(8300, 'v')} PING :tags\r\nPING :last\r\n`);
    const random = seededRandom(417);
    const chunkings: [string, Uint8Array[]][] = [
      ['whole', [input]],
      ['1 KiB', splitEvery(input, 1024)],
      ['7 bytes', splitEvery(input, 7)],
      ['random', splitRandom(random, input, 3000)],
    ];
    for (const [name, chunks] of chunkings) {
      const h = new Harness();
      const bad = h.register('bad');
      feed(bad, chunks);
      assert.equal(bad.closed, false, name);
      assert.deepEqual(
        bad.lines(),
        [INPUT_TOO_LONG, ':irc.test PONG irc.test :after', INPUT_TOO_LONG, ':irc.test PONG irc.test :last'],
        `chunking: ${name}`,
      );
    }
  });

  test('100 KB with no newline: one 417, nothing kept, the connection stays and reads on after the newline', () => {
    const h = new Harness();
    const bad = h.register('bad');
    const other = h.register('other');
    bad.send('JOIN #g');
    other.send('JOIN #g');
    bad.lines();
    other.lines();
    feed(bad, splitEvery(Buffer.alloc(100_000, 0x61), 1500));
    assert.deepEqual(bad.lines(), [INPUT_TOO_LONG]);
    assert.equal(bad.proto.clearLineBuffer().length, 0, 'the skipped bytes are not buffered');
    feed(bad, splitEvery(Buffer.alloc(50_000, 0x62), 1500));
    assert.deepEqual(bad.lines(), [], 'still the same line: no second 417');
    bad.proto.dataReceived(Buffer.from('bbb\r\nPRIVMSG #g :made it\r\n'));
    assert.equal(bad.closed, false);
    assert.deepEqual(other.lines(), [':bad!bad@127.0.0.1 PRIVMSG #g :made it']);
  });

  test('before registration too: 417, and registration goes on', () => {
    const h = new Harness();
    const c = h.connect();
    feed(c, splitEvery(Buffer.from(`NICK ${'n'.repeat(9000)}\r\nNICK late\r\nUSER late 0 * :L\r\n`), 500));
    const lines = c.lines();
    assert.equal(lines[0], ':irc.test 417 * :Input line was too long');
    assert.ok(lines.some((l) => l.startsWith(':irc.test 001 late ')), lines.join(' | '));
  });
});

describe('IRC server: TARGMAX', () => {
  test('JOIN, PART and KICK with more targets than TARGMAX act on the first ones and answer 407 for each of the rest', () => {
    const h = new Harness({ maxTargets: 2 });
    const op = h.register('op');
    op.send('JOIN #a,#b,#c,#d');
    const joined = op.lines();
    assert.deepEqual(
      joined.filter((l) => / (JOIN|407) /.test(l)),
      [
        ':op!op@127.0.0.1 JOIN #a',
        ':op!op@127.0.0.1 JOIN #b',
        ':irc.test 407 op #c :Too many targets: at most 2 at once',
        ':irc.test 407 op #d :Too many targets: at most 2 at once',
      ],
    );
    assert.equal(h.service.findRoom('#c'), undefined);
    const users = ['u1', 'u2', 'u3'].map((n) => h.register(n).send('JOIN #a'));
    op.lines();
    op.send('KICK #a u1,u2,u3');
    assert.deepEqual(
      op.lines().filter((l) => / (KICK|407) /.test(l)),
      [
        ':op!op@127.0.0.1 KICK #a u1 :op',
        ':op!op@127.0.0.1 KICK #a u2 :op',
        ':irc.test 407 op u3 :Too many targets: at most 2 at once',
      ],
    );
    assert.ok(users[2].proto.user!.rooms.has('#a'));
    op.send('PART #a,#b,#zz');
    assert.deepEqual(op.lines().at(-1), ':irc.test 407 op #zz :Too many targets: at most 2 at once');
  });
});
