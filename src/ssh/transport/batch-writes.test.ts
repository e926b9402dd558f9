/**
 * `batchWrites`: the packets sent inside it leave in one `writeSequence` (one `writev` on a socket), in
 * order, and a close inside it still sends what was gathered before the DISCONNECT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Data } from '../../internet/interfaces.js';
import { SSHDisconnectError } from '../errors.js';
import { DISCONNECT } from './constants.js';
import { RecordingService, transportPair } from './test-support/services.js';

async function securePair() {
  const pair = transportPair();
  const service = new RecordingService('test-echo');
  const accepted = pair.client.requestService(service);
  pair.pump.flush();
  await accepted;
  const calls: Array<{ kind: 'write' | 'writeSequence'; chunks: number }> = [];
  const transport = pair.client.transport;
  const write = transport.write.bind(transport);
  const writeSequence = transport.writeSequence.bind(transport);
  // The in-memory transport's writeSequence writes each chunk: only the outer call counts.
  let inSequence = false;
  transport.write = (data: Data) => {
    if (!inSequence) calls.push({ kind: 'write', chunks: 1 });
    write(data);
  };
  transport.writeSequence = (data: readonly Data[]) => {
    calls.push({ kind: 'writeSequence', chunks: data.length });
    inSequence = true;
    writeSequence(data);
    inSequence = false;
  };
  return { ...pair, calls };
}

const payload = (type: number, size: number) => Uint8Array.from({ length: size }, (_, i) => (i === 0 ? type : i & 0xff));

test('packets sent inside batchWrites leave in one writeSequence when it returns, in order', async () => {
  const { client, pump, serverServices, calls } = await securePair();
  const [first, head, body, last] = [payload(90, 50), payload(94, 9), payload(0, 40_000), payload(91, 3)];
  client.batchWrites(() => {
    client.sendPacket(first);
    client.sendPacketParts(head, body);
    client.sendPacket(last);
    assert.deepEqual(calls, [], 'nothing written before the batch ends');
  });
  assert.deepEqual(calls, [{ kind: 'writeSequence', chunks: 3 }]);
  pump.flush();
  assert.deepEqual(serverServices[0]!.received, [first, Uint8Array.from([...head, ...body]), last]);
  // Outside a batch, a packet is a write of its own.
  client.sendPacket(first);
  assert.deepEqual(calls.at(-1), { kind: 'write', chunks: 1 });
});

test('a disconnect inside batchWrites sends the gathered packets, then the DISCONNECT, then closes', async () => {
  const { client, server, pump, serverServices } = await securePair();
  const first = payload(90, 20);
  client.batchWrites(() => {
    client.sendPacket(first);
    client.sendDisconnect(DISCONNECT.BY_APPLICATION, 'bye');
    client.sendPacket(payload(91, 5));
  });
  pump.flush();
  assert.deepEqual(serverServices[0]!.received, [first]);
  assert.ok(server.closeReason instanceof SSHDisconnectError);
  assert.match(server.closeReason.message, /bye/);
});
