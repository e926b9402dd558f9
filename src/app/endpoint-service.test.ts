import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Deferred } from '../defer/index.js';
import { IPv4Address } from '../internet/address.js';
import { Factory, Protocol } from '../internet/protocol.js';
import type { IListeningPort, IProtocolFactory } from '../internet/interfaces.js';
import { captureLogs } from '../logger/index.js';
import { StreamServerEndpointService } from './endpoint-service.js';

class FakePort implements IListeningPort {
  stopped = 0;
  getHost() {
    return new IPv4Address('TCP', '127.0.0.1', 4321);
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
});
