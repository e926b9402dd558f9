import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, RecordingClient } from './test-support/harness.js';
import { base64Decode, base64Encode, saslPlainPayloads } from './sasl.js';

const rec = (o: ConstructorParameters<typeof RecordingClient>[0]) => new RecordingClient(o);

describe('IRCClient registration', () => {
  test('PASS, NICK, USER in that order; RPL_WELCOME signs on', () => {
    const h = harness(rec, { password: 'secret', username: 'bot', realname: 'A Bot' });
    assert.deepEqual(h.sent(), ['PASS secret', 'NICK me', 'USER bot 0 * :A Bot']);
    assert.equal(h.client.registered, false);
    h.feed(':srv 001 me2 :Welcome to the network me2!bot@10.0.0.1');
    assert.equal(h.client.registered, true);
    assert.equal(h.client.nickname, 'me2');
    assert.equal(h.client.hostmask, 'me2!bot@10.0.0.1');
    assert.deepEqual(h.client.take(), ['signedOn()']);
  });

  test('autoJoin channels are joined after signing on, with their keys', () => {
    const h = harness(rec, { autoJoin: [{ channel: '#a' }, { channel: '#b', key: 'k' }] });
    h.sent();
    h.feed(':srv 001 me :hi');
    assert.deepEqual(h.sent(), ['JOIN #a', 'JOIN #b k']);
  });

  test('nick in use while registering: alterCollidedNick until one is free', () => {
    const h = harness(rec);
    h.sent();
    h.feed(':srv 433 * me :Nickname is already in use');
    assert.deepEqual(h.sent(), ['NICK me_']);
    h.feed(':srv 433 * me_ :Nickname is already in use');
    assert.deepEqual(h.sent(), ['NICK me__']);
    h.feed(':srv 001 me__ :Welcome');
    assert.equal(h.client.nickname, 'me__');
  });

  test('an erroneous nick while registering falls back to erroneousNickFallback', () => {
    const h = harness(rec);
    h.sent();
    h.feed(':srv 432 * me :Erroneous nickname');
    assert.deepEqual(h.sent(), ['NICK torsion']);
  });

  test('after registration a refused NICK is reported, not retried', () => {
    const h = harness(rec);
    h.feed(':srv 001 me :hi');
    h.sent();
    h.client.take();
    h.client.setNick('taken');
    h.feed(':srv 433 me taken :Nickname is already in use');
    assert.deepEqual(h.sent(), ['NICK taken']);
    assert.deepEqual(h.client.take(), ['nickChangeFailed("taken","Nickname is already in use")']);
  });
});

describe('IRCClient CAP negotiation', () => {
  test('LS (multi-line, 302) → REQ of the offered wanted caps → ACK → END', () => {
    const h = harness(rec, { capabilities: ['multi-prefix', 'server-time', 'not-offered'] });
    assert.deepEqual(h.sent(), ['CAP LS 302', 'NICK me', 'USER me 0 * me']);
    h.feed(':srv CAP * LS * :multi-prefix sasl=PLAIN', ':srv CAP * LS :server-time away-notify');
    assert.deepEqual(h.sent(), ['CAP REQ :multi-prefix server-time']);
    h.feed(':srv CAP me ACK :multi-prefix server-time');
    assert.deepEqual(h.sent(), ['CAP END']);
    assert.deepEqual([...h.client.cap.enabled].sort(), ['multi-prefix', 'server-time']);
    assert.equal(h.client.cap.offered.get('sasl'), 'PLAIN');
  });

  test('NAK ends negotiation without the caps', () => {
    const h = harness(rec, { capabilities: ['multi-prefix'] });
    h.sent();
    h.feed(':srv CAP * LS :multi-prefix', ':srv CAP * NAK :multi-prefix');
    assert.deepEqual(h.sent(), ['CAP REQ multi-prefix', 'CAP END']);
    assert.equal(h.client.cap.enabled.size, 0);
  });

  test('nothing wanted on offer: END at once', () => {
    const h = harness(rec, { capabilities: ['server-time'] });
    h.sent();
    h.feed(':srv CAP * LS :away-notify');
    assert.deepEqual(h.sent(), ['CAP END']);
  });

  test('a server without CAP (421, or straight to 001) gets no CAP END', () => {
    const h = harness(rec, { capabilities: ['server-time'] });
    h.sent();
    h.feed(':srv 421 * CAP :Unknown command', ':srv 001 me :hi');
    assert.deepEqual(h.sent(), []);
    assert.equal(h.client.cap.state, 'done');
  });

  test('cap-notify: NEW requests wanted caps, DEL drops them', () => {
    const h = harness(rec, { capabilities: ['server-time'] });
    h.feed(':srv CAP * LS :', ':srv 001 me :hi');
    h.sent();
    h.feed(':srv CAP me NEW :server-time');
    assert.deepEqual(h.sent(), ['CAP REQ server-time']);
    h.feed(':srv CAP me ACK :server-time');
    assert.ok(h.client.cap.enabled.has('server-time'));
    h.feed(':srv CAP me DEL :server-time');
    assert.ok(!h.client.cap.enabled.has('server-time'));
  });
});

describe('SASL PLAIN', () => {
  test('base64 without Buffer matches Buffer', () => {
    for (const s of ['', 'a', 'ab', 'abc', 'abcd', '\0jilles\0sesame', 'héllo 😀']) {
      const bytes = new TextEncoder().encode(s);
      assert.equal(base64Encode(bytes), Buffer.from(bytes).toString('base64'));
      assert.deepEqual(base64Decode(base64Encode(bytes)), bytes);
    }
    assert.throws(() => base64Decode('a$b='), SyntaxError);
  });

  test('payloads are cut into 400-byte chunks, with + after an exact multiple', () => {
    assert.deepEqual(saslPlainPayloads('jilles', 'sesame'), ['AGppbGxlcwBzZXNhbWU=']);
    const exact = saslPlainPayloads('u', 'p'.repeat(300 - 3));
    assert.equal(exact[0].length, 400);
    assert.deepEqual([exact.length, exact[1]], [2, '+']);
    const long = saslPlainPayloads('u', 'p'.repeat(500));
    assert.deepEqual(long.map((c) => c.length), [400, 272]);
    assert.equal(Buffer.from(long.join(''), 'base64').toString(), `\0u\0${'p'.repeat(500)}`);
  });

  test('the exchange: REQ sasl, AUTHENTICATE PLAIN, credentials, 903, END', () => {
    const h = harness(rec, { capabilities: ['server-time'], sasl: { username: 'jilles', password: 'sesame' } });
    h.sent();
    h.feed(':srv CAP * LS :server-time sasl=EXTERNAL,PLAIN');
    assert.deepEqual(h.sent(), ['CAP REQ :server-time sasl']);
    h.feed(':srv CAP me ACK :server-time sasl');
    assert.deepEqual(h.sent(), ['AUTHENTICATE PLAIN']);
    h.feed('AUTHENTICATE +');
    assert.deepEqual(h.sent(), ['AUTHENTICATE AGppbGxlcwBzZXNhbWU=']);
    h.feed(':srv 900 me me!u@h jilles :You are now logged in as jilles', ':srv 903 me :SASL authentication successful');
    assert.deepEqual(h.sent(), ['CAP END']);
    assert.deepEqual(h.client.take(), ['saslSucceeded("jilles")']);
  });

  test('a failed exchange reports saslFailed and still ends negotiation', () => {
    const h = harness(rec, { sasl: { username: 'u', password: 'bad' } });
    h.sent();
    h.feed(':srv CAP * LS :sasl', ':srv CAP me ACK sasl', 'AUTHENTICATE +');
    h.sent();
    h.feed(':srv 904 me :SASL authentication failed');
    assert.deepEqual(h.sent(), ['CAP END']);
    assert.deepEqual(h.client.take(), ['saslFailed("SASL authentication failed")']);
  });

  test('no SASL PLAIN on offer: saslFailed, END', () => {
    const h = harness(rec, { capabilities: [], sasl: { username: 'u', password: 'p' } });
    h.sent();
    h.feed(':srv CAP * LS :sasl=EXTERNAL');
    assert.deepEqual(h.sent(), ['CAP END']);
    assert.deepEqual(h.client.take(), ['saslFailed("the server does not offer SASL PLAIN")']);
  });
});
