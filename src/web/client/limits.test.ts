/**
 * The client's limits, from `CLIENT_LIMITS`: `readBody` stops at a maximum size even when given none, and
 * the response-head limits are the same wherever a response head is read (the agent, a proxy's CONNECT
 * answer, the reverse proxy's `ResponseParser`).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf, MemoryReactor, successResultOf } from '../../testing/index.js';
import { HTTPParseError } from '../http-parser.js';
import { ResponseParser } from '../response-parser.js';
import { BodyTooLarge, ResponseFailed, TunnelError } from './errors.js';
import { CLIENT_LIMITS } from './limits.js';
import { ProxyAgent } from './proxy-agent.js';
import { readBody } from './read-body.js';
import { accept, memoryAgent } from './test-support.js';

/** A response head with `fields` header fields, one of them `padding` bytes long. */
function head(status: string, fields: number, padding = 0): string {
  let text = `HTTP/1.1 ${status}\r\nContent-Length: 0\r\n`;
  for (let i = 1; i < fields; i++) text += `X-${i}: ${i === 1 ? 'a'.repeat(padding) : 'v'}\r\n`;
  return `${text}\r\n`;
}

describe('readBody', () => {
  function bodyOf(length: number, maxSize?: number) {
    const { reactor, agent } = memoryAgent(false);
    const d = agent.request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(`HTTP/1.1 200 OK\r\nContent-Length: ${length}\r\n\r\n`);
    const body = maxSize === undefined ? readBody(successResultOf(d)) : readBody(successResultOf(d), maxSize);
    server.send(Buffer.alloc(length, 0x61));
    return { body, server };
  }

  test(`collects a body of exactly the default maximum (${CLIENT_LIMITS.maxBodySize} bytes)`, () => {
    const { body } = bodyOf(CLIENT_LIMITS.maxBodySize);
    assert.equal(successResultOf(body).byteLength, CLIENT_LIMITS.maxBodySize);
  });

  test('given no maximum, fails one byte past the default with BodyTooLarge naming the limit, and drops the connection', () => {
    const { body, server } = bodyOf(CLIENT_LIMITS.maxBodySize + 1);
    const error = failureResultOf(body, BodyTooLarge).value as BodyTooLarge;
    assert.equal(error.limit, CLIENT_LIMITS.maxBodySize);
    assert.equal(error.code, 'TORSION_BODY_TOO_LARGE');
    assert.match(error.message, new RegExp(`limit of ${CLIENT_LIMITS.maxBodySize} bytes.*maxSize`));
    assert.equal(server.transport.aborted, true);
  });

  test('a maximum given raises or lowers the limit; a negative or NaN one is refused', () => {
    assert.equal(successResultOf(bodyOf(CLIENT_LIMITS.maxBodySize + 1, Infinity).body).byteLength, CLIENT_LIMITS.maxBodySize + 1);
    failureResultOf(bodyOf(11, 10).body, BodyTooLarge);
    const { reactor, agent } = memoryAgent(false);
    const d = agent.request('GET', 'http://h/');
    accept(reactor).send('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.throws(() => readBody(successResultOf(d), -1), RangeError);
    assert.throws(() => readBody(successResultOf(d), NaN), RangeError);
  });
});

describe('response-head limits agree', () => {
  const { maxHeaders, maxHeadSize } = CLIENT_LIMITS;
  const padding = maxHeadSize - 200; // a head a little under the size limit

  test('the agent: the default field count and head size pass, one more field or byte fails', () => {
    for (const [text, ok] of [
      [head('200 OK', maxHeaders), true],
      [head('200 OK', maxHeaders + 1), false],
      [head('200 OK', 2, padding), true],
      [head('200 OK', 2, maxHeadSize), false],
    ] as const) {
      const { reactor, agent } = memoryAgent(false);
      const d = agent.request('GET', 'http://h/');
      accept(reactor).send(text);
      if (ok) assert.equal(successResultOf(d).code, 200);
      else failureResultOf(d, ResponseFailed);
    }
  });

  test("a proxy's CONNECT answer is held to the same limits", () => {
    for (const [text, ok] of [
      [head('407 Proxy Authentication Required', maxHeaders), true],
      [head('407 Proxy Authentication Required', maxHeaders + 1), false],
      [head('407 Proxy Authentication Required', 2, padding), true],
      [head('407 Proxy Authentication Required', 2, maxHeadSize), false],
    ] as const) {
      const reactor = new MemoryReactor();
      const d = new ProxyAgent('proxy.local:3128', reactor).request('GET', 'https://example.org/');
      accept(reactor).send(text);
      // Read within the limits, the head is a refusal (TunnelError); past them, it is not read at all.
      failureResultOf(d, ok ? TunnelError : HTTPParseError);
    }
  });

  test("a ResponseParser made without limits (the reverse proxy's) uses them too", () => {
    const parse = (text: string) => new ResponseParser({ head: () => {}, data: () => {}, done: () => {} }).feed(Buffer.from(text, 'latin1'));
    assert.equal(parse(head('200 OK', maxHeaders)), 0);
    assert.throws(() => parse(head('200 OK', maxHeaders + 1)), HTTPParseError);
    assert.equal(parse(head('200 OK', 2, padding)), 0);
    assert.throws(() => parse(head('200 OK', 2, maxHeadSize)), HTTPParseError);
  });
});
