/**
 * Attacks on the transport layer: Terrapin (CVE-2023-48795), over-long packets and lines, packets out of
 * place, stalls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createECDH } from 'node:crypto';
import { SSHDisconnectError, SSHLimitError, SSHPacketTooLargeError, SSHProtocolError, SSHTimeoutError, SSHVersionError } from '../errors.js';
import { Clock, StringTransport } from '../../testing/index.js';
import { DEFAULT_SSH_TRANSPORT_LIMITS } from '../limits.js';
import { DISCONNECT, MSG } from './constants.js';
import * as m from './messages.js';
import { encodeIgnore } from './messages.js';
import { PacketDecoder, PacketEncoder } from './packet-codec.js';
import { SSHServerTransport } from './server.js';
import { SSHClientTransport } from './client.js';
import { testSigningKey } from './test-support/host-keys.js';
import { RecordingService, transportPair } from './test-support/services.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

/**
 * The Terrapin prefix truncation: a man in the middle adds an IGNORE before NEWKEYS (the client's receive
 * sequence number moves one ahead) and removes the server's first encrypted packet, EXT_INFO (which moves
 * the numbers back in line). Without strict kex, nothing notices and the client loses `server-sig-algs`.
 */
function terrapin(strictKex: boolean) {
  const pair = transportPair({ greet: false, server: { strictKex } });
  const transport = pair.serverTransport;
  const write = transport.write.bind(transport);
  let dropNext = false;
  let dropped = 0;
  transport.write = (data) => {
    const bytes = typeof data === 'string' ? latin1(data) : data;
    if (dropNext) {
      dropNext = false;
      dropped++;
      return;
    }
    if (bytes.length === 16 && bytes[5] === MSG.NEWKEYS) dropNext = true;
    write(data);
  };
  pair.pump.pump();
  pair.client.dataReceived(new PacketEncoder().encode(encodeIgnore(new Uint8Array(0))));
  pair.pump.flush();
  return { ...pair, dropped: () => dropped };
}

test('Terrapin: without strict kex the truncation goes unnoticed (the attack this guards against)', async () => {
  const pair = terrapin(false);
  assert.equal(pair.client.strictKex, false);
  assert.equal(pair.dropped(), 1);
  assert.equal(pair.client.keyExchanges, 1);
  const accepted = pair.client.requestService(new RecordingService('test-echo'));
  pair.pump.flush();
  await accepted;
  assert.equal(pair.client.serverSigAlgs, undefined, 'EXT_INFO was silently removed');
});

test('Terrapin: under strict kex an IGNORE injected before NEWKEYS is refused and the connection closed', () => {
  const pair = terrapin(true);
  assert.ok(pair.client.closeReason instanceof SSHProtocolError);
  assert.match(pair.client.closeReason.message, /strict initial key exchange/);
  assert.equal(pair.client.keyExchanges, 0);
  assert.ok(pair.server.closeReason instanceof SSHDisconnectError);
  assert.equal(pair.server.closeReason.reasonCode, DISCONNECT.PROTOCOL_ERROR);
});

function server(clock = new Clock()) {
  const transport = new StringTransport();
  const protocol = new SSHServerTransport({ clock, hostKeys: [testSigningKey('ed25519')], services: {} });
  protocol.makeConnection(transport);
  return { protocol, transport, clock };
}

test('strict kex: a KEXINIT that is not the first packet is refused', () => {
  const peer = server();
  const serverBytes = peer.transport.value();
  const versionEnd = serverBytes.indexOf(0x0a) + 1;
  const decoder = new PacketDecoder();
  decoder.feed(serverBytes.subarray(versionEnd));
  const kexinit = decoder.next()!;
  const client = new SSHClientTransport({ clock: new Clock(), verifyHostKey: () => true });
  client.makeConnection(new StringTransport());
  const encoder = new PacketEncoder();
  client.dataReceived(serverBytes.subarray(0, versionEnd));
  client.dataReceived(encoder.encode(encodeIgnore(new Uint8Array(3))));
  client.dataReceived(encoder.encode(kexinit));
  assert.ok(client.closeReason instanceof SSHProtocolError);
  assert.match(client.closeReason.message, /KEXINIT was not the first packet/);
});

test('a packet length over the limit closes the connection at once, before the packet is read', () => {
  const { protocol, transport } = server();
  protocol.dataReceived(latin1('SSH-2.0-attacker\r\n'));
  transport.clear();
  const header = Buffer.alloc(4);
  header.writeUInt32BE(DEFAULT_SSH_TRANSPORT_LIMITS.maxPacketLength + 1);
  protocol.dataReceived(header);
  assert.ok(protocol.closeReason instanceof SSHPacketTooLargeError);
  assert.ok(transport.disconnecting);
  const decoder = new PacketDecoder();
  decoder.feed(transport.value());
  const disconnect = decoder.next()!;
  assert.equal(disconnect[0], MSG.DISCONNECT);
  assert.equal(Buffer.from(disconnect).readUInt32BE(1), DISCONNECT.PROTOCOL_ERROR);
});

test('bad padding is refused', () => {
  const { protocol } = server();
  protocol.dataReceived(latin1('SSH-2.0-attacker\r\n'));
  // length 12, padding length 11: no room for a message number.
  protocol.dataReceived(Buffer.from([0, 0, 0, 12, 11, ...new Array(11).fill(0)]));
  assert.ok(protocol.closeReason instanceof SSHProtocolError);
  assert.match(protocol.closeReason.message, /padding/);
});

test('version exchange: over-long lines, non-SSH greetings and SSH 1 are refused', () => {
  for (const input of ['x'.repeat(300), 'GET / HTTP/1.1\r\n', 'SSH-1.5-old\r\n', 'SSH-2.0-a\x01b\r\n']) {
    const { protocol, transport } = server();
    protocol.dataReceived(latin1(input));
    assert.ok(protocol.closeReason instanceof SSHVersionError, input);
    assert.ok(transport.disconnecting);
  }
});

test('the client reads banner lines before the version, up to the limit', () => {
  const pair = transportPair({ greet: false, client: { limits: { maxBannerLines: 2 } } });
  const banners: string[][] = [];
  pair.client.bannerReceived = (lines) => banners.push([...lines]);
  pair.client.dataReceived(latin1('hello\r\nthere\r\n'));
  pair.pump.flush();
  assert.deepEqual(banners, [['hello', 'there']]);
  assert.equal(pair.client.keyExchanges, 1);
  const flood = transportPair({ greet: false, client: { limits: { maxBannerLines: 2 } } });
  flood.client.dataReceived(latin1('a\r\nb\r\nc\r\n'));
  assert.ok(flood.client.closeReason instanceof SSHVersionError);
});

test('no version line within versionTimeout, or no key exchange within kexTimeout, closes', () => {
  const silent = server();
  silent.clock.advance(DEFAULT_SSH_TRANSPORT_LIMITS.versionTimeout - 1);
  assert.equal(silent.protocol.closeReason === undefined, true);
  silent.clock.advance(1);
  assert.ok(silent.protocol.closeReason instanceof SSHTimeoutError);
  assert.ok(silent.transport.disconnecting);

  const stalled = server();
  stalled.protocol.dataReceived(latin1('SSH-2.0-slow\r\n'));
  stalled.clock.advance(DEFAULT_SSH_TRANSPORT_LIMITS.kexTimeout);
  assert.ok(stalled.protocol.closeReason instanceof SSHTimeoutError);
  assert.match(stalled.protocol.closeReason.message, /key exchange/);
});

test('service messages before the key exchange is done are refused', () => {
  const { protocol } = server();
  protocol.dataReceived(latin1('SSH-2.0-x\r\n'));
  protocol.dataReceived(new PacketEncoder().encode(Uint8Array.of(50, 0, 0, 0, 0)));
  assert.ok(protocol.closeReason instanceof SSHProtocolError);
});

test('after the exchange: IGNORE and DEBUG are taken, an unknown message gets UNIMPLEMENTED with its sequence number', async () => {
  const pair = transportPair();
  pair.pump.flush();
  const debug: string[] = [];
  pair.server.debugReceived = (m) => debug.push(m);
  const payloads = [encodeIgnore(Uint8Array.of(1, 2)), Uint8Array.of(MSG.DEBUG, 1, 0, 0, 0, 2, 0x68, 0x69, 0, 0, 0, 0), Uint8Array.of(15)];
  for (const p of payloads) pair.client.sendPacket(p);
  const unimplemented: number[] = [];
  pair.client.unimplementedReceived = (sequence) => unimplemented.push(sequence);
  pair.pump.flush();
  // Strict kex restarted the numbers at NEWKEYS: IGNORE is 0, DEBUG 1, the unknown message 2.
  assert.deepEqual(unimplemented, [2]);
  assert.deepEqual(debug, ['hi']);
  assert.equal(pair.server.closeReason, undefined);
  assert.equal(pair.client.closeReason === undefined, true);
});

test('input held for a host key verdict is bounded by maxHeldInputBytes', () => {
  const pair = transportPair({ client: { verifyHostKey: () => new Promise<boolean>(() => {}), limits: { maxHeldInputBytes: 64 * 1024 } } });
  pair.pump.flush();
  assert.equal(pair.client.keyExchanges, 0);
  for (let i = 0; i < 20 && pair.client.closeReason === undefined; i++) pair.client.dataReceived(new Uint8Array(8192));
  assert.ok(pair.client.closeReason instanceof SSHLimitError);
});

test('a wrong first-kex-packet guess (RFC 4253 §7): the guessed packet is dropped, the exchange goes on', () => {
  const { protocol, transport } = server();
  const client = new SSHClientTransport({ clock: new Clock(), verifyHostKey: () => true, algorithms: { kex: ['ecdh-sha2-nistp256'] } });
  // The client's KEXINIT, with a first kex method the server does not have and the guess flag set.
  const ours = new PacketDecoder();
  const clientTransport = new StringTransport();
  client.makeConnection(clientTransport);
  const sent = clientTransport.value();
  ours.feed(sent.subarray(sent.indexOf(0x0a) + 1));
  const kexinit = m.parseKexInit(ours.next()!);
  const guessing = m.encodeKexInit({ ...kexinit, kex: ['no-such-kex@example.org', ...kexinit.kex], firstKexPacketFollows: true });
  const encoder = new PacketEncoder();
  protocol.dataReceived(latin1('SSH-2.0-guesser\r\n'));
  protocol.dataReceived(encoder.encode(guessing));
  transport.clear();
  protocol.dataReceived(encoder.encode(m.encodeKexInitValue(new Uint8Array(7), false)));
  assert.equal(protocol.closeReason === undefined, true, 'the wrong guess is ignored, not parsed');
  const point = createECDH('prime256v1').generateKeys();
  protocol.dataReceived(encoder.encode(m.encodeKexInitValue(point, false)));
  const reply = new PacketDecoder();
  reply.feed(transport.value());
  assert.equal(reply.next()![0], MSG.KEX_REPLY);
  assert.equal(protocol.closeReason === undefined, true);
});
