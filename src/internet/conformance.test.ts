// The stream-transport conformance suite over every transport: TCP (IPv4, IPv6), TLS, Unix sockets, the
// in-memory loopback of torsion/testing, and TLS over that loopback.
import { NodeReactor } from './reactor.js';
import { streamTransportConformance } from '../testing/conformance/index.js';
import { tcpPair, tlsPair, unixPair } from './test-support/real-pairs.js';
import { connectedServerAndClient, eventually, selfSignedCertificate } from '../testing/index.js';
import type { IProtocol } from './interfaces.js';
import { wrapTLS } from './tls-wrapper.js';
import { ClientFactory, Factory } from './protocol.js';
import type { IPv4Address } from './address.js';

const reactor = new NodeReactor();
const { key, cert } = selfSignedCertificate('localhost');

streamTransportConformance('TCP over IPv4', tcpPair(reactor, '127.0.0.1'));
streamTransportConformance('TCP over IPv6', tcpPair(reactor, '::1'));
streamTransportConformance('TLS', tlsPair(reactor, { key, cert }, { ca: cert, servername: 'localhost' }));
streamTransportConformance('Unix sockets', unixPair(reactor));

function bothConnected(server: IProtocol, client: IProtocol): boolean {
  return !!((server as { connected?: boolean }).connected && (client as { connected?: boolean }).connected);
}

function loopback(tls: boolean) {
  return async (server: IProtocol, client: IProtocol) => {
    const { pump } = connectedServerAndClient(server, client, tls ? { tls: { server: { key, cert }, client: { ca: cert, servername: 'localhost' } } } : {});
    const settle = () => pump.settle();
    await eventually(() => bothConnected(server, client), { message: 'the loopback to connect', step: settle });
    return { settle, cleanup: async () => {} };
  };
}

streamTransportConformance('in-memory loopback', loopback(false));
streamTransportConformance('TLS over the in-memory loopback', loopback(true));

/** TLS done by `TLSWrapperProtocol` on top of a plain transport: the loopback, then TCP. */
function wrapperOver(overTCP: boolean) {
  return async (server: IProtocol, client: IProtocol) => {
    const sw = wrapTLS(server, { key, cert }, false);
    const cw = wrapTLS(client, { ca: cert, servername: 'localhost' }, true);
    let settle: () => Promise<void>;
    let cleanup = async (): Promise<void> => {};
    if (overTCP) {
      const sf = new Factory();
      sf.buildProtocol = () => sw;
      const port = reactor.listenTCP(0, sf, { interface: '127.0.0.1' });
      const cf = new ClientFactory();
      cf.buildProtocol = () => cw;
      reactor.connectTCP('127.0.0.1', (port.getHost() as IPv4Address).port, cf);
      settle = () => new Promise((r) => setTimeout(r, 2));
      cleanup = async () => {
        for (const w of [cw, sw]) if (w.connected) (w.transport as unknown as { abortConnection(): void }).abortConnection();
        await port.stopListening();
      };
    } else {
      const { pump } = connectedServerAndClient(sw, cw);
      // The wrapper's TLS socket lives on Node's loop: let it turn too, not only the pump.
      settle = async () => {
        await pump.settle();
        await new Promise((r) => setImmediate(r));
      };
    }
    await eventually(() => bothConnected(server, client), { message: 'the TLS wrapper to connect', step: settle });
    return { settle, cleanup };
  };
}

streamTransportConformance('TLSWrapperProtocol over the in-memory loopback', wrapperOver(false));
streamTransportConformance('TLSWrapperProtocol over TCP', wrapperOver(true));
