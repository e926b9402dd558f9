import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deferred } from '../../defer/index.js';
import { readBody } from './read-body.js';
import { accept, memoryAgent } from './test-support.js';
import { seededRandom } from '../../testing/index.js';

const GOOD = [
  'HTTP/1.1 200 OK\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\nhello world',
  'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n',
  'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok',
  'HTTP/1.0 200 OK\r\n\r\nuntil close',
  'HTTP/1.1 204 No Content\r\n\r\n',
];
const NASTY = ['\r', '\n', '\0', ':', ' ', '\r\n\r\n', 'Content-Length: 5\r\n', 'Transfer-Encoding: chunked\r\n', 'zz\r\n', '-1', 'ffffffffffffffff', '\xff'];

function mutate(rand: () => number, input: string): string {
  let s = input;
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (s.length + 1));
    const kind = rand();
    if (kind < 0.3) s = s.slice(0, at) + NASTY[Math.floor(rand() * NASTY.length)] + s.slice(at);
    else if (kind < 0.5) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 5));
    else if (kind < 0.7) s = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 256)) + s.slice(at + 1);
    else if (kind < 0.85) s = s.slice(0, at);
    else s = s + s.slice(0, at);
  }
  return s;
}

test('mutated and random responses never throw out of the protocol, and every request ends', () => {
  const rand = seededRandom(20261126);
  for (let round = 0; round < 400; round++) {
    const { reactor, pool, agent } = memoryAgent(true);
    const method = rand() < 0.1 ? 'HEAD' : 'GET';
    const d = agent.request(method, 'http://h/');
    const server = accept(reactor);
    const wire = round % 10 === 0 ? Array.from({ length: 64 }, () => String.fromCharCode(Math.floor(rand() * 256))).join('') : mutate(rand, GOOD[round % GOOD.length]);
    let body: Deferred<Uint8Array> | null = null;
    d.addCallbacks(
      (response) => {
        body = readBody(response);
        body.addErrback(() => null);
        return null;
      },
      () => null,
    );
    const bytes = Buffer.from(wire, 'latin1');
    for (let i = 0; i < bytes.length && !server.transport.disconnecting; ) {
      const size = 1 + Math.floor(rand() * 16);
      server.send(bytes.subarray(i, i + size));
      i += size;
    }
    const reused = pool.cachedConnections('http://h:80').length === 1;
    if (!reused) server.transport.loseConnection();
    assert.ok(d.called, `round ${round}: the request ended (${JSON.stringify(wire)})`);
    if (body !== null) assert.ok((body as Deferred<Uint8Array>).called, `round ${round}: the body ended (${JSON.stringify(wire)})`);
    if (reused) {
      // A connection kept for reuse must have framed the response exactly: the next one parses cleanly.
      const next = agent.request('GET', 'http://h/next');
      server.send(GOOD[0]);
      assert.equal(Buffer.from(readBodyNow(next)).toString(), 'hello world', `round ${round}: ${JSON.stringify(wire)}`);
    }
  }
});

function readBodyNow(d: ReturnType<ReturnType<typeof memoryAgent>['agent']['request']>): Uint8Array {
  let out: Uint8Array | null = null;
  d.addCallback(readBody).addCallback((b) => (out = b));
  assert.ok(out, 'the next response was read at once');
  return out;
}
