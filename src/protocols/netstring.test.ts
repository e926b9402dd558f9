import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransport } from '../testing/string-transport.js';
import { NetstringReceiver } from './netstring.js';
import { NetstringParseError, StringTooLongError } from './errors.js';
import { latin1Bytes, latin1, randomBytes, seededRandom, splitEvery, splitRandom } from '../testing/index.js';

class Collect extends NetstringReceiver {
  strings: string[] = [];
  errors: NetstringParseError[] = [];
  override stringReceived(data: Uint8Array): void {
    this.strings.push(latin1(data));
  }
  override netstringParseError(error: NetstringParseError): void {
    this.errors.push(error);
    super.netstringParseError(error);
  }
}

function feed(chunks: readonly Uint8Array[], max?: number): { p: Collect; transport: StringTransport } {
  const transport = new StringTransport();
  const p = new Collect();
  if (max !== undefined) p.MAX_LENGTH = max;
  p.makeConnection(transport);
  for (const c of chunks) p.dataReceived(c);
  return { p, transport };
}

describe('NetstringReceiver', () => {
  test('same strings for every chunk size, including empty and binary ones', () => {
    const input = latin1Bytes('5:hello,0:,12:with,colon:\0,1:,,');
    for (let size = 1; size <= input.length; size++) {
      const { p, transport } = feed(splitEvery(input, size));
      assert.deepEqual(p.strings, ['hello', '', 'with,colon:\0', ','], `size ${size}`);
      assert.equal(transport.disconnecting, false);
    }
  });

  test('sendString frames and round-trips through a receiver', () => {
    const transport = new StringTransport();
    const p = new Collect();
    p.makeConnection(transport);
    p.sendString('héllo');
    p.sendString(new Uint8Array(0));
    assert.equal(latin1(transport.value()), '6:h\xc3\xa9llo,0:,');
    const { p: q } = feed([transport.value()]);
    assert.deepEqual(q.strings, ['h\xc3\xa9llo', '']);
    p.MAX_LENGTH = 3;
    assert.throws(() => p.sendString('four'), StringTooLongError);
  });

  const malformed: [string, RegExp][] = [
    ['abc', /non-digit/],
    [':x,', /empty/],
    ['05:hello,', /leading zero/],
    ['3:abcX', /comma/],
    ['-1:', /non-digit/],
    ['3:abc,4:abcd;', /comma/],
  ];
  for (const [input, why] of malformed) {
    test(`malformed ${JSON.stringify(input)}: clear error, connection dropped, for every chunk size`, () => {
      const data = latin1Bytes(input);
      for (let size = 1; size <= data.length; size++) {
        const { p, transport } = feed([...splitEvery(data, size), latin1Bytes('2:ok,')]);
        assert.equal(p.errors.length, 1, `size ${size}`);
        assert.match(p.errors[0].message, why);
        assert.equal(p.errors[0].code, 'TORSION_NETSTRING_PARSE');
        assert.equal(transport.disconnecting, true);
        assert.equal(p.brokenPeer, true);
        assert.ok(!p.strings.includes('ok'), 'nothing parsed after the error');
      }
    });
  }

  test('an over-long length is refused as soon as its digits pass MAX_LENGTH, before any body is buffered', () => {
    const input = latin1Bytes('100000:' + 'x'.repeat(10));
    for (let size = 1; size <= input.length; size++) {
      const { p, transport } = feed(splitEvery(input, size));
      assert.equal(p.errors.length, 1);
      assert.match(p.errors[0].message, /MAX_LENGTH/);
      assert.equal(transport.disconnecting, true);
    }
    const { p } = feed([latin1Bytes('11:')], 10);
    assert.equal(p.errors.length, 1);
    const ok = feed([latin1Bytes('10:0123456789,')], 10);
    assert.deepEqual(ok.p.strings, ['0123456789']);
  });

  test('stops delivering once the transport is disconnecting', () => {
    const p = new (class extends Collect {
      override stringReceived(data: Uint8Array): void {
        super.stringReceived(data);
        this.transport.loseConnection();
      }
    })();
    p.makeConnection(new StringTransport());
    p.dataReceived(latin1Bytes('1:a,1:b,'));
    assert.deepEqual(p.strings, ['a']);
  });

  test('fuzz: random bytes never throw; any chunking gives the one-chunk result; errors drop the connection', () => {
    const alphabet = [...latin1Bytes('0123456789::,,,ab')];
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const input = randomBytes(random, 1 + Math.floor(random() * 200), alphabet);
      const whole = feed([input], 50);
      const split = feed(splitRandom(random, input, 16), 50);
      assert.deepEqual(split.p.strings, whole.p.strings, `seed ${seed}`);
      assert.equal(split.p.errors.length, whole.p.errors.length, `seed ${seed}`);
      if (whole.p.errors.length > 0) assert.equal(whole.transport.disconnecting, true);
    }
  });
});
