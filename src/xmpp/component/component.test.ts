import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedServerAndClient, failureResultOf, successResultOf } from '../../testing/index.js';
import { el, type Element } from '../element.js';
import { XMPPAuthError } from '../errors.js';
import { NS } from '../namespaces.js';
import { XMPPComponent, XMPPComponentServerProtocol } from './component.js';
import { checkHandshake, handshakeDigest } from './handshake.js';

function pair(secret: string, domain = 'echo.example.com') {
  const routed: Element[] = [];
  const server = new XMPPComponentServerProtocol({ secretFor: (d) => (d === 'echo.example.com' ? 's3cret' : undefined), route: (s) => routed.push(s), makeStreamId: () => 'id42' });
  const component = new XMPPComponent({ domain, secret });
  const { pump } = connectedServerAndClient(server, component);
  pump.flush();
  return { server, component, pump, routed };
}

describe('component protocol (XEP-0114)', () => {
  test('the handshake digest is SHA-1(id + secret) in hex and is checked in constant time', () => {
    // sha1("abc") is the FIPS 180 test vector a9993e36...: id "a" + secret "bc".
    assert.equal(handshakeDigest('a', 'bc'), 'a9993e364706816aba3e25717850c26c9cd0d89d');
    assert.match(handshakeDigest('id', 's'), /^[0-9a-f]{40}$/);
    assert.ok(checkHandshake(handshakeDigest('id', 's').toUpperCase(), 'id', 's'));
    assert.ok(!checkHandshake(handshakeDigest('id', 's'), 'id', 't'));
  });

  test('a component with the right secret is accepted and exchanges stanzas both ways', () => {
    const { server, component, pump, routed } = pair('s3cret');
    assert.equal(successResultOf(component.ready).toString(), 'echo.example.com');
    assert.equal(server.domain?.toString(), 'echo.example.com');
    const got: Element[] = [];
    component.stanzaReceived = (s) => got.push(s);
    server.send(el('message', NS.CLIENT, { from: 'juliet@example.com/b', to: 'bot@echo.example.com' }, el('body', '', {}, 'ping')));
    pump.flush();
    assert.equal(got[0]?.getChildText('body'), 'ping');
    assert.equal(got[0]?.namespace, NS.COMPONENT);
    component.send(el('message', NS.CLIENT, { from: 'bot@echo.example.com', to: 'juliet@example.com/b' }, el('body', '', {}, 'pong')));
    pump.flush();
    assert.equal(routed[0]?.getChildText('body'), 'pong');
  });

  test('a wrong secret is refused with not-authorized and nothing is routed', () => {
    const { component, server, routed } = pair('guess');
    assert.equal((failureResultOf(component.ready).value as XMPPAuthError).condition, 'not-authorized');
    assert.equal(server.domain, undefined);
    assert.equal(routed.length, 0);
  });

  test('an unknown component domain is refused (host-unknown)', () => {
    const { component } = pair('s3cret', 'other.example.com');
    assert.ok(failureResultOf(component.ready).value instanceof Error);
  });

  test('a component may not send as another domain (invalid-from)', () => {
    const { component, server, pump, routed } = pair('s3cret');
    component.send(el('message', NS.CLIENT, { from: 'admin@example.com', to: 'juliet@example.com' }, el('body', '', {}, 'spoof')));
    pump.flush();
    assert.equal(routed.length, 0);
    assert.equal((server.streamError as { condition?: string }).condition, 'invalid-from');
  });
});
