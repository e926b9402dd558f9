import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionLine, responseHead, withBody } from './response-head.js';
import { Resource } from './resource.js';
import type { Request } from './request.js';
import { wire } from './test-support.js';

test('a repeated head is the same string; any change of what it is built from builds it anew', () => {
  const a = responseHead(200, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.NONE);
  assert.equal(responseHead(200, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.NONE), a);
  assert.match(a, /^HTTP\/1\.1 200 OK\r\nDate: .+\r\nContent-Type: text\/plain\r\nContent-Length: 5\r\n\r\n$/);
  const changed = [
    responseHead(200, undefined, ['Content-Type', 'text/html'], 5, false, ConnectionLine.NONE),
    responseHead(200, undefined, ['Content-Type', 'text/plain'], 6, false, ConnectionLine.NONE),
    responseHead(200, undefined, ['Content-Type', 'text/plain'], -1, true, ConnectionLine.NONE),
    responseHead(200, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.CLOSE),
    responseHead(200, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.KEEP_ALIVE),
    responseHead(200, undefined, ['Content-Type', 'text/plain', 'X-A', '1'], 5, false, ConnectionLine.NONE),
    responseHead(404, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.NONE),
    responseHead(200, 'Fine', ['Content-Type', 'text/plain'], 5, false, ConnectionLine.NONE),
  ];
  assert.match(changed[0], /Content-Type: text\/html\r\n/);
  assert.match(changed[1], /Content-Length: 6\r\n/);
  assert.match(changed[2], /Transfer-Encoding: chunked\r\n/);
  assert.doesNotMatch(changed[2], /Content-Length/);
  assert.match(changed[3], /Connection: close\r\n/);
  assert.match(changed[4], /Connection: keep-alive\r\n/);
  assert.match(changed[5], /X-A: 1\r\n/);
  assert.match(changed[6], /^HTTP\/1\.1 404 Not Found\r\n/);
  assert.match(changed[7], /^HTTP\/1\.1 200 Fine\r\n/);
  // And back: the first head again, not the last one built.
  assert.equal(responseHead(200, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.NONE), a);
});

test('headers changed after their head was built do not make a later head match the stale one', () => {
  const headers = ['Content-Type', 'text/plain', 'X-Trace', '1'];
  const first = responseHead(200, undefined, headers, 5, false, ConnectionLine.NONE);
  assert.match(first, /X-Trace: 1\r\n/);
  headers.splice(2, 2); // what removeHeader does to a request's array after its head went out
  const second = responseHead(200, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.NONE);
  assert.doesNotMatch(second, /X-Trace/);
});

test('a repeated short response is the same string; another body of the same length is not', () => {
  const head = responseHead(200, undefined, ['Content-Type', 'text/plain'], 5, false, ConnectionLine.NONE);
  const one = withBody(head, 'hello');
  assert.equal(one, `${head}hello`);
  assert.equal(withBody(head, 'hello'), one);
  assert.equal(withBody(head, 'howdy'), `${head}howdy`);
  const other = responseHead(200, undefined, ['Content-Type', 'text/html'], 5, false, ConnectionLine.NONE);
  assert.equal(withBody(other, 'howdy'), `${other}howdy`);
  const long = 'x'.repeat(5000);
  assert.equal(withBody(head, long), head + long);
});

test('pipelined responses on one connection each carry their own headers and body', () => {
  class Echo extends Resource {
    override isLeaf = true;
    renderGET(request: Request): string {
      const v = request.args.get('v')?.[0] ?? '';
      request.setHeader('Content-Type', `text/${v}`);
      return v;
    }
  }
  const w = wire(new Echo());
  const values = ['aa', 'bb', 'bb', 'aa', 'ccc', 'ccc'];
  w.send(values.map((v) => `GET /?v=${v} HTTP/1.1\r\nHost: x\r\n\r\n`).join(''));
  const responses = w.output().split(/(?=HTTP\/1\.1 )/);
  assert.equal(responses.length, values.length);
  responses.forEach((r, i) => {
    const v = values[i];
    assert.match(r, new RegExp(`\r\nContent-Type: text/${v}\r\nContent-Length: ${v.length}\r\n\r\n${v}$`));
  });
});
