import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { failureResultOf, successResultOf } from '../../testing/index.js';
import { FileBodyProducer, StringBodyProducer } from './body-producers.js';
import { InfiniteRedirection, RedirectWithNoLocation } from './errors.js';
import { BrowserLikeRedirectAgent, RedirectAgent } from './redirect.js';
import { accept, memoryAgent } from './test-support.js';

function redirect(code: number, location: string): string {
  return `HTTP/1.1 ${code} Moved\r\nLocation: ${location}\r\nContent-Length: 4\r\n\r\nmove`;
}
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

/** The request line and headers the latest connection received. */
function requestOf(text: string): { line: string; head: string; body: string } {
  const [head, body] = text.split('\r\n\r\n');
  return { line: head.split('\r\n')[0], head, body };
}

describe('RedirectAgent', () => {
  test('follows a relative Location and links the responses', () => {
    const { reactor, agent } = memoryAgent(false);
    const d = new RedirectAgent(agent).request('GET', 'http://h/a/b');
    accept(reactor).send(redirect(302, 'c?x=1#frag'));
    const second = accept(reactor);
    assert.equal(requestOf(second.received()).line, 'GET /a/c?x=1 HTTP/1.1');
    second.send(OK);
    const response = successResultOf(d);
    assert.equal(response.code, 200);
    assert.equal(response.request.uri, 'http://h/a/c?x=1');
    assert.equal(response.previousResponse?.code, 302);
    assert.equal(response.previousResponse?.request.uri, 'http://h/a/b');
  });

  const methodCases: Array<[number, string, string, boolean]> = [
    [301, 'POST', 'GET', false],
    [302, 'POST', 'GET', false],
    [303, 'POST', 'GET', false],
    [303, 'PUT', 'GET', false],
    [303, 'HEAD', 'HEAD', true],
    [302, 'PUT', 'PUT', true],
    [307, 'POST', 'POST', true],
    [308, 'PUT', 'PUT', true],
  ];
  for (const [code, method, expected, keepsBody] of methodCases) {
    test(`${code} after ${method} is followed with ${expected}${keepsBody ? ' and the body' : ''}`, () => {
      const { reactor, agent } = memoryAgent(false);
      const d = new RedirectAgent(agent).request(method, 'http://h/form', { 'content-type': 'text/plain' }, new StringBodyProducer('data'));
      accept(reactor).send(redirect(code, '/next'));
      const next = accept(reactor);
      const { line, head, body } = requestOf(next.received());
      assert.equal(line, `${expected} /next HTTP/1.1`);
      if (keepsBody) {
        assert.equal(body, 'data');
        assert.match(head, /content-type: text\/plain/);
      } else {
        assert.equal(body, '');
        assert.doesNotMatch(head, /content-type/);
      }
      next.send(expected === 'HEAD' ? 'HTTP/1.1 200 OK\r\n\r\n' : OK);
      assert.equal(successResultOf(d).code, 200);
    });
  }

  test('BrowserLikeRedirectAgent turns any method into GET on 301 and 302', () => {
    const { reactor, agent } = memoryAgent(false);
    new BrowserLikeRedirectAgent(agent).request('DELETE', 'http://h/x');
    accept(reactor).send(redirect(301, '/y'));
    assert.equal(requestOf(accept(reactor).received()).line, 'GET /y HTTP/1.1');
  });

  test('a 307 whose body cannot be sent again is returned as it is', () => {
    const { reactor, agent } = memoryAgent(false);
    async function* once() {
      yield 'x';
    }
    const d = new RedirectAgent(agent).request('POST', 'http://h/', null, new FileBodyProducer(once(), 1));
    accept(reactor).send(redirect(307, '/again'));
    assert.equal(successResultOf(d).code, 307);
    assert.equal(reactor.tcpClients.length, 1);
  });

  test('credentials stay on the origin: dropped for another host, kept on the same one', () => {
    const { reactor, agent } = memoryAgent(false);
    const headers = { authorization: 'Bearer secret', cookie: 'a=1', 'x-other': 'kept' };
    new RedirectAgent(agent).request('GET', 'http://h/', headers);
    accept(reactor).send(redirect(302, 'http://h/same'));
    const same = accept(reactor);
    assert.match(same.received(), /authorization: Bearer secret/);
    same.send(redirect(302, 'http://evil.example:81/'));
    const other = accept(reactor);
    assert.equal(reactor.tcpClients[2].host, 'evil.example');
    assert.doesNotMatch(other.received(), /authorization|cookie/i);
    assert.match(other.received(), /host: evil\.example:81\r\n/);
    assert.match(other.received(), /x-other: kept/);
  });

  test('https to http is another origin too', () => {
    const { reactor, agent } = memoryAgent(false);
    new RedirectAgent(agent).request('GET', 'https://h/', { authorization: 'x' });
    reactor.sslClients[0].connector.succeed().protocol.dataReceived(Buffer.from(redirect(301, 'http://h/')));
    assert.doesNotMatch(accept(reactor).received(), /authorization/);
  });

  test('more redirects than the limit fail with InfiniteRedirection', () => {
    const { reactor, agent } = memoryAgent(false);
    const d = new RedirectAgent(agent, 2).request('GET', 'http://h/0');
    for (let i = 1; i <= 3; i++) accept(reactor).send(redirect(302, `/${i}`));
    const f = failureResultOf(d, InfiniteRedirection);
    assert.equal((f.value as InfiniteRedirection).location, '/3');
    assert.equal(reactor.tcpClients.length, 3);
  });

  test('a redirect without Location fails', () => {
    const { reactor, agent } = memoryAgent(false);
    const d = new RedirectAgent(agent).request('GET', 'http://h/');
    accept(reactor).send('HTTP/1.1 302 Found\r\nContent-Length: 0\r\n\r\n');
    failureResultOf(d, RedirectWithNoLocation);
  });

  test('with a persistent pool the redirect body is drained and the connection reused', () => {
    const { reactor, agent } = memoryAgent(true);
    const d = new RedirectAgent(agent).request('GET', 'http://h/');
    const server = accept(reactor);
    server.send(redirect(302, '/there'));
    assert.equal(reactor.tcpClients.length, 1);
    assert.match(server.received(), /GET \/there HTTP\/1\.1/);
    server.send(OK);
    assert.equal(successResultOf(d).code, 200);
  });
});
