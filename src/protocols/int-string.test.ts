import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransport } from '../testing/string-transport.js';
import { Int8StringReceiver, Int16StringReceiver, Int32StringReceiver, type IntNStringReceiver } from './int-string.js';
import { StringTooLongError } from './errors.js';
import { latin1Bytes, latin1, randomBytes, seededRandom, splitEvery, splitRandom } from '../testing/index.js';

type Ctor = new () => IntNStringReceiver;

function collector(base: Ctor) {
  return class extends (base as new () => IntNStringReceiver & { prefixLength: 1 | 2 | 4 }) {
    strings: string[] = [];
    exceeded: number[] = [];
    override stringReceived(data: Uint8Array): void {
      this.strings.push(latin1(data));
    }
    override lengthLimitExceeded(length: number): void {
      this.exceeded.push(length);
      super.lengthLimitExceeded(length);
    }
  };
}

function feed(base: Ctor, chunks: readonly Uint8Array[], max?: number) {
  const C = collector(base);
  const transport = new StringTransport();
  const p = new C();
  if (max !== undefined) p.MAX_LENGTH = max;
  p.makeConnection(transport);
  for (const c of chunks) p.dataReceived(c);
  return { p, transport };
}

const kinds: [string, Ctor, number][] = [
  ['Int8StringReceiver', Int8StringReceiver, 1],
  ['Int16StringReceiver', Int16StringReceiver, 2],
  ['Int32StringReceiver', Int32StringReceiver, 4],
];

for (const [name, Kind, width] of kinds) {
  describe(name, () => {
    function encode(strings: string[]): Uint8Array {
      const t = new StringTransport();
      const p = new (collector(Kind))();
      p.makeConnection(t);
      for (const s of strings) p.sendString(latin1Bytes(s));
      return t.value();
    }

    test('sendString writes a big-endian prefix of the right width', () => {
      const out = encode(['abc']);
      assert.equal(out.length, width + 3);
      assert.equal(out[width - 1], 3);
      for (let i = 0; i < width - 1; i++) assert.equal(out[i], 0);
    });

    test('same strings for every chunk size', () => {
      const strings = ['hello', '', 'x'.repeat(200), '\0\xff\x01'];
      const input = encode(strings);
      for (let size = 1; size <= input.length; size++) {
        const { p } = feed(Kind, splitEvery(input, size));
        assert.deepEqual(p.strings, strings, `size ${size}`);
      }
    });

    test('a length above MAX_LENGTH is refused from the prefix alone and drops the connection', () => {
      const input = encode(['a'.repeat(20), 'next']);
      for (let size = 1; size <= input.length; size++) {
        const { p, transport } = feed(Kind, splitEvery(input, size), 10);
        assert.deepEqual(p.exceeded, [20], `size ${size}`);
        assert.deepEqual(p.strings, []);
        assert.equal(transport.disconnecting, true);
      }
      const { p } = feed(Kind, [encode(['a'.repeat(10)])], 10);
      assert.deepEqual(p.strings, ['a'.repeat(10)]);
    });

    test('fuzz: random bytes never throw; chunking does not change the result', () => {
      for (let seed = 1; seed <= 200; seed++) {
        const random = seededRandom(seed * 7 + width);
        const input = randomBytes(random, 1 + Math.floor(random() * 200), [0, 1, 2, 3, 5, 65]);
        const whole = feed(Kind, [input], 40);
        const split = feed(Kind, splitRandom(random, input, 9), 40);
        assert.deepEqual(split.p.strings, whole.p.strings, `seed ${seed}`);
        assert.deepEqual(split.p.exceeded, whole.p.exceeded, `seed ${seed}`);
        if (whole.p.exceeded.length > 0) assert.equal(whole.transport.disconnecting, true);
      }
    });
  });
}

test('Int8StringReceiver refuses to send 256 bytes; Int16 refuses 65536', () => {
  const a = new (collector(Int8StringReceiver))();
  a.makeConnection(new StringTransport());
  assert.throws(() => a.sendString(new Uint8Array(256)), StringTooLongError);
  const b = new (collector(Int16StringReceiver))();
  b.makeConnection(new StringTransport());
  assert.throws(() => b.sendString(new Uint8Array(65536)), StringTooLongError);
});
