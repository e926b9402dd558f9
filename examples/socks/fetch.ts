// Fetches a page through a SOCKS5 proxy with any Torsion protocol:
// `node -C torsion-source --import tsx examples/socks/fetch.ts PROXY_PORT HOST PORT [PATH] [USER PASSWORD]`.
import type { Failure } from 'torsion/defer';
import { connectProtocol, Protocol, reactor, TCPClientEndpoint } from 'torsion/internet';
import { SOCKS5ClientEndpoint } from 'torsion/socks';

class Get extends Protocol {
  readonly chunks: Uint8Array[] = [];
  constructor(readonly path: string, readonly host: string, readonly done: () => void) {
    super();
  }
  override connectionMade(): void {
    this.transport.write(`GET ${this.path} HTTP/1.0\r\nHost: ${this.host}\r\n\r\n`);
  }
  override dataReceived(data: Uint8Array): void {
    this.chunks.push(data);
  }
  override connectionLost(_reason: Failure): void {
    const text = Buffer.concat(this.chunks).toString();
    console.log(text.slice(text.indexOf('\r\n\r\n') + 4));
    this.done();
  }
}

const [proxyPort = '1080', host = '127.0.0.1', port = '80', path = '/', username, password] = process.argv.slice(2);
reactor.callWhenRunning(async () => {
  try {
    const proxy = new TCPClientEndpoint(reactor, '127.0.0.1', Number(proxyPort));
    const endpoint = new SOCKS5ClientEndpoint(host, Number(port), proxy, username === undefined ? {} : { username, password });
    await connectProtocol(endpoint, new Get(path, host, () => reactor.stop()));
  } catch (e) {
    console.error(`failed: ${(e as Error).message}`);
    process.exitCode = 1;
    reactor.stop();
  }
});
await reactor.run();
