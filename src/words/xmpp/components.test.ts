/**
 * External components (XEP-0114) of the words XMPP door, in memory: Torsion's `XMPPComponent` serves
 * `echo.localhost` with the shared secret, and an XMPP user of the door talks with it both ways.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connectedServerAndClient, failureResultOf, successResultOf } from '../../testing/index.js';
import { XMPPComponent } from '../../xmpp/component/component.js';
import { el, type Element } from '../../xmpp/element.js';
import { XMPPAuthError, XMPPStreamError } from '../../xmpp/errors.js';
import { NS } from '../../xmpp/namespaces.js';
import { XMPPHarness } from './test-support/harness.js';

const SECRET = 'a long shared component secret';

class RecordingComponent extends XMPPComponent {
  readonly received: Element[] = [];
  override stanzaReceived(stanza: Element): void {
    this.received.push(stanza);
  }
}

function component(h: XMPPHarness, domain: string, secret = SECRET): { c: RecordingComponent; settle: () => Promise<void> } {
  const c = new RecordingComponent({ domain, secret });
  const { pump } = connectedServerAndClient(h.door.components!, c);
  return { c, settle: () => pump.settle() };
}

describe('the words XMPP door with external components', () => {
  test('a component with the secret serves its subdomain: messages from an XMPP user reach it, and its answers reach the user', async () => {
    const h = new XMPPHarness({ componentSecret: SECRET });
    await h.service.register('alice', 'wonderland');
    const echo = component(h, 'echo.localhost');
    await echo.settle();
    assert.equal(successResultOf(echo.c.ready).toString(), 'echo.localhost');
    const alice = h.xmpp('alice', 'wonderland');
    await h.until(() => alice.jid, 'alice to log in');
    alice.sendMessage('bot@echo.localhost', 'ping & co');
    await h.settle();
    await echo.settle();
    const got = echo.c.received.find((s) => s.name === 'message');
    assert.ok(got, 'the component got the message');
    assert.equal(got.getAttribute('from'), 'alice@localhost/r', 'stamped with the sender by the server');
    assert.equal(got.getChildText('body'), 'ping & co');
    echo.c.send(el('message', NS.CLIENT, { from: 'bot@echo.localhost', to: 'alice@localhost', type: 'chat' }, el('body', '', {}, 'pong')));
    await echo.settle();
    await h.settle();
    const reply = alice.stanzas.find((s) => s.getAttribute('from') === 'bot@echo.localhost');
    assert.equal(reply?.getChildText('body'), 'pong');
    assert.equal(reply?.namespace, NS.CLIENT, 'delivered to the client in jabber:client');
    echo.c.send(el('message', NS.CLIENT, { from: 'bot@echo.localhost', to: 'nobody@localhost', id: 'x1' }, el('body', '', {}, 'anyone?')));
    await echo.settle();
    assert.ok(echo.c.received.some((s) => s.getAttribute('type') === 'error' && s.getAttribute('id') === 'x1'), 'an address nobody is bound to bounces');
  });

  test('refused: a wrong secret, the MUC domain, a domain already served, and stanzas from outside its domain', async () => {
    const h = new XMPPHarness({ componentSecret: SECRET });
    const wrong = component(h, 'echo.localhost', 'guess');
    await wrong.settle();
    assert.ok(failureResultOf(wrong.c.ready).value instanceof XMPPAuthError);
    const muc = component(h, 'conference.localhost');
    await muc.settle();
    assert.equal((failureResultOf(muc.c.ready).value as XMPPStreamError).condition, 'host-unknown');
    const outside = component(h, 'echo.example.org');
    await outside.settle();
    assert.equal((failureResultOf(outside.c.ready).value as XMPPStreamError).condition, 'host-unknown');
    const first = component(h, 'echo.localhost');
    await first.settle();
    successResultOf(first.c.ready);
    const second = component(h, 'echo.localhost');
    await second.settle();
    assert.equal((failureResultOf(second.c.ready).value as XMPPStreamError).condition, 'conflict');
    first.c.send(el('message', NS.CLIENT, { from: 'admin@localhost', to: 'alice@localhost' }, el('body', '', {}, 'spoofed')));
    await first.settle();
    assert.equal((first.c.streamError as XMPPStreamError | undefined)?.condition, 'invalid-from');
    assert.equal(h.door.components!.componentFor('echo.localhost'), undefined, 'the domain is free again once its stream ends');
  });

  test('failed handshakes from one address are counted: past the free failures it is refused unchecked, even with the right secret, until the delay (doubling) has passed', async () => {
    const h = new XMPPHarness({ componentSecret: SECRET, limits: { componentFreeFailures: 2, componentFailureDelay: 10, componentMaxFailureDelay: 300 } });
    const attempt = async (secret: string): Promise<unknown> => {
      const c = component(h, 'echo.localhost', secret);
      await c.settle();
      return c.c.ready.called && c.c.streamError === undefined ? 'ok' : (c.c.streamError as XMPPStreamError | XMPPAuthError).condition;
    };
    assert.equal(await attempt('guess 1'), 'not-authorized');
    assert.equal(await attempt('guess 2'), 'not-authorized', 'the second failure blocks the address for 10 s');
    const blocked = component(h, 'echo.localhost');
    await blocked.settle();
    const refusal = blocked.c.streamError as XMPPStreamError;
    assert.equal(refusal.condition, 'policy-violation', 'refused unchecked while blocked, the right secret too');
    assert.match(refusal.message, /too many failed handshakes: retry in 10 s/);
    assert.equal(h.door.components!.componentFor('echo.localhost'), undefined);
    h.clock.advance(10);
    assert.equal(await attempt('guess 3'), 'not-authorized', 'checked again once the delay passed');
    h.clock.advance(10);
    assert.equal(await attempt(SECRET), 'policy-violation', 'the third failure doubled the delay to 20 s');
    h.clock.advance(10);
    assert.equal(await attempt(SECRET), 'ok');
    assert.ok(h.door.components!.componentFor('echo.localhost'));
  });

  test('at most maxComponents at once; without a secret the door has no components', async () => {
    const h = new XMPPHarness({ componentSecret: SECRET, limits: { maxComponents: 1 } });
    const one = component(h, 'one.localhost');
    await one.settle();
    successResultOf(one.c.ready);
    const two = component(h, 'two.localhost');
    await two.settle();
    assert.equal((failureResultOf(two.c.ready).value as XMPPStreamError).condition, 'policy-violation');
    assert.equal(new XMPPHarness().door.components, undefined);
  });
});
