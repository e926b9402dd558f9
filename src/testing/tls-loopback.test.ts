import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Failure } from '../defer/index.js';
import { ConnectionAborted, ConnectionDone, ConnectionLost } from '../internet/error.js';
import type { ITLSTransport } from '../internet/interfaces.js';
import { Protocol } from '../internet/protocol.js';
import { selfSignedCertificate } from './certificates.js';
import { connectedServerAndClient, loopbackAsync } from './io-pump.js';
import type { LoopbackTransport } from './loopback-transport.js';
import { nodeTLSLayer, type TLSLayerFactory } from './tls-layer.js';

const { key, cert } = selfSignedCertificate('localhost');
const serverOptions = { key, cert };
const clientOptions = { ca: cert, servername: 'localhost' };

class Recorder extends Protocol<ITLSTransport> {
  received = '';
  lost: Failure | null = null;
  handshakes = 0;
  override dataReceived(data: Uint8Array): void {
    this.received += Buffer.from(data).toString('utf8');
  }
  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.lost = reason;
  }
  handshakeCompleted(): void {
    this.handshakes++;
  }
}

class Echo extends Recorder {
  override dataReceived(data: Uint8Array): void {
    super.dataReceived(data);
    this.transport.write(data);
  }
}

/** Wraps the Node TLS layer and records every byte that goes on the in-memory wire. */
function spyingLayer(wire: Buffer[]): TLSLayerFactory {
  return (options, asServer, hooks) =>
    nodeTLSLayer(options, asServer, {
      ...hooks,
      sendRaw(data) {
        wire.push(Buffer.from(data));
        hooks.sendRaw(data);
      },
    });
}

function lostOf(p: Recorder): Failure | null {
  return p.lost;
}

describe('TLS over the in-memory loopback', () => {
  test('options.tls runs a protocol through a real TLS session; the wire never carries the plaintext', async () => {
    const wire: Buffer[] = [];
    const { server, client, pump } = connectedServerAndClient(new Echo(), new Recorder(), {
      tls: { server: serverOptions, client: clientOptions },
      tlsLayer: spyingLayer(wire),
    });
    client.transport.write('attack at dawn');
    await pump.settle();
    assert.equal(server.received, 'attack at dawn');
    assert.equal(client.received, 'attack at dawn');
    assert.equal(client.handshakes, 1);
    assert.equal(server.handshakes, 1);
    const raw = Buffer.concat(wire);
    assert.ok(raw.length > 200, 'a handshake went over the wire');
    assert.equal(raw.indexOf('attack at dawn'), -1);
    assert.equal(raw[0], 0x16, 'the first record is a TLS handshake record');
    const peer = (client.transport as ITLSTransport).getPeerCertificate() as { subject: { CN: string } };
    assert.equal(peer.subject.CN, 'localhost');
  });

  test('loseConnection delivers pending data through TLS, then both sides get ConnectionDone', async () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder(), { tls: { server: serverOptions, client: clientOptions } });
    client.transport.write('x'.repeat(100_000));
    client.transport.loseConnection();
    await pump.settle();
    assert.equal(server.received.length, 100_000);
    assert.ok(lostOf(server)?.check(ConnectionDone));
    assert.ok(lostOf(client)?.check(ConnectionDone));
  });

  test('a client that does not trust the certificate fails the handshake; nothing is delivered', async () => {
    const { server, client, pump } = connectedServerAndClient(new Recorder(), new Recorder(), {
      tls: { server: serverOptions, client: { servername: 'localhost' } },
    });
    client.transport.write('secret');
    await pump.settle();
    assert.equal(server.received, '');
    const reason = lostOf(client);
    assert.ok(reason, 'the client was told');
    assert.match(reason.getErrorMessage(), /self[- ]signed|unable to verify|certificate/i);
    assert.ok(lostOf(server)?.check(ConnectionLost));
  });

  test('a host name mismatch fails the handshake', async () => {
    const { client, pump } = connectedServerAndClient(new Recorder(), new Recorder(), {
      tls: { server: serverOptions, client: { ca: cert, servername: 'example.org' } },
    });
    await pump.settle();
    assert.match(lostOf(client)?.getErrorMessage() ?? '', /example\.org|altnames|Hostname/i);
  });

  test('ALPN is negotiated', async () => {
    const { client, server, pump } = connectedServerAndClient(new Recorder(), new Recorder(), {
      tls: { server: { ...serverOptions, ALPNProtocols: ['h2', 'http/1.1'] }, client: { ...clientOptions, ALPNProtocols: ['http/1.1'] } },
    });
    await pump.settle();
    assert.equal((client.transport as LoopbackTransport).negotiatedProtocol, 'http/1.1');
    assert.equal((server.transport as LoopbackTransport).negotiatedProtocol, 'http/1.1');
  });

  test('STARTTLS: plaintext before, encrypted after, order kept', async () => {
    const wire: Buffer[] = [];
    class StartTLSServer extends Recorder {
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        if (this.received === 'STARTTLS\r\n') {
          this.transport.write('GO AHEAD\r\n');
          this.transport.startTLS(serverOptions, true);
        } else if (this.received.endsWith('secret\r\n')) {
          this.transport.write('got it\r\n');
        }
      }
    }
    class StartTLSClient extends Recorder {
      override connectionMade(): void {
        this.transport.write('STARTTLS\r\n');
      }
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        if (this.received === 'GO AHEAD\r\n') {
          this.transport.startTLS(clientOptions);
          this.transport.write('secret\r\n');
        }
      }
    }
    const { server, client, pump } = connectedServerAndClient(new StartTLSServer(), new StartTLSClient(), { tlsLayer: spyingLayer(wire) });
    await pump.settle();
    assert.equal(server.received, 'STARTTLS\r\nsecret\r\n');
    assert.equal(client.received, 'GO AHEAD\r\ngot it\r\n');
    assert.equal(Buffer.concat(wire).indexOf('secret'), -1, 'the secret went encrypted');
    assert.equal(client.handshakes, 1);
    assert.throws(() => (client.transport as ITLSTransport).startTLS(clientOptions), /already started/);
  });

  test('a protocol throwing on data that came through TLS fails settle() with its error, not the process', async () => {
    class Broken extends Recorder {
      override dataReceived(): void {
        throw new Error('bug in the protocol');
      }
    }
    const { server, client, pump } = connectedServerAndClient(new Broken(), new Recorder(), { tls: { server: serverOptions, client: clientOptions } });
    client.transport.write('trigger');
    await assert.rejects(pump.settle(), /bug in the protocol/);
    assert.ok(lostOf(server)?.check(ConnectionAborted));
    assert.ok(lostOf(client)?.check(ConnectionAborted));
  });

  test('loopbackAsync over TLS fails with the error a protocol throws', async () => {
    class Broken extends Recorder {
      override dataReceived(): void {
        throw new Error('async bug');
      }
    }
    class Talker extends Recorder {
      override connectionMade(): void {
        this.transport.write('x');
      }
    }
    await assert.rejects(loopbackAsync(new Broken(), new Talker(), { tls: { server: serverOptions, client: clientOptions } }).asPromise(), /async bug/);
  });

  test('loopbackAsync runs TLS on its own', async () => {
    class Client extends Recorder {
      override connectionMade(): void {
        this.transport.write('ping');
      }
      override dataReceived(data: Uint8Array): void {
        super.dataReceived(data);
        if (this.received === 'ping') this.transport.loseConnection();
      }
    }
    const server = new Echo();
    const client = new Client();
    await loopbackAsync(server, client, { tls: { server: serverOptions, client: clientOptions } });
    assert.equal(client.received, 'ping');
    assert.ok(lostOf(server)?.check(ConnectionDone));
  });
});
