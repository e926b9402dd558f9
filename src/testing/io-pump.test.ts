import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Failure } from '../defer/index.js';
import { IPv4Address, IPv6Address } from '../internet/address.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../internet/error.js';
import type { IAddress, IPullProducer, IPushProducer } from '../internet/interfaces.js';
import { Factory, Protocol } from '../internet/protocol.js';
import { successResultOf, assertNoResult } from './assertions.js';
import { Clock } from './clock.js';
import { connectedServerAndClient, loopbackAsync } from './io-pump.js';
import type { LoopbackTransport } from './loopback-transport.js';

/** Records everything that happens to it. */
class Recorder extends Protocol<LoopbackTransport> {
  received = '';
  chunks: number[] = [];
  lost: Failure | null = null;
  greeting: string | null = null;
  override connectionMade(): void {
    if (this.greeting !== null) this.transport.write(this.greeting);
  }
  override dataReceived(data: Uint8Array): void {
    this.received += Buffer.from(data).toString('latin1');
    this.chunks.push(data.length);
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lost = reason;
  }
}

class Echo extends Recorder {
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

class Greeter extends Recorder {
  override greeting = '220 hello\r\n';
}

class HalfCloseable extends Recorder {
  events: string[] = [];
  readConnectionLost(): void {
    this.events.push('readConnectionLost');
  }
  writeConnectionLost(): void {
    this.events.push('writeConnectionLost');
  }
}

function transportOf(p: Protocol): LoopbackTransport {
  return p.transport as LoopbackTransport;
}

describe('connectedServerAndClient', () => {
  test('each side sees the other side\'s writes once pumped; greetings arrive at once', () => {
    const { server, client, pump } = connectedServerAndClient(new Greeter(), new Echo());
    // greet: the server's greeting went to the client, which echoed it back.
    assert.equal(client.received, '220 hello\r\n');
    assert.equal(server.received, '220 hello\r\n');
    client.transport.write('ping');
    assert.equal(server.received, '220 hello\r\n', 'nothing moves before a pump');
    pump.flush();
    assert.equal(server.received, '220 hello\r\nping');
  });

  test('pump() makes one round at a time', () => {
    const { server, client, pump } = connectedServerAndClient(new Echo(), new Recorder());
    client.transport.write('a');
    assert.equal(pump.pump(), true);
    assert.equal(server.received, 'a');
    assert.equal(client.received, '');
    assert.equal(pump.pump(), true);
    assert.equal(client.received, 'a');
    assert.equal(pump.pump(), false);
  });

  test('accepts protocol classes and factories; factories get the peer\'s address', () => {
    const seen: IAddress[] = [];
    const factory = new (class extends Factory<Echo> {
      override buildProtocol(addr: IAddress): Echo {
        seen.push(addr);
        return new Echo();
      }
    })();
    const serverAddress = new IPv6Address('TCP', '::1', 443);
    const clientAddress = new IPv4Address('TCP', '127.0.0.1', 40000);
    const { server, client } = connectedServerAndClient(factory, Recorder, { serverAddress, clientAddress });
    assert.ok(server instanceof Echo);
    assert.ok(client instanceof Recorder);
    assert.deepEqual(seen, [clientAddress]);
    assert.equal(server.transport.getHost(), serverAddress);
    assert.equal(server.transport.getPeer(), clientAddress);
    assert.equal(client.transport.getHost(), clientAddress);
    assert.equal(client.transport.getPeer(), serverAddress);
  });

  test('a factory that refuses the connection is an error', () => {
    const refusing = { buildProtocol: () => null };
    assert.throws(() => connectedServerAndClient(refusing, new Recorder()), /server factory refused the connection/);
  });

  test('loseConnection delivers what was written first, then both sides get ConnectionDone', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    client.transport.write('last words');
    client.transport.loseConnection();
    assert.equal(client.transport.disconnecting, true);
    client.transport.write(' ignored');
    assert.equal(server.connected, true);
    pump.flush();
    assert.equal(server.received, 'last words');
    assert.ok(server.lost?.check(ConnectionDone));
    assert.ok(client.lost?.check(ConnectionDone));
    assert.equal(pump.closed, true);
  });

  test('an answer to data sent just before loseConnection still arrives (as Twisted\'s iosim)', () => {
    const { server, client, pump } = connectedServerAndClient(new Echo(), new Recorder());
    client.transport.write('bye');
    client.transport.loseConnection();
    pump.flush();
    assert.equal(server.received, 'bye');
    assert.equal(client.received, 'bye');
    assert.ok(client.lost?.check(ConnectionDone));
  });

  test('abortConnection drops buffered data: ConnectionAborted here, ConnectionLost there', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    client.transport.write('never sent');
    (client.transport as LoopbackTransport).abortConnection();
    pump.flush();
    assert.equal(server.received, '');
    assert.ok(client.lost?.check(ConnectionAborted));
    assert.ok(server.lost?.check(ConnectionLost));
    assert.equal(server.lost?.check(ConnectionAborted), null);
  });

  test('half-close: the peer reads to the end, answers, then the connection closes', () => {
    const { server, client, pump } = connectedServerAndClient(new HalfCloseable(), new HalfCloseable());
    client.transport.write('request');
    transportOf(client).loseWriteConnection();
    pump.flush();
    assert.equal(server.received, 'request');
    assert.deepEqual(server.events, ['readConnectionLost']);
    assert.deepEqual(client.events, ['writeConnectionLost']);
    assert.equal(server.connected, true);
    server.transport.write('response');
    server.transport.loseConnection();
    pump.flush();
    assert.equal(client.received, 'response');
    assert.ok(client.lost?.check(ConnectionDone));
    assert.ok(server.lost?.check(ConnectionDone));
  });

  test('half-close towards a protocol that does not support it closes the connection', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new HalfCloseable());
    client.transport.write('x');
    transportOf(client).loseWriteConnection();
    pump.flush();
    assert.equal(server.received, 'x');
    assert.ok(server.lost?.check(ConnectionDone));
    assert.ok(client.lost?.check(ConnectionDone));
  });

  test('both sides half-closing ends the connection', () => {
    const { server, client, pump } = connectedServerAndClient(new HalfCloseable(), new HalfCloseable());
    transportOf(client).loseWriteConnection();
    pump.flush();
    transportOf(server).loseWriteConnection();
    pump.flush();
    assert.ok(server.lost?.check(ConnectionDone));
    assert.ok(client.lost?.check(ConnectionDone));
  });

  test('chunkSize splits deliveries, for framing tests', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder(), { chunkSize: 3 });
    client.transport.write('abcdefgh');
    pump.flush();
    assert.equal(server.received, 'abcdefgh');
    assert.deepEqual(server.chunks, [3, 3, 2]);
  });

  test('a protocol pausing mid-delivery gets the rest only after resuming', () => {
    class Pauser extends Recorder {
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        this.transport.pauseProducing();
      }
    }
    const { server, client, pump } = connectedServerAndClient(new Pauser(), new Recorder(), { chunkSize: 2 });
    client.transport.write('abcdef');
    pump.flush();
    assert.equal(server.received, 'ab');
    transportOf(server).resumeProducing();
    assert.equal(server.received, 'ab', 'resumeProducing does not call back re-entrantly');
    pump.flush();
    assert.equal(server.received, 'abcd');
    transportOf(server).resumeProducing();
    pump.flush();
    transportOf(server).resumeProducing();
    pump.flush();
    assert.equal(server.received, 'abcdef');
  });

  test('a close behind bytes a paused reader still holds reaches it after them, as on a socket', () => {
    class Pauser extends Recorder {
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        this.transport.pauseProducing();
      }
    }
    const { server, client, pump } = connectedServerAndClient(new Pauser(), new Recorder(), { chunkSize: 2 });
    client.transport.write('abcdef');
    client.transport.loseConnection();
    pump.flush();
    assert.equal(server.received, 'ab');
    assert.equal(server.lost, null, 'the end of the stream waits behind the held bytes');
    assert.ok(client.lost?.check(ConnectionDone), 'the closing side is done once its bytes are out');
    for (let i = 0; i < 3; i++) {
      transportOf(server).resumeProducing();
      pump.flush();
    }
    assert.equal(server.received, 'abcdef');
    const lost = server.lost as Failure | null; // assert.equal above narrowed it to null
    assert.ok(lost?.check(ConnectionDone));
  });

  test('a clock given is advanced by 0 on each pump', () => {
    const clock = new Clock();
    class Deferring extends Recorder {
      override dataReceived(data: Uint8Array): void {
        clock.callLater(0, () => this.transport.write(Buffer.from(data).toString().toUpperCase()));
      }
    }
    const { client, pump } = connectedServerAndClient(new Deferring(), new Recorder(), { clock });
    client.transport.write('later');
    pump.flush();
    assert.equal(client.received, 'LATER');
  });

  test('flush refuses to spin forever', () => {
    const { client, pump } = connectedServerAndClient(new Echo(), new Echo());
    client.transport.write('loop');
    assert.throws(() => pump.flush(50), /still moving after 50 turns/);
  });

  test('whenClosed fires once both sides are told', () => {
    const { client, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    const d = pump.whenClosed();
    assertNoResult(d);
    client.transport.loseConnection();
    pump.flush();
    successResultOf(d);
  });
});

/** A push producer writing `total` bytes in `chunk`-sized writes, as fast as it is allowed to. */
class Streamer implements IPushProducer {
  paused = false;
  stopped = false;
  sent = 0;
  pauses = 0;
  resumes = 0;
  constructor(readonly transport: LoopbackTransport, readonly total: number, readonly chunk: number) {}
  produce(): void {
    while (!this.paused && !this.stopped && this.sent < this.total) {
      const n = Math.min(this.chunk, this.total - this.sent);
      const bytes = Buffer.alloc(n, this.sent / this.chunk);
      this.sent += n;
      this.transport.write(bytes);
    }
    if (this.sent === this.total && !this.stopped) {
      this.stopped = true;
      this.transport.unregisterProducer();
    }
  }
  pauseProducing(): void {
    this.paused = true;
    this.pauses++;
  }
  resumeProducing(): void {
    this.paused = false;
    this.resumes++;
    this.produce();
  }
  stopProducing(): void {
    this.stopped = true;
  }
}

describe('producers over the loopback', () => {
  test('a streaming producer is paused past the high-water mark while the reader is paused, and resumed as it drains', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder(), { highWaterMark: 64 * 1024, lowWaterMark: 16 * 1024 });
    const clientTransport = transportOf(client);
    clientTransport.pauseProducing();
    const streamer = new Streamer(transportOf(server), 1024 * 1024, 8 * 1024);
    transportOf(server).registerProducer(streamer, true);
    streamer.produce();
    pump.flush();
    assert.equal(streamer.paused, true);
    assert.equal(client.received.length, 0);
    // Bounded: the producer stopped just past the mark.
    assert.ok(transportOf(server).bufferedBytes <= 64 * 1024 + 8 * 1024, `buffered ${transportOf(server).bufferedBytes}`);
    clientTransport.resumeProducing();
    pump.flush();
    assert.equal(client.received.length, 1024 * 1024);
    assert.equal(streamer.sent, 1024 * 1024);
    assert.ok(streamer.pauses >= 10, `paused ${streamer.pauses} times`);
    assert.ok(streamer.resumes >= streamer.pauses - 1);
    // Order kept: chunk i is filled with byte i % 256.
    for (let i = 0; i < 128; i++) assert.equal(client.received.charCodeAt(i * 8 * 1024), i % 256);
  });

  test('a pull producer is asked once on registration and again each time its data is delivered', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    const transport = transportOf(server);
    let asked = 0;
    const puller: IPullProducer = {
      resumeProducing() {
        asked++;
        transport.write(`chunk${asked};`);
        if (asked === 5) transport.unregisterProducer();
      },
      stopProducing() {},
    };
    transport.registerProducer(puller, false);
    assert.equal(asked, 1);
    pump.flush();
    assert.equal(asked, 5);
    assert.equal(client.received, 'chunk1;chunk2;chunk3;chunk4;chunk5;');
  });

  test('registering a second producer throws; the connection ending stops the producer', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    const transport = transportOf(server);
    const streamer = new Streamer(transport, 10, 10);
    transport.registerProducer(streamer, true);
    assert.throws(() => transport.registerProducer(new Streamer(transport, 1, 1), true), /never unregistered/);
    client.transport.loseConnection();
    pump.flush();
    assert.equal(streamer.stopped, true);
    assert.equal(transport.producer, null);
    const late = new Streamer(transport, 1, 1);
    transport.registerProducer(late, true);
    assert.equal(late.stopped, true, 'a producer registered on a closed transport is stopped at once');
  });

  test('stopProducing on the transport closes the connection', () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder());
    transportOf(client).stopProducing();
    pump.flush();
    assert.ok(server.lost?.check(ConnectionDone));
  });
});

describe('loopbackAsync', () => {
  test('a kept connection can be auto-pumped: bytes move without pump calls', async () => {
    const { server, client, pump } = connectedServerAndClient(new Echo(), new Recorder(), { greet: false });
    const errors: unknown[] = [];
    pump.startAutoPump((e) => errors.push(e));
    client.transport.write('auto');
    assert.equal(client.chunks.length, 0, 'nothing moved yet');
    while (client.chunks.length === 0) await new Promise((r) => setImmediate(r));
    assert.equal(client.received, 'auto');
    assert.equal(server.received, 'auto');
    client.transport.loseConnection();
    await pump.whenClosed();
    assert.ok(server.lost?.check(ConnectionDone));
    assert.deepEqual(errors, []);
  });

  test('runs a conversation on its own and fires once both sides are closed', async () => {
    class Client extends Recorder {
      override connectionMade(): void {
        this.transport.write('hello');
      }
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        if (this.received === 'hello') this.transport.loseConnection();
      }
    }
    const server = new Echo();
    const client = new Client();
    await loopbackAsync(server, client);
    assert.equal(server.received, 'hello');
    assert.equal(client.received, 'hello');
    assert.ok(server.lost?.check(ConnectionDone));
    assert.ok(client.lost?.check(ConnectionDone));
  });

  test('fails when a protocol throws while data is delivered, and closes both sides', async () => {
    class Broken extends Recorder {
      override dataReceived(): void {
        throw new Error('protocol bug');
      }
    }
    class Talker extends Recorder {
      override connectionMade(): void {
        this.transport.write('x');
      }
    }
    const server = new Broken();
    const client = new Talker();
    const d = loopbackAsync(server, client);
    await assert.rejects(d.asPromise(), /protocol bug/);
    assert.ok(server.lost?.check(ConnectionAborted));
    assert.ok(client.lost?.check(ConnectionAborted));
  });
});
