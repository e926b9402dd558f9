import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, seededRandom, splitRandom } from '../testing/index.js';
import { FromNetworkAscii, ToNetworkAscii } from './ascii.js';
import { formatReply, parseCommand, ReplyParser, replyText } from './codec.js';
import { formatEprt, formatHostPort, parseEprt, parseEpsvReply, parseHostPort, parsePasvReply } from './address.js';
import { FTPParseError, FTPPathError } from './errors.js';
import { formatPath, quotePath, resolvePath } from './paths.js';
import { loggedIn } from './test-support/harness.js';

describe('commands', () => {
  test('verb upper-cased, argument kept as sent (spaces included)', () => {
    assert.deepEqual(parseCommand('retr  my file.txt '), { verb: 'RETR', argument: ' my file.txt ' });
    assert.deepEqual(parseCommand('NOOP'), { verb: 'NOOP', argument: '' });
    assert.deepEqual(parseCommand(new TextEncoder().encode('STOR ünï.txt')), { verb: 'STOR', argument: 'ünï.txt' });
  });

  test('refuses what is not a command, and NUL or CR inside', () => {
    for (const bad of ['', ' RETR', 'RE', 'RETRX a', '12 a', 'RETR a\0b', 'RETR a\rb']) assert.throws(() => parseCommand(bad), FTPParseError, JSON.stringify(bad));
  });

  test('fuzz: random lines only ever fail with FTPParseError', () => {
    const random = seededRandom(17);
    const alphabet = [...Array(256).keys()];
    for (let i = 0; i < 5000; i++) {
      const line = randomBytes(random, Math.floor(random() * 40), random() < 0.5 ? alphabet : [...'RETR STOR LIST \r\n\0/.'].map((c) => c.charCodeAt(0)));
      try {
        const c = parseCommand(line);
        assert.match(c.verb, /^[A-Z]{3,4}$/);
      } catch (e) {
        assert.ok(e instanceof FTPParseError, String(e));
      }
    }
  });

  test('fuzz: a session fed random bytes in random chunks answers every line with a well-formed reply', () => {
    const random = seededRandom(99);
    for (let round = 0; round < 30; round++) {
      const s = loggedIn();
      const lines: string[] = [];
      for (let i = 0; i < 20; i++) {
        const words = ['NOOP', 'PWD', 'CWD ..', 'TYPE X', 'SIZE /', 'MKD d', 'RMD d', 'MLST', 'RNFR', 'QUXX', 'OPTS UTF8 ON'];
        lines.push(random() < 0.7 ? words[Math.floor(random() * words.length)] : Buffer.from(randomBytes(random, 1 + Math.floor(random() * 30), [0, 32, 65, 0xff])).toString('latin1').replace(/[\r\n]/g, 'x'));
      }
      const bytes = Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1');
      const before = s.control.lines.length;
      for (const chunk of splitRandom(random, bytes, 7)) {
        s.control.transport.write(chunk);
        s.net.flush();
      }
      const replies = s.control.lines.slice(before);
      for (const r of replies) assert.match(r, /^(\d{3}[ -]| |[^\d])/, r);
      const finals = replies.filter((r) => /^\d{3} /.test(r));
      assert.equal(finals.length, lines.length, `round ${round}: ${replies.join(' | ')}`);
    }
  });
});

describe('replies', () => {
  test('one line and multi-line, with digit-led continuation lines indented', () => {
    assert.equal(formatReply(200, 'ok'), '200 ok\r\n');
    assert.equal(formatReply(211, ['Features:', '123 x', 'End']), '211-Features:\r\n 123 x\r\n211 End\r\n');
    assert.equal(formatReply(500, 'a\r\nb'), '500-a\r\n500 b\r\n');
    assert.equal(formatReply(500, ['a\rb']), '500 a b\r\n');
  });

  test('the parser gathers multi-line replies, in any chunking', () => {
    const text = '220-Welcome\r\n 220 not the end\r\n220-still not\r\n220 end\r\n230 ok\r\n';
    const random = seededRandom(5);
    for (let i = 0; i < 50; i++) {
      const parser = new ReplyParser();
      const out: string[][] = [];
      let buffer = '';
      for (const chunk of splitRandom(random, Buffer.from(text), 5)) {
        buffer += Buffer.from(chunk).toString();
        let nl: number;
        while ((nl = buffer.indexOf('\r\n')) >= 0) {
          const r = parser.feed(buffer.slice(0, nl));
          buffer = buffer.slice(nl + 2);
          if (r) out.push([String(r.code), replyText(r)]);
        }
      }
      assert.deepEqual(out, [
        ['220', 'Welcome\n220 not the end\nstill not\nend'],
        ['230', 'ok'],
      ]);
    }
  });

  test('the parser refuses a reply without a code and one longer than maxLines', () => {
    assert.throws(() => new ReplyParser().feed('hello'), FTPParseError);
    const p = new ReplyParser(3);
    p.feed('211-a');
    p.feed('b');
    p.feed('c');
    assert.throws(() => p.feed('d'), FTPParseError);
  });
});

describe('addresses', () => {
  test('PORT/PASV form both ways', () => {
    assert.deepEqual(parseHostPort('127,0,0,1,4,1'), { host: '127.0.0.1', port: 1025 });
    assert.equal(formatHostPort('::ffff:10.1.2.3', 1025), '10,1,2,3,4,1');
    assert.deepEqual(parsePasvReply('Entering Passive Mode (192,168,1,2,19,137).'), { host: '192.168.1.2', port: 5001 });
    assert.deepEqual(parsePasvReply('Entering Passive Mode 192,168,1,2,19,137'), { host: '192.168.1.2', port: 5001 });
    for (const bad of ['1,2,3,4,5', '256,0,0,1,1,1', '1,2,3,4,0,0', 'a,b,c,d,e,f']) assert.throws(() => parseHostPort(bad), FTPParseError, bad);
    assert.throws(() => formatHostPort('::1', 21), FTPParseError);
  });

  test('EPRT/EPSV form, IPv4 and IPv6', () => {
    assert.deepEqual(parseEprt('|1|132.235.1.2|6275|'), { host: '132.235.1.2', port: 6275 });
    assert.deepEqual(parseEprt('!2!::1!5282!'), { host: '::1', port: 5282 });
    assert.equal(formatEprt('::1', 5282), '|2|::1|5282|');
    assert.equal(parseEpsvReply('Entering Extended Passive Mode (|||6446|)'), 6446);
    assert.equal(parseEpsvReply('Entering Extended Passive Mode (!!!6446!)'), 6446);
    for (const bad of ['', '|1|1.2.3.4|', '|1|::1|5|', '|2|1.2.3.4|5|', '|3|1.2.3.4|5|', '|1|1.2.3.4|99999|', '1|1|1.2.3.4|5|1']) assert.throws(() => parseEprt(bad), FTPParseError, bad);
    assert.throws(() => parseEpsvReply('(|||0|)'), FTPParseError);
  });
});

describe('paths', () => {
  test('resolved against the working folder, never above the root', () => {
    assert.deepEqual(resolvePath(['a', 'b'], '../c/./d'), ['a', 'c', 'd']);
    assert.deepEqual(resolvePath(['a'], '/x//y/'), ['x', 'y']);
    assert.deepEqual(resolvePath(['a'], '../../../../etc/passwd'), ['etc', 'passwd']);
    assert.deepEqual(resolvePath(['a'], '..\\..\\etc'), ['etc']);
    assert.deepEqual(resolvePath([], '\\etc'), ['etc']);
    assert.throws(() => resolvePath([], 'a\0b'), FTPPathError);
    assert.equal(formatPath(['a', 'b']), '/a/b');
    assert.equal(quotePath(['say "hi"']), '"/say ""hi"""');
  });

  test('fuzz: no resolved segment is empty, ., .. or holds a separator', () => {
    const random = seededRandom(3);
    const alphabet = [...'./\\a.'].map((c) => c.charCodeAt(0));
    for (let i = 0; i < 3000; i++) {
      const path = Buffer.from(randomBytes(random, Math.floor(random() * 20), alphabet)).toString().replace(/\0/g, '');
      for (const s of resolvePath(['x'], path)) assert.ok(s !== '' && s !== '.' && s !== '..' && !/[/\\]/.test(s), `${path} -> ${s}`);
    }
  });
});

describe('TYPE A conversion', () => {
  test('LF to CRLF and back, across every chunking', () => {
    const disk = 'a\nb\r\nc\rd\n\n';
    const random = seededRandom(11);
    for (let i = 0; i < 200; i++) {
      const to = new ToNetworkAscii();
      const wire = Buffer.concat(splitRandom(random, Buffer.from(disk), 3).map((c) => to.convert(c))).toString();
      assert.equal(wire, 'a\r\nb\r\nc\rd\r\n\r\n');
      const from = new FromNetworkAscii();
      const back = Buffer.concat([...splitRandom(random, Buffer.from(wire), 3).map((c) => from.convert(c)), from.flush()]).toString();
      assert.equal(back, 'a\nb\nc\rd\n\n');
    }
    const from = new FromNetworkAscii();
    assert.equal(Buffer.concat([from.convert(Buffer.from('x\r')), from.flush()]).toString(), 'x\r');
  });
});
