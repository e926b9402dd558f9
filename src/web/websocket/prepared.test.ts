import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport } from '../../testing/index.js';
import { Opcode } from './frame.js';
import { WebSocketConnection } from './connection.js';
import { PreparedMessage } from './prepared.js';
import { Recorder, decodeFrames, serverWire } from './test-support.js';

/** A server connection whose stream transport records the very buffers it is given. */
function recordingServer() {
  const s = serverWire(new Recorder());
  const written: unknown[] = [];
  const write = s.w.transport.write.bind(s.w.transport);
  s.w.transport.write = (data) => {
    written.push(data);
    write(data);
  };
  return { s, written };
}

describe('PreparedMessage', () => {
  test('servers write the one prepared frame itself, not a copy, and it decodes as the message', () => {
    const message = new PreparedMessage('hello everyone');
    const servers = [recordingServer(), recordingServer()];
    for (const { s } of servers) s.transport.sendPreparedMessage(message);
    for (const { s, written } of servers) {
      assert.ok(written.includes(message.frame), 'the shared buffer was written as it is');
      const frames = s.frames();
      assert.equal(frames.length, 1);
      assert.equal(frames[0]!.opcode, Opcode.TEXT);
      assert.equal(frames[0]!.payload.toString(), 'hello everyone');
    }
    const bytes = new PreparedMessage(new Uint8Array([1, 2, 3]));
    servers[0]!.s.transport.sendPreparedMessage(bytes);
    assert.deepEqual(servers[0]!.s.frames().slice(-1).map((f) => [f.opcode, [...f.payload]]), [[Opcode.BINARY, [1, 2, 3]]]);
  });

  test('a client connection masks a prepared message with a key of its own', () => {
    const protocol = new Recorder();
    const connection = new WebSocketConnection({ protocol, isClient: true, clock: new Clock(), subprotocol: null, extensions: null, deflate: null });
    const transport = new StringTransport();
    connection.makeConnection(transport);
    const message = new PreparedMessage('to the server');
    connection.sendPreparedMessage(message);
    const out = transport.value();
    assert.notDeepEqual(out, message.frame);
    const frames = decodeFrames(out, true);
    assert.deepEqual(frames.map((f) => [f.opcode, f.payload.toString()]), [[Opcode.TEXT, 'to the server']]);
  });

  test('a connection that fragments long messages frames a longer prepared one anew', () => {
    const wire = serverWire(new Recorder(), { fragmentSize: 4 });
    wire.transport.sendPreparedMessage(new PreparedMessage('0123456789'));
    const frames = wire.frames();
    assert.deepEqual(frames.map((f) => f.payload.toString()).join(''), '0123456789');
    assert.ok(frames.length > 1, 'fragmented');
  });
});
