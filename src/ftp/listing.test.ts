import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, seededRandom } from '../testing/index.js';
import { FTPParseError } from './errors.js';
import type { FileInfo } from './interfaces.js';
import { formatFacts, formatListLine, formatTimeVal, parseList, parseListLine, parseMlsd, parseMlsdLine, parseTimeVal } from './listing.js';
import { MemoryNet } from './test-support/memory-net.js';
import { session } from './test-support/harness.js';

const NOW = Date.UTC(2024, 5, 15, 12, 0, 0) / 1000;

describe('MLSD', () => {
  test('facts parsed, names with spaces and semicolons kept', () => {
    const f = parseMlsdLine('Type=file;Size=1024;Modify=20240102030405.123;Perm=rw;UNIX.mode=0640; my; file.txt');
    assert.equal(f.name, 'my; file.txt');
    assert.equal(f.type, 'file');
    assert.equal(f.size, 1024);
    assert.equal(f.modified, Date.UTC(2024, 0, 2, 3, 4, 5) / 1000 + 0.123);
    assert.equal(f.mode, 0o640);
    assert.equal(f.facts?.perm, 'rw');
    assert.deepEqual(
      parseMlsd('type=cdir; .\r\ntype=pdir; ..\r\ntype=dir;modify=20240101000000; sub\r\ntype=OS.unix=slink:/x; l\r\n').map((e) => [e.name, e.type]),
      [
        ['sub', 'dir'],
        ['l', 'link'],
      ],
    );
  });

  test('what the server writes, the client reads back', () => {
    const info: FileInfo = { name: 'a b;c', type: 'file', size: 77, modified: NOW, mode: 0o600 };
    const back = parseMlsdLine(formatFacts(info, false));
    assert.deepEqual([back.name, back.type, back.size, back.modified, back.mode], ['a b;c', 'file', 77, NOW, 0o600]);
    assert.equal(parseTimeVal(formatTimeVal(NOW)), NOW);
  });

  test('malformed lines fail with FTPParseError', () => {
    for (const bad of ['nospace', 'type=file; ', 'type=file;modify=2024; x', 'noequals; x']) assert.throws(() => parseMlsdLine(bad), FTPParseError, bad);
  });
});

describe('LIST', () => {
  test('Unix lines: files, folders, links, recent and old dates, spaces in names', () => {
    const recent = parseListLine('-rw-r--r--    1 alice    staff        1234 Jun 14 09:30 notes 2024.txt', NOW)!;
    assert.deepEqual([recent.name, recent.type, recent.size, recent.mode, recent.owner, recent.group], ['notes 2024.txt', 'file', 1234, 0o644, 'alice', 'staff']);
    assert.equal(recent.modified, Date.UTC(2024, 5, 14, 9, 30) / 1000);
    // A time of day in a month ahead of now is last year's.
    assert.equal(parseListLine('-rw-r--r-- 1 a b 1 Dec 24 10:00 x', NOW)!.modified, Date.UTC(2023, 11, 24, 10, 0) / 1000);
    const old = parseListLine('drwxr-xr-x 2 root root 4096 Mar  3  2019 etc', NOW)!;
    assert.deepEqual([old.type, old.modified], ['dir', Date.UTC(2019, 2, 3) / 1000]);
    const link = parseListLine('lrwxrwxrwx 1 root root 7 Jan  1  2020 bin -> usr/bin', NOW)!;
    assert.deepEqual([link.name, link.type, link.target], ['bin', 'link', 'usr/bin']);
    assert.equal(parseListLine('-rw-r--r-- 1 ftp 5 Jan  1  2020 nogroup', NOW)!.name, 'nogroup');
    assert.equal(parseListLine('total 48', NOW), null);
  });

  test('Windows (IIS) lines', () => {
    const dir = parseListLine('06-14-24  09:30PM       <DIR>          My Folder', NOW)!;
    assert.deepEqual([dir.name, dir.type, dir.modified], ['My Folder', 'dir', Date.UTC(2024, 5, 14, 21, 30) / 1000]);
    const file = parseListLine('01-02-1999  12:05AM              1024 a.txt', NOW)!;
    assert.deepEqual([file.name, file.size, file.modified], ['a.txt', 1024, Date.UTC(1999, 0, 2, 0, 5) / 1000]);
  });

  test('what the server writes, the client reads back', () => {
    for (const modified of [NOW - 3600, NOW - 400 * 86400]) {
      const info: FileInfo = { name: 'x y', type: 'dir', size: 0, modified, mode: 0o755 };
      const back = parseListLine(formatListLine(info, NOW), NOW)!;
      assert.deepEqual([back.name, back.type, back.mode], ['x y', 'dir', 0o755]);
      assert.equal(back.modified, modified - (modified % (modified === NOW - 3600 ? 60 : 86400)));
    }
    assert.deepEqual(
      parseList('total 1\r\ndrwxr-xr-x 2 a a 0 Jan  1  2020 .\r\n-rw-r--r-- 1 a a 3 Jan  1  2020 f\r\n', NOW).map((f) => f.name),
      ['f'],
    );
  });

  test('a line in no known format fails with FTPParseError', () => {
    assert.throws(() => parseListLine('hello world', NOW), FTPParseError);
    assert.throws(() => parseListLine('-rw-r--r-- 1 a a 3 Foo  1  2020 f', NOW), FTPParseError);
  });
});

describe('listing parsers under fuzz', () => {
  const samples = [
    'type=file;size=12;modify=20240101120000;perm=r; a.txt',
    '-rw-r--r--    1 ftp      ftp                 6 Dec  5 07:58 a.txt',
    '06-14-24  09:30PM       <DIR>          My Folder',
  ];

  test('random and mutated lines only ever fail with FTPParseError', () => {
    const random = seededRandom(2024);
    const alphabet = [...' ;=-:0123456789<>DIR\t'].map((c) => c.charCodeAt(0));
    for (let i = 0; i < 6000; i++) {
      let line: string;
      if (i % 2 === 0) line = Buffer.from(randomBytes(random, Math.floor(random() * 80), alphabet)).toString('latin1');
      else {
        const chars = [...samples[i % samples.length]];
        for (let k = 0; k < 1 + Math.floor(random() * 4); k++) chars[Math.floor(random() * chars.length)] = String.fromCharCode(alphabet[Math.floor(random() * alphabet.length)]);
        line = chars.join('');
      }
      for (const parse of [(l: string) => parseMlsdLine(l), (l: string) => parseListLine(l, NOW)]) {
        try {
          const f = parse(line);
          if (f !== null) {
            assert.equal(typeof f.name, 'string');
            assert.ok(Number.isFinite(f.size) && f.size >= 0, line);
            assert.ok(Number.isFinite(f.modified), line);
          }
        } catch (e) {
          assert.ok(e instanceof FTPParseError, `${line}: ${String(e)}`);
        }
      }
    }
  });

  test('the client parses the same listing whatever the data connection’s chunk size', () => {
    const names = ['a', 'b c', 'ünïcødé', 'x;y', 'long-' + 'n'.repeat(100)];
    const expected: string[][] = [];
    for (const chunkSize of [0, 1, 2, 3, 5, 7, 13]) {
      const net = new MemoryNet('127.0.0.1', '127.0.0.1', chunkSize || undefined);
      const s = session({}, net);
      for (const n of names) s.shell.put(`/${n}`, n);
      const c = s.client();
      c.login('alice', 'secret');
      const got: string[][] = [];
      c.mlsd().addCallback((files) => void got.push(files.map((f) => `${f.name}:${f.size}`)));
      c.list().addCallback((files) => void got.push(files.map((f) => `${f.name}:${f.size}`)));
      c.nlst().addCallback((n) => void got.push(n));
      net.flush();
      assert.equal(got.length, 3, `chunk size ${chunkSize}`);
      if (expected.length === 0) expected.push(...got);
      assert.deepEqual(got, expected, `chunk size ${chunkSize}`);
    }
    assert.deepEqual(expected[2], names);
  });
});
