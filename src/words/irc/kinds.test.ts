import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kindFromWire, wireOf } from './kinds.js';
import { Harness } from './test-support/harness.js';
import { RecordingClient } from '../test-support/recording-client.js';

describe('message kinds on IRC', () => {
  test('PRIVMSG is a message, NOTICE a notice, a PRIVMSG of one CTCP ACTION an action without its framing', () => {
    assert.deepEqual(kindFromWire('PRIVMSG', 'hello'), { kind: 'message', text: 'hello' });
    assert.deepEqual(kindFromWire('NOTICE', 'hello'), { kind: 'notice', text: 'hello' });
    assert.deepEqual(kindFromWire('PRIVMSG', '\x01ACTION waves\x01'), { kind: 'action', text: 'waves' });
    assert.deepEqual(kindFromWire('PRIVMSG', '\x01ACTION waves'), { kind: 'action', text: 'waves' }, 'the closing delimiter is optional');
    // Other CTCP, an empty action and a NOTICE holding ACTION are not actions: they stay the sender's text.
    assert.deepEqual(kindFromWire('PRIVMSG', '\x01VERSION\x01'), { kind: 'message', text: '\x01VERSION\x01' });
    assert.deepEqual(kindFromWire('PRIVMSG', '\x01ACTION \x01'), { kind: 'message', text: '\x01ACTION \x01' });
    assert.deepEqual(kindFromWire('NOTICE', '\x01ACTION waves\x01'), { kind: 'notice', text: '\x01ACTION waves\x01' });
  });

  test('each kind goes back on the wire as it came', () => {
    for (const [command, text] of [['PRIVMSG', 'hi'], ['NOTICE', 'hi'], ['PRIVMSG', '\x01ACTION waves\x01'], ['PRIVMSG', '\x01PING 1\x01']] as const) {
      assert.deepEqual(wireOf(kindFromWire(command, text)), { command, text });
    }
  });

  test('an IRC /me reaches another door as an action, and a door\'s action reaches IRC as CTCP ACTION', async () => {
    const h = new Harness();
    const irc = h.register('ircy');
    irc.send('JOIN #room');
    const web = new RecordingClient();
    const webby = await h.service.login('webby', { client: web });
    webby.join('#room');
    irc.lines();
    web.take();
    irc.send('PRIVMSG #room :\x01ACTION waves\x01');
    assert.deepEqual(web.take(), ['action ircy->#room: waves']);
    webby.send('#room', 'bows', { kind: 'action' });
    assert.deepEqual(irc.lines(), [':webby!webby@localhost PRIVMSG #room :\x01ACTION bows\x01']);
  });
});
