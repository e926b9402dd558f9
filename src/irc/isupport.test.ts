import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ISupport } from './isupport.js';
import { ctcpExtract, ctcpQuote, isCTCP } from './ctcp.js';

describe('ISupport', () => {
  test('RFC 1459 defaults before the server says anything', () => {
    const s = new ISupport();
    assert.equal(s.chantypes, '#&');
    assert.deepEqual([...s.prefixes], [['o', '@'], ['v', '+']]);
    assert.equal(s.casemapping, 'rfc1459');
    assert.equal(s.nicklen, 9);
    assert.deepEqual(s.chanmodes, { list: 'b', always: 'k', onSet: 'l', never: 'imnpst' });
    assert.equal(s.topiclen, undefined);
  });

  test('tokens, escaped values, removal with -TOKEN', () => {
    const s = new ISupport();
    s.update(['CHANTYPES=#', 'PREFIX=(qaohv)~&@%+', 'CASEMAPPING=ascii', 'NICKLEN=30', 'TOPICLEN=490', 'NETWORK=Torsion\\x20Net', 'EXCEPTS', 'CHANMODES=beI,k,l,imnst']);
    assert.equal(s.network, 'Torsion Net');
    assert.equal(s.get('excepts'), '');
    assert.equal(s.nicklen, 30);
    assert.equal(s.topiclen, 490);
    assert.equal(s.casemapping, 'ascii');
    assert.deepEqual([...s.prefixes.keys()].join(''), 'qaohv');
    assert.ok(s.isChannel('#a') && !s.isChannel('&a') && !s.isChannel(''));
    assert.ok(s.modeTakesParam('h', false) && s.modeTakesParam('e', true) && s.modeTakesParam('k', false));
    assert.ok(s.modeTakesParam('l', true) && !s.modeTakesParam('l', false) && !s.modeTakesParam('n', true));
    s.update(['-NETWORK', 'NICKLEN=bogus']);
    assert.equal(s.network, undefined);
    assert.equal(s.nicklen, 9);
  });
});

describe('CTCP', () => {
  test('extract: tagged messages and the text around them', () => {
    assert.deepEqual(ctcpExtract('\x01ACTION waves\x01'), { extended: [['ACTION', 'waves']], normal: '' });
    assert.deepEqual(ctcpExtract('hi \x01version\x01 there'), { extended: [['VERSION', '']], normal: 'hi  there' });
    assert.deepEqual(ctcpExtract('\x01ACTION unterminated'), { extended: [['ACTION', 'unterminated']], normal: '' });
    assert.deepEqual(ctcpExtract('\x01\x01plain'), { extended: [], normal: 'plain' });
    assert.ok(isCTCP('\x01PING 1\x01') && !isCTCP('plain'));
  });

  test('quote: tags and data, with delimiters in data removed', () => {
    assert.equal(ctcpQuote([['ACTION', 'waves'], ['VERSION']]), '\x01ACTION waves\x01\x01VERSION\x01');
    assert.equal(ctcpQuote([['PING', 'a\x01b']]), '\x01PING ab\x01');
  });
});
