/**
 * Random and mutated frames thrown at a WebSocketResource: the server never throws, fails a broken
 * connection with a protocol-level close code (never 1011, which would mean our own bug), and the site
 * still serves the next good connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync } from 'node:zlib';
import { Failure } from '../../defer/index.js';
import { ConnectionDone } from '../../internet/error.js';
import { Clock, seededRandom } from '../../testing/index.js';
import { Resource } from '../resource.js';
import { Site } from '../site.js';
import { attach } from '../test-support.js';
import { Opcode } from './frame.js';
import { WebSocketResource } from './resource.js';
import { decodeFrames, Echo, frame, upgradeRequest } from './test-support.js';

const ITERATIONS = 400;

test('fuzz: random and mutated frames never crash the server and close with protocol codes', () => {
  const rand = seededRandom(0x5eed);
  const int = (n: number) => Math.floor(rand() * n);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const texts = ['hello', 'ünï€ode 🎉', '', 'x'.repeat(200)];

  function goodFrames(deflate: boolean): Buffer[] {
    const out: Buffer[] = [];
    for (let i = 0, n = 1 + int(5); i < n; i++) {
      const kind = int(7);
      if (kind === 0) out.push(frame(Opcode.TEXT, texts[int(texts.length)]!));
      else if (kind === 1) out.push(frame(Opcode.BINARY, bytes(int(300))));
      else if (kind === 2) out.push(frame(Opcode.PING, bytes(int(126))));
      else if (kind === 3) {
        const t = Buffer.from(texts[int(texts.length)]!);
        const cut = int(t.length + 1);
        out.push(frame(Opcode.TEXT, t.subarray(0, cut), { fin: false }), frame(Opcode.PONG, 'p'), frame(Opcode.CONTINUATION, t.subarray(cut)));
      } else if (kind === 4 && deflate) {
        const z = deflateRawSync(bytes(int(2000)), { finishFlush: 2 });
        out.push(frame(Opcode.BINARY, z.subarray(0, z.length - 4), { rsv1: true }));
      } else if (kind === 5) out.push(frame(Opcode.BINARY, bytes(70_000)));
      else out.push(frame(Opcode.CLOSE, Buffer.concat([Buffer.from([0x03, 0xe8 + int(3)]), Buffer.from('ok')])));
    }
    return out;
  }

  function mutate(input: Buffer): Buffer {
    const b = Buffer.from(input);
    const kind = int(5);
    if (kind === 0) for (let i = 0, n = 1 + int(4); i < n && b.length > 0; i++) b[int(b.length)] = int(256);
    else if (kind === 1) return b.subarray(0, int(b.length + 1));
    else if (kind === 2) return Buffer.concat([b.subarray(0, int(b.length + 1)), bytes(1 + int(20)), b.subarray(int(b.length + 1))]);
    else if (kind === 3) return bytes(int(64));
    return b;
  }

  const clock = new Clock();
  const root = new Resource();
  root.putChild('ws', new WebSocketResource(() => new Echo(), { maxMessageSize: 64 * 1024, perMessageDeflate: true }));
  const site = new Site(root, { accessLog: false, clock });
  const seenCodes = new Set<number>();

  for (let i = 0; i < ITERATIONS; i++) {
    const deflate = rand() < 0.5;
    const w = attach(site, clock);
    w.send(upgradeRequest('/ws', deflate ? 'Sec-WebSocket-Extensions: permessage-deflate\r\n' : ''));
    const headEnd = w.transport.value().indexOf('\r\n\r\n') + 4;
    const input = Buffer.concat(goodFrames(deflate).map((f) => (rand() < 0.4 ? mutate(f) : f)));
    for (let at = 0; at < input.length; ) {
      const n = 1 + int(rand() < 0.5 ? 16 : 4096);
      w.send(input.subarray(at, at + n));
      at += n;
    }
    const out = decodeFrames(w.transport.value().subarray(headEnd));
    const close = out.find((f) => f.opcode === Opcode.CLOSE);
    w.channel.connectionLost(new Failure(new ConnectionDone()));
    if (close !== undefined && close.payload.length >= 2) {
      const code = close.payload.readUInt16BE(0);
      seenCodes.add(code);
      assert.ok([1000, 1001, 1002, 1007, 1009].includes(code), `iteration ${i}: closed with ${code}`);
      assert.equal(w.transport.disconnecting, true, `iteration ${i}: TCP closes after the close frame`);
    }
  }
  assert.ok(seenCodes.has(1002), 'the fuzzer reached protocol errors');

  const good = attach(site, clock);
  good.send(upgradeRequest('/ws'));
  const headEnd = good.transport.value().indexOf('\r\n\r\n') + 4;
  good.send(frame(Opcode.TEXT, 'still alive'));
  assert.equal(decodeFrames(good.transport.value().subarray(headEnd))[0]!.payload.toString(), 'still alive');
});
