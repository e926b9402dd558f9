/**
 * Fuzzing: random and mutated requests, fed in random pieces. The server must never throw, must answer
 * only with well-formed status lines, and must go on answering good requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { connectionDone } from '../internet/protocol.js';
import { reactor } from '../internet/reactor.js';
import { capturedLogEvents } from '../logger/index.js';
import { Resource } from './resource.js';
import type { Request } from './request.js';
import { Site } from './site.js';
import { attach } from './test-support.js';
import { Clock, seededRandom } from '../testing/index.js';

class App extends Resource {
  override isLeaf = true;
  override render(r: Request): string {
    return `${r.method} ${r.path} ${r.content.byteLength}`;
  }
}

const TEMPLATES = [
  'GET /a/b?c=d HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n',
  'POST /p HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello',
  'POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nT: 1\r\n\r\n',
  'PUT /e HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc',
  'GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n',
  'HEAD /h HTTP/1.1\r\nHost: x\r\nCookie: a=b; c=d\r\n\r\n',
];
const INSERTS = ['\r', '\n', '\0', ' ', '\t', ':', '\r\n', '\r\n\r\n', 'Content-Length: 7\r\n', 'Transfer-Encoding: chunked\r\n', ' chunked', 'ffffffffffffffffff', '-1', '\xff', '%2F..%2F', 'HTTP/1.1'];

function mutate(rand: () => number, input: string): string {
  let s = input;
  const n = 1 + Math.floor(rand() * 4);
  for (let i = 0; i < n; i++) {
    const at = Math.floor(rand() * (s.length + 1));
    const op = Math.floor(rand() * 5);
    if (op === 0) s = s.slice(0, at) + INSERTS[Math.floor(rand() * INSERTS.length)] + s.slice(at);
    else if (op === 1) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(rand() * 5));
    else if (op === 2) s = s.slice(0, at) + String.fromCharCode(Math.floor(rand() * 256)) + s.slice(at + 1);
    else if (op === 3) s = s.slice(0, at);
    else s = s + s.slice(0, at);
  }
  return s;
}

function randomBytes(rand: () => number): string {
  let s = '';
  const n = Math.floor(rand() * 200);
  for (let i = 0; i < n; i++) s += String.fromCharCode(Math.floor(rand() * 256));
  return s;
}

const STATUS = /^HTTP\/1\.1 [1-5]\d\d [^\r\n]*\r\n/;

test('random and mutated requests in random pieces: no throw, well-formed answers, good requests still served', () => {
  const logs = capturedLogEvents();
  try {
    const clock = new Clock();
    const site = new Site(new App(), { accessLog: false, clock, maxBodySize: 1000 });
    const rand = seededRandom(12345);
    for (let i = 0; i < 3000; i++) {
      const w = attach(site, clock);
      const input = rand() < 0.15 ? randomBytes(rand) : mutate(rand, TEMPLATES[Math.floor(rand() * TEMPLATES.length)]);
      const bytes = Buffer.from(input, 'latin1');
      let pos = 0;
      while (pos < bytes.length) {
        const n = 1 + Math.floor(rand() * 40);
        assert.doesNotThrow(() => w.send(bytes.subarray(pos, pos + n)), `case ${i}: ${JSON.stringify(input)}`);
        pos += n;
      }
      const out = w.output();
      if (out.length > 0) assert.match(out, STATUS, `case ${i}: ${JSON.stringify(input)} → ${JSON.stringify(out.slice(0, 80))}`);
      if (rand() < 0.5) clock.advance(61);
      w.channel.connectionLost(connectionDone());
      if (i % 100 === 0) {
        const good = attach(site, clock);
        good.send('GET /ok HTTP/1.1\r\nHost: x\r\n\r\n');
        assert.match(good.output(), /^HTTP\/1\.1 200 OK\r\n[\s\S]*GET \/ok 0$/);
        good.channel.connectionLost(connectionDone());
      }
    }
    assert.equal(site.channels.size, 0);
    assert.ok(!logs.events.some((e) => e.log_level === 'critical' && !String(e.log_format).startsWith('Error rendering')), 'no unexpected failures logged');
  } finally {
    logs.stop();
  }
});

test('over real TCP: garbage on many connections, then a good request is answered', async () => {
  const logs = capturedLogEvents();
  const port = reactor.listenTCP(0, new Site(new App(), { accessLog: false }), { interface: '127.0.0.1' });
  const portNo = (port.getHost() as unknown as { port: number }).port;
  try {
    const rand = seededRandom(777);
    const sendOne = (payload: Buffer) =>
      new Promise<string>((resolve) => {
        const s = connect({ port: portNo, host: '127.0.0.1' });
        let out = '';
        s.on('data', (d) => (out += d.toString('latin1')));
        s.on('error', () => resolve(out));
        s.on('close', () => resolve(out));
        s.write(payload, () => s.end());
      });
    const outs = await Promise.all(Array.from({ length: 100 }, () => sendOne(Buffer.from(rand() < 0.3 ? randomBytes(rand) : mutate(rand, TEMPLATES[Math.floor(rand() * TEMPLATES.length)]), 'latin1'))));
    for (const out of outs) if (out.length > 0) assert.match(out, STATUS);
    const good = await sendOne(Buffer.from('GET /fine HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
    assert.match(good, /^HTTP\/1\.1 200 OK[\s\S]*GET \/fine 0$/);
  } finally {
    await port.stopListening();
    logs.stop();
  }
});
