import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport, failureResultOf, successResultOf } from '../../testing/index.js';
import type { Element } from '../element.js';
import { XMPPAuthError, XMPPNegotiationError, XMPPStanzaError, XMPPStreamError, XMPPTimeoutError } from '../errors.js';
import { NS } from '../namespaces.js';
import { scramCredentials, ScramServerExchange } from '../scram-server.js';
import { XMLStreamParser } from '../stream-parser.js';
import { XMPPClient, type XMPPClientOptions } from './client.js';

const HEADER = `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='${NS.STREAMS}' from='example.com' id='s1' version='1.0'>`;
const TLS_FEATURES = `<stream:features><starttls xmlns='${NS.TLS}'><required/></starttls></stream:features>`;
const mechanisms = (...names: string[]) => `<stream:features><mechanisms xmlns='${NS.SASL}'>${names.map((n) => `<mechanism>${n}</mechanism>`).join('')}</mechanisms></stream:features>`;
const BIND_FEATURES = `<stream:features><bind xmlns='${NS.BIND}'/></stream:features>`;
const b64 = (t: string) => Buffer.from(t).toString('base64');
const unb64 = (t: string) => Buffer.from(t, 'base64').toString('utf8');

/** A client on a StringTransport, and what it wrote, read back as elements by a parser of our own. */
function harness(options: Partial<XMPPClientOptions> = {}) {
  const clock = new Clock();
  const transport = new StringTransport();
  const client = new XMPPClient({ jid: 'juliet@example.com', password: 'pencil', resource: 'balcony', clock, ...options });
  const sent: Element[] = [];
  let headers = 0;
  const headerElements: Element[] = [];
  const reader = new XMLStreamParser({ streamStart: (e) => (headers++, headerElements.push(e)), element: (e) => sent.push(e), streamEnd: () => {} });
  client.makeConnection(transport);
  const pump = () => {
    const text = transport.valueString();
    transport.clear();
    for (const [i, part] of text.split("<?xml version='1.0'?>").entries()) {
      if (i > 0) reader.reset();
      reader.feed(part);
    }
  };
  const recv = (xml: string) => {
    client.dataReceived(Buffer.from(xml));
    pump();
  };
  const last = () => {
    pump();
    return sent[sent.length - 1]!;
  };
  pump();
  return { clock, transport, client, sent, recv, last, headers: () => headers, headerElements };
}

/** Drives a client through STARTTLS, SCRAM-SHA-256 and binding. */
function negotiate(h: ReturnType<typeof harness>) {
  h.recv(HEADER + TLS_FEATURES);
  h.recv(`<proceed xmlns='${NS.TLS}'/>`);
  h.recv(HEADER + mechanisms('PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'));
  const creds = scramCredentials('sha256', 'pencil', { iterations: 4096 });
  const server = new ScramServerExchange((u) => (u === 'juliet' ? creds : undefined));
  h.recv(`<challenge xmlns='${NS.SASL}'>${b64(server.start(unb64(h.last().text)).challenge)}</challenge>`);
  h.recv(`<success xmlns='${NS.SASL}'>${b64(server.finish(unb64(h.last().text)))}</success>`);
  h.recv(HEADER + BIND_FEATURES);
  const bind = h.last();
  h.recv(`<iq type='result' id='${bind.getAttribute('id')}'><bind xmlns='${NS.BIND}'><jid>juliet@example.com/balcony</jid></bind></iq>`);
}

describe('XMPPClient negotiation', () => {
  test('STARTTLS with verification, SCRAM-SHA-256 preferred, stream restarts, resource binding', () => {
    const h = harness();
    assert.equal(h.headers(), 1);
    assert.equal(h.headerElements[0]!.getAttribute('from'), undefined, 'no account name in the clear');
    h.recv(HEADER + TLS_FEATURES);
    assert.equal(h.last().name, 'starttls');
    h.recv(`<proceed xmlns='${NS.TLS}'/>`);
    assert.deepEqual(h.transport.tls?.options, { servername: 'example.com', rejectUnauthorized: true });
    assert.equal(h.headers(), 2, 'the stream restarts after STARTTLS');
    assert.equal(h.headerElements[1]!.getAttribute('from'), 'juliet@example.com', 'the account is named once TLS hides it');
    h.recv(HEADER + mechanisms('PLAIN', 'SCRAM-SHA-1', 'SCRAM-SHA-256'));
    assert.equal(h.last().name, 'auth');
    assert.equal(h.last().getAttribute('mechanism'), 'SCRAM-SHA-256');
    const creds = scramCredentials('sha256', 'pencil', { iterations: 4096 });
    const server = new ScramServerExchange(() => creds);
    h.recv(`<challenge xmlns='${NS.SASL}'>${b64(server.start(unb64(h.last().text)).challenge)}</challenge>`);
    assert.equal(h.last().name, 'response');
    h.recv(`<success xmlns='${NS.SASL}'>${b64(server.finish(unb64(h.last().text)))}</success>`);
    assert.equal(h.headers(), 3, 'the stream restarts after SASL');
    h.recv(HEADER + BIND_FEATURES);
    const bind = h.last();
    assert.equal(bind.getChild('bind', NS.BIND)?.getChildText('resource'), 'balcony');
    assert.equal(h.client.ready.called, false);
    h.recv(`<iq type='result' id='${bind.getAttribute('id')}'><bind xmlns='${NS.BIND}'><jid>juliet@example.com/balcony</jid></bind></iq>`);
    assert.equal(successResultOf(h.client.ready).toString(), 'juliet@example.com/balcony');
  });

  test('without STARTTLS on offer the client stops before sending any credentials', () => {
    const h = harness();
    h.recv(HEADER + mechanisms('PLAIN', 'SCRAM-SHA-1'));
    assert.ok(failureResultOf(h.client.ready).value instanceof XMPPNegotiationError);
    assert.equal(h.sent.filter((e) => e.name === 'auth').length, 0);
    assert.ok(h.transport.disconnecting);
  });

  test('PLAIN is not sent in the clear even when TLS is not required', () => {
    const h = harness({ requireTLS: false });
    h.recv(HEADER + mechanisms('PLAIN'));
    assert.ok(failureResultOf(h.client.ready).value instanceof XMPPNegotiationError);
    assert.equal(h.sent.filter((e) => e.name === 'auth').length, 0);
  });

  test('a server that does not know the password (bad SCRAM signature) is refused', () => {
    const h = harness();
    h.recv(HEADER + TLS_FEATURES);
    h.recv(`<proceed xmlns='${NS.TLS}'/>`);
    h.recv(HEADER + mechanisms('SCRAM-SHA-1'));
    const server = new ScramServerExchange(() => scramCredentials('sha1', 'other password'));
    h.recv(`<challenge xmlns='${NS.SASL}'>${b64(server.start(unb64(h.last().text)).challenge)}</challenge>`);
    h.recv(`<success xmlns='${NS.SASL}'>${b64('v=' + Buffer.alloc(20).toString('base64'))}</success>`);
    assert.ok(failureResultOf(h.client.ready).value instanceof XMPPAuthError);
    assert.equal(h.headers(), 2, 'no stream restart after a forged success');
  });

  test('SASL failure maps to XMPPAuthError with its condition', () => {
    const h = harness();
    h.recv(HEADER + TLS_FEATURES);
    h.recv(`<proceed xmlns='${NS.TLS}'/>`);
    h.recv(HEADER + mechanisms('SCRAM-SHA-1'));
    h.recv(`<failure xmlns='${NS.SASL}'><not-authorized/></failure>`);
    const err = failureResultOf(h.client.ready).value as XMPPAuthError;
    assert.equal(err.condition, 'not-authorized');
  });

  test('an oversized stanza from the server ends the stream with policy-violation', () => {
    const h = harness({ limits: { maxStanzaSize: 2048 } });
    h.recv(HEADER);
    h.client.dataReceived(Buffer.from(`<message><body>${'x'.repeat(5000)}`));
    const err = failureResultOf(h.client.ready).value as XMPPStreamError;
    assert.equal(err.condition, 'policy-violation');
    assert.match(h.transport.valueString(), /<stream:error><policy-violation xmlns="urn:ietf:params:xml:ns:xmpp-streams"\/><\/stream:error>/);
    assert.ok(h.transport.disconnecting);
  });

  test('a stream error from the server fails ready with its condition', () => {
    const h = harness();
    h.recv(`${HEADER}<stream:error><host-unknown xmlns='${NS.STREAM_ERRORS}'/></stream:error>`);
    assert.equal((failureResultOf(h.client.ready).value as XMPPStreamError).condition, 'host-unknown');
  });
});

describe('XMPPClient session', () => {
  test('IQ Deferreds: result, mapped error condition, timeout on the clock, spoofed answers ignored', () => {
    const h = harness();
    negotiate(h);
    const roster = h.client.getRoster();
    const rid = h.last().getAttribute('id');
    h.recv(`<iq type='result' id='${rid}' from='mallory@evil.example'><query xmlns='${NS.ROSTER}'/></iq>`);
    assert.equal(roster.called, false, 'an answer from another JID does not settle the request');
    h.recv(`<iq type='result' id='${rid}'><query xmlns='${NS.ROSTER}'><item jid='romeo@example.net' name='Romeo' subscription='both'><group>Friends</group></item></query></iq>`);
    assert.deepEqual(successResultOf(roster), [{ jid: 'romeo@example.net', name: 'Romeo', subscription: 'both', groups: ['Friends'] }]);

    const info = h.client.discoInfo('conference.example.com');
    h.recv(`<iq type='error' id='${h.last().getAttribute('id')}' from='conference.example.com'><error type='cancel'><item-not-found xmlns='${NS.STANZA_ERRORS}'/></error></iq>`);
    const err = failureResultOf(info).value as XMPPStanzaError;
    assert.equal(err.condition, 'item-not-found');
    assert.equal(err.errorType, 'cancel');

    const ping = h.client.ping();
    h.clock.advance(59);
    assert.equal(ping.called, false);
    h.clock.advance(1);
    assert.ok(failureResultOf(ping).value instanceof XMPPTimeoutError);
  });

  test('roster pushes from the server are acknowledged; spoofed pushes refused; unknown IQs get service-unavailable', () => {
    const h = harness();
    negotiate(h);
    const pushes: string[] = [];
    h.client.rosterPushed = (items) => pushes.push(...items.map((i) => i.jid));
    h.recv(`<iq type='set' id='p1'><query xmlns='${NS.ROSTER}'><item jid='nurse@example.com'/></query></iq>`);
    assert.equal(h.last().getAttribute('type'), 'result');
    h.recv(`<iq type='set' id='p2' from='mallory@evil.example'><query xmlns='${NS.ROSTER}'><item jid='evil@x'/></query></iq>`);
    assert.equal(h.last().getAttribute('type'), 'error');
    assert.deepEqual(pushes, ['nurse@example.com']);
    h.recv(`<iq type='get' id='q1' from='romeo@example.net/r'><query xmlns='jabber:iq:version'/></iq>`);
    assert.equal(h.last().getChild('error')?.getChild('service-unavailable', NS.STANZA_ERRORS)?.name, 'service-unavailable');
    h.recv(`<iq type='get' id='q2' from='example.com'><ping xmlns='${NS.PING}'/></iq>`);
    assert.equal(h.last().getAttribute('type'), 'result');
  });

  test('messages, presence, MUC join, observers and whitespace keepalives', () => {
    const h = harness();
    negotiate(h);
    const bodies: string[] = [];
    h.client.messageReceived = (m) => bodies.push(m.getChildText('body') ?? '');
    const seen: string[] = [];
    const remove = h.client.addObserver((e) => e.name === 'presence', (e) => seen.push(e.getAttribute('from') ?? ''));
    h.recv(`<message from='romeo@example.net/orchard' type='chat'><body>Hi &amp; bye</body></message><presence from='romeo@example.net/orchard'/>`);
    remove();
    h.recv(`<presence from='nurse@example.com/x'/>`);
    assert.deepEqual(bodies, ['Hi & bye']);
    assert.deepEqual(seen, ['romeo@example.net/orchard']);
    h.client.sendMessage('romeo@example.net', '<b>hi</b>');
    assert.equal(h.last().getChildText('body'), '<b>hi</b>');
    h.client.joinRoom('lobby@conference.example.com', 'Juliet');
    assert.equal(h.last().getAttribute('to'), 'lobby@conference.example.com/Juliet');
    assert.ok(h.last().getChild('x', NS.MUC));
    h.transport.clear();
    h.clock.advance(60);
    assert.equal(h.transport.valueString(), ' ');
    h.client.close();
    assert.match(h.transport.valueString(), /<\/stream:stream>$/);
  });
});
