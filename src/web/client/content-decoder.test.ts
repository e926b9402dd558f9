import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { BodyTooLarge, ResponseFailed } from './errors.js';
import { ContentDecoderAgent } from './content-decoder.js';
import { readBody } from './read-body.js';
import { accept, memoryAgent } from './test-support.js';

const TEXT = Buffer.from('Torsion decodes compressed bodies as they stream. '.repeat(200));

function reply(encoding: string, body: Buffer, chunk = 97): { head: string; parts: Buffer[] } {
  const parts: Buffer[] = [];
  for (let i = 0; i < body.length; i += chunk) parts.push(body.subarray(i, i + chunk));
  return { head: `HTTP/1.1 200 OK\r\nContent-Encoding: ${encoding}\r\nContent-Length: ${body.length}\r\n\r\n`, parts };
}

async function fetchDecoded(encoding: string, body: Buffer, options = {}): Promise<{ text: Buffer; headers: string; sent: string }> {
  const { reactor, agent } = memoryAgent(false);
  const decoding = new ContentDecoderAgent(agent, options);
  const d = decoding.request('GET', 'http://h/');
  const server = accept(reactor);
  const { head, parts } = reply(encoding, body);
  server.send(head);
  const response = await d;
  const bodyD = readBody(response);
  for (const p of parts) server.send(p);
  const text = Buffer.from(await bodyD);
  return { text, headers: JSON.stringify([...response.headers]), sent: server.received() };
}

describe('ContentDecoderAgent', () => {
  const cases: Array<[string, Buffer]> = [
    ['gzip', zlib.gzipSync(TEXT)],
    ['deflate', zlib.deflateSync(TEXT)],
    ['deflate', zlib.deflateRawSync(TEXT)],
    ['br', zlib.brotliCompressSync(TEXT)],
    ['gzip, br', zlib.brotliCompressSync(zlib.gzipSync(TEXT))],
  ];
  for (const [encoding, body] of cases) {
    test(`decodes ${encoding} streamed in small pieces (${body[0].toString(16)}...)`, async () => {
      const { text, headers, sent } = await fetchDecoded(encoding, body);
      assert.ok(text.equals(TEXT));
      assert.doesNotMatch(headers, /content-encoding|content-length/);
      assert.match(sent, /accept-encoding: gzip, deflate, br\r\n/);
    });
  }

  test('an unknown coding leaves the response alone', async () => {
    const { text, headers } = await fetchDecoded('compress', Buffer.from('raw bytes'));
    assert.equal(text.toString(), 'raw bytes');
    assert.match(headers, /content-encoding/);
  });

  test('a decompression bomb stops at maxDecodedSize, dropping the connection', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(10 * 1024 * 1024));
    const { reactor, agent } = memoryAgent(false);
    const d = new ContentDecoderAgent(agent, { maxDecodedSize: 64 * 1024 }).request('GET', 'http://h/');
    const server = accept(reactor);
    // Chunked and never finished: only the decoder can end this body.
    server.send(`HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n${bomb.length.toString(16)}\r\n`);
    const body = readBody(await d);
    server.send(bomb);
    await assert.rejects(body.asPromise(), (e: unknown) => e instanceof ResponseFailed && e.reasons.some((r) => r.check(BodyTooLarge)));
    assert.equal(server.transport.aborted, true);
  });

  test('corrupt data fails the body with ResponseFailed', async () => {
    await assert.rejects(fetchDecoded('gzip', Buffer.from('this is not gzip at all')), ResponseFailed);
  });

  test('the caller’s own Accept-Encoding is kept', async () => {
    const { reactor, agent } = memoryAgent(false);
    new ContentDecoderAgent(agent).request('GET', 'http://h/', { 'accept-encoding': 'gzip' });
    assert.match(accept(reactor).received(), /accept-encoding: gzip\r\n/);
  });
});
