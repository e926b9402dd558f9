import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoResult, failureResultOf, successResultOf } from '../testing/assertions.js';
import { connectionDone } from '../internet/protocol.js';
import { IRCReplyError } from './errors.js';
import { parseMessage } from './message.js';
import { signedOn } from './test-support/harness.js';

describe('IRCClient commands', () => {
  test('join, part, notice, me, topic, kick, mode, invite, away, quit', () => {
    const h = signedOn();
    const c = h.client;
    c.join('#a');
    c.join('#b', 'key');
    c.part('#a');
    c.leave('#b', 'bye now');
    c.notice('al', 'hi');
    c.me('#a', 'waves');
    c.topic('#a');
    c.topic('#a', 'new topic');
    c.topic('#a', '');
    c.kick('#a', 'al');
    c.kick('#a', 'al', 'be nice');
    c.mode('#a', true, 'ov', 'al', 'bo');
    c.mode('me', false, 'i');
    c.invite('al', '#a');
    c.away('lunch');
    c.away();
    c.quit('done');
    assert.deepEqual(h.sent(), [
      'JOIN #a', 'JOIN #b key', 'PART #a', 'PART #b :bye now', 'NOTICE al hi', 'PRIVMSG #a :\x01ACTION waves\x01',
      'TOPIC #a', 'TOPIC #a :new topic', 'TOPIC #a :', 'KICK #a al', 'KICK #a al :be nice', 'MODE #a +ov al bo', 'MODE me -i',
      'INVITE al #a', 'AWAY lunch', 'AWAY', 'QUIT done',
    ]);
    assert.equal(c.quitRequested, true);
  });

  test('a channel key given to join is remembered for rejoining', () => {
    const h = signedOn();
    h.client.join('#Sec', 'pw');
    h.feed(':me!u@h JOIN #sec');
    assert.deepEqual(h.client.channels.get('#sec'), { channel: '#sec', key: 'pw' });
  });

  test('msg splits long UTF-8 text so every relayed line fits 512 bytes, on line breaks too', () => {
    const h = signedOn();
    const text = `${'héllo wörld 😀 '.repeat(100)}\nsecond line`;
    h.client.msg('#chan', text);
    const lines = h.sent();
    assert.ok(lines.length >= 4);
    const enc = new TextEncoder();
    const relayedPrefix = `:${h.client.hostmask} `;
    let rebuilt = '';
    for (const line of lines) {
      const m = parseMessage(line);
      assert.equal(m.command, 'PRIVMSG');
      assert.ok(enc.encode(`${relayedPrefix}${line}\r\n`).length <= 512, `relayed line too long: ${line.length}`);
      assert.ok(!m.params[1].includes('\uFFFD'));
      rebuilt += `${m.params[1]} `;
    }
    assert.equal(rebuilt.replace(/\s+/g, ''), text.replace(/\s+/g, ''));
    assert.equal(parseMessage(lines[lines.length - 1]).params[1], 'second line');
    h.client.msg('#chan', 'a b c d e f', 3);
    assert.deepEqual(h.sent(), ['PRIVMSG #chan :a b c d e f']);
    h.client.msg('#chan', 'x'.repeat(40), 20);
    assert.deepEqual(h.sent(), [`PRIVMSG #chan ${'x'.repeat(20)}`, `PRIVMSG #chan ${'x'.repeat(20)}`]);
  });

  test('before the server shows our host, msg still leaves room for a 63-byte host', () => {
    const h = signedOn();
    h.client.hostmask = undefined;
    h.client.msg('#c', 'y'.repeat(1000));
    for (const line of h.sent()) assert.ok(Buffer.byteLength(`:me!~me@${'h'.repeat(63)} ${line}\r\n`) <= 512);
  });

  test('names() collects RPL_NAMREPLY lines, multi-prefix and userhost-in-names included', () => {
    const h = signedOn();
    const d = h.client.names('#C');
    assert.deepEqual(h.sent(), ['NAMES #C']);
    h.feed(':srv 353 me = #c :~@own @op +voice', ':srv 353 me = #c :plain al!a@h');
    assertNoResult(d);
    h.feed(':srv 366 me #c :End of NAMES list');
    assert.deepEqual(successResultOf(d), [
      { nick: 'own', prefixes: '~@' }, { nick: 'op', prefixes: '@' }, { nick: 'voice', prefixes: '+' },
      { nick: 'plain', prefixes: '' }, { nick: 'al', prefixes: '' },
    ]);
  });

  test('whois() collects the 31x replies; 401 fails it', () => {
    const h = signedOn();
    const d = h.client.whois('Al');
    h.feed(
      ':srv 311 me al a host.example * :Al Real',
      ':srv 312 me al srv.example :The server',
      ':srv 313 me al :is an IRC operator',
      ':srv 317 me al 42 1700000000 :seconds idle, signon time',
      ':srv 319 me al :@#ops #chat',
      ':srv 330 me al alacct :is logged in as',
      ':srv 318 me al :End of WHOIS list',
    );
    assert.deepEqual(successResultOf(d), {
      nick: 'al', user: 'a', host: 'host.example', realname: 'Al Real', server: 'srv.example', serverInfo: 'The server',
      operator: true, idle: 42, signon: 1700000000, channels: ['@#ops', '#chat'], account: 'alacct',
    });
    const missing = h.client.whois('ghost');
    h.feed(':srv 401 me ghost :No such nick/channel', ':srv 318 me ghost :End of WHOIS list');
    const f = failureResultOf(missing, IRCReplyError);
    assert.equal((f.value as IRCReplyError).numeric, '401');
  });

  test('a lost connection fails pending queries', () => {
    const h = signedOn();
    const d = h.client.whois('al');
    h.client.connectionLost(connectionDone());
    failureResultOf(d, IRCReplyError);
  });
});
