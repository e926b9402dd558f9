import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ConnectError } from '../../internet/error.js';
import { failureResultOf, MemoryReactor, successResultOf } from '../../testing/index.js';
import { TunnelError } from './errors.js';
import { HTTPConnectionPool } from './pool.js';
import { bypassesProxy, parseProxyURI, ProxyAgent, proxyAgentFromEnvironment } from './proxy-agent.js';
import { accept } from './test-support.js';

describe('ProxyAgent over a memory reactor', () => {
  test('http URIs go to the proxy in absolute form, with Proxy-Authorization from the proxy URI', () => {
    const reactor = new MemoryReactor();
    const agent = new ProxyAgent('http://us%40r:p%3Ass@proxy.local:3128', reactor);
    const d = agent.request('GET', 'http://example.org:8080/a?b=1#c');
    assert.equal(reactor.tcpClients[0].host, 'proxy.local');
    assert.equal(reactor.tcpClients[0].port, 3128);
    const server = accept(reactor);
    const auth = Buffer.from('us@r:p:ss').toString('base64');
    assert.equal(server.received(), `GET http://example.org:8080/a?b=1 HTTP/1.1\r\nhost: example.org:8080\r\nproxy-authorization: Basic ${auth}\r\nconnection: close\r\n\r\n`);
    server.send('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal(successResultOf(d).code, 200);
  });

  test('https URIs ask the proxy to CONNECT first, authorization included', () => {
    const reactor = new MemoryReactor();
    const d = new ProxyAgent('http://u:p@proxy.local:3128', reactor).request('GET', 'https://example.org/secret');
    const server = accept(reactor);
    assert.equal(server.received(), `CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\nProxy-Authorization: Basic ${Buffer.from('u:p').toString('base64')}\r\n\r\n`);
    assert.doesNotMatch(server.received(), /secret/, 'nothing of the request goes out in the clear');
    server.send('HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n');
    const f = failureResultOf(d, TunnelError);
    assert.equal((f.value as TunnelError).statusCode, 407);
  });

  test('a proxy that hangs up before answering CONNECT fails the request', () => {
    const reactor = new MemoryReactor();
    const d = new ProxyAgent('proxy.local:3128', reactor).request('GET', 'https://[::1]:8443/');
    const server = accept(reactor);
    assert.match(server.received(), /^CONNECT \[::1\]:8443 HTTP\/1\.1\r\n/);
    server.transport.loseConnection();
    failureResultOf(d, ConnectError);
  });

  test('proxy URIs: bare host:port is http, default ports', () => {
    assert.deepEqual(parseProxyURI('10.0.0.1:3128'), { scheme: 'http', host: '10.0.0.1', port: 3128, authorization: null });
    assert.equal(parseProxyURI('https://proxy').port, 443);
    assert.equal(parseProxyURI('http://proxy').port, 80);
  });

  test('persistent pools keep proxied connections per proxy', () => {
    const reactor = new MemoryReactor();
    const agent = new ProxyAgent('http://proxy:1', reactor, { pool: new HTTPConnectionPool(reactor) });
    agent.request('GET', 'http://a/').addCallback(() => agent.request('GET', 'http://b/'));
    const server = accept(reactor);
    server.send('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    assert.equal(reactor.tcpClients.length, 1, 'requests to two hosts share the connection to the proxy');
    assert.match(server.received(), /GET http:\/\/b\/ HTTP\/1\.1/);
  });
});

describe('NO_PROXY and the environment', () => {
  test('bypassesProxy: names, suffixes, ports, IPs, and *', () => {
    const rules = 'localhost, .internal.example,example.com:8080 10.1.2.3 [::1]';
    assert.equal(bypassesProxy(rules, 'localhost', 80), true);
    assert.equal(bypassesProxy(rules, 'a.internal.example', 80), true);
    assert.equal(bypassesProxy(rules, 'internal.example', 80), true);
    assert.equal(bypassesProxy(rules, 'notinternal.example', 80), false);
    assert.equal(bypassesProxy(rules, 'example.com', 8080), true);
    assert.equal(bypassesProxy(rules, 'example.com', 80), false);
    assert.equal(bypassesProxy(rules, 'www.example.com', 8080), true);
    assert.equal(bypassesProxy(rules, '10.1.2.3', 80), true);
    assert.equal(bypassesProxy(rules, '10.1.2.30', 80), false);
    assert.equal(bypassesProxy(rules, '::1', 443), true);
    assert.equal(bypassesProxy('*', 'anything', 1), true);
    assert.equal(bypassesProxy('', 'anything', 1), false);
  });

  test('proxyAgentFromEnvironment picks the proxy per scheme and honours NO_PROXY (lower case wins)', () => {
    const reactor = new MemoryReactor();
    const env = { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:2', HTTPS_PROXY: 'http://secure:3', NO_PROXY: 'direct.example' };
    const agent = proxyAgentFromEnvironment(reactor, {}, env);
    agent.request('GET', 'http://a.example/');
    agent.request('GET', 'https://b.example/');
    agent.request('GET', 'http://direct.example/');
    agent.request('GET', 'https://x.direct.example/');
    assert.deepEqual(
      reactor.tcpClients.map((c) => `${c.host}:${c.port}`),
      ['lower:2', 'secure:3', 'direct.example:80'],
    );
    assert.deepEqual(reactor.sslClients.map((c) => c.host), ['x.direct.example']);
  });

  test('without proxy variables requests go direct', () => {
    const reactor = new MemoryReactor();
    proxyAgentFromEnvironment(reactor, {}, {}).request('GET', 'http://a/');
    assert.equal(reactor.tcpClients[0].host, 'a');
  });
});
