import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { capturedLogEvents } from '../logger/index.js';
import { seededRandom } from '../testing/index.js';
import { signedOn } from './test-support/harness.js';

describe('IRCClient incoming events', () => {
  test('PRIVMSG and NOTICE, to a channel and to us', () => {
    const h = signedOn();
    h.feed(':al!a@h PRIVMSG #c :hello all', ':al!a@h PRIVMSG me :psst', ':al!a@h NOTICE me :note', ':srv NOTICE * :*** Looking up host');
    assert.deepEqual(h.client.take(), [
      'privmsg("al!a@h","#c","hello all")',
      'privmsg("al!a@h","me","psst")',
      'noticed("al!a@h","me","note")',
      'noticed("srv","*","*** Looking up host")',
    ]);
  });

  test('hooks can read the current message, tags included', () => {
    const h = signedOn();
    const seen: Array<string | undefined> = [];
    h.client.privmsg = () => void seen.push(h.client.currentMessage?.tags.time);
    h.feed('@time=2026-11-26T02:00:00.000Z :al!a@h PRIVMSG #c :hi', ':al!a@h PRIVMSG #c :untagged');
    assert.deepEqual(seen, ['2026-11-26T02:00:00.000Z', undefined]);
    assert.equal(h.client.currentMessage, undefined);
  });

  test('membership: our JOIN/PART/KICK change channels; others are user* events', () => {
    const h = signedOn();
    h.feed(':me!u@real.host JOIN #c', ':al!a@h JOIN #c', ':al!a@h PART #c :bye', ':bo!b@h JOIN :#c', ':bo!b@h QUIT :gone');
    assert.ok(h.client.channels.has('#c'));
    assert.equal(h.client.hostmask, 'me!u@real.host');
    h.feed(':op!o@h KICK #c al :behave', ':op!o@h KICK #c me :out');
    assert.ok(!h.client.channels.has('#c'));
    h.feed(':me!u@h JOIN #d', ':me!u@h PART #d');
    assert.equal(h.client.channels.size, 0);
    assert.deepEqual(h.client.take(), [
      'joined("#c")',
      'userJoined("al","#c")',
      'userLeft("al","#c","bye")',
      'userJoined("bo","#c")',
      'userQuit("bo","gone")',
      'userKicked("al","#c","op","behave")',
      'kickedFrom("#c","op","out")',
      'joined("#d")',
      'left("#d")',
    ]);
  });

  test('NICK: ours updates nickname and hostmask, others are renames', () => {
    const h = signedOn();
    h.feed(':al!a@h NICK :alice', ':ME!u@host.example NICK :me2');
    assert.equal(h.client.nickname, 'me2');
    assert.equal(h.client.hostmask, 'me2!u@host.example');
    assert.deepEqual(h.client.take(), ['userRenamed("al","alice")', 'nickChanged("me2")']);
  });

  test('topics: TOPIC, RPL_TOPIC and RPL_NOTOPIC', () => {
    const h = signedOn();
    h.feed(':al!a@h TOPIC #c :new topic', ':srv 332 me #c :the topic', ':srv 331 me #d :No topic is set');
    assert.deepEqual(h.client.take(), ['topicUpdated("al","#c","new topic")', 'topicUpdated("srv","#c","the topic")', 'topicUpdated("srv","#d","")']);
  });

  test('MODE: one call per +/- run, parameters matched per ISUPPORT', () => {
    const h = signedOn();
    h.feed(':op!o@h MODE #c +ol-v+kb al 10 bo key *!*@bad', ':me MODE me :+i', ':op!o@h MODE #c -lk key');
    assert.deepEqual(h.client.take(), [
      'modeChanged("op!o@h","#c",true,"ol",["al","10"])',
      'modeChanged("op!o@h","#c",false,"v",["bo"])',
      'modeChanged("op!o@h","#c",true,"kb",["key","*!*@bad"])',
      'modeChanged("me","me",true,"i",[null])',
      'modeChanged("op!o@h","#c",false,"lk",[null,"key"])',
    ]);
  });

  test('ISUPPORT: case mapping decides who "me" is; CHANTYPES decides what a channel is', () => {
    const h = signedOn();
    h.client.nickname = 'm[e]';
    h.feed(':M{E}!u@h JOIN &x');
    assert.ok(h.client.channels.has('&x'));
    h.feed(':srv 005 m[e] CASEMAPPING=ascii CHANTYPES=# NICKLEN=30 :are supported');
    assert.equal(h.client.supported.nicklen, 30);
    h.client.take();
    h.feed(':M{E}!u@h JOIN #y');
    assert.deepEqual(h.client.take(), ['userJoined("M{E}","#y")']);
    assert.equal(h.client.supported.isChannel('&x'), false);
  });

  test('CTCP: ACTION is a hook; VERSION, PING, CLIENTINFO are answered; others go to ctcpQuery', () => {
    const h = signedOn({ versionName: 'bot', versionNum: '9', versionEnv: 'node' });
    h.feed(':al!a@h PRIVMSG #c :\x01ACTION waves\x01', ':al!a@h PRIVMSG me :\x01VERSION\x01', ':al!a@h PRIVMSG me :\x01PING 12345\x01');
    h.feed(':al!a@h PRIVMSG me :\x01CLIENTINFO\x01', ':al!a@h PRIVMSG me :\x01FINGER\x01');
    assert.deepEqual(h.sent(), [
      'NOTICE al :\x01VERSION bot:9:node\x01',
      'NOTICE al :\x01PING 12345\x01',
      'NOTICE al :\x01CLIENTINFO ACTION CLIENTINFO PING TIME VERSION\x01',
    ]);
    assert.deepEqual(h.client.take(), ['action("al!a@h","#c","waves")', 'ctcpQuery("al!a@h","me","FINGER","")']);
  });

  test('ping(user) measures the round trip on the clock; other CTCP replies go to ctcpReply', () => {
    const h = signedOn();
    h.clock.advance(100);
    h.client.ping('al');
    assert.deepEqual(h.sent(), ['PRIVMSG al :\x01PING 100000\x01']);
    h.clock.advance(2.5);
    h.feed(':al!a@h NOTICE me :\x01PING 100000\x01', ':al!a@h NOTICE me :\x01VERSION x:1:y\x01');
    assert.deepEqual(h.client.take(), ['pong("al!a@h",2.5)', 'ctcpReply("al!a@h","me","VERSION","x:1:y")']);
  });

  test('PING is answered with PONG at once; INVITE, MOTD, ERROR and unknowns have hooks', () => {
    const h = signedOn();
    h.feed('PING :srv.example', ':al!a@h INVITE me #secret', ':srv 375 me :- MOTD -', ':srv 372 me :- hi', ':srv 376 me :End');
    h.feed(':srv 999 me :odd', ':srv WALLOPS :x', 'ERROR :Closing link');
    assert.deepEqual(h.sent(), ['PONG srv.example']);
    assert.deepEqual(h.client.take(), [
      'invited("al","#secret")',
      'receivedMOTD(["- hi"])',
      'irc_unknown("srv","999",["me","odd"])',
      'irc_unknown("srv","WALLOPS",["x"])',
      'serverError("Closing link")',
    ]);
  });

  test('property: random messages with missing or extra params never make a handler throw', () => {
    const capture = capturedLogEvents();
    try {
      const h = signedOn({ sasl: { username: 'u', password: 'p' } });
      const random = seededRandom(1459);
      const commands = ['PRIVMSG', 'NOTICE', 'JOIN', 'PART', 'QUIT', 'KICK', 'NICK', 'TOPIC', 'MODE', 'INVITE', 'CAP', 'AUTHENTICATE',
        'PING', 'ERROR', '001', '005', '332', '331', '353', '366', '311', '312', '317', '318', '319', '401', '433', '432', '903', '904', '372'];
      const words = ['me', '#c', ':x', '+o', '-l', '+kl', 'a b', '\x01', '\x01ACTION', '*', 'LS', 'ACK', 'NAK', 'NEW', 'DEL', '+', '', '@al'];
      for (let i = 0; i < 3000; i++) {
        const cmd = commands[Math.floor(random() * commands.length)];
        const params: string[] = [];
        const n = Math.floor(random() * 5);
        for (let j = 0; j < n; j++) params.push(words[Math.floor(random() * words.length)].replace(/^:|^$| /g, 'w'));
        const prefix = random() < 0.8 ? ':x!y@z ' : '';
        const trailing = random() < 0.5 ? ` :${words[Math.floor(random() * words.length)]}` : '';
        h.feed(`${prefix}${cmd} ${params.join(' ')}${trailing}`);
      }
      const errors = capture.events.filter((e) => e.log_level === 'error' || e.log_level === 'critical');
      assert.deepEqual(errors.map((e) => e.log_format), []);
    } finally {
      capture.stop();
    }
  });

  test('property: random bytes in random chunks never make the client throw or log an error', () => {
    const capture = capturedLogEvents();
    try {
      const random = seededRandom(2812);
      const alphabet = new TextEncoder().encode('@:; =!\r\n\\\x01#+-*PRIVMSGJOINMODE0123456789 me');
      for (let round = 0; round < 100; round++) {
        const h = signedOn();
        const data = new Uint8Array(3000);
        for (let i = 0; i < data.length; i++) data[i] = random() < 0.9 ? alphabet[Math.floor(random() * alphabet.length)] : Math.floor(random() * 256);
        for (let i = 0; i < data.length; ) {
          const n = 1 + Math.floor(random() * 200);
          h.client.dataReceived(data.subarray(i, i + n));
          i += n;
        }
      }
      const errors = capture.events.filter((e) => e.log_level === 'error' || e.log_level === 'critical');
      assert.deepEqual(errors.map((e) => e.log_format), []);
    } finally {
      capture.stop();
    }
  });
});
