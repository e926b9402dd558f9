import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
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

describe('HTTPChannel basics', () => {
  test('GET gets one write with head and body, Content-Length, Date, and keeps the connection', () => {
    const w = wire(new Hello());
    w.send(GET('/a'));
    const out = w.output();
    assert.match(out, /^HTTP\/1\.1 200 OK\r\nDate: .+ GMT\r\nContent-Type: text\/plain\r\nContent-Length: 8\r\n\r\nhello \/a$/);
    assert.equal(w.writes(), 1);
    assert.equal(w.transport.disconnecting, false);
  });

  test('a request fed one byte at a time is answered the same', () => {
    const whole = wire(new Hello());
    whole.send(GET('/abc'));
    const bytes = wire(new Hello());
    for (const ch of GET('/abc')) bytes.send(ch);
    assert.equal(bytes.output().replace(/Date: .*\r\n/, ''), whole.output().replace(/Date: .*\r\n/, ''));
  });

  test('16 pipelined requests in one read: 16 responses, in order, in one write', () => {
    const w = wire(new Hello());
    let reqs = '';
    for (let i = 0; i < 16; i++) reqs += GET(`/${i}`);
    w.send(reqs);
    const bodies = [...w.output().matchAll(/hello \/(\d+)/g)].map((m) => Number(m[1]));
    assert.deepEqual(bodies, [...Array(16).keys()]);
    assert.equal(w.writes(), 1);
  });

  test('batches of pipelined requests each get their own responses, however like the batch before they are', () => {
    // A batch that is one response repeated is joined once and handed out again for the same batch: a batch of
    // the same size but other responses, or another size, must not get it.
    const w = wire(new Hello());
    const batches = [['a', 4], ['a', 4], ['b', 4], ['a', 3], ['a', 4]] as const;
    for (const [path, n] of batches) w.send(GET(`/${path}`).repeat(n));
    const bodies = [...w.output().matchAll(/hello \/(\w)/g)].map((m) => m[1]).join('');
    assert.equal(bodies, batches.map(([path, n]) => path.repeat(n)).join(''));
    assert.equal(w.writes(), batches.length);
  });

  test('a pipelined head that runs past the first head-sized window of a read is still found whole', () => {
    // The channel decodes a read into a window of at most one head's size; the second head here starts
    // inside the first window and ends outside it.
    const w = wire(new Hello(), { maxHeadSize: 1000 });
    const long = GET('/b', `X-Pad: ${'p'.repeat(955)}\r\n`);
    w.send(GET('/a') + long + GET('/c'));
    assert.deepEqual([...w.output().matchAll(/hello \/(\w)/g)].map((m) => m[1]), ['a', 'b', 'c']);
  });

  test('a pipelined head over the size limit after a good one gets 431', () => {
    const w = wire(new Hello(), { maxHeadSize: 1000 });
    w.send(GET('/a') + GET('/b', `X-Pad: ${'p'.repeat(1200)}\r\n`));
    assert.deepEqual(statusCodes(w.output()), [200, 431]);
  });

  test('pipelined responses stay in order when the first finishes later', () => {
    const pending: Request[] = [];
    class Slow extends Resource {
      override isLeaf = true;
      renderGET(request: Request) {
        if (request.path === '/slow') {
          pending.push(request);
          return NOT_DONE_YET;
        }
        return 'fast';
      }
    }
    const w = wire(new Slow());
    w.send(GET('/slow') + GET('/fast'));
    assert.equal(w.output(), '');
    pending[0].write('slow');
    pending[0].finish();
    const out = w.output();
    assert.ok(out.indexOf('slow') < out.indexOf('fast'), out);
    assert.deepEqual(statusCodes(out), [200, 200]);
  });

  test('writes made later use chunked coding; finish ends it', () => {
    let req!: Request;
    class Later extends Resource {
      override isLeaf = true;
      renderGET(request: Request) {
        req = request;
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Later());
    w.send(GET());
    req.write('abc');
    req.write(Buffer.from('de'));
    req.finish();
    assert.match(w.output(), /Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n$/);
  });

  test('writes during a synchronous render are held: one write with a Content-Length', () => {
    class Sync extends Resource {
      override isLeaf = true;
      renderGET(request: Request) {
        request.write('a');
        request.write('bc');
        request.finish();
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Sync());
    w.send(GET());
    assert.match(w.output(), /Content-Length: 3\r\n\r\nabc$/);
    assert.equal(w.writes(), 1);
  });

  test('writes during render followed by a returned body keep their order', () => {
    class Mixed extends Resource {
      override isLeaf = true;
      renderGET(request: Request) {
        request.write('first,');
        return 'second';
      }
    }
    const w = wire(new Mixed());
    w.send(GET());
    assert.match(w.output(), /Content-Length: 12\r\n\r\nfirst,second$/);
  });

  test('render may return a Promise or a Deferred', async () => {
    const d = new Deferred<string>();
    class P extends Resource {
      override isLeaf = true;
      renderGET(request: Request) {
        return request.path === '/p' ? Promise.resolve('from promise') : d;
      }
    }
    const w = wire(new P());
    w.send(GET('/p'));
    await new Promise((r) => setImmediate(r));
    assert.match(w.output(), /from promise$/);
    w.send(GET('/d'));
    d.callback('from deferred');
    assert.match(w.output(), /from deferred$/);
  });

  test('HEAD gets the GET headers and Content-Length without a body', () => {
    const w = wire(new Hello());
    w.send('HEAD /x HTTP/1.1\r\nHost: x\r\n\r\n');
    assert.match(w.output(), /Content-Length: 8\r\n\r\n$/);
  });

  test('Connection: close is honoured and the connection closes after the response', () => {
    const w = wire(new Hello());
    w.send(GET('/', 'Connection: close\r\n'));
    assert.match(w.output(), /Connection: close\r\n/);
    assert.equal(w.transport.disconnecting, true);
  });

  test('a close token in a repeated Connection field closes too (all its fields count, not the first)', () => {
    const w = wire(new Hello());
    w.send(GET('/', 'Connection: keep-alive\r\nConnection: close\r\n') + GET('/'));
    assert.deepEqual(statusCodes(w.output()), [200]);
    assert.match(w.output(), /Connection: close\r\n/);
    assert.equal(w.transport.disconnecting, true);
  });

  test('HTTP/1.0: closes by default, keeps alive when asked, never chunks', () => {
    const a = wire(new Hello());
    a.send('GET / HTTP/1.0\r\n\r\n');
    assert.match(a.output(), /Connection: close/);
    assert.equal(a.transport.disconnecting, true);
    const b = wire(new Hello());
    b.send('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    assert.match(b.output(), /Connection: keep-alive/);
    assert.equal(b.transport.disconnecting, false);
    let req!: Request;
    class Later extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        req = r;
        return NOT_DONE_YET;
      }
    }
    const c = wire(new Later());
    c.send('GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    req.write('abc');
    req.finish();
    assert.doesNotMatch(c.output(), /chunked/);
    assert.match(c.output(), /Connection: close\r\n\r\nabc$/);
    assert.equal(c.transport.disconnecting, true);
  });

  test('POST body by Content-Length and by chunked coding reaches request.content', () => {
    const w = wire(new Hello());
    w.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhel');
    assert.equal(w.output(), '');
    w.send('lo');
    assert.match(w.output(), /got:hello$/);
    const c = wire(new Hello());
    const body = 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\n';
    for (const ch of body) c.send(ch);
    assert.match(c.output(), /got:abcde$/);
    assert.equal(c.transport.disconnecting, false);
  });

  test('Expect: 100-continue gets 100 before the body is read, and not when the answer is a 404', () => {
    const root = new Resource();
    root.putChild('up', new Hello());
    const w = wire(root);
    w.send('POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    assert.equal(w.output(), 'HTTP/1.1 100 Continue\r\n\r\n');
    w.send('ok');
    assert.match(w.output(), /got:ok$/);
    const n = wire(root);
    n.send('POST /nothing HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    assert.deepEqual(statusCodes(n.output()), [404]);
    assert.equal(n.transport.disconnecting, true);
  });

  test('trees: putChild, getChild with Promise, trailing slash renders the resource, 404 otherwise', async () => {
    const root = new Resource();
    const dir = new (class extends Resource {
      renderGET() {
        return 'dir';
      }
      override getChild(segment: string) {
        return Promise.resolve(segment === 'dyn' ? new Hello() : super.getChild(segment, null as unknown as Request));
      }
    })();
    root.putChild('dir', dir);
    const w = wire(root);
    w.send(GET('/dir/'));
    await new Promise((r) => setImmediate(r));
    assert.match(w.output(), /dir$/);
    const d = wire(root);
    d.send(GET('/dir/dyn'));
    await new Promise((r) => setImmediate(r));
    assert.match(d.output(), /hello \/dir\/dyn$/);
    const n = wire(root);
    n.send(GET('/nope'));
    assert.deepEqual(statusCodes(n.output()), [404]);
  });

  test('getChild may return a Deferred (fired later) and the walk goes on synchronously when it fires', () => {
    const d = new Deferred<Resource>();
    const root = new (class extends Resource {
      override getChild() {
        return d;
      }
    })();
    const w = wire(root);
    w.send(GET('/later/x'));
    assert.equal(w.output(), '');
    d.callback(new Hello());
    assert.match(w.output(), /hello \/later\/x$/);
  });

  test('a flood of pipelined requests behind a slow response stops reading, and reading resumes after', () => {
    const pending: Request[] = [];
    class Slow extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        pending.push(r);
        return NOT_DONE_YET;
      }
    }
    const w = wire(new Slow());
    w.send(GET().repeat(10_000));
    assert.equal(w.transport.producerState, 'paused');
    assert.equal(pending.length, 1);
    for (let i = 0; w.transport.producerState === 'paused' && i < 10_000; i++) pending[i].finish();
    assert.equal(w.transport.producerState, 'producing');
    assert.ok(pending.length > 1 && pending.length < 10_000, String(pending.length));
  });

  test('an absolute-form target is routed by its path', () => {
    const w = wire(new Hello());
    w.send('GET http://example.org/abs?x=1 HTTP/1.1\r\nHost: example.org\r\n\r\n');
    assert.match(w.output(), /hello \/abs$/);
  });

  test('a client that does not read its responses gets no new pipelined request processed until it catches up', () => {
    const w = wire(new Hello());
    w.send(GET('/1'));
    assert.equal(w.transport.producer, null, 'nothing registered while the client reads');
    w.transport.writeBufferSize = 1_000_000;
    w.send(GET('/2'));
    assert.equal(w.transport.producer, w.channel, 'the channel registers itself once responses pile up');
    w.channel.pauseProducing();
    w.send(GET('/3') + GET('/4'));
    assert.deepEqual([...w.output().matchAll(/hello \/(\d)/g)].map((m) => m[1]), ['1', '2']);
    w.transport.writeBufferSize = 0;
    w.channel.resumeProducing();
    assert.deepEqual([...w.output().matchAll(/hello \/(\d)/g)].map((m) => m[1]), ['1', '2', '3', '4']);
    assert.equal(w.transport.producer, null);
  });

  test('prepath and postpath, decoded segments and query args', () => {
    let seen!: Request;
    class Leaf extends Resource {
      override isLeaf = true;
      renderGET(r: Request) {
        seen = r;
        return '';
      }
    }
    const root = new Resource();
    root.putChild('a', new Leaf());
    const w = wire(root);
    w.send(GET('/a/b%20c/d?x=1&x=2&y=%C3%A9'));
    assert.deepEqual(seen.prepath, ['a']);
    assert.deepEqual(seen.postpath, ['b c', 'd']);
    assert.deepEqual(seen.args.get('x'), ['1', '2']);
    assert.deepEqual(seen.args.get('y'), ['é']);
    assert.equal(seen.getHeader('HOST'), 'x');
  });

  test('the root path walks its one empty segment, whether its arrays are read before, during or after', () => {
    // `/` makes no path arrays unless they are read: each way of reading them must see the same walk.
    const seen: string[] = [];
    const show = (r: Request) => `${JSON.stringify(r.prepath)}${JSON.stringify(r.postpath)}`;
    class Root extends Resource {
      override getChild(segment: string, r: Request) {
        seen.push(`child ${JSON.stringify(segment)} ${show(r)}`);
        return this;
      }
      renderGET(r: Request) {
        seen.push(`render ${show(r)} ${r.prePathURL()}`);
        return '';
      }
    }
    for (const readFirst of ['pre', 'post', 'none'] as const) {
      const root = new Root();
      const original = root.getChildWithDefault.bind(root);
      let first = true;
      root.getChildWithDefault = (segment, r) => {
        if (first && readFirst !== 'none') seen.push(`${readFirst} ${JSON.stringify(readFirst === 'pre' ? r.prepath : r.postpath)}`);
        first = false;
        return original(segment, r);
      };
      wire(root).send(GET('/'));
    }
    assert.deepEqual(seen, [
      'pre [""]', 'child "" [""][]', 'render [""][] /',
      'post []', 'child "" [""][]', 'render [""][] /',
      'child "" [""][]', 'render [""][] /',
    ]);
  });
});

describe('HTTPChannel errors', () => {
  test('an exception is a 500 without the stack, logged; debug mode shows it', async () => {
    class Boom extends Resource {
      override isLeaf = true;
      renderGET(): string {
        throw new Error('secret detail');
      }
    }
    const { capturedLogEvents } = await import('../logger/index.js');
    const logs = capturedLogEvents();
    try {
      const w = wire(new Boom());
      w.send(GET());
      assert.deepEqual(statusCodes(w.output()), [500]);
      assert.doesNotMatch(w.output(), /secret detail/);
      assert.ok(logs.events.some((e) => String(e.log_format).startsWith('Error rendering')));
      const d = wire(new Boom(), { debug: true });
      d.send(GET());
      assert.match(d.output(), /secret detail/);
    } finally {
      logs.stop();
    }
  });

  test('a rejected Promise from render is a 500 too', async () => {
    class Boom extends Resource {
      override isLeaf = true;
      renderGET() {
        return Promise.reject(new Error('nope'));
      }
    }
    const { capturedLogEvents } = await import('../logger/index.js');
    const logs = capturedLogEvents();
    try {
      const w = wire(new Boom());
      w.send(GET());
      await new Promise((r) => setImmediate(r));
      assert.deepEqual(statusCodes(w.output()), [500]);
      assert.equal(w.transport.disconnecting, false);
    } finally {
      logs.stop();
    }
  });

  const bad: [string, string, number][] = [
    ['Content-Length with Transfer-Encoding', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 400],
    ['two different Content-Lengths', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd', 400],
    ['a Content-Length list that disagrees', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 4\r\n\r\nabcd', 400],
    ['a signed Content-Length', 'POST / HTTP/1.1\r\nHost: x\r\nContent-Length: +3\r\n\r\nabc', 400],
    ['a bad chunk size', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n', 400],
    ['a chunk size with trailing junk', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3 x\r\nabc\r\n0\r\n\r\n', 400],
    ['a chunk without its CRLF', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n', 400],
    ['an unknown transfer coding', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n', 400],
    ['chunked not last', 'POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n', 400],
    ['obs-fold', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\n b\r\n\r\n', 400],
    ['a bare CR in a header', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\rb\r\n\r\n', 400],
    ['a bare LF', 'GET / HTTP/1.1\nHost: x\n\n', 400],
    // The control-character check runs on the target and each value: a bad byte anywhere in the head is caught.
    ['a bare LF in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\nb\r\n\r\n', 400],
    ['a bare CR at the end of a value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\r\r\n\r\n', 400],
    ['a bare LF in a header name', 'GET / HTTP/1.1\r\nHost: x\r\nX\nA: a\r\n\r\n', 400],
    ['a line starting with a bare LF', 'GET / HTTP/1.1\r\n\nHost: x\r\n\r\n', 400],
    ['a NUL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\0b\r\n\r\n', 400],
    ['a DEL in a header value', 'GET / HTTP/1.1\r\nHost: x\r\nX-A: a\x7fb\r\n\r\n', 400],
    ['an escape in the Host value', 'GET / HTTP/1.1\r\nHost: x\x1b\r\n\r\n', 400],
    ['a control character in the target', 'GET /a\x01b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a bare CR in the target', 'GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a bare LF after the version', 'GET / HTTP/1.1\nX: y\r\nHost: x\r\n\r\n', 400],
    ['whitespace before the colon', 'GET / HTTP/1.1\r\nHost : x\r\n\r\n', 400],
    ['a space in the target', 'GET /a b HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['an unknown version', 'GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
    ['an unknown minor version', 'GET / HTTP/1.2\r\nHost: x\r\n\r\n', 505],
    ['a version with a letter for its minor', 'GET / HTTP/1.x\r\nHost: x\r\n\r\n', 400],
    ['a version one character too long', 'GET / HTTP/1.10\r\nHost: x\r\n\r\n', 400],
    ['a lower-case version', 'GET / http/1.1\r\nHost: x\r\n\r\n', 400],
    ['an HTTP/1.1 request without Host', 'GET / HTTP/1.1\r\nAccept: */*\r\n\r\n', 400],
    ['two Host headers', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n', 400],
    ['garbage', '\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n', 400],
    // The request line and each field are scanned in one pass for their separators and line end.
    ['a field line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nNoColon\r\n\r\n', 400],
    ['a last field line without a colon', 'GET / HTTP/1.1\r\nHost: x\r\nX-A\r\n\r\n', 400],
    ['a field line starting with a colon', 'GET / HTTP/1.1\r\nHost: x\r\n: a\r\n\r\n', 400],
    ['a request line without a version', 'GET /\r\nHost: x\r\n\r\n', 400],
    ['a request line with two spaces together', 'GET  / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
    ['a request line without spaces', 'GET/HTTP/1.1\r\nHost: x y\r\n\r\n', 400],
    ['a colon only after a bare CR', 'GET / HTTP/1.1\r\nHost: x\r\nX\rA: a\r\n\r\n', 400],
  ];
  for (const [name, input, code] of bad) {
    test(`rejects ${name} with ${code} and closes`, () => {
      const w = wire(new Hello());
      w.send(input);
      assert.deepEqual(statusCodes(w.output()), [code], w.output());
      assert.equal(w.transport.disconnecting, true);
    });
  }

  test('limits: request line 414, head size 431, header count 431', () => {
    const a = wire(new Hello(), { maxRequestLine: 100 });
    a.send(`GET /${'a'.repeat(200)}`);
    assert.deepEqual(statusCodes(a.output()), [414]);
    const b = wire(new Hello(), { maxHeadSize: 1000 });
    b.send(`GET / HTTP/1.1\r\nX: ${'a'.repeat(2000)}`);
    assert.deepEqual(statusCodes(b.output()), [431]);
    const c = wire(new Hello(), { maxHeaderCount: 5 });
    c.send(`GET / HTTP/1.1\r\n${'X-A: 1\r\n'.repeat(6)}\r\n`);
    assert.deepEqual(statusCodes(c.output()), [431]);
  });

  test('body limits: a declared length over the limit is 413 at once; a chunked body that grows over it too', () => {
    const a = wire(new Hello(), { maxBodySize: 10 });
    a.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n');
    assert.deepEqual(statusCodes(a.output()), [413]);
    assert.equal(a.transport.disconnecting, true);
    const b = wire(new Hello(), { maxBodySize: 10 });
    b.send('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n12345678\r\n');
    assert.deepEqual(statusCodes(b.output()), [413]);
    assert.equal(b.transport.disconnecting, true);
  });

  test('after an error nothing more is parsed', () => {
    const w = wire(new Hello());
    w.send(`GET / HTTP/1.1\r\nHost : x\r\n\r\n${GET()}`);
    assert.deepEqual(statusCodes(w.output()), [400]);
  });
});

describe('HTTPChannel timeouts (fake clock)', () => {
  test('an idle keep-alive connection is closed', () => {
    const w = wire(new Hello(), { timeouts: { idle: 10 } });
    w.send(GET());
    w.clock.advance(5);
    assert.equal(w.transport.disconnecting, false);
    w.clock.advance(1);
    w.clock.advance(5);
    assert.equal(w.transport.disconnecting, true);
  });

  test('a request head that trickles in too slowly gets 408 (slowloris)', () => {
    const w = wire(new Hello(), { timeouts: { headers: 5 } });
    w.send('GET / HTTP/1.1\r\nHost: x\r\n');
    for (let i = 0; i < 7; i++) {
      w.clock.advance(1);
      w.send('X-A: 1\r\n');
    }
    assert.deepEqual(statusCodes(w.output()), [408]);
    assert.equal(w.transport.disconnecting, true);
  });

  test('a body that stalls gets 408; one that keeps coming does not', () => {
    const w = wire(new Hello(), { timeouts: { body: 3 } });
    w.send('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n12');
    for (let i = 0; i < 6; i++) {
      w.clock.advance(1);
      if (i < 5) w.send('1');
    }
    assert.equal(w.output(), '');
    w.clock.advance(5);
    assert.deepEqual(statusCodes(w.output()), [408]);
  });
});
