/**
 * Request bodies that trickle (slowloris on the body): one byte every 5 seconds never hit the 60 s idle
 * limit between pieces, so a connection could be held for ever. The body now has a deadline, grown by one
 * second per `minBodyRate` bytes received. Driven by a fake clock over an in-memory transport.
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { IBodyReceiver } from './interfaces.js';
import { NOT_DONE_YET, Resource } from './resource.js';
import type { Request } from './request.js';
import { statusCodes, wire } from './test-support.js';

class Sink extends Resource {
  override isLeaf = true;
  renderPOST(request: Request): string {
    return `got ${request.content.byteLength}`;
  }
}

const post = (length: number) => `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${length}\r\n\r\n`;

describe('request body deadline and minimum rate (fake clock)', () => {
  test('a body trickling one byte every 5 s is cut with 408 once the default deadline passes', () => {
    const w = wire(new Sink());
    w.send(post(100_000));
    let cutAt = -1;
    for (let t = 0; t < 600 && cutAt < 0; t += 5) {
      w.send('x');
      w.clock.advance(5);
      if (w.output() !== '') cutAt = t + 5;
    }
    assert.deepEqual(statusCodes(w.output()), [408]);
    assert.equal(w.transport.disconnecting, true);
    // The default deadline is 60 s, grown by 1 s per 1024 bytes: a dozen bytes add nothing that matters.
    assert.ok(cutAt >= 60 && cutAt <= 70, `cut at ${cutAt} s`);
  });

  test('an upload that keeps up the minimum rate is never cut, however long it takes', () => {
    const w = wire(new Sink());
    const perSecond = 2048;
    const seconds = 200;
    w.send(post(perSecond * seconds));
    for (let i = 0; i < seconds; i++) {
      assert.equal(w.output(), '', `answered early, at ${i} s`);
      w.send(Buffer.alloc(perSecond, 0x61));
      w.clock.advance(1);
    }
    assert.deepEqual(statusCodes(w.output()), [200]);
    assert.match(w.output(), /got 409600$/);
  });

  test('below the minimum rate, a steady body is cut too, later the closer it comes to the rate', () => {
    const w = wire(new Sink(), { timeouts: { bodyDeadline: 10, minBodyRate: 1000 } });
    w.send(post(1_000_000));
    let t = 0;
    while (w.output() === '' && t < 1000) {
      w.send(Buffer.alloc(500, 0x61));
      w.clock.advance(1);
      t++;
    }
    // 500 B/s against 1000 B/s: due at 10 + t/2, so at about 20 s.
    assert.deepEqual(statusCodes(w.output()), [408]);
    assert.ok(t >= 19 && t <= 22, `cut at ${t} s`);
  });

  test('time the resource holds the body paused does not count against the client', () => {
    class Slow extends Resource {
      override isLeaf = true;
      override streamBody = true;
      renderPOST(r: Request): typeof NOT_DONE_YET {
        let size = 0;
        const receiver: IBodyReceiver = {
          dataReceived(chunk) {
            size += chunk.byteLength;
            if (size === 10) {
              r.pauseBody();
              clock.callLater(50, () => r.resumeBody());
            }
          },
          bodyDone(reason) {
            if (!reason) {
              r.write(`streamed ${size}`);
              r.finish();
            }
          },
        };
        r.setBodyReceiver(receiver);
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Slow(), { timeouts: { bodyDeadline: 40, minBodyRate: 0 } });
    const clock = w.clock;
    w.send(post(20));
    w.send('0123456789');
    for (let i = 0; i < 52; i++) w.clock.advance(1);
    assert.equal(w.output(), '', 'still waiting: 50 of the 52 seconds were the resource pausing');
    w.send('abcdefghij');
    assert.deepEqual(statusCodes(w.output()), [200]);
    assert.match(w.output(), /streamed 20/);
  });

  test('bodyDeadline: 0 turns the deadline off (only the idle limit between pieces is left)', () => {
    const w = wire(new Sink(), { timeouts: { bodyDeadline: 0 } });
    w.send(post(100));
    for (let i = 0; i < 60; i++) {
      w.send('x');
      w.clock.advance(5);
    }
    assert.equal(w.output(), '');
  });
});
