/**
 * `LiveClient`'s connection logic on a fake clock with a fake WebSocket: handshake, back-off, fallback to
 * long polling, opening deadline, heartbeats, and giving up after the grace period.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, failureResultOf, successResultOf } from '../../testing/index.js';
import { PageGone } from '../shared/errors.js';
import { LiveClient, type LiveClientOptions } from './client.js';
import type { WebSocketConstructor } from './links.js';

/** A WebSocket the test drives: it records what is sent and fires the events on demand. */
class FakeSocket {
  static made: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  onerror: (() => void) | null = null;
  readonly sent: string[] = [];
  closed = false;
  constructor(readonly url: string) {
    FakeSocket.made.push(this);
  }
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
  }
  open(): void {
    this.onopen?.();
  }
  receive(frame: unknown): void {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop(): void {
    this.onclose?.({ code: 1006 });
  }
}

function client(options: Partial<LiveClientOptions> = {}) {
  FakeSocket.made = [];
  const clock = new Clock();
  const events: string[] = [];
  const polls: string[] = [];
  const c = new LiveClient({
    page: 'p1',
    base: 'http://127.0.0.1:1/_live/',
    WebSocket: FakeSocket as unknown as WebSocketConstructor,
    fetch: ((url: string) => {
      polls.push(url);
      return new Promise(() => undefined);
    }) as unknown as typeof fetch,
    clock,
    heartbeatInterval: 1,
    heartbeatTimeout: 3,
    gracePeriod: 20,
    ...options,
  });
  for (const e of ['connected', 'disconnected', 'gone']) c.addEventListener(e, (ev) => events.push(`${e}:${String((ev as CustomEvent).detail)}`));
  const last = () => FakeSocket.made.at(-1)!;
  return { c, clock, events, polls, last };
}

describe('LiveClient', () => {
  test('HELLO on open, WELCOME connects, then messages flow with the session', () => {
    const { c, last, events } = client();
    c.start();
    assert.equal(last().url, 'ws://127.0.0.1:1/_live/ws');
    last().open();
    assert.deepEqual(last().sent, ['[0,"p1",0]']);
    assert.equal(c.state, 'connecting');
    last().receive([0, 0]);
    assert.equal(c.state, 'connected');
    assert.deepEqual(events, ['connected:websocket']);
    const d = c.callRemote(1, 'm', [1]);
    assert.deepEqual(last().sent.at(-1), '[1,1,0,["c",1,1,"m",[1]]]');
    last().receive([1, 1, 1, ['r', 1, 'ok']]);
    assert.equal(successResultOf(d), 'ok');
  });

  test('reconnects with growing back-off and resends what was not acknowledged', () => {
    const { c, clock, last, events } = client({ reconnectDelay: 1, maxReconnectDelay: 4, transports: ['websocket'] });
    c.start();
    last().open();
    last().receive([0, 0]);
    c.callRemote(1, 'm', ['a']);
    last().drop();
    assert.deepEqual(events, ['connected:websocket', 'disconnected:websocket closed (1006)']);
    const delays: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      const before = FakeSocket.made.length;
      const start = clock.seconds();
      for (let i = 0; i < 1000 && FakeSocket.made.length === before; i++) clock.advance(0.05);
      delays.push(Math.round((clock.seconds() - start) * 10) / 10);
      last().open(); // the WebSocket opens but the server is not there yet
      last().drop();
    }
    // 1, 2, 4, 4 seconds, each with up to 20% jitter either way.
    for (const [i, base] of [1, 2, 4, 4].entries()) assert.ok(delays[i]! >= base * 0.8 - 0.05 && delays[i]! <= base * 1.2 + 0.05, `attempt ${i}: ${delays[i]} s`);
    for (let i = 0; i < 1000 && FakeSocket.made.length === 5; i++) clock.advance(0.05);
    last().open();
    last().receive([0, 0]);
    assert.deepEqual(last().sent, ['[0,"p1",0]', '[1,1,0,["c",1,1,"m",["a"]]]'], 'the unacknowledged call is resent');
  });

  test('two WebSockets that never reach WELCOME switch to long polling', () => {
    const { c, clock, last, polls } = client({ reconnectDelay: 0.1 });
    c.start();
    last().drop();
    clock.advance(1);
    last().drop();
    clock.advance(1);
    assert.equal(c.transport, 'polling');
    assert.equal(FakeSocket.made.length, 2);
    assert.deepEqual(polls, ['http://127.0.0.1:1/_live/poll?s=new']);
  });

  test('an opening that hangs is abandoned after the heartbeat timeout', () => {
    const { c, clock } = client();
    c.start();
    clock.advance(2.9);
    assert.equal(FakeSocket.made[0]!.closed, false);
    clock.advance(0.1);
    assert.equal(FakeSocket.made[0]!.closed, true);
    assert.equal(c.state, 'disconnected');
  });

  test('a silent server is detected by the heartbeat', () => {
    const { c, clock, last } = client();
    c.start();
    last().open();
    last().receive([0, 0]);
    clock.advance(1);
    clock.advance(0.5);
    assert.ok(last().sent.includes('[3,0]'), 'a PING went out');
    clock.advance(2);
    assert.equal(last().closed, true);
    assert.equal(c.state, 'disconnected');
  });

  test('GONE from the server: gone, pending calls fail, no more reconnection', () => {
    const { c, clock, last, events } = client();
    c.start();
    last().open();
    last().receive([0, 0]);
    const d = c.callRemote(1, 'm', []);
    last().receive([9, 'grace period over']);
    assert.equal(c.state, 'gone');
    assert.deepEqual(events.at(-1), 'gone:grace period over');
    failureResultOf(d, PageGone);
    clock.advance(100);
    assert.equal(FakeSocket.made.length, 1);
  });

  test('an unreachable server for longer than the grace period: gone', () => {
    const { c, clock, last, events } = client({ gracePeriod: 5, transports: ['websocket'] });
    c.start();
    for (let i = 0; i < 200 && c.state !== 'gone'; i++) {
      last().drop();
      clock.advance(1);
    }
    assert.equal(c.state, 'gone');
    assert.deepEqual(events, ['gone:the server could not be reached']);
  });

  test('close sends GONE when connected and stops', () => {
    const { c, last } = client();
    c.start();
    last().open();
    last().receive([0, 0]);
    c.close();
    assert.equal(last().sent.at(-1), '[9,"page closed"]');
    assert.equal(last().closed, true);
    assert.equal(c.state, 'closed');
  });

  test('calls from the server naming Object.prototype members answer NoSuchMethod, never a TypeError', () => {
    const { c, last } = client();
    class Panel {
      static exposed = ['show'];
      show(): string {
        return 'shown';
      }
    }
    c.registerWidget(1, new Panel());
    c.setBuiltin('__add__', () => 'added');
    c.start();
    last().open();
    last().receive([0, 0]);
    const names = ['__proto__', '__defineGetter__', '__lookupGetter__', 'constructor', 'toString', 'hasOwnProperty', 'isPrototypeOf', 'show'];
    names.forEach((name, i) => last().receive([1, i + 1, 0, ['c', i + 1, 1, name, [null, 'x']]]));
    const answers = last().sent.filter((f) => f.startsWith('[1,')).map((f) => (JSON.parse(f) as [number, number, number, unknown[]])[3]);
    assert.deepEqual(
      answers.map((a) => a[2]),
      [...names.slice(0, -1).map(() => 'NoSuchMethod'), 'shown'],
    );
  });

  test('long polling: a HELLO the server has no page for ends the page at once', async () => {
    const { c, clock, events } = client({
      transports: ['polling'],
      fetch: (() => Promise.resolve(new Response(JSON.stringify({ gone: 'no such page' }), { status: 200 }))) as unknown as typeof fetch,
    });
    c.start();
    clock.advance(0);
    for (let i = 0; i < 20 && c.state !== 'gone'; i++) await new Promise((r) => setImmediate(r));
    assert.equal(c.state, 'gone');
    assert.deepEqual(events, ['gone:no such page']);
  });
});
