// STARTTLS on real TCP connections where the two directions race: bytes the peer sends right behind the
// command (or right after the reply) must reach TLS, not the protocol in the clear, and plaintext written
// before startTLS goes out first and in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import type { Failure } from '../defer/index.js';
import { connectedServerAndClient, eventually, selfSignedCertificate } from '../testing/index.js';
import { NodeReactor } from './reactor.js';
import { ClientFactory, Factory, Protocol } from './protocol.js';
import type { IPv4Address } from './address.js';
import type { IListeningPort, ITCPTransport, ITLSTransport } from './interfaces.js';
import type { SocketTransport } from './socket-transport.js';
import { LineReceiver } from '../protocols/line-receiver.js';

const reactor = new NodeReactor();
const { key, cert } = selfSignedCertificate('localhost');
const CLIENT_TLS = { ca: cert, servername: 'localhost' };

/** Lines over a byte buffer it keeps itself, switching to TLS on "STARTTLS" with the unparsed rest. */
class PipelineServer extends Protocol<ITLSTransport> {
  lines: string[] = [];
  buffer = Buffer.alloc(0);
  handshakes = 0;
  reason: Failure | undefined;

  override connectionMade(): void {
    // Read nothing until the test has let the client send its command and its TLS hello back to back.
    this.transport.pauseProducing();
  }

  override dataReceived(data: Uint8Array): void {
    this.buffer = Buffer.concat([this.buffer, data]);
    let end: number;
    while ((end = this.buffer.indexOf(10)) >= 0) {
      const line = this.buffer.subarray(0, end).toString();
      this.buffer = this.buffer.subarray(end + 1);
      this.lines.push(line);
      if (line === 'STARTTLS') {
        // What follows the command in this chunk is the client's TLS hello: it belongs to TLS.
        const rest = this.buffer;
        this.buffer = Buffer.alloc(0);
        this.transport.startTLS({ key, cert }, true, rest);
      } else if (line === 'secret') {
        this.transport.write('SECRET\n');
      }
    }
  }

  handshakeCompleted(): void {
    this.handshakes++;
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.reason = reason;
  }
}

class Recorder extends Protocol {
  got = Buffer.alloc(0);
  handshakes = 0;
  reason: Failure | undefined;
  onData: ((self: Recorder) => void) | undefined;

  override dataReceived(d: Uint8Array): void {
    this.got = Buffer.concat([this.got, d]);
    this.onData?.(this);
  }

  handshakeCompleted(): void {
    this.handshakes++;
  }

  override connectionLost(r: Failure): void {
    super.connectionLost(r);
    this.reason = r;
  }
}

function listen(build: () => Protocol): { port: IListeningPort; servers: Protocol[] } {
  const servers: Protocol[] = [];
  const factory = new Factory();
  factory.buildProtocol = () => {
    const p = build();
    servers.push(p);
    return p;
  };
  return { port: reactor.listenTCP(0, factory, { interface: '127.0.0.1' }), servers };
}

function connect(port: IListeningPort, client: Protocol): void {
  const cf = new ClientFactory();
  cf.buildProtocol = () => client;
  reactor.connectTCP('127.0.0.1', (port.getHost() as IPv4Address).port, cf);
}

test('a client that pipelines its TLS hello behind STARTTLS: the bytes after the command go to TLS', async () => {
  const { port, servers } = listen(() => new PipelineServer());
  try {
    // Several connections: the kernel and Node may hand the server the command and the hello in one chunk
    // or in two (the second then waiting in the paused socket); both must end up in TLS.
    for (let round = 0; round < 4; round++) {
      const client = new Recorder();
      connect(port, client);
      await eventually(() => client.connected && servers.length === round + 1, { message: 'connected' });
      const server = servers[round] as PipelineServer;
      const plain = (client.transport as SocketTransport).socket as Socket;
      client.transport.write('HELLO\n');
      client.transport.write('STARTTLS\n');
      (client.transport as ITLSTransport).startTLS(CLIENT_TLS);
      client.transport.write('secret\n');
      const plaintext = 'HELLO\nSTARTTLS\n'.length;
      await eventually(() => plain.bytesWritten > plaintext + 100, { message: 'the client hello sent' });
      (server.transport as ITCPTransport).resumeProducing();
      await eventually(() => client.got.toString() === 'SECRET\n', { message: 'the answer over TLS' });
      assert.deepEqual(server.lines, ['HELLO', 'STARTTLS', 'secret']);
      assert.equal(server.handshakes, 1);
      assert.equal(client.handshakes, 1);
      client.transport.loseConnection();
      await eventually(() => !!client.reason && !!server.reason, { message: 'closed' });
    }
  } finally {
    await port.stopListening();
  }
});

test('the peer answering right after a long reply: what it sends before the switch is done goes to TLS', async () => {
  // The server's reply is large, so its switch to TLS waits for the reply to drain; the client starts TLS
  // as soon as it has the whole reply, so its hello can arrive before the server's switch is done.
  const reply = Buffer.alloc(4 * 1024 * 1024, 'r');
  class Server extends Protocol<ITLSTransport> {
    got = '';
    handshakes = 0;
    tls = false;
    override dataReceived(d: Uint8Array): void {
      const s = Buffer.from(d).toString();
      if (this.tls) {
        this.transport.write(s.toUpperCase());
        return;
      }
      this.got += s;
      if (this.got === 'STARTTLS\n') {
        this.transport.write(reply);
        this.transport.write('\n');
        this.transport.startTLS({ key, cert }, true);
        this.tls = true;
        this.transport.write('encrypted-after\n');
      }
    }
    handshakeCompleted(): void {
      this.handshakes++;
    }
  }
  const { port, servers } = listen(() => new Server());
  try {
    for (let round = 0; round < 2; round++) {
      const client = new Recorder();
      let switched = false;
      client.onData = (self) => {
        if (!switched && self.got.length === reply.length + 1) {
          switched = true;
          (self.transport as ITLSTransport).startTLS(CLIENT_TLS);
          self.transport.write('after\n');
        }
      };
      connect(port, client);
      await eventually(() => client.connected, { message: 'connected' });
      client.transport.write('STARTTLS\n');
      await eventually(() => client.got.length >= reply.length + 1 + 'encrypted-after\nAFTER\n'.length, { message: 'the answer over TLS' });
      assert.ok(client.got.subarray(0, reply.length).equals(reply), 'the plaintext reply first, intact');
      assert.equal(client.got.subarray(reply.length).toString(), '\nencrypted-after\nAFTER\n');
      assert.equal((servers[round] as Server).handshakes, 1);
      client.transport.loseConnection();
      await eventually(() => !!client.reason, { message: 'closed' });
    }
  } finally {
    await port.stopListening();
  }
});

test('plaintext written before startTLS goes out first and in order, however much is queued', async () => {
  // The client pipelines many plaintext commands, then STARTTLS, then switches and writes more at once:
  // the server must see every plaintext line before the handshake, and the later data only inside TLS.
  class Server extends Protocol<ITLSTransport> {
    plain = Buffer.alloc(0);
    text = '';
    tlsText = '';
    tls = false;
    override dataReceived(d: Uint8Array): void {
      if (this.tls) {
        this.tlsText += Buffer.from(d).toString();
        if (this.tlsText.endsWith('end\n')) this.transport.write(`got ${this.tlsText.length}\n`);
        return;
      }
      this.plain = Buffer.concat([this.plain, d]);
      const at = this.plain.indexOf('STARTTLS\n');
      if (at < 0) return;
      const end = at + 'STARTTLS\n'.length;
      this.text = this.plain.subarray(0, end).toString();
      this.tls = true;
      this.transport.startTLS({ key, cert }, true, this.plain.subarray(end));
    }
  }
  const { port, servers } = listen(() => new Server());
  try {
    const client = new Recorder();
    connect(port, client);
    await eventually(() => client.connected, { message: 'connected' });
    const commands = Array.from({ length: 2000 }, (_, i) => `NOOP ${i} ${'x'.repeat(200)}\n`);
    for (const c of commands) client.transport.write(c);
    client.transport.write('STARTTLS\n');
    (client.transport as ITLSTransport).startTLS(CLIENT_TLS);
    const secret = Array.from({ length: 100 }, (_, i) => `secret ${i}\n`).join('');
    client.transport.write(secret);
    client.transport.write('end\n');
    await eventually(() => client.got.toString().startsWith('got '), { message: 'the answer over TLS' });
    const server = servers[0] as Server;
    assert.equal(server.text, `${commands.join('')}STARTTLS\n`);
    assert.equal(server.tlsText, `${secret}end\n`);
    assert.equal(client.got.toString(), `got ${secret.length + 4}\n`);
    client.transport.loseConnection();
    await eventually(() => !!client.reason, { message: 'closed' });
  } finally {
    await port.stopListening();
  }
});

test('the same pipelined client over the in-memory loopback: the rest of the chunk goes to TLS', async () => {
  const server = new PipelineServer();
  const client = new Recorder();
  const { pump } = connectedServerAndClient(server, client);
  client.transport.write('HELLO\n');
  client.transport.write('STARTTLS\n');
  (client.transport as ITLSTransport).startTLS(CLIENT_TLS);
  client.transport.write('secret\n');
  await pump.settle();
  assert.deepEqual(server.lines, [], 'the server has not read yet');
  (server.transport as ITCPTransport).resumeProducing();
  await eventually(() => client.got.toString() === 'SECRET\n', { message: 'the answer over TLS', step: () => pump.settle() });
  assert.deepEqual(server.lines, ['HELLO', 'STARTTLS', 'secret']);
  assert.equal(server.handshakes, 1);
});

test('a LineReceiver server: raw mode after STARTTLS hands what follows the command to TLS', async () => {
  // The recipe for line protocols: on the command, switch to raw mode; the first raw data (the rest of
  // this chunk, or the next one) is the client's hello, passed to startTLS; then back to line mode.
  class LineServer extends LineReceiver<ITLSTransport> {
    override delimiter = '\n';
    lines: string[] = [];
    #awaitingHello = false;
    override connectionMade(): void {
      this.transport.pauseProducing();
    }
    override lineReceived(line: Uint8Array): void {
      const text = Buffer.from(line).toString();
      this.lines.push(text);
      if (text === 'STARTTLS') {
        this.#awaitingHello = true;
        this.setRawMode();
      } else if (text === 'secret') {
        this.sendLine('SECRET');
      }
    }
    override rawDataReceived(data: Uint8Array): void {
      if (!this.#awaitingHello) return;
      this.#awaitingHello = false;
      this.transport.startTLS({ key, cert }, true, data);
      this.setLineMode();
    }
  }
  const { port, servers } = listen(() => new LineServer());
  try {
    const client = new Recorder();
    connect(port, client);
    await eventually(() => client.connected && servers.length === 1, { message: 'connected' });
    const plain = (client.transport as SocketTransport).socket as Socket;
    client.transport.write('HELLO\nSTARTTLS\n');
    (client.transport as ITLSTransport).startTLS(CLIENT_TLS);
    client.transport.write('secret\n');
    await eventually(() => plain.bytesWritten > 100, { message: 'the client hello sent' });
    (servers[0].transport as ITCPTransport).resumeProducing();
    await eventually(() => client.got.toString() === 'SECRET\n', { message: 'the answer over TLS' });
    assert.deepEqual((servers[0] as LineServer).lines, ['HELLO', 'STARTTLS', 'secret']);
    client.transport.loseConnection();
    await eventually(() => !!client.reason, { message: 'closed' });
  } finally {
    await port.stopListening();
  }
});
