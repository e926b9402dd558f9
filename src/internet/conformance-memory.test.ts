// The stream-transport conformance suite over the in-memory loopback of torsion/testing: plain, TLS from the
// start, STARTTLS, and the TLS wrapper on top of it.
import { streamTransportConformance, type PairHandle } from '../testing/conformance/index.js';
import { startTLSPair, wrapperPair } from './test-support/real-pairs.js';
import type { IProtocol, TLSOptions } from './interfaces.js';
import { connectedServerAndClient, eventually, selfSignedCertificate } from '../testing/index.js';

const { key, cert } = selfSignedCertificate('localhost');
const ALPN = 'torsion-test';
const serverTLS = { key, cert, ALPNProtocols: [ALPN] };
const clientTLS = { ca: cert, servername: 'localhost', ALPNProtocols: [ALPN] };
const tls = { tls: { peerName: 'localhost', alpn: ALPN } };

/** The loopback; with `tls`, TLS from the start (and the handshake done before the suite runs). */
function loopbackPair(withTLS?: { server: TLSOptions; client: TLSOptions }) {
  return async (server: IProtocol, client: IProtocol): Promise<PairHandle> => {
    const { pump, clientTransport } = connectedServerAndClient(server, client, withTLS ? { tls: withTLS } : {});
    const settle = () => pump.settle();
    const connected = (p: IProtocol) => (p as { connected?: boolean }).connected === true;
    // With TLS the loopback connects the protocols at once and handshakes behind them: wait for it, as
    // listenSSL and connectSSL do before connectionMade.
    await eventually(() => connected(server) && connected(client) && (withTLS === undefined || clientTransport.getPeerCertificate() !== null), {
      message: 'the loopback to connect',
      step: settle,
    });
    return { settle, cleanup: async () => {} };
  };
}

// The loopback has no system calls: cork holds nothing back, a pump moves what was written.
streamTransportConformance('in-memory loopback', loopbackPair(), { corkHolds: false });
streamTransportConformance('TLS over the in-memory loopback', loopbackPair({ server: serverTLS, client: clientTLS }), { ...tls, corkHolds: false });
streamTransportConformance('STARTTLS over the in-memory loopback', startTLSPair(loopbackPair(), serverTLS, clientTLS), { ...tls, corkHolds: false });
streamTransportConformance('TLSWrapperProtocol over the in-memory loopback', wrapperPair(loopbackPair(), serverTLS, clientTLS), tls);
