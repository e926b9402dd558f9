import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IPv4Address } from '../internet/address.js';
import { ConnectionLost } from '../internet/error.js';
import { Clock } from '../testing/clock.js';
import { MemoryConnector } from '../testing/memory-ports.js';
import type { StringTransportWithDisconnection } from '../testing/string-transport.js';
import { IRCClient } from './client.js';
import { IRCClientFactory } from './client-factory.js';

const enc = new TextEncoder();

function setup(): { factory: IRCClientFactory; clock: Clock; connector: MemoryConnector } {
  const clock = new Clock();
  const factory = new IRCClientFactory(() => new IRCClient({ nickname: 'bot', capabilities: [], floodRate: Infinity, clock }), [{ channel: '#start' }]);
  factory.clock = clock;
  factory.jitter = 0;
  const connector = new MemoryConnector(factory, new IPv4Address('TCP', '127.0.0.1', 6667));
  connector.connect();
  return { factory, clock, connector };
}

function up(connector: MemoryConnector): { client: IRCClient; transport: StringTransportWithDisconnection; lines: () => string[] } {
  const { protocol, transport } = connector.succeed();
  const client = protocol as IRCClient;
  client.dataReceived(enc.encode(':srv 001 bot :Welcome\r\n'));
  return {
    client,
    transport,
    lines: () => {
      const out = transport.valueString().split('\r\n').filter(Boolean);
      transport.clear();
      return out;
    },
  };
}

describe('IRCClientFactory', () => {
  test('joins its channels, and after a lost connection reconnects and rejoins what the client was in', () => {
    const { factory, clock, connector } = setup();
    const first = up(connector);
    assert.deepEqual(first.lines(), ['NICK bot', 'USER bot 0 * bot', 'JOIN #start']);
    first.client.join('#sec', 'pw');
    first.client.join('#other');
    first.client.dataReceived(enc.encode(':bot!b@h JOIN #start\r\n:bot!b@h JOIN #sec\r\n:bot!b@h JOIN #other\r\n:bot!b@h PART #start\r\n'));
    first.transport.loseConnection();
    assert.equal(connector.state, 'disconnected');
    assert.equal(connector.attempts, 1);
    clock.advance(factory.delay);
    assert.equal(connector.attempts, 2);
    const second = up(connector);
    assert.notEqual(second.client, first.client);
    assert.deepEqual(second.lines(), ['NICK bot', 'USER bot 0 * bot', 'JOIN #sec pw', 'JOIN #other']);
  });

  test('a failed attempt is retried with back-off', () => {
    const { factory, clock, connector } = setup();
    connector.fail(new ConnectionLost('refused'));
    const delay = factory.delay;
    assert.ok(delay > factory.initialDelay);
    clock.advance(delay - 0.01);
    assert.equal(connector.attempts, 1);
    clock.advance(0.01);
    assert.equal(connector.attempts, 2);
  });

  test('after quit() it does not reconnect', () => {
    const { clock, connector } = setup();
    const conn = up(connector);
    conn.client.quit('bye');
    conn.transport.loseConnection();
    clock.advance(10_000);
    assert.equal(connector.attempts, 1);
  });
});
