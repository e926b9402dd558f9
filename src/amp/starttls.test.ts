import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedServerAndClient, eventually, selfSignedCertificate } from '../testing/index.js';
import type { ITLSTransport } from '../internet/interfaces.js';
import { AMP, Command, Unicode } from './index.js';
import { UnhandledCommandError } from './errors.js';

const Echo = Command.define({ name: 'Echo', arguments: { text: new Unicode() }, response: { text: new Unicode() } });

test('StartTLS: both ends switch to TLS after the answer, and calls go on over TLS', { timeout: 30_000 }, async () => {
  const { key, cert } = selfSignedCertificate('localhost');
  const server = new AMP({ tlsServerOptions: { key, cert } }).addResponder(Echo, ({ text }) => ({ text }));
  const { client, pump } = connectedServerAndClient(server, new AMP());
  const started = client.startTLS({ ca: cert, servername: 'localhost' });
  pump.flush();
  await started;
  const echoed = client.callRemote(Echo, { text: 'secret' });
  await eventually(() => echoed.called, { message: 'the echo over TLS', step: () => pump.settle() });
  assert.deepEqual(await echoed, { text: 'secret' });
  assert.ok((client.transport as ITLSTransport).isSecure());
  assert.ok((server.transport as ITLSTransport).isSecure());
});

test('StartTLS without server TLS options is UNHANDLED and the connection stays in the clear', async () => {
  const { client, pump } = connectedServerAndClient(new AMP(), new AMP());
  const started = client.startTLS({});
  pump.flush();
  await assert.rejects(started.asPromise(), UnhandledCommandError);
  assert.ok(!(client.transport as ITLSTransport).isSecure());
});
