// The stream-transport conformance suite over every transport: TCP (IPv4, IPv6), TLS, Unix sockets, the
// in-memory loopback of torsion/testing, and TLS over that loopback.
import { NodeReactor } from './reactor.js';
import { streamTransportConformance } from './conformance/stream-transport-suite.js';
import { tcpPair, tlsPair, unixPair } from './conformance/real-pairs.js';
import { connectedServerAndClient, selfSignedCertificate } from '../testing/index.js';
import type { IProtocol } from './interfaces.js';

const reactor = new NodeReactor();
const { key, cert } = selfSignedCertificate('localhost');

streamTransportConformance('TCP over IPv4', tcpPair(reactor, '127.0.0.1'));
streamTransportConformance('TCP over IPv6', tcpPair(reactor, '::1'));
streamTransportConformance('TLS', tlsPair(reactor, { key, cert }, { ca: cert, servername: 'localhost' }));
streamTransportConformance('Unix sockets', unixPair(reactor));

function loopback(tls: boolean) {
  return async (server: IProtocol, client: IProtocol) => {
    const { pump } = connectedServerAndClient(server, client, tls ? { tls: { server: { key, cert }, client: { ca: cert, servername: 'localhost' } } } : {});
    const settle = () => pump.settle();
    const deadline = Date.now() + 30_000;
    while (!((server as { connected?: boolean }).connected && (client as { connected?: boolean }).connected)) {
      if (Date.now() > deadline) throw new Error('loopback did not connect');
      await settle();
    }
    return { settle, cleanup: async () => {} };
  };
}

streamTransportConformance('in-memory loopback', loopback(false));
streamTransportConformance('TLS over the in-memory loopback', loopback(true));
