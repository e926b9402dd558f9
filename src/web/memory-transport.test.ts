// The web's in-memory transport (what Site.request runs a channel over) passes the same conformance suite
// as the socket transports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { streamTransportConformance } from '../testing/conformance/index.js';
import type { IProtocol } from '../internet/interfaces.js';
import { Protocol } from '../internet/protocol.js';
import { MemoryTransport } from './memory-transport.js';

const turn = (): Promise<void> => new Promise((r) => setImmediate(r));

streamTransportConformance('the web in-memory transport', async (server: IProtocol, client: IProtocol) => {
  MemoryTransport.pair(server, client);
  return { settle: turn, cleanup: async () => {} };
});

test('nothing moves within the turn that wrote it: bytes arrive on a later turn, all written ones together', async () => {
  const got: string[] = [];
  class Reader extends Protocol {
    override dataReceived(data: Uint8Array): void {
      got.push(new TextDecoder().decode(data));
    }
  }
  const [, client] = MemoryTransport.pair(new Reader(), new Protocol());
  client.write('a');
  client.write('b');
  assert.deepEqual(got, []);
  await turn();
  assert.deepEqual(got, ['ab']);
});
