import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { CancelledError, Deferred, Failure } from '../defer/index.js';
import { Clock } from '../testing/clock.js';
import { IPv4Address } from './address.js';
import { ClientService, backoffPolicy, type ClientEndpoint } from './client-service.js';
import { ConnectionDone, ConnectionLost, ConnectionRefusedError } from './error.js';
import type { IProtocol, IProtocolFactory, ITransport } from './interfaces.js';
import { Factory, Protocol } from './protocol.js';
import { reactor } from './reactor.js';
import { clientFromString } from './endpoints/index.js';

/** A transport whose loseConnection ends the connection at once with ConnectionDone. */
class FakeTransport implements ITransport {
  disconnecting = false;
  constructor(readonly protocol: IProtocol) {}
  write(): void {}
  writeSequence(): void {}
  loseConnection(): void {
    if (this.disconnecting) return;
    this.disconnecting = true;
    this.protocol.connectionLost(new Failure(new ConnectionDone()));
  }
  getPeer(): IPv4Address { return new IPv4Address('TCP', '127.0.0.1', 1); }
  getHost(): IPv4Address { return new IPv4Address('TCP', '127.0.0.1', 2); }
}

/** An endpoint whose attempts the test resolves by hand. */
class FakeEndpoint implements ClientEndpoint {
  attempts: { factory: IProtocolFactory; d: Deferred<IProtocol>; cancelled: boolean }[] = [];
  connect(factory: IProtocolFactory): Deferred<IProtocol> {
    const attempt = { factory, d: undefined as unknown as Deferred<IProtocol>, cancelled: false };
    attempt.d = new Deferred<IProtocol>(() => { attempt.cancelled = true; });
    this.attempts.push(attempt);
    return attempt.d;
  }
  /** Completes the last attempt: builds the protocol and connects it. */
  succeed(): IProtocol {
    const { factory, d } = this.attempts[this.attempts.length - 1];
    const p = factory.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 1))!;
    p.makeConnection(new FakeTransport(p));
    d.callback(p);
    return p;
  }
  fail(): void {
    this.attempts[this.attempts.length - 1].d.errback(new ConnectionRefusedError('refused'));
  }
}

class Client extends Protocol {
  lostWith: Failure | undefined;
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lostWith = reason;
  }
}

function setup(policy = (n: number) => n * 10) {
  const clock = new Clock();
  const endpoint = new FakeEndpoint();
  const attemptsSeen: number[] = [];
  const service = new ClientService<Client>(endpoint, Factory.forProtocol(Client), {
    clock,
    retryPolicy: (n) => { attemptsSeen.push(n); return policy(n); },
  });
  return { clock, endpoint, service, attemptsSeen };
}

describe('ClientService', () => {
  test('whenConnected fires with the protocol, before and after the connection is made', () => {
    const { endpoint, service } = setup();
    let early: Client | undefined;
    service.whenConnected().addCallback((p) => { early = p; });
    assert.equal(endpoint.attempts.length, 0, 'nothing happens before startService');
    service.startService();
    assert.equal(endpoint.attempts.length, 1);
    const p = endpoint.succeed();
    assert.ok(p instanceof Client);
    assert.equal(early, p);
    let late: Client | undefined;
    service.whenConnected().addCallback((q) => { late = q; });
    assert.equal(late, p);
  });

  test('failed attempts are retried after retryPolicy(n) seconds; success resets the count', () => {
    const { clock, endpoint, service, attemptsSeen } = setup();
    service.startService();
    endpoint.fail();
    assert.deepEqual(attemptsSeen, [1]);
    clock.advance(9);
    assert.equal(endpoint.attempts.length, 1);
    clock.advance(1);
    assert.equal(endpoint.attempts.length, 2);
    endpoint.fail();
    clock.advance(20);
    assert.equal(endpoint.attempts.length, 3);
    assert.deepEqual(attemptsSeen, [1, 2]);
    const p = endpoint.succeed() as Client;
    // A lost connection is retried too, counting from 1 again.
    p.transport.loseConnection();
    assert.deepEqual(attemptsSeen, [1, 2, 1]);
    let next: Client | undefined;
    service.whenConnected().addCallback((q) => { next = q; });
    clock.advance(10);
    assert.equal(endpoint.attempts.length, 4);
    const q = endpoint.succeed();
    assert.equal(next, q);
    assert.notEqual(q, p);
  });

  test('whenConnected({ failAfterFailures }) fails with the connection error', () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    let failure: Failure | undefined;
    service.whenConnected({ failAfterFailures: 2 }).addErrback((f) => { failure = f; });
    endpoint.fail();
    assert.equal(failure === undefined, true, "not after one failure");
    clock.advance(10);
    endpoint.fail();
    assert.ok(failure?.check(ConnectionRefusedError));
  });

  test('stopService closes the connection, fires once it is lost, and does not reconnect', () => {
    const { clock, endpoint, service } = setup();
    service.startService();
    const p = endpoint.succeed() as Client;
    let stopped = false;
    service.stopService().addCallback(() => { stopped = true; });
    assert.equal(stopped, true);
    assert.ok(p.lostWith?.check(ConnectionDone));
    clock.advance(1000);
    assert.equal(endpoint.attempts.length, 1);
    let failure: Failure | undefined;
    service.whenConnected().addErrback((f) => { failure = f; });
    assert.ok(failure?.check(CancelledError));
  });

  test('stopService while connecting cancels the attempt and fails waiters; while waiting cancels the retry', () => {
    const a = setup();
    a.service.startService();
    let failure: Failure | undefined;
    a.service.whenConnected().addErrback((f) => { failure = f; });
    a.service.stopService();
    assert.equal(a.endpoint.attempts[0].cancelled, true);
    assert.ok(failure?.check(CancelledError));

    const b = setup();
    b.service.startService();
    b.endpoint.fail();
    assert.equal(b.clock.getDelayedCalls().length, 1);
    b.service.stopService();
    assert.equal(b.clock.getDelayedCalls().length, 0);
  });

  test('prepareConnection runs before waiters hear of the connection; its failure drops it for a retry', () => {
    const clock = new Clock();
    const endpoint = new FakeEndpoint();
    const gates: Deferred<void>[] = [];
    const service = new ClientService<Client>(endpoint, Factory.forProtocol(Client), {
      clock,
      retryPolicy: () => 1,
      prepareConnection: () => {
        const d = new Deferred<void>();
        gates.push(d);
        return d;
      },
    });
    service.startService();
    let got: Client | undefined;
    service.whenConnected().addCallback((p) => { got = p; });
    const first = endpoint.succeed() as Client;
    assert.equal(got, undefined);
    gates[0].errback(new Error('login refused'));
    assert.ok(first.lostWith);
    clock.advance(1);
    const second = endpoint.succeed();
    gates[1].callback(undefined);
    assert.equal(got, second);
  });

  test('backoffPolicy grows by factor, caps at maxDelay and adds jitter', () => {
    const policy = backoffPolicy({ initialDelay: 1, factor: 2, maxDelay: 10, jitter: () => 0.5 });
    assert.deepEqual([1, 2, 3, 4, 1000].map(policy), [2.5, 4.5, 8.5, 10.5, 10.5]);
  });

  test('reconnects through a real tcp: endpoint on loopback after the server drops the connection', async () => {
    const connections: Protocol[] = [];
    let arrived = new Deferred<void>();
    class Server extends Protocol {
      override connectionMade(): void {
        connections.push(this);
        arrived.callback(undefined);
        arrived = new Deferred<void>();
      }
    }
    /** Waits until the server has seen `n` connections. */
    const serverSaw = async (n: number) => { while (connections.length < n) await arrived; };
    const port = reactor.listenTCP(0, Factory.forProtocol(Server), { interface: '127.0.0.1' });
    const portNumber = (port.getHost() as IPv4Address).port;
    const endpoint = clientFromString(reactor, `tcp:host=127.0.0.1:port=${portNumber}`);
    const service = new ClientService<Client>(endpoint, Factory.forProtocol(Client), { retryPolicy: () => 0.01 });
    service.startService();
    const first = await service.whenConnected();
    await serverSaw(1);
    const next = service.whenConnected();
    assert.equal(next.called, true, 'still connected: fires at once with the same protocol');
    assert.equal(await next, first);
    connections[0].transport.loseConnection();
    await serverSaw(2);
    const again = await service.whenConnected();
    assert.ok(first.lostWith?.check(ConnectionDone, ConnectionLost));
    assert.notEqual(again, first);
    assert.equal(connections.length, 2);
    await service.stopService();
    await port.stopListening();
  });
});
