import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseHosts, parseResolvConf } from './resolv-conf.js';
import { MessageStreamDecoder, frameMessage } from './stream.js';
import { DNSFormatError } from './errors.js';

describe('resolv.conf and hosts', () => {
  test('nameservers, search, options; comments and junk ignored', () => {
    const conf = parseResolvConf('# c\nnameserver 127.0.0.1\nnameserver ::1 ; x\nnameserver bogus\nsearch a.test b.test\noptions ndots:2 timeout:3 attempts:4\n');
    assert.deepEqual(conf, { servers: [['127.0.0.1', 53], ['::1', 53]], search: ['a.test', 'b.test'], timeout: 3, attempts: 4 });
  });

  test('hosts: aliases, case, IPv6 normalised, bad lines skipped', () => {
    const hosts = parseHosts('127.0.0.1 localhost Loop.Test # x\n::0001 localhost\n999.1.1.1 bad\nonlyone\n');
    assert.deepEqual([...hosts], [['localhost', ['127.0.0.1', '::1']], ['loop.test', ['127.0.0.1']]]);
  });
});

describe('TCP framing', () => {
  test('messages split across chunks of any size come out whole', () => {
    const a = frameMessage(Uint8Array.of(1, 2, 3));
    const b = frameMessage(Uint8Array.of(4));
    const all = Uint8Array.from([...a, ...b]);
    for (let cut = 0; cut <= all.length; cut++) {
      const d = new MessageStreamDecoder(100);
      const got = [...d.feed(all.slice(0, cut)), ...d.feed(all.slice(cut))];
      assert.deepEqual(got.map((m) => Array.from(m)), [[1, 2, 3], [4]]);
    }
  });

  test('a partial message beyond the buffer limit is refused', () => {
    const d = new MessageStreamDecoder(10);
    assert.throws(() => d.feed(Uint8Array.from([0xff, 0xff, ...new Array<number>(20).fill(0)])), DNSFormatError);
  });
});
