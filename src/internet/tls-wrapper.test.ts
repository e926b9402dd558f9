// The TLS wrapper keeps the reason its handshake failed, for callers whose outer connection only says "closed".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedServerAndClient, eventually, selfSignedCertificate } from '../testing/index.js';
import { Protocol } from './protocol.js';
import { wrapTLS, type TLSWrapperProtocol } from './tls-wrapper.js';
import type { TLSOptions } from './interfaces.js';

const { key, cert } = selfSignedCertificate('localhost');

/** Runs a handshake over the in-memory loopback until the client side has failed (or 30 s). */
async function failedHandshake(clientOptions: TLSOptions): Promise<{ client: TLSWrapperProtocol; inner: Protocol }> {
  const inner = new Protocol();
  const server = wrapTLS(new Protocol(), { key, cert }, false);
  const client = wrapTLS(inner, clientOptions, true);
  const { pump } = connectedServerAndClient(server, client);
  await eventually(() => client.handshakeError !== undefined || client.tlsTransport !== undefined, {
    message: 'the handshake to fail or succeed',
    // The wrapper's TLS socket lives on Node's loop: let it turn too, not only the pump.
    step: async () => {
      await pump.settle();
      await new Promise((r) => setImmediate(r));
    },
  });
  return { client, inner };
}

test('an unverifiable certificate: handshakeError says why, and the wrapped protocol never connects', async () => {
  const { client, inner } = await failedHandshake({ servername: 'localhost' });
  assert.ok(client.handshakeError, 'the handshake failed');
  assert.match(client.handshakeError.message, /self[- ]signed/i);
  assert.equal((client.handshakeError as NodeJS.ErrnoException).code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
  assert.equal(inner.connected, false);
});

test('a host name the certificate does not cover: handshakeError is the mismatch', async () => {
  const { client } = await failedHandshake({ ca: cert, servername: 'elsewhere.test', host: 'elsewhere.test' });
  assert.equal((client.handshakeError as NodeJS.ErrnoException | undefined)?.code, 'ERR_TLS_CERT_ALTNAME_INVALID');
  assert.match(client.handshakeError!.message, /elsewhere\.test/);
});

test('a good handshake leaves handshakeError unset', async () => {
  const { client, inner } = await failedHandshake({ ca: cert, servername: 'localhost' });
  assert.equal(client.handshakeError, undefined);
  assert.ok(client.tlsTransport);
  inner.transport.loseConnection();
});
