/**
 * The HTTP channel over every transport of the conformance suite: it asks the transport (the TLS marker, the
 * write buffer), so `request.isSecure()` and pipelining backpressure hold whatever carries the connection,
 * a Node socket or not.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MakePair } from '../testing/conformance/index.js';
import { Clock, eventually, selfSignedCertificate } from '../testing/index.js';
import { IPv4Address } from '../internet/address.js';
import type { IStreamTransport } from '../internet/interfaces.js';
import { Protocol } from '../internet/protocol.js';
import { NodeReactor } from '../internet/reactor.js';
import { loopbackPair, startTLSPair, tcpPair, tlsPair, unixPair, wrapperPair } from '../internet/test-support/real-pairs.js';
import { MemoryTransport } from './memory-transport.js';
import type { Request } from './request.js';
import { Resource } from './resource.js';
import { Site } from './site.js';

const reactor = new NodeReactor();
const { key, cert } = selfSignedCertificate('localhost');
const serverTLS = { key, cert };
const clientTLS = { ca: cert, servername: 'localhost' };

const transports: { name: string; make: MakePair; secure: boolean }[] = [
  { name: 'TCP', make: tcpPair(reactor, '127.0.0.1'), secure: false },
  { name: 'TLS', make: tlsPair(reactor, serverTLS, clientTLS), secure: true },
  { name: 'Unix sockets', make: unixPair(reactor), secure: false },
  { name: 'STARTTLS over TCP', make: startTLSPair(tcpPair(reactor, '127.0.0.1'), serverTLS, clientTLS), secure: true },
  { name: 'TLSWrapperProtocol over TCP', make: wrapperPair(tcpPair(reactor, '127.0.0.1'), serverTLS, clientTLS), secure: true },
  { name: 'the in-memory loopback', make: loopbackPair(), secure: false },
  { name: 'TLS over the in-memory loopback', make: loopbackPair({ server: serverTLS, client: clientTLS }), secure: true },
  { name: 'TLSWrapperProtocol over the in-memory loopback', make: wrapperPair(loopbackPair(), serverTLS, clientTLS), secure: true },
  {
    name: 'the web in-memory transport',
    make: async (server, client) => {
      MemoryTransport.pair(server, client);
      return { settle: () => new Promise((r) => setImmediate(r)), cleanup: async () => {} };
    },
    secure: false,
  },
];

/** The client: writes requests; keeps the first answer's text, counts the bytes and status lines after it. */
class Client extends Protocol<IStreamTransport> {
  text = '';
  received = 0;
  #responses = 0;
  #tail = '';
  override dataReceived(data: Uint8Array): void {
    this.received += data.byteLength;
    const chunk = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    if (this.text.length < 1024) this.text += chunk.slice(0, 1024);
    // A status line may be split between two reads: look at it across the boundary.
    const scan = this.#tail + chunk;
    for (let at = scan.indexOf(STATUS); at !== -1; at = scan.indexOf(STATUS, at + 1)) this.#responses++;
    this.#tail = scan.slice(-(STATUS.length - 1));
  }
  responses(): number {
    return this.#responses;
  }
}

const STATUS = 'HTTP/1.1 200 ';
const BIG = 256 * 1024;

/** `/secure` answers whether the request is secure; `/big` answers 256 KiB and counts how often it ran. */
class Root extends Resource {
  override isLeaf = true;
  rendered = 0;
  renderGET(request: Request): string {
    if (request.path === '/secure') return `secure=${request.isSecure()}`;
    this.rendered++;
    return 'x'.repeat(BIG);
  }
}

for (const { name, make, secure } of transports) {
  describe(`HTTP over ${name}`, () => {
    test(`request.isSecure() is ${secure}`, async () => {
      const root = new Root();
      // A fake clock: the site's timeout sweep would otherwise hold the test process open.
      const site = new Site(root, { accessLog: false, clock: new Clock() });
      const client = new Client();
      const pair = await make(site.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 1)), client);
      try {
        client.transport.write('GET /secure HTTP/1.1\r\nHost: x\r\n\r\n');
        await eventually(() => client.text.includes('secure='), { message: 'the answer', step: pair.settle });
        assert.ok(client.text.endsWith(`secure=${secure}`), client.text);
      } finally {
        await pair.cleanup();
      }
    });

    test('a client that pipelines requests without reading the answers stops the server from running more of them', async () => {
      const root = new Root();
      const site = new Site(root, { accessLog: false, clock: new Clock() });
      const client = new Client();
      const pair = await make(site.buildProtocol(new IPv4Address('TCP', '127.0.0.1', 1)), client);
      try {
        const total = 64;
        client.transport.pauseProducing();
        client.transport.write('GET /big HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(total));
        await eventually(() => root.rendered > 0, { message: 'the first request', step: pair.settle });
        for (let i = 0; i < 20; i++) await pair.settle();
        assert.ok(root.rendered < total, `all ${total} responses (${(total * BIG) / 1024 / 1024} MiB) were rendered for a client that reads none`);
        client.transport.resumeProducing();
        await eventually(() => client.responses() === total && client.received >= total * BIG, { message: 'every response', step: pair.settle });
        assert.equal(root.rendered, total);
      } finally {
        await pair.cleanup();
      }
    });
  });
}
