/**
 * The `authorized_keys` parser: OpenSSH's line format and options, refusals that name the problem, and a
 * seeded fuzz run showing that no input makes it throw anything but `BadKeyError` (or take long).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BadKeyError } from './errors.js';
import { parseAuthorizedKeyLine, parseAuthorizedKeys, parseExpiryTime } from './authorized-keys.js';
import { matchAddressPatterns, parseIP } from './host-patterns.js';
import { testKey, testKeys } from './test-support/keys.js';
import { seededRandom } from '../testing/index.js';

const ed = testKey('ed25519').publicKey;
const edLine = ed.toString();

describe('parseAuthorizedKeyLine', () => {
  test('a bare key of every type, with and without a comment', () => {
    for (const k of testKeys()) {
      const entry = parseAuthorizedKeyLine(`${k.publicKey.toString()}  alice@laptop  `);
      assert.ok(entry.key.equals(k.publicKey));
      assert.equal(entry.comment, 'alice@laptop');
      assert.deepEqual(entry.options.list, []);
      assert.equal(entry.options.portForwarding, true);
      assert.equal(parseAuthorizedKeyLine(k.publicKey.toString()).comment, '');
    }
  });

  test('options: quoted values with spaces, commas and escaped quotes; lists; case-insensitive names', () => {
    const entry = parseAuthorizedKeyLine(`command="echo \\"a, b\\" c",FROM="10.0.0.0/8,!10.9.9.9",environment="A=1",environment="B=2",permitopen="db:5432",no-pty ${edLine} ops key`);
    assert.equal(entry.options.command, 'echo "a, b" c');
    assert.equal(entry.options.from, '10.0.0.0/8,!10.9.9.9');
    assert.deepEqual(entry.options.environment, ['A=1', 'B=2']);
    assert.deepEqual(entry.options.permitOpen, ['db:5432']);
    assert.equal(entry.options.pty, false);
    assert.equal(entry.options.portForwarding, true);
    assert.equal(entry.comment, 'ops key');
    assert.deepEqual(entry.options.list.map((o) => o.name), ['command', 'from', 'environment', 'environment', 'permitopen', 'no-pty']);
  });

  test('restrict turns every permission off, and what follows it turns some back on (in order, as OpenSSH)', () => {
    const r = parseAuthorizedKeyLine(`restrict,pty ${edLine}`).options;
    assert.deepEqual([r.portForwarding, r.agentForwarding, r.x11Forwarding, r.pty, r.userRc], [false, false, false, true, false]);
    const before = parseAuthorizedKeyLine(`pty,restrict ${edLine}`).options;
    assert.equal(before.pty, false);
    assert.equal(parseAuthorizedKeyLine(`cert-authority ${edLine}`).options.certAuthority, true);
  });

  test('expiry-time: UTC with Z, local time without, bad dates refused', () => {
    assert.equal(parseExpiryTime('20300102Z'), Date.UTC(2030, 0, 2) / 1000);
    assert.equal(parseExpiryTime('203001020304'), new Date(2030, 0, 2, 3, 4).getTime() / 1000);
    assert.equal(parseExpiryTime('20300102030405Z'), Date.UTC(2030, 0, 2, 3, 4, 5) / 1000);
    for (const bad of ['2030010', '20301302', '20300230', '203001022500', 'tomorrow']) assert.throws(() => parseExpiryTime(bad), BadKeyError, bad);
    assert.equal(parseAuthorizedKeyLine(`expiry-time="20300102Z" ${edLine}`).options.expiryTime, Date.UTC(2030, 0, 2) / 1000);
  });

  test('bad lines are refused with the reason', () => {
    const rsaBlob = testKey('rsa').publicKey.toString().split(' ')[1];
    const cases: [string, RegExp][] = [
      [`frobnicate ${edLine}`, /unknown key option "frobnicate"/],
      [`no-pty="yes" ${edLine}`, /takes no value/],
      [`command ${edLine}`, /needs a value/],
      [`command=ls ${edLine}`, /double quotes/],
      [`command="ls ${edLine}`, /no closing quote/],
      [`from="a",from="b" ${edLine}`, /given twice/],
      [`no-pty,`, /no key after them|bad key options/],
      [`no-pty`, /no key after them/],
      [`expiry-time="2030" ${edLine}`, /expiry-time/],
      [`ssh-ed25519 ${rsaBlob} liar`, /says ssh-ed25519 but the key is ssh-rsa/],
      [`ssh-ed25519 ${edLine.split(' ')[1]}x`, /base64/],
      [`ssh-ed25519`, /key type and a base64 key/],
      [`ssh-ed25519 !!!!`, /key type and a base64 key/],
      [`ssh-dss AAAAB3NzaC1kc3MAAAAA`, /truncated|unsupported/],
      [`${edLine} ${'x'.repeat(40000)}`, /over 32768/],
    ];
    for (const [line, message] of cases) {
      assert.throws(() => parseAuthorizedKeyLine(line), (e: Error) => e instanceof BadKeyError && message.test(e.message), line.slice(0, 60));
    }
  });
});

describe('parseAuthorizedKeys', () => {
  test('skips blank lines and comments, takes CRLF, and reports each bad line with its number', () => {
    const text = ['# keys of alice', '', edLine + ' one\r', '   ', 'bogus line', `restrict ${testKey('nistp256').publicKey.toString()} two`, '#' + edLine].join('\n');
    const { keys, errors } = parseAuthorizedKeys(text);
    assert.deepEqual(keys.map((k) => [k.line, k.comment]), [[3, 'one'], [6, 'two']]);
    assert.deepEqual(errors.map((e) => e.line), [5]);
  });

  test('fuzz: mutated lines never throw out of the parser, and every failure is a BadKeyError (seeded, replayable)', () => {
    const seed = 0x5eed;
    const random = seededRandom(seed);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const bases = [
      ...testKeys().map((k) => k.publicKey.toString('user@host')),
      `restrict,command="a \\"b\\" c",from="10.0.0.0/8" ${edLine}`,
      `expiry-time="20300102Z",permitopen="h:1" ${edLine} c`,
    ];
    const alphabet = ['"', '\\', ',', '=', ' ', '\t', '\r', 'A', '/', '+', '#', '\u0000', 'é', 'ssh-rsa ', 'from="', '!'];
    const started = performance.now();
    let parsed = 0;
    for (let i = 0; i < 5000; i++) {
      let line = pick(bases);
      const edits = 1 + Math.floor(random() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(random() * (line.length + 1));
        const op = random();
        if (op < 0.4) line = line.slice(0, at) + pick(alphabet) + line.slice(at);
        else if (op < 0.7) line = line.slice(0, at) + line.slice(at + 1 + Math.floor(random() * 8));
        else if (op < 0.85) line = line.slice(0, at);
        else line = line.slice(0, at) + String.fromCharCode(Math.floor(random() * 128)) + line.slice(at + 1);
      }
      try {
        parseAuthorizedKeyLine(line);
        parsed++;
      } catch (err) {
        assert.ok(err instanceof BadKeyError, `seed ${seed} case ${i}: ${JSON.stringify(line)} threw ${String(err)}`);
      }
      const whole = parseAuthorizedKeys(`${line}\n${edLine}`);
      assert.ok(whole.keys.length >= 1, `seed ${seed} case ${i}: a good line after a bad one is still read`);
    }
    assert.ok(parsed > 0, 'some mutations still parse (the fuzz reaches past the first check)');
    assert.ok(performance.now() - started < 60_000, 'not frozen');
  });
});

describe('address patterns (from=)', () => {
  test('IP literals: IPv4, IPv6 with ::, embedded IPv4; junk refused', () => {
    assert.deepEqual([...(parseIP('10.1.2.3') ?? [])], [10, 1, 2, 3]);
    assert.equal(parseIP('2001:db8::1')?.[15], 1);
    assert.equal(parseIP('::ffff:1.2.3.4')?.[12], 1);
    for (const bad of ['1.2.3', '256.1.1.1', '01.2.3.4', '1::2::3', '1:2:3:4:5:6:7:8:9', 'host.example', ':::']) assert.equal(parseIP(bad), undefined, bad);
  });

  test('CIDR blocks, wildcards and negation, as OpenSSH matches them', () => {
    const cases: [string, string, boolean][] = [
      ['10.0.0.0/8', '10.200.1.1', true],
      ['10.0.0.0/8', '11.0.0.1', false],
      ['10.0.0.0/8,!10.9.9.9', '10.9.9.9', false],
      ['!10.9.9.9,10.0.0.0/8', '10.9.9.9', false],
      ['192.168.1.*', '192.168.1.77', true],
      ['192.168.1.?', '192.168.1.77', false],
      ['2001:db8::/32', '2001:db8:ffff::1', true],
      ['2001:db8::/32', '2001:db9::1', false],
      ['10.0.0.0/8', '::ffff:10.1.1.1', true],
      ['10.0.0.1/8', '10.0.0.1', false],
      ['10.0.0.0/33', '10.0.0.1', false],
      ['!10.0.0.1', '10.0.0.2', false],
      ['10.0.0.0/8', 'not-an-address', false],
      ['*', '203.0.113.5', true],
      ['', '203.0.113.5', false],
    ];
    for (const [patterns, peer, expected] of cases) assert.equal(matchAddressPatterns(patterns, peer), expected, `${patterns} vs ${peer}`);
  });
});
