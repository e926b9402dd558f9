import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { IPv4Address, IPv6Address } from '../internet/address.js';
import { Factory, Protocol } from '../internet/protocol.js';
import type { IListeningPort, IProtocolFactory } from '../internet/interfaces.js';
import { captureLogs } from '../logger/index.js';
import { StreamServerEndpointService, urlFor } from './endpoint-service.js';

class FakePort implements IListeningPort {
  stopped = 0;
  constructor(readonly host: IPv4Address | IPv6Address = new IPv4Address('TCP', '127.0.0.1', 4321)) {}
  getHost() {
    return this.host;
  }
  stopListening() {
    this.stopped++;
    return Deferred.succeed<void>(undefined);
  }
}

class FakeEndpoint {
  listening: Deferred<IListeningPort> | null = null;
  factory: IProtocolFactory | null = null;
  listen(factory: IProtocolFactory) {
    this.factory = factory;
    this.listening = new Deferred<IListeningPort>();
    return this.listening;
  }
}

describe('StreamServerEndpointService', () => {
  test('listens on start with its factory and stops listening on stop', () => {
    const endpoint = new FakeEndpoint();
    const factory = Factory.forProtocol(Protocol);
    const s = new StreamServerEndpointService(endpoint, factory, 'tcp:4321');
    const started = s.startService();
    assert.equal(endpoint.factory, factory);
    assert.equal(started.called, false);
    const port = new FakePort();
    endpoint.listening!.callback(port);
    assert.equal(started.called, true);
    assert.equal(s.port, port);
    const stopped = s.stopService();
    assert.equal(port.stopped, 1);
    assert.equal(stopped.called, true);
  });

  test('stopped before the port is open: closes it once open, and stopService waits for that', () => {
    const endpoint = new FakeEndpoint();
    const s = new StreamServerEndpointService(endpoint, Factory.forProtocol(Protocol));
    s.startService();
    const stopped = s.stopService();
    assert.equal(stopped.called, false);
    const port = new FakePort();
    endpoint.listening!.callback(port);
    assert.equal(port.stopped, 1);
    assert.equal(stopped.called, true);
  });

  test('a port that cannot be opened fails startService and is logged', async () => {
    const endpoint = new FakeEndpoint();
    const s = new StreamServerEndpointService(endpoint, Factory.forProtocol(Protocol), 'tcp:80');
    let started!: Deferred<void>;
    const events = captureLogs(() => {
      started = s.startService();
      endpoint.listening!.errback(new Error('EADDRINUSE'));
    });
    await assert.rejects(started.asPromise(), /EADDRINUSE/);
    assert.ok(events.some((e) => e.log_format === 'cannot listen on {description}' && e.description === 'tcp:80'));
    assert.equal(s.stopService().called, true);
  });

  test('logs the URL to open when asked, and says so when every interface can connect', () => {
    const texts = (host: IPv4Address | IPv6Address, scheme?: string): string[] => {
      const endpoint = new FakeEndpoint();
      const s = new StreamServerEndpointService(endpoint, Factory.forProtocol(Protocol), 'tcp:8080', scheme === undefined ? {} : { urlScheme: scheme });
      const events = captureLogs(() => {
        s.startService();
        endpoint.listening!.callback(new FakePort(host));
      });
      return events.map((e) => `${e.log_format} ${e.url ?? ''}`);
    };
    const local = texts(new IPv4Address('TCP', '127.0.0.1', 8080), 'http');
    assert.ok(local.includes('open {url} http://127.0.0.1:8080/'), local.join('\n'));
    assert.ok(!local.some((t) => t.includes('every network interface')));
    const v6 = texts(new IPv6Address('TCP', '::1', 8443), 'https');
    assert.ok(v6.includes('open {url} https://[::1]:8443/'), v6.join('\n'));
    const everywhere = texts(new IPv4Address('TCP', '0.0.0.0', 8080));
    assert.ok(everywhere.some((t) => t.includes('every network interface')), everywhere.join('\n'));
    assert.ok(!everywhere.some((t) => t.startsWith('open')), 'no URL unless asked');
    assert.equal(urlFor('http', { host: '::', port: 80 }), 'http://localhost:80/');
  });
});
