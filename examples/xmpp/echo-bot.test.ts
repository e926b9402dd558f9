import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Clock, StringTransport } from 'torsion/testing';
import { XMLStreamParser, type Element } from 'torsion/xmpp';
import { EchoBot } from './echo-bot.js';

test('the echo bot answers a chat message once logged in (scripted server over a StringTransport)', () => {
  const transport = new StringTransport();
  const bot = new EchoBot({ jid: 'bot@example.com', password: 'pw', clock: new Clock(), requireTLS: false, allowPlainInClear: true });
  bot.makeConnection(transport);
  const header = "<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>";
  const recv = (xml: string) => bot.dataReceived(Buffer.from(xml));
  recv(`${header}<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN</mechanism></mechanisms></stream:features>`);
  recv("<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>");
  recv(`${header}<stream:features><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/></stream:features>`);
  recv("<iq type='result' id='torsion-1'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>bot@example.com/x</jid></bind></iq>");
  assert.equal(bot.jid?.toString(), 'bot@example.com/x');
  transport.clear();
  recv("<message from='ann@example.com/pc' type='chat'><body>hi</body></message>");
  const out: Element[] = [];
  const reader = new XMLStreamParser({ streamStart: () => {}, element: (e) => out.push(e), streamEnd: () => {} });
  reader.feed(header + transport.valueString());
  assert.equal(out[0]?.getAttribute('to'), 'ann@example.com/pc');
  assert.equal(out[0]?.getChildText('body'), 'echo: hi');
});
