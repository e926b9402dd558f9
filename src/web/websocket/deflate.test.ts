import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { MemoryReactor, successResultOf } from '../../testing/index.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { connectWebSocket } from './client.js';
import { acceptDeflateOffer, acceptDeflateResponse, parseExtensions } from './deflate.js';
import { Opcode } from './frame.js';
import type { PerMessageDeflateOptions, WebSocketOptions } from './interfaces.js';
import { WebSocketResource } from './resource.js';
import { Echo, frame, Recorder, serverWire } from './test-support.js';

const DEFLATE_OFFER = 'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n';

function compressed(data: Buffer): Buffer {
  const out = deflateRawSync(data, { finishFlush: 2 });
  return out.subarray(0, out.length - 4);
}

describe('permessage-deflate negotiation', () => {
  const accept = (header: string, options: PerMessageDeflateOptions = {}) => acceptDeflateOffer(parseExtensions(header), options);

  test('accepts a plain offer and answers client_max_window_bits only when it was offered', () => {
    assert.equal(accept('permessage-deflate')?.response, 'permessage-deflate');
    assert.equal(accept('permessage-deflate; client_max_window_bits')?.response, 'permessage-deflate; client_max_window_bits=15');
    assert.equal(accept('permessage-deflate; client_max_window_bits', { clientMaxWindowBits: 10 })?.params.clientMaxWindowBits, 10);
  });

  test('context takeover and window parameters are honoured', () => {
    const r = accept('permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10')!;
    assert.deepEqual(r.params, { serverNoContextTakeover: true, clientNoContextTakeover: true, serverMaxWindowBits: 10, clientMaxWindowBits: 15 });
    assert.equal(r.response, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10');
    assert.equal(accept('permessage-deflate', { serverNoContextTakeover: true })?.response, 'permessage-deflate; server_no_context_takeover');
  });

  test('offers it cannot honour are declined; the next acceptable one is taken', () => {
    assert.equal(accept('permessage-deflate; server_max_window_bits=8'), null, 'zlib cannot compress with 8 bits');
    assert.equal(accept('permessage-deflate; unknown=1'), null);
    assert.equal(accept('permessage-deflate; server_max_window_bits=16'), null);
    assert.equal(accept('x-webkit-deflate-frame'), null);
    assert.equal(accept('permessage-deflate; server_max_window_bits=7, permessage-deflate')?.response, 'permessage-deflate');
    assert.throws(() => parseExtensions('bad name'));
  });

  test('the client refuses answers that break its offer', () => {
    const parse = (h: string) => parseExtensions(h)[0]!;
    assert.throws(() => acceptDeflateResponse(parse('permessage-deflate; client_max_window_bits=16'), {}));
    assert.throws(() => acceptDeflateResponse(parse('permessage-deflate; foo'), {}));
    assert.throws(() => acceptDeflateResponse(parse('permessage-deflate'), { serverNoContextTakeover: true }));
    assert.equal(acceptDeflateResponse(parse('permessage-deflate; server_max_window_bits=9'), {}).serverMaxWindowBits, 9);
  });
});

describe('permessage-deflate messages', () => {
  test('the server inflates compressed client messages and compresses what it sends (RSV1 set, smaller)', () => {
    const s = serverWire(new Echo(), { perMessageDeflate: { threshold: 0 } }, DEFLATE_OFFER);
    assert.match(s.head(), /\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=15\r\n/);
    assert.equal(s.transport.extensions, 'permessage-deflate; client_max_window_bits=15');
    const text = 'compress me please, '.repeat(50);
    s.send(frame(Opcode.TEXT, compressed(Buffer.from(text)), { rsv1: true }));
    assert.deepEqual(s.protocol.texts, [text]);
    const out = s.frames()[0]!;
    assert.equal(out.rsv1, true);
    assert.ok(out.payload.length < text.length / 5);
  });

  test('a compressed message may be fragmented (RSV1 on the first frame only)', () => {
    const s = serverWire(new Recorder(), { perMessageDeflate: true }, DEFLATE_OFFER);
    const data = compressed(Buffer.from('fragmented and compressed '.repeat(20)));
    s.send(frame(Opcode.TEXT, data.subarray(0, 5), { rsv1: true, fin: false }));
    s.send(frame(Opcode.CONTINUATION, data.subarray(5)));
    assert.deepEqual(s.protocol.texts, ['fragmented and compressed '.repeat(20)]);
  });

  test('a deflate bomb stops at maxMessageSize with 1009; corrupt data closes with 1007', () => {
    const s = serverWire(new Recorder(), { perMessageDeflate: true, maxMessageSize: 100_000 }, DEFLATE_OFFER);
    const bomb = compressed(Buffer.alloc(10_000_000));
    assert.ok(bomb.length < 20_000);
    s.send(frame(Opcode.BINARY, bomb, { rsv1: true }));
    assert.equal(s.frames().at(-1)!.payload.readUInt16BE(0), 1009);
    assert.deepEqual(s.protocol.bytes, []);

    const c = serverWire(new Recorder(), { perMessageDeflate: true }, DEFLATE_OFFER);
    c.send(frame(Opcode.BINARY, Buffer.from([0xff, 0xff, 0xff, 0xff]), { rsv1: true }));
    assert.equal(c.frames().at(-1)!.payload.readUInt16BE(0), 1007);
  });

  test('without an offer, or without the option, RSV1 stays a protocol error', () => {
    const s = serverWire(new Recorder(), { perMessageDeflate: true });
    assert.doesNotMatch(s.head(), /Extensions/);
    s.send(frame(Opcode.TEXT, compressed(Buffer.from('x')), { rsv1: true }));
    assert.equal(s.frames().at(-1)!.payload.readUInt16BE(0), 1002);
    const off = serverWire(new Recorder(), {}, DEFLATE_OFFER);
    assert.doesNotMatch(off.head(), /Extensions/);
  });

  function pair(serverOptions: WebSocketOptions, clientOptions: PerMessageDeflateOptions) {
    const reactor = new MemoryReactor();
    const root = new Resource();
    const servers: Echo[] = [];
    root.putChild('ws', new WebSocketResource(() => servers[servers.push(new Echo()) - 1]!, serverOptions));
    const d = connectWebSocket('ws://example.com/ws', new Recorder(), { reactor, perMessageDeflate: clientOptions });
    const { pump, clientTransport } = reactor.tcpClients[0]!.connector.connectTo(new Site(root, { accessLog: false, clock: reactor.clock }));
    const client = successResultOf(d);
    let sent = 0;
    const write = clientTransport.write.bind(clientTransport);
    clientTransport.write = (data) => {
      sent += typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
      write(data);
    };
    return { client, server: servers[0]!, pump, sent: () => sent };
  }

  test('Torsion client and server: context takeover makes a repeated message nearly free', () => {
    const { client, pump, sent } = pair({ perMessageDeflate: { threshold: 0 } }, { threshold: 0 });
    assert.match(client.transport.extensions ?? '', /permessage-deflate/);
    const message = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, name: `item ${i}` })));
    client.transport.sendTextMessage(message);
    pump.flush();
    const first = sent();
    client.transport.sendTextMessage(message);
    pump.flush();
    const second = sent() - first;
    assert.deepEqual(client.texts, [message, message]);
    assert.ok(second < first / 5, `second message ${second} bytes vs first ${first}`);
  });

  test('Torsion client and server: no context takeover on either side still round-trips', () => {
    const { client, pump, sent } = pair({ perMessageDeflate: { threshold: 0, serverNoContextTakeover: true } }, { threshold: 0, clientNoContextTakeover: true, serverNoContextTakeover: true, clientMaxWindowBits: 10 });
    assert.equal(client.transport.extensions, 'permessage-deflate; server_no_context_takeover; client_no_context_takeover; client_max_window_bits=10');
    const message = 'abcdefgh'.repeat(500);
    client.transport.sendTextMessage(message);
    pump.flush();
    const first = sent();
    client.transport.sendTextMessage(message);
    client.transport.sendBytesMessage(Buffer.from(message));
    pump.flush();
    assert.equal(client.texts.length, 2);
    assert.equal(client.bytes[0]!.toString(), message);
    assert.ok(sent() - first >= first * 1.5, 'without takeover the second message costs as much as the first');
  });

  test('small messages stay uncompressed under the threshold', () => {
    const s = serverWire(new Echo(), { perMessageDeflate: { threshold: 100 } }, DEFLATE_OFFER);
    s.send(frame(Opcode.TEXT, 'short'));
    s.send(frame(Opcode.TEXT, 'long '.repeat(30)));
    assert.deepEqual(s.frames().map((f) => f.rsv1), [false, true]);
  });
});
