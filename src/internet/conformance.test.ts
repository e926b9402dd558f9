// The stream-transport conformance suite over the socket transports: TCP (IPv4, IPv6), TLS, Unix sockets,
// STARTTLS over TCP and the TLS wrapper over TCP. The in-memory ones run from conformance-memory.test.ts,
// the pipes from conformance-pipes.test.ts, the WebSocket stream and the web's in-memory transport from
// their own folders (one file each, so each stays well inside the per-file test timeout).
import { NodeReactor } from './reactor.js';
import { streamTransportConformance } from '../testing/conformance/index.js';
import { startTLSPair, tcpPair, tlsPair, unixPair, wrapperPair } from './test-support/real-pairs.js';
import { selfSignedCertificate } from '../testing/index.js';

const reactor = new NodeReactor();
const { key, cert } = selfSignedCertificate('localhost');
const ALPN = 'torsion-test';
const serverTLS = { key, cert, ALPNProtocols: [ALPN] };
const clientTLS = { ca: cert, servername: 'localhost', ALPNProtocols: [ALPN] };
const tls = { tls: { peerName: 'localhost', alpn: ALPN } };

streamTransportConformance('TCP over IPv4', tcpPair(reactor, '127.0.0.1'));
streamTransportConformance('TCP over IPv6', tcpPair(reactor, '::1'));
streamTransportConformance('TLS', tlsPair(reactor, serverTLS, clientTLS), tls);
streamTransportConformance('Unix sockets', unixPair(reactor));
streamTransportConformance('STARTTLS over TCP', startTLSPair(tcpPair(reactor, '127.0.0.1'), serverTLS, clientTLS), tls);
streamTransportConformance('TLSWrapperProtocol over TCP', wrapperPair(tcpPair(reactor, '127.0.0.1'), serverTLS, clientTLS), tls);
