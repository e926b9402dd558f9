// The stream-transport conformance suite over the in-memory loopback of torsion/testing: plain, TLS from the
// start, STARTTLS, and the TLS wrapper on top of it.
import { streamTransportConformance } from '../testing/conformance/index.js';
import { loopbackPair, startTLSPair, wrapperPair } from './test-support/real-pairs.js';
import { selfSignedCertificate } from '../testing/index.js';

const { key, cert } = selfSignedCertificate('localhost');
const ALPN = 'torsion-test';
const serverTLS = { key, cert, ALPNProtocols: [ALPN] };
const clientTLS = { ca: cert, servername: 'localhost', ALPNProtocols: [ALPN] };
const tls = { tls: { peerName: 'localhost', alpn: ALPN } };

// The loopback has no system calls: cork holds nothing back, a pump moves what was written.
streamTransportConformance('in-memory loopback', loopbackPair(), { corkHolds: false });
streamTransportConformance('TLS over the in-memory loopback', loopbackPair({ server: serverTLS, client: clientTLS }), { ...tls, corkHolds: false });
streamTransportConformance('STARTTLS over the in-memory loopback', startTLSPair(loopbackPair(), serverTLS, clientTLS), { ...tls, corkHolds: false });
streamTransportConformance('TLSWrapperProtocol over the in-memory loopback', wrapperPair(loopbackPair(), serverTLS, clientTLS), tls);
