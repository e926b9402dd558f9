import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport, connectedServerAndClient, failureResultOf, selfSignedCertificate, successResultOf } from '../../testing/index.js';
import { XMPPClient } from '../client/client.js';
import { el, type Element } from '../element.js';
import { XMPPAuthError, XMPPStanzaError } from '../errors.js';
import { scramCredentials, type ScramCredentials } from '../scram-server.js';
import type { IXMPPAuthenticator } from './interfaces.js';
import { XMPPServerProtocol } from './c2s.js';
import { XMPPLocalRouter } from './router.js';

/** Accounts with SCRAM keys made when the password is set (no plaintext kept). */
function accounts(users: Record<string, string>): IXMPPAuthenticator {
  const keys = new Map<string, Record<'sha1' | 'sha256', ScramCredentials>>();
  for (const [u, p] of Object.entries(users)) keys.set(u, { sha1: scramCredentials('sha1', p, { iterations: 1024 }), sha256: scramCredentials('sha256', p, { iterations: 1024 }) });
  return { scramCredentials: (u, hash) => keys.get(u)?.[hash] };
}

describe('XMPPServerProtocol with XMPPClient in memory', () => {
  const authenticator = accounts({ juliet: 'balcony', romeo: 'orchard' });

  function login(router: XMPPLocalRouter, jid: string, password: string, clock = new Clock()) {
    const server = new XMPPServerProtocol({ domain: 'example.com', authenticator, router });
    const client = new XMPPClient({ jid, password, clock, requireTLS: false, resource: 'r' });
    const { pump } = connectedServerAndClient(server, client);
    pump.flush();
    return { server, client, pump };
  }

  test('SCRAM login, binding, server IQs, messages between two sessions with from stamped by the server', () => {
    const router = new XMPPLocalRouter();
    const j = login(router, 'juliet@example.com', 'balcony');
    const r = login(router, 'romeo@example.com', 'orchard');
    assert.equal(successResultOf(j.client.ready).toString(), 'juliet@example.com/r');
    assert.equal(j.client.saslMechanism, 'SCRAM-SHA-256');
    assert.equal(successResultOf(r.client.ready).toString(), 'romeo@example.com/r');
    const got: Element[] = [];
    r.client.messageReceived = (m) => got.push(m);
    const roster = j.client.getRoster();
    const ping = j.client.ping();
    const info = j.client.discoInfo('example.com');
    j.client.send(`<message to="romeo@example.com" from="admin@example.com/spoof" type="chat"><body>hi</body></message>`);
    j.pump.flush();
    r.pump.flush();
    assert.deepEqual(successResultOf(roster), []);
    successResultOf(ping);
    assert.ok(successResultOf(info).features.includes('urn:xmpp:ping'));
    assert.equal(got[0]?.getChildText('body'), 'hi');
    assert.equal(got[0]?.getAttribute('from'), 'juliet@example.com/r', 'the client cannot choose its from');
    const unknown = j.client.sendIq(el('iq', 'jabber:client', { type: 'get', to: 'nobody@example.com/x' }));
    j.pump.flush();
    assert.equal((failureResultOf(unknown).value as XMPPStanzaError).condition, 'service-unavailable');
  });

  test('a wrong password fails with not-authorized; the connection closes after maxAuthFailures', () => {
    const router = new XMPPLocalRouter();
    const m = login(router, 'juliet@example.com', 'guess');
    assert.equal((failureResultOf(m.client.ready).value as XMPPAuthError).condition, 'not-authorized');
    assert.equal(router.sessions.length, 0);
    const server = new XMPPServerProtocol({ domain: 'example.com', authenticator, router, limits: { maxAuthFailures: 2 } });
    const t = new StringTransport();
    server.makeConnection(t);
    server.dataReceived(Buffer.from(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'>`));
    server.dataReceived(Buffer.from(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='PLAIN'>AGp1bGlldABiYWxjb255</auth>`));
    assert.match(t.valueString(), /<failure xmlns="urn:ietf:params:xml:ns:xmpp-sasl"><invalid-mechanism\/><\/failure>/, 'no PLAIN without TLS');
    assert.equal(t.disconnecting, false);
    server.dataReceived(Buffer.from(`<auth xmlns='urn:ietf:params:xml:ns:xmpp-sasl' mechanism='X'>=</auth>`));
    assert.ok(t.disconnecting);
    assert.match(t.valueString(), /policy-violation/);
  });

  test('stanzas before authentication and a wrong host are stream errors', () => {
    const server = new XMPPServerProtocol({ domain: 'example.com', authenticator, router: new XMPPLocalRouter() });
    const t = new StringTransport();
    server.makeConnection(t);
    server.dataReceived(Buffer.from(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='example.com' version='1.0'><message to='romeo@example.com'><body>x</body></message>`));
    assert.match(t.valueString(), /<stream:error><not-authorized/);
    const t2 = new StringTransport();
    const s2 = new XMPPServerProtocol({ domain: 'example.com', authenticator, router: new XMPPLocalRouter() });
    s2.makeConnection(t2);
    s2.dataReceived(Buffer.from(`<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='evil.example' version='1.0'>`));
    assert.match(t2.valueString(), /host-unknown/);
  });

  test('STARTTLS is required when the server has a certificate, and the client verifies it', async () => {
    const { key, cert } = selfSignedCertificate('localhost');
    const router = new XMPPLocalRouter();
    const server = new XMPPServerProtocol({ domain: 'localhost', authenticator, router, tls: { key, cert } });
    const client = new XMPPClient({ jid: 'juliet@localhost', password: 'balcony', clock: new Clock(), tlsOptions: { ca: cert } });
    const { pump } = connectedServerAndClient(server, client);
    await pump.settle();
    assert.equal(successResultOf(client.ready).bare().toString(), 'juliet@localhost');

    const untrusting = new XMPPClient({ jid: 'juliet@localhost', password: 'balcony', clock: new Clock() });
    const second = connectedServerAndClient(new XMPPServerProtocol({ domain: 'localhost', authenticator, router, tls: { key, cert } }), untrusting);
    await second.pump.settle().catch(() => undefined);
    assert.equal(untrusting.jid, undefined, 'a client that does not trust the certificate does not log in');
  });
});
