import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock } from '../../testing/index.js';
import { InputThrottle } from './throttle.js';
import { Harness } from './test-support/harness.js';

describe('InputThrottle', () => {
  test('a burst passes at once, then items wait for tokens; overflow reports a flood once', () => {
    const clock = new Clock();
    const handled: number[] = [];
    let floods = 0;
    const t = new InputThrottle<number>(clock, 3, 2, 4, (n) => handled.push(n), () => floods++);
    for (let i = 1; i <= 7; i++) t.push(i);
    assert.deepEqual(handled, [1, 2, 3]);
    assert.equal(t.queued, 4);
    clock.advance(0.5);
    assert.deepEqual(handled, [1, 2, 3, 4]);
    clock.advance(1);
    assert.deepEqual(handled, [1, 2, 3, 4, 5, 6]);
    t.push(8);
    t.push(9);
    t.push(10);
    t.push(11);
    assert.equal(floods, 1);
    assert.equal(t.queued, 0, 'the backlog is dropped on a flood');
  });
});

describe('IRC server limits', () => {
  test('a flooding client is delayed, then dropped with Excess Flood; others are unaffected', () => {
    const h = new Harness({ flood: { burst: 5, rate: 1, maxQueued: 10 } });
    const flooder = h.register('flooder');
    const calm = h.register('calm');
    flooder.send('JOIN #f');
    calm.send('JOIN #f');
    flooder.lines();
    calm.lines();
    h.clock.advance(10);
    for (let i = 0; i < 8; i++) flooder.send(`PRIVMSG #f :msg ${i}`);
    assert.equal(calm.lines().length, 5, 'the burst is delivered at once');
    h.clock.advance(2);
    assert.equal(calm.lines().length, 2, 'then one a second');
    for (let i = 0; i < 20; i++) flooder.send(`PRIVMSG #f :more ${i}`);
    assert.equal(flooder.closed, true);
    assert.ok(flooder.lines().includes(':irc.test ERROR :Closing Link: 127.0.0.1 (Excess Flood)'));
    const seen = calm.lines();
    assert.equal(seen.at(-1), ':flooder!flooder@127.0.0.1 QUIT :Excess Flood');
    calm.send('PING :still here');
    assert.deepEqual(calm.lines(), [':irc.test PONG irc.test :still here']);
  });

  test('an idle client is pinged after pingInterval and dropped pingTimeout later; an answer keeps it', () => {
    const h = new Harness({ pingInterval: 100, pingTimeout: 30 });
    const lively = h.register('lively');
    const silent = h.register('silent');
    h.clock.advance(60);
    lively.send('PRIVMSG silent :hi');
    silent.lines();
    h.clock.advance(40);
    assert.deepEqual(silent.lines(), [':irc.test PING :irc.test']);
    assert.deepEqual(lively.lines(), [], 'lively spoke 40 s ago: no ping yet');
    h.clock.advance(30);
    assert.equal(silent.closed, true);
    assert.deepEqual(silent.lines(), [':irc.test ERROR :Closing Link: 127.0.0.1 (Ping timeout: 130 seconds)']);
    h.clock.advance(30);
    assert.deepEqual(lively.lines(), [':irc.test PING :irc.test']);
    lively.send('PONG :irc.test');
    h.clock.advance(30);
    assert.equal(lively.closed, false, 'it answered');
    h.clock.advance(69);
    assert.deepEqual(lively.lines(), []);
    h.clock.advance(1);
    assert.deepEqual(lively.lines(), [':irc.test PING :irc.test'], 'pinged again pingInterval after its answer');
  });

  test('a connection that never registers is dropped after registrationTimeout', () => {
    const h = new Harness({ registrationTimeout: 20 });
    const c = h.connect().send('NICK lurker');
    h.clock.advance(19);
    assert.equal(c.closed, false);
    h.clock.advance(1);
    assert.equal(c.closed, true);
    assert.deepEqual(c.lines(), [':irc.test ERROR :Closing Link: 127.0.0.1 (Registration timed out)']);
  });

  test('idle and registration deadlines of many clients share one delayed call on the clock', () => {
    const h = new Harness({ pingInterval: 100, pingTimeout: 30, registrationTimeout: 20 });
    h.register('first');
    const calls = h.clock.getDelayedCalls().length;
    const clients = Array.from({ length: 100 }, (_, i) => h.register(`c${i}`));
    const lurkers = Array.from({ length: 100 }, () => h.connect().send('NICK lurker'));
    assert.equal(h.clock.getDelayedCalls().length, calls, '200 more clients, no more delayed calls');
    h.clock.advance(20);
    assert.ok(lurkers.every((c) => c.closed), 'every unregistered one timed out');
    h.clock.advance(80);
    assert.ok(clients.every((c) => c.lines().includes(':irc.test PING :irc.test')), 'every idle one pinged');
  });

  test('over-long lines get 417; malformed lines and garbage are ignored; nothing drops another client', () => {
    const h = new Harness();
    const good = h.register('good');
    const bad = h.register('bad');
    good.send('JOIN #g');
    bad.send('JOIN #g');
    good.lines();
    bad.lines();
    bad.send(`PRIVMSG #g :${'x'.repeat(600)}`);
    assert.deepEqual(bad.lines(), [':irc.test 417 bad :Input line was too long']);
    assert.deepEqual(good.lines(), []);
    bad.send(':::: ::', '@', '\u0000\u0001\u00ff', 'PRIVMSG #g :still\u0000here');
    bad.proto.dataReceived(Buffer.from([0xff, 0xfe, 0x0a, 0xc3, 0x28, 0x0d, 0x0a]));
    assert.equal(bad.closed, false, 'garbage lines are ignored, not fatal');
    bad.lines();
    good.lines();
    bad.proto.dataReceived(Buffer.alloc(20_000, 0x61));
    assert.equal(bad.closed, false, 'a line too long to buffer is skipped, not fatal');
    bad.send(' end of it', 'PRIVMSG #g :back');
    assert.deepEqual(bad.lines(), [':irc.test 417 bad :Input line was too long']);
    assert.deepEqual(good.lines(), [':bad!bad@127.0.0.1 PRIVMSG #g :back']);
  });

  test('a client that stops reading is dropped once sendQ bytes pile up past the transport high-water mark', () => {
    const h = new Harness({ sendQ: 2000, flood: false });
    const talker = h.register('talker');
    const reader = h.register('reader');
    const stalled = h.register('stalled');
    for (const c of [talker, reader, stalled]) c.send('JOIN #busy');
    assert.equal(stalled.transport.producer, null, 'the transport is asked how full it is; no producer is registered to find out');
    const high = stalled.transport.getWriteBufferLimits().high;
    stalled.transport.writeBufferSize = high + 1900;
    for (let i = 0; i < 10; i++) talker.send(`PRIVMSG #busy :${'filler '.repeat(20)}${i}`);
    assert.equal(stalled.closed, false, 'below sendQ past the high mark');
    stalled.transport.writeBufferSize = 2500;
    for (let i = 0; i < 30; i++) talker.send(`PRIVMSG #busy :${'filler '.repeat(20)}${i}`);
    assert.equal(stalled.closed, false, 'a buffer under the high mark counts nothing');
    stalled.transport.writeBufferSize = high + 2001;
    talker.send('PRIVMSG #busy :one more');
    assert.equal(stalled.closed, true);
    assert.equal(stalled.transport.aborted, true, 'aborted: its unread buffer is not waited for');
    assert.ok(reader.lines().includes(':stalled!stalled@127.0.0.1 QUIT :SendQ exceeded'));
    assert.equal(h.service.findRoom('#busy')?.size, 2);
  });

  test('lines may come in any chunking', () => {
    const h = new Harness();
    const a = h.register('a');
    const c = h.connect();
    const bytes = Buffer.from('NICK chunky\r\nUSER c 0 * :C\r\nPRIVMSG a :split across chunks\r\n');
    for (let i = 0; i < bytes.length; i += 3) c.proto.dataReceived(bytes.subarray(i, i + 3));
    assert.ok(c.lines()[0].startsWith(':irc.test 001 chunky'));
    assert.deepEqual(a.lines(), [':chunky!c@127.0.0.1 PRIVMSG a :split across chunks']);
  });

  test('a relayed line is kept within 512 bytes and a web-style line break cannot inject a command', () => {
    const h = new Harness();
    const a = h.register('a'.repeat(30));
    const b = h.register('b');
    a.send(`PRIVMSG b :${'é'.repeat(240)}`);
    const [line] = b.lines();
    assert.ok(Buffer.byteLength(`${line}\r\n`) <= 512, `${Buffer.byteLength(line)} bytes`);
    assert.ok(line.endsWith('é'), 'cut between characters, not inside one');
    h.service.findUser(a.proto.nick)!.send('b', 'one\r\nQUIT :injected');
    assert.deepEqual(b.lines(), [`:${'a'.repeat(30)}!${'a'.repeat(16)}@127.0.0.1 PRIVMSG b :one  QUIT :injected`]);
    const tagged = h.connect().send('CAP REQ message-tags', 'NICK tagged', 'USER t 0 * :T', 'CAP END');
    tagged.lines();
    const sender = h.service.findUser(a.proto.nick)!;
    assert.doesNotThrow(() => sender.send('tagged', 'bad tag', { tags: { 'no spaces allowed': 'x' } }));
    assert.deepEqual(tagged.lines(), [], 'a line IRC cannot carry is dropped for IRC, not thrown into the service');
    sender.send('b', 'bad tag', { tags: { 'no spaces allowed': 'x' } });
    assert.equal(b.lines().length, 1, 'a client without message-tags never sees the tag');
  });
});
