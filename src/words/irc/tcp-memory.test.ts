/**
 * What an accepted IRC connection keeps over real TCP (127.0.0.1): per-connection memory the in-memory
 * transports cannot show.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { eventually } from '../../testing/index.js';
import { NodeReactor } from '../../internet/reactor.js';
import type { IPv4Address } from '../../internet/address.js';
import { createWordsService } from '../index.js';
import { IRCServerFactory } from './factory.js';

test('a registered client over TCP is named by its host, and its socket keeps no cached peer name', async () => {
  const reactor = new NodeReactor();
  const service = createWordsService({ name: 'irc.test', clock: reactor });
  await service.start();
  const factory = new IRCServerFactory(service, { clock: reactor, motd: ['hi'] });
  const port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  const client = net.connect((port.getHost() as IPv4Address).port, '127.0.0.1');
  let text = '';
  client.on('data', (d: Buffer) => (text += d.toString('latin1')));
  try {
    client.write('NICK amy\r\nUSER amy 0 * :Amy\r\nWHOIS amy\r\n');
    await eventually(() => text.includes(' 311 '), { timeout: 10, message: 'WHOIS reply' });
    assert.match(text, / 311 amy amy amy 127\.0\.0\.1 \* :Amy\r\n/);
    const [conn] = [...factory.connections];
    // Node caches the peer's address object and string on the socket once anything reads remoteAddress;
    // the listener reads it once for buildProtocol and drops it (src/internet/addresses.ts).
    const socket = (conn.transport as unknown as { socket: { _peername?: unknown } }).socket;
    assert.equal(socket._peername, undefined, 'no cached peer name left on the socket');
  } finally {
    client.destroy();
    await port.stopListening();
    await service.stop();
  }
});
