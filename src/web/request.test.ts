import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectionLost } from '../internet/error.js';
import { connectionDone, Protocol } from '../internet/protocol.js';
import type { IPushProducer } from '../internet/interfaces.js';
import { Resource, NOT_DONE_YET } from './resource.js';
import type { Request } from './request.js';
import { wire, statusCodes } from './test-support.js';

class Hello extends Resource {
  override isLeaf = true;
  renderGET(request: Request): string {
    request.setHeader('Content-Type', 'text/plain');
    return `hello ${request.path}`;
  }
  renderPOST(request: Request): Uint8Array {
    return Buffer.concat([Buffer.from('got:'), request.content]);
  }
}

const GET = (path = '/', extra = '') => `GET ${path} HTTP/1.1\r\nHost: x\r\n${extra}\r\n`;

describe('Request features', () => {
  test('notifyFinish fires on finish and fails with ConnectionLost when the client goes away', () => {
    const reqs: Request[] = [];
    class Later extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        reqs.push(r);
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Later());
    w.send(GET());
    let ok = false;
    reqs[0].notifyFinish().addCallback(() => (ok = true));
    reqs[0].finish();
    assert.equal(ok, true);
    w.send(GET());
    let lost: unknown;
    reqs[1].notifyFinish().addErrback((f) => (lost = f.value));
    w.channel.connectionLost(connectionDone());
    assert.ok(lost instanceof ConnectionLost);
    reqs[1].write('ignored after loss');
  });

  test('a registered push producer streams and is unregistered by finish', () => {
    class Stream extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        let n = 0;
        const producer: IPushProducer = {
          pauseProducing() {},
          resumeProducing() {
            while (n < 3) r.write(`part${n++};`);
            r.finish();
          },
          stopProducing() {},
        };
        r.registerProducer(producer, true);
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Stream());
    w.send(GET());
    assert.ok(w.transport.producer !== null);
    (w.transport.producer as IPushProducer).resumeProducing();
    assert.match(w.output(), /part0;\r\n6\r\npart1;\r\n6\r\npart2;\r\n0\r\n\r\n$/);
    assert.equal(w.transport.producer, null);
  });

  test('a streaming-body resource renders on the head and can pause the body', () => {
    const chunks: string[] = [];
    let ended = false;
    class Sink extends Resource {
      override isLeaf = true;
      override streamBody = true;
      renderPUT(r: Request) {
        r.setBodyReceiver({
          dataReceived: (c) => {
            chunks.push(Buffer.from(c).toString());
            r.pauseBody();
          },
          bodyDone: () => {
            ended = true;
            r.finish();
          },
        });
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Sink(), { maxBodySize: 1 });
    w.send('PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc');
    assert.deepEqual(chunks, ['abc']);
    assert.equal(w.transport.producerState, 'paused');
    w.send('def');
    assert.deepEqual(chunks, ['abc']);
    (w.channel as unknown as { resumeBody(): void }).resumeBody();
    assert.deepEqual(chunks, ['abc', 'def']);
    assert.equal(ended, true);
    assert.deepEqual(statusCodes(w.output()), [200]);
  });

  test('switchProtocols hands the transport and the bytes after the head to another protocol', () => {
    const got: string[] = [];
    class Echo extends Protocol {
      override connectionMade() {
        this.transport.write('hi');
      }
      override dataReceived(d: Uint8Array) {
        got.push(Buffer.from(d).toString());
      }
    }
    class Up extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        r.switchProtocols(new Echo(), { Upgrade: 'echo', Connection: 'Upgrade' });
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Up());
    w.send(`${GET('/', 'Upgrade: echo\r\nConnection: Upgrade\r\n')}early`);
    w.send('later');
    assert.match(w.output(), /^HTTP\/1\.1 101 Switching Protocols\r\nUpgrade: echo\r\nConnection: Upgrade\r\n\r\nhi$/);
    assert.deepEqual(got, ['early', 'later']);
  });

  test('cookies: getCookie, addCookie with attributes, header injection refused', () => {
    class C extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        r.addCookie('a', r.getCookie('b') ?? 'none', { secure: true, httpOnly: true, sameSite: 'Strict', path: '/', maxAge: 60 });
        assert.throws(() => r.addCookie('x', 'a;b'));
        assert.throws(() => r.setHeader('X', 'a\r\nInjected: 1'));
        // A name and value that passed are remembered; another value under that name is still checked.
        r.setHeader('X-Ok', 'fine');
        r.setHeader('X-Ok', 'fine');
        assert.throws(() => r.setHeader('X-Ok', 'fine\r\nInjected: 1'));
        assert.throws(() => r.setHeader('X-Ok', 'fin\n'));
        return '';
      }
    }
    const w = wire(new C());
    w.send(GET('/', 'Cookie: b=42; c=1\r\n'));
    assert.match(w.output(), /Set-Cookie: a=42; Max-Age=60; Path=\/; Secure; HttpOnly; SameSite=Strict\r\n/);
  });

  test('sessions: same session through the cookie, expired after disuse on the clock', async () => {
    class S extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        const s = r.getSession();
        const n = ((s.data.get('n') as number | undefined) ?? 0) + 1;
        s.data.set('n', n);
        return String(n);
      }
    }
    const w = wire(new S(), { sessionTimeout: 100 });
    const site = w.site;
    const first = await site.request('GET', '/');
    const cookie = /TORSION_SESSION=([0-9a-f]+)/.exec(first.headers['set-cookie'])![1];
    assert.match(first.headers['set-cookie'], /HttpOnly; SameSite=Lax/);
    const second = await site.request('GET', '/', { headers: { cookie: `TORSION_SESSION=${cookie}` } });
    assert.equal(second.text, '2');
    w.clock.advance(101);
    assert.equal(site.sessions.size, 0);
    const third = await site.request('GET', '/', { headers: { cookie: `TORSION_SESSION=${cookie}` } });
    assert.equal(third.text, '1');
  });

  test('redirect and the access log in combined log format', async () => {
    const lines: string[] = [];
    class R extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        r.redirect('/elsewhere');
        return 'moved';
      }
    }
    const w = wire(new R(), { accessLog: (line) => lines.push(line) });
    const res = await w.site.request('GET', '/x?y=1', { headers: { referer: 'http://r/', 'user-agent': 'ua "1"' } });
    assert.equal(res.code, 302);
    assert.equal(res.headers.location, '/elsewhere');
    assert.match(lines[0], /^- - - \[\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000\] "GET \/x\?y=1 HTTP\/1\.1" 302 5 "http:\/\/r\/" "ua \\"1\\""$/);
  });

  test('by default the access log goes to the torsion.web.access logger', async () => {
    const { capturedLogEvents } = await import('../logger/index.js');
    const logs = capturedLogEvents();
    try {
      const res = await wire(new Hello(), { accessLog: true }).site.request('GET', '/logged');
      assert.equal(res.code, 200);
      const event = logs.events.find((e) => e.log_namespace === 'torsion.web.access');
      assert.ok(event);
      assert.match(String(event.line), /"GET \/logged HTTP\/1\.1" 200 13 "-" "-"$/);
    } finally {
      logs.stop();
    }
  });

  test('405 lists the allowed methods', async () => {
    const res = await wire(new Hello()).site.request('PATCH', '/');
    assert.equal(res.code, 405);
    assert.equal(res.headers.allow, 'GET, HEAD, POST');
  });
});

describe('the Date header', () => {
  test('is cached within a second and follows the wall clock across seconds', async () => {
    const dateOf = (w: ReturnType<typeof wire>): number => Date.parse(/\r\nDate: ([^\r]+)\r\n/.exec(w.output())![1]);
    const first = wire(new Hello());
    first.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const before = dateOf(first);
    // The header has whole seconds, and this line may run a moment later on a loaded machine.
    assert.ok(Math.abs(before - Date.now()) <= 2500, 'the Date header is the current time');
    await new Promise((r) => setTimeout(r, 1100));
    const second = wire(new Hello());
    second.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.ok(dateOf(second) > before, 'a response more than a second later carries a later Date');
  });

  test('response headers: Content-Length and Connection recognised in any case, bodies measured in bytes', () => {
    class Headers extends Resource {
      override isLeaf = true;
      renderGET(r: Request): string {
        if (r.path === '/upper') {
          r.setHeader('CONTENT-LENGTH', 6);
          r.setHeader('CONNECTION', 'close');
          return 'héllo';
        }
        assert.throws(() => r.setHeader('X-A', 'a\rb'), TypeError);
        assert.throws(() => r.setHeader('X-A', 'a\0b'), TypeError);
        r.setHeader('X-Long', 'v'.repeat(100));
        return r.path === '/long' ? 'é'.repeat(100) : 'héllo wörld';
      }
    }
    const w = wire(new Headers());
    w.send(GET('/short'));
    w.send(GET('/long'));
    w.send(GET('/upper'));
    const out = Buffer.from(w.output(), 'latin1').toString('utf8');
    const heads = out.split('HTTP/1.1 200 OK').slice(1);
    assert.equal(heads.length, 3, out);
    assert.match(heads[0], /\r\nContent-Length: 13\r\n/);
    assert.match(heads[1], /\r\nContent-Length: 200\r\n/);
    assert.doesNotMatch(heads[2], /Content-Length: \d/);
    assert.match(heads[2], /\r\nCONTENT-LENGTH: 6\r\nConnection: close\r\n\r\nhéllo$/);
    assert.equal(w.transport.disconnecting, true);
  });
});

