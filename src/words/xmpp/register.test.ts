/**
 * In-band registration (XEP-0077) on the words XMPP door: off unless asked for, offered only inside TLS,
 * makes a words account (then usable on IRC and for XMPP logins), with the words rules and limits.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { IPv4Address } from '../../internet/address.js';
import { StringTransport, eventually, successResultOf } from '../../testing/index.js';
import { XMPPHarness } from './test-support/harness.js';

const HEADER = `<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='localhost' version='1.0'>`;

function rawStream(h: XMPPHarness, secure = true): { send(xml: string): void; read(): string } {
  const addr = new IPv4Address('TCP', '198.51.100.7', 5000);
  const proto = h.door.buildProtocol(addr);
  const t = new StringTransport({ secure, peerAddress: addr });
  proto.makeConnection(t);
  proto.dataReceived(Buffer.from(HEADER));
  return {
    send: (xml) => proto.dataReceived(Buffer.from(xml)),
    read: () => {
      const v = t.valueString();
      t.clear();
      return v;
    },
  };
}

const register = (id: string, user: string, password: string) => `<iq type='set' id='${id}'><query xmlns='jabber:iq:register'><username>${user}</username><password>${password}</password></query></iq>`;

describe('in-band registration on the words XMPP door', () => {
  test('off by default: no feature, and a registration IQ before login ends the stream', () => {
    const s = rawStream(new XMPPHarness());
    assert.doesNotMatch(s.read(), /iq-register/);
    s.send(register('r1', 'zoe', 'zoe-secret'));
    assert.match(s.read(), /<stream:error><not-authorized/);
  });

  test('makes a words account; taken names, short passwords and bad names are refused; two per connection', async () => {
    const h = new XMPPHarness({ allowRegistration: true });
    const s = rawStream(h);
    assert.match(s.read(), /<register xmlns="http:\/\/jabber\.org\/features\/iq-register"\/>/);
    s.send(`<iq type='get' id='f'><query xmlns='jabber:iq:register'/></iq>`);
    assert.match(s.read(), /<iq type="result" id="f"><query xmlns="jabber:iq:register"><instructions>.*<username\/><password\/><\/query><\/iq>/);
    s.send(register('r1', 'zoe', 'zoe-secret'));
    const made = await eventually(() => /id="r1"/.test(s.read()) || undefined, { timeout: 10, message: 'the registration' });
    assert.ok(made);
    assert.equal(successResultOf(h.service.isRegistered('zoe')), true);
    s.send(register('r2', 'Zoe', 'another-one'));
    assert.match(await eventually(() => s.read() || undefined, { timeout: 10 }), /id="r2".*<conflict /);
    s.send(register('r3', 'yann', 'short'));
    assert.match(s.read(), /id="r3".*<not-acceptable .*at least 6 characters/);
    s.send(register('r4', 'no@pe', 'long-enough'));
    assert.match(s.read(), /id="r4".*<not-acceptable /);
    s.send(register('r5', 'yann', 'long-enough'));
    await eventually(() => h.service.isRegistered('yann').called, { timeout: 10 });
    await eventually(() => /id="r5"/.test(s.read()) || undefined, { timeout: 10 });
    s.send(register('r6', 'xavier', 'long-enough'));
    assert.match(await eventually(() => s.read() || undefined, { timeout: 10 }), /id="r6".*<resource-constraint /, 'the words registration limit per connection');

    const zoe = h.xmpp('zoe', 'zoe-secret');
    await h.until(() => zoe.jid, 'the new account to log in');
    const irc = h.connect().send('NICK zoe', 'USER zoe 0 * :Z');
    assert.deepEqual(irc.lines(), [':irc.test 433 * zoe :Nickname is registered (use PASS or SASL)'], 'the nick is now a registered words account on IRC too');
  });

  test('not offered, and refused, before TLS', () => {
    const h = new XMPPHarness({ allowRegistration: true, tls: undefined });
    const s = rawStream(h, false);
    assert.doesNotMatch(s.read(), /iq-register/);
    s.send(register('r1', 'zoe', 'zoe-secret'));
    assert.match(s.read(), /not-authorized/);
  });
});
