import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, seededRandom } from '../../testing/index.js';
import { MemoryBudget, textCost } from './budget.js';
import { SharedMessage, decodeFrame } from './frames.js';
import { msg, readFrame } from '../test-support/frames.js';
import { LiveProtocolError } from './errors.js';
import { ReliableSession, type ReliableSessionOptions, type SessionLink } from './session.js';

/** One end: a session plus what it delivered and what it put on the wire. */
function end(clock: Clock, options: Partial<ReliableSessionOptions> = {}) {
  const delivered: unknown[] = [];
  const wire: string[] = [];
  const session = new ReliableSession({ clock, deliver: (p) => delivered.push(p), ...options });
  const link: SessionLink = { sendFrame: (f) => wire.push(f) };
  return { session, delivered, wire, link, frames: () => wire.splice(0).map(readFrame) };
}

describe('ReliableSession', () => {
  test('numbers messages and piggybacks the acknowledgement', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    a.session.receive(msg(1, 0, 'hi'));
    a.session.send({ x: 1 });
    assert.deepEqual(a.frames(), [[1, 1, 1, { x: 1 }]]);
    assert.deepEqual(a.delivered, ['hi']);
  });

  test('queues while detached and resends in order on attach, minus what the peer already has', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    a.session.send('one');
    a.session.detach();
    a.session.send('two');
    a.session.send('three');
    assert.equal(a.wire.length, 1);
    a.frames();
    a.session.attach(a.link, 1); // the peer got "one"
    assert.deepEqual(a.frames(), [[1, 2, 0, 'two'], [1, 3, 0, 'three']]);
    assert.equal(a.session.unackedCount, 2);
    a.session.receive([2, 3]);
    assert.equal(a.session.unackedCount, 0);
  });

  test('drops duplicates and acknowledges them again', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    a.session.receive(msg(1, 0, 'x'));
    a.session.receive(msg(1, 0, 'x'));
    assert.deepEqual(a.delivered, ['x']);
    clock.advance(0.2);
    assert.deepEqual(a.frames(), [[2, 1]]);
    a.session.receive(msg(1, 0, 'x'));
    clock.advance(0.2);
    assert.deepEqual(a.frames(), [[2, 1]], 'a resend means our ack was lost: ack again');
    assert.deepEqual(a.delivered, ['x']);
  });

  test('puts reordered messages back in order', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    a.session.receive(msg(3, 0, 'c'));
    a.session.receive(msg(2, 0, 'b'));
    assert.deepEqual(a.delivered, []);
    a.session.receive(msg(1, 0, 'a'));
    assert.deepEqual(a.delivered, ['a', 'b', 'c']);
    assert.equal(a.session.lastReceived, 3);
  });

  test('a bare ACK goes out after ackDelay only when nothing carried it', () => {
    const clock = new Clock();
    const a = end(clock, { ackDelay: 0.1 });
    a.session.attach(a.link, 0);
    a.session.receive(msg(1, 0, 'a'));
    a.session.send('reply');
    clock.advance(1);
    assert.deepEqual(a.frames(), [[1, 1, 1, 'reply']]);
    a.session.receive(msg(2, 0, 'b'));
    clock.advance(0.09);
    assert.deepEqual(a.frames(), []);
    clock.advance(0.01);
    assert.deepEqual(a.frames(), [[2, 2]]);
  });

  test('a reply sent while delivering carries the acknowledgement: no bare ACK follows', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    const replying = new ReliableSession({ clock, deliver: (p) => replying.send(`re ${String(p)}`) });
    const wire: string[] = [];
    replying.attach({ sendFrame: (f) => wire.push(f) }, 0);
    replying.receive(msg(1, 0, 'call'));
    clock.advance(10);
    assert.deepEqual(wire.map(readFrame).filter((f) => f[0] !== 3), [[1, 1, 1, 're call']]);
  });

  test('answers PING with ACK', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    a.session.receive([3, 0]);
    assert.deepEqual(a.frames(), [[2, 0]]);
  });

  test('pings when quiet and reports a dead link when nothing is heard', () => {
    const clock = new Clock();
    let dead = 0;
    const a = end(clock, { heartbeatInterval: 2, heartbeatTimeout: 6, onDead: () => dead++ });
    a.session.attach(a.link, 0);
    clock.advance(1);
    clock.advance(1);
    assert.deepEqual(a.frames(), [[3, 0]]);
    a.session.receive([2, 0]);
    clock.advance(5);
    assert.equal(dead, 0, 'heard 5 s ago');
    a.frames();
    clock.advance(1);
    assert.equal(dead, 1);
  });

  test('no heartbeat and no timers while detached', () => {
    const clock = new Clock();
    let dead = 0;
    const a = end(clock, { heartbeatInterval: 1, heartbeatTimeout: 2, onDead: () => dead++ });
    a.session.attach(a.link, 0);
    a.session.detach();
    clock.advance(100);
    assert.equal(dead, 0);
    assert.equal(clock.getDelayedCalls().length, 0);
  });

  test('an acknowledgement of something never sent is a protocol error', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    assert.throws(() => a.session.receive([2, 5]), LiveProtocolError);
    assert.throws(() => a.session.attach(a.link, 1), LiveProtocolError);
  });

  test('overflow is reported when the peer stops acknowledging', () => {
    const clock = new Clock();
    let overflow = 0;
    const a = end(clock, { maxUnacked: 3, onOverflow: () => overflow++ });
    for (let i = 0; i < 4; i++) a.session.send(i);
    assert.equal(overflow, 1);
  });

  test('frames far ahead of a missing one are held against the budget, as text; past it the peer is dropped', () => {
    // The attack: seq 2..1001 and never 1. Each held frame would otherwise stay, parsed, until the session closed.
    const clock = new Clock();
    const reasons: string[] = [];
    const budget = new MemoryBudget(64 * 1024, null, { owner: "the page's", onExceeded: (r) => reasons.push(r) });
    const a = end(clock, { budget });
    a.session.attach(a.link, 0);
    const big = ['x'.repeat(4000)];
    for (let seq = 2; seq <= 1001; seq++) {
      a.session.receive(msg(seq, 0, big));
      assert.ok(budget.used <= budget.limit);
    }
    assert.deepEqual(reasons, ["the page's memory budget of 65536 bytes is used up"]);
    assert.ok(budget.used > 60 * 1024, `held ${budget.used} bytes`);
    a.session.receive(msg(1, 0, 'first'));
    assert.equal(a.delivered.length, 1 + Math.floor(budget.limit / textCost(JSON.stringify(big))), 'what was held is delivered once the gap is filled');
    assert.deepEqual(a.delivered[1], big);
    assert.equal(budget.used, 0);
  });

  test('a frame ahead of its turn is held as the text that came: not parsed, not re-encoded, charged its length', () => {
    // The C10K attack: large frames that never get their turn. Parsing each and keeping a re-encoded copy made
    // three large strings per frame, garbage the attacker chose the size of.
    const clock = new Clock();
    const budget = new MemoryBudget(4 * 1024 * 1024, null);
    const a = end(clock, { budget });
    a.session.attach(a.link, 0);
    const payloads = [2, 3].map((seq) => `{"seq":${seq},"pad":"${'x'.repeat(100_000)}"}`);
    const texts = payloads.map((p, i) => `[1,${i + 2},0,${p}]`);
    const parse = JSON.parse;
    const stringify = JSON.stringify;
    let parsed = 0;
    let stringified = 0;
    JSON.parse = (...args: Parameters<typeof parse>) => (parsed++, parse(...args));
    JSON.stringify = ((...args: Parameters<typeof stringify>) => (stringified++, stringify(...args))) as typeof stringify;
    try {
      for (const text of texts) a.session.receive(decodeFrame(text, 1e9));
      assert.equal(parsed, 0, 'a held frame is not parsed');
      assert.equal(stringified, 0, 'nor re-encoded');
      assert.equal(budget.used, textCost(payloads[0]!) + textCost(payloads[1]!), 'charged exactly the payload text it holds');
      a.session.receive(decodeFrame('[1,1,0,"first"]', 1e9));
      assert.equal(parsed, 3, 'each parsed once, when its turn came');
    } finally {
      JSON.parse = parse;
      JSON.stringify = stringify;
    }
    assert.deepEqual(a.delivered.map((p) => (typeof p === 'string' ? p : (p as { seq: number }).seq)), ['first', 2, 3]);
    assert.equal(budget.used, 0);
  });

  test('a held payload that is not JSON breaks the protocol when its turn comes, and is not delivered', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    a.session.receive(decodeFrame('[1,2,0,{"not json"]', 1e9));
    assert.throws(() => a.session.receive(msg(1, 0, 'first')), LiveProtocolError);
    assert.deepEqual(a.delivered, ['first']);
    assert.equal(a.session.lastReceived, 1);
    assert.throws(() => a.session.receive(decodeFrame('[4,nope]', 1e9)), LiveProtocolError);
    assert.equal(a.session.lastReceived, 1, 'nothing counted for a payload that did not parse');
  });

  test('the resend buffer is bounded in bytes, not only in messages', () => {
    const clock = new Clock();
    const overflows: string[] = [];
    const a = end(clock, { onOverflow: (r) => overflows.push(r) }); // its own budget: 4 MiB
    a.session.attach(a.link, 0);
    const payload = 'y'.repeat(256 * 1024);
    for (let i = 0; i < 20; i++) a.session.send(payload);
    assert.equal(a.session.unackedCount, 15);
    assert.match(overflows[0]!, /memory budget of 4194304 bytes is used up/);
  });

  test('while the link is paused messages wait in the session, then go out in order; acknowledgements still go', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.attach(a.link, 0);
    a.session.pauseSending();
    a.session.send('one');
    a.session.send('two');
    a.session.receive([3, 0]); // a PING is still answered
    assert.deepEqual(a.frames(), [[2, 0]]);
    a.session.resumeSending();
    assert.deepEqual(a.frames(), [[1, 1, 0, 'one'], [1, 2, 0, 'two']]);
    assert.equal(a.session.unackedCount, 2);
  });

  test('a resend after a reconnection stops as soon as the link pauses, and goes on when it resumes', () => {
    const clock = new Clock();
    const a = end(clock);
    for (let i = 1; i <= 5; i++) a.session.send(i);
    let paused = false;
    a.session.attach(
      {
        sendFrame: (f) => {
          a.wire.push(f);
          if (!paused && a.wire.length === 2) {
            paused = true;
            a.session.pauseSending();
          }
        },
      },
      0,
    );
    assert.deepEqual(a.frames().map((f) => f[1]), [1, 2]);
    a.session.resumeSending();
    assert.deepEqual(a.frames().map((f) => f[1]), [3, 4, 5]);
  });

  test('a peer that talks but acknowledges nothing for stallTimeout is reported stalled; one that acknowledges slowly is not', () => {
    const clock = new Clock();
    let stalled = 0;
    const a = end(clock, { heartbeatInterval: 2, heartbeatTimeout: 30, stallTimeout: 10, onStalled: () => stalled++ });
    a.session.attach(a.link, 0);
    a.session.send('one');
    for (let t = 0; t < 8; t++) {
      clock.advance(1);
      a.session.receive([3, 0]); // PINGs keep the heartbeat happy, but acknowledge nothing
    }
    a.session.send('two');
    a.session.receive([2, 1]); // progress: "one" is acknowledged at 8 s
    for (let t = 0; t < 9; t++) clock.advance(1);
    assert.equal(stalled, 0, 'nine seconds since the last progress');
    clock.advance(1);
    assert.equal(stalled, 1);
  });

  test('close forgets the queue and refuses more', () => {
    const clock = new Clock();
    const a = end(clock);
    a.session.send(1);
    a.session.close();
    assert.equal(a.session.unackedCount, 0);
    assert.throws(() => a.session.send(2), LiveProtocolError);
  });
});

/**
 * Two sessions joined by a hostile network: frames in flight are delivered out of order, dropped and
 * duplicated, and the connection breaks and comes back. Whatever happens, after a final clean connection
 * each side has received exactly what the other sent, once, in order.
 */
function runScenario(seed: number, steps: number): void {
  const random = seededRandom(seed);
  const clock = new Clock();
  const sent: [number[], number[]] = [[], []];
  const got: [unknown[], unknown[]] = [[], []];
  const flight: [string[], string[]] = [[], []]; // frames travelling toward side 0 / side 1
  const sides = [0, 1].map((i) => new ReliableSession({ clock, deliver: (p) => got[i]!.push(p), ackDelay: 0.01, heartbeatInterval: 0 }));
  let epoch = 0;
  const connect = () => {
    const e = ++epoch;
    flight[0] = [];
    flight[1] = [];
    // The handshake: each learns the other's lastReceived.
    const l0 = sides[0]!.lastReceived;
    const l1 = sides[1]!.lastReceived;
    sides[0]!.attach({ sendFrame: (f) => e === epoch && flight[1].push(f) }, l1);
    sides[1]!.attach({ sendFrame: (f) => e === epoch && flight[0].push(f) }, l0);
  };
  const disconnect = () => {
    epoch++;
    sides[0]!.detach();
    sides[1]!.detach();
  };
  let counter = 0;
  connect();
  for (let step = 0; step < steps; step++) {
    const r = random();
    const side = random() < 0.5 ? 0 : 1;
    const q = flight[side];
    if (r < 0.3) {
      const v = counter++;
      sent[side].push(v); // sent by the other side, toward `side`
      sides[side === 0 ? 1 : 0]!.send(v);
    } else if (r < 0.6 && q.length > 0) {
      const i = random() < 0.7 ? 0 : Math.floor(random() * q.length);
      const [f] = q.splice(i, 1);
      if (sides[side]!.attached) sides[side]!.receive(decodeFrame(f!, 1e9));
    } else if (r < 0.67 && q.length > 0) {
      q.splice(Math.floor(random() * q.length), 1); // dropped
    } else if (r < 0.74 && q.length > 0) {
      q.push(q[Math.floor(random() * q.length)]!); // duplicated
    } else if (r < 0.77) {
      disconnect();
    } else if (r < 0.82 && !sides[0]!.attached) {
      connect();
    } else {
      clock.advance(0.005);
    }
  }
  connect();
  for (let rounds = 0; rounds < 10_000 && (flight[0].length > 0 || flight[1].length > 0 || clock.getDelayedCalls().length > 0); rounds++) {
    for (const side of [0, 1] as const) {
      const f = flight[side].shift();
      if (f !== undefined) sides[side]!.receive(decodeFrame(f, 1e9));
    }
    clock.advance(0.01);
  }
  assert.deepEqual(got[0], sent[0], `seed ${seed}: side 0 got exactly what side 1 sent`);
  assert.deepEqual(got[1], sent[1], `seed ${seed}: side 1 got exactly what side 0 sent`);
  assert.equal(sides[0]!.unackedCount, 0, `seed ${seed}: all acknowledged`);
  assert.equal(sides[1]!.unackedCount, 0, `seed ${seed}: all acknowledged`);
}

describe('ReliableSession under drop, duplicate, reorder and reconnect (property)', () => {
  test('exactly once, in order, for 300 random scenarios', () => {
    for (let seed = 1; seed <= 300; seed++) runScenario(seed, 400);
  });

  test('long scenarios', () => {
    for (let seed = 1000; seed < 1010; seed++) runScenario(seed, 5000);
  });
});

describe('ReliableSession broadcasts (shared NEXT frames)', () => {
  /** A sender whose link takes shared messages, and a receiver fed everything it writes, in order. */
  function pair(clock: Clock) {
    const a = end(clock);
    const b = end(clock);
    const shared: SharedMessage[] = [];
    const sharedLink: SessionLink = {
      sendFrame: (f) => a.wire.push(f),
      sendSharedFrame: (m) => {
        shared.push(m);
        a.wire.push(m.frame);
      },
    };
    const pass = () => {
      for (const f of a.wire.splice(0)) b.session.receive(decodeFrame(f, 1e9));
    };
    return { a, b, shared, sharedLink, pass };
  }

  test('the same message goes to every session as the same frame, numbered by its position on each link', () => {
    const clock = new Clock();
    const one = pair(clock);
    const two = pair(clock);
    for (const p of [one, two]) {
      p.a.session.attach(p.sharedLink, 0);
      p.b.session.attach(p.b.link, 0);
    }
    one.a.session.send('private');
    const message = new SharedMessage(JSON.stringify('everyone'));
    assert.equal(one.a.session.sendShared(message), 2);
    assert.equal(two.a.session.sendShared(message), 1);
    assert.equal(one.shared[0], message);
    assert.equal(two.shared[0], message);
    assert.deepEqual(readFrame(message.frame), [4, 'everyone']);
    one.a.session.send('after');
    for (const p of [one, two]) p.pass();
    assert.deepEqual(one.b.delivered, ['private', 'everyone', 'after']);
    assert.deepEqual(two.b.delivered, ['everyone']);
    assert.equal(one.b.session.lastReceived, 3);
  });

  test('an acknowledgement due within half of ackDelay goes out right after a NEXT frame, not on its own later', () => {
    const clock = new Clock();
    const { a, sharedLink } = pair(clock);
    a.session.attach(sharedLink, 0);
    a.session.receive(msg(1, 0, 'question'));
    clock.advance(0.15); // the ACK is due at 0.2
    a.session.sendShared(new SharedMessage('"to all"'));
    assert.deepEqual(a.frames(), [[4, 'to all'], [2, 1]]);
    clock.advance(1);
    assert.deepEqual(a.frames(), [], 'nothing more: the ACK went');
  });

  test('under a stream of broadcasts, each answered, a page gets about two ACKs per ackDelay, not one per broadcast', () => {
    const clock = new Clock();
    const { a, sharedLink } = pair(clock);
    a.session.attach(sharedLink, 0);
    let acks = 0;
    let seq = 0;
    for (let i = 0; i < 100; i++) {
      a.session.sendShared(new SharedMessage(`"broadcast ${i}"`));
      a.session.receive(msg(++seq, i + 1, 'answer'));
      clock.advance(0.01);
      acks += a.frames().filter((f) => f[0] === 2).length;
    }
    // 100 broadcasts over 1 s with the default ackDelay of 0.2 s: one ACK per 0.1 s or so.
    assert.ok(acks >= 5 && acks <= 12, `${acks} ACKs`);
    clock.advance(1);
    assert.deepEqual(a.frames(), [[2, 100]], 'the last answers are acknowledged by the timer');
  });

  test('a link without a shared path gets a numbered MSG; a reconnection resends shared messages in order', () => {
    const clock = new Clock();
    const { a, b, sharedLink, pass } = pair(clock);
    a.session.attach(a.link, 0);
    b.session.attach(b.link, 0);
    a.session.sendShared(new SharedMessage('"m1"'));
    assert.deepEqual(a.frames(), [[1, 1, 0, 'm1']]);
    b.session.receive(msg(1, 0, 'm1'));
    // The link drops with m2 and m3 sent and lost; the receiver reconnects saying it has m1.
    a.session.detach();
    b.session.detach();
    a.session.attach(sharedLink, 1);
    b.session.attach(b.link, 0);
    a.session.sendShared(new SharedMessage('"m2"'));
    a.session.send('m3');
    a.wire.length = 0;
    a.session.detach();
    b.session.detach();
    a.session.attach(sharedLink, b.session.lastReceived);
    b.session.attach(b.link, 0);
    a.session.sendShared(new SharedMessage('"m4"'));
    pass();
    assert.deepEqual(b.delivered, ['m1', 'm2', 'm3', 'm4']);
    // A duplicate NEXT after an explicit resend is recognised as one.
    b.session.receive(msg(4, 0, 'm4'));
    assert.deepEqual(b.delivered, ['m1', 'm2', 'm3', 'm4']);
  });
});
