import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Element, el } from './element.js';
import { NS } from './namespaces.js';

test('Element builds stanzas and escapes text and attributes (no markup injection)', () => {
  const m = el('message', NS.CLIENT, { to: 'a@b"/><evil', type: 'chat', skipped: undefined });
  m.addElement('body').addContent('</body><iq type="set">&');
  assert.equal(m.toXML(), '<message xmlns="jabber:client" to="a@b&quot;/&gt;&lt;evil" type="chat"><body>&lt;/body&gt;&lt;iq type=&quot;set&quot;&gt;&amp;</body></message>');
  assert.equal(m.toXML(NS.CLIENT), '<message to="a@b&quot;/&gt;&lt;evil" type="chat"><body>&lt;/body&gt;&lt;iq type=&quot;set&quot;&gt;&amp;</body></message>', 'no xmlns where it is already in scope');
  assert.equal(m.getChildText('body'), '</body><iq type="set">&');
});

test('Element queries: children by name and namespace, inherited namespaces, stream prefix', () => {
  const iq = el('iq', NS.CLIENT, { type: 'result' }, el('query', NS.ROSTER, {}, el('item', '', { jid: 'x@y' }), el('item', '', { jid: 'z@y' })));
  const q = iq.getChild('query', NS.ROSTER)!;
  assert.equal(q.elements('item').length, 2);
  assert.equal(q.elements('item')[0]!.namespace, NS.ROSTER);
  assert.equal(iq.getChild('query', NS.CLIENT), undefined);
  assert.equal(new Element('features', NS.STREAMS).toXML(NS.CLIENT), '<stream:features/>');
  assert.equal(el('a', '', {}, 'x', 'y').text, 'xy', 'adjacent text merges');
  assert.equal(el('handshake', '', {}, 'x').toXML(NS.COMPONENT), '<handshake>x</handshake>', 'no namespace of its own: the one in scope, never xmlns=""');
});
