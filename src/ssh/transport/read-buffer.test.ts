/**
 * The transport reads the peer's bytes into one reused buffer where the underlying transport can (a TCP
 * socket), instead of a fresh buffer per read; `readBufferSize: 0` keeps Node's fresh buffers. Packets read
 * across reused buffers stay intact: `packet-codec.test.ts` overwrites every chunk once fed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport } from '../../testing/index.js';
import { SSHServerTransport } from './server.js';
import { testSigningKey } from './test-support/host-keys.js';

class ReadBufferTransport extends StringTransport {
  readonly buffers: Uint8Array[] = [];
  readIntoBuffer(buffer: Uint8Array): boolean {
    this.buffers.push(buffer);
    return true;
  }
}

for (const [size, expected] of [[undefined, [65536]], [4096, [4096]], [0, []]] as const) {
  test(`readBufferSize ${size ?? 'by default'}: ${expected.length === 0 ? 'no read buffer asked for' : `one buffer of ${expected[0]} bytes asked for`} on connecting`, () => {
    const server = new SSHServerTransport({ clock: new Clock(), hostKeys: [testSigningKey('ed25519')], services: {}, ...(size === undefined ? {} : { limits: { readBufferSize: size } }) });
    const transport = new ReadBufferTransport();
    server.makeConnection(transport);
    assert.deepEqual(
      transport.buffers.map((b) => b.length),
      expected,
    );
  });
}
