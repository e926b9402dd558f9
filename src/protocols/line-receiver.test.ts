import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StringTransport } from '../testing/string-transport.js';
import { LineReceiver } from './line-receiver.js';
import { LineOnlyReceiver } from './line-only-receiver.js';
import { latin1Bytes, latin1, randomBytes, seededRandom, splitEvery, splitRandom } from '../testing/index.js';

/** The scripted behaviour both the real receiver and the reference model run. */
interface Scriptable {
  events: string[];
  rawNeed: number;
  rawAcc: string;
  setRawMode(): void;
  setLineMode(extra: string): void;
  quit(): void;
  setDelim(d: string): void;
}

function onLine(self: Scriptable, line: string): void {
  self.events.push(`L:${line}`);
  const m = /^RAW (\d+)$/.exec(line);
  if (m) {
    self.rawNeed = Number(m[1]);
    self.rawAcc = '';
    self.setRawMode();
  } else if (line === 'QUIT') self.quit();
  else if (line.startsWith('DELIM ')) self.setDelim(line.slice(6).replace(/\\r/g, '\r').replace(/\\n/g, '\n'));
}

function onRaw(self: Scriptable, data: string): void {
  const take = data.slice(0, self.rawNeed - self.rawAcc.length);
  self.rawAcc += take;
  if (self.rawAcc.length === self.rawNeed) {
    self.events.push(`R:${self.rawAcc}`);
    self.setLineMode(data.slice(take.length));
  }
}

/** A direct port of Twisted's LineReceiver.dataReceived on Latin-1 strings: the specification. */
class Model implements Scriptable {
  events: string[] = [];
  rawNeed = 0;
  rawAcc = '';
  buffer = '';
  lineMode = true;
  busy = false;
  delimiter = '\r\n';
  disconnecting = false;
  constructor(readonly MAX_LENGTH: number) {}
  setRawMode(): void {
    this.lineMode = false;
  }
  setLineMode(extra: string): void {
    this.lineMode = true;
    if (extra) this.dataReceived(extra);
  }
  quit(): void {
    this.disconnecting = true;
  }
  setDelim(d: string): void {
    this.delimiter = d;
  }
  dataReceived(data: string): void {
    if (this.disconnecting) return;
    if (this.busy) {
      this.buffer += data;
      return;
    }
    this.busy = true;
    try {
      this.buffer += data;
      while (this.buffer) {
        if (this.lineMode) {
          const i = this.buffer.indexOf(this.delimiter);
          if (i < 0) {
            if (this.buffer.length >= this.MAX_LENGTH + this.delimiter.length) {
              this.buffer = '';
              this.events.push('X');
              this.disconnecting = true;
            }
            return;
          }
          const line = this.buffer.slice(0, i);
          this.buffer = this.buffer.slice(i + this.delimiter.length);
          if (line.length > this.MAX_LENGTH) {
            this.buffer = '';
            this.events.push('X');
            this.disconnecting = true;
            return;
          }
          onLine(this, line);
          if (this.disconnecting) return;
        } else {
          const d = this.buffer;
          this.buffer = '';
          onRaw(this, d);
          if (this.disconnecting) return;
        }
      }
    } finally {
      this.busy = false;
    }
  }
}

class Scripted extends LineReceiver implements Scriptable {
  events: string[] = [];
  rawNeed = 0;
  rawAcc = '';
  override lineReceived(line: Uint8Array): void {
    onLine(this, latin1(line));
  }
  override rawDataReceived(data: Uint8Array): void {
    onRaw(this, latin1(data));
  }
  override setLineMode(extra?: Uint8Array | string): void {
    super.setLineMode(typeof extra === 'string' ? latin1Bytes(extra) : extra);
  }
  override lineLengthExceeded(line: Uint8Array): void {
    this.events.push('X');
    super.lineLengthExceeded(line);
  }
  quit(): void {
    this.transport.loseConnection();
  }
  setDelim(d: string): void {
    this.delimiter = d;
  }
}

function runReal(chunks: readonly Uint8Array[], max = 16384): Scripted {
  const p = new Scripted();
  p.MAX_LENGTH = max;
  p.makeConnection(new StringTransport());
  for (const c of chunks) p.dataReceived(c);
  return p;
}

function runModel(chunks: readonly Uint8Array[], max = 16384): Model {
  const m = new Model(max);
  for (const c of chunks) m.dataReceived(latin1(c));
  return m;
}

class Collect extends LineReceiver {
  lines: string[] = [];
  override lineReceived(line: Uint8Array): void {
    this.lines.push(latin1(line));
  }
}

describe('LineReceiver', () => {
  test('delivers the same lines for every chunk size, CRLF delimiter', () => {
    const input = latin1Bytes('hello\r\nworld\r\n\r\nlast line with \r and \n inside\r\npartial');
    for (let size = 1; size <= input.length; size++) {
      const p = new Collect();
      p.makeConnection(new StringTransport());
      for (const c of splitEvery(input, size)) p.dataReceived(c);
      assert.deepEqual(p.lines, ['hello', 'world', '', 'last line with \r and \n inside'], `chunk size ${size}`);
      assert.equal(latin1(p.clearLineBuffer()), 'partial');
    }
  });

  test('one-byte and four-byte delimiters, for every chunk size', () => {
    const cases: [string, string[]][] = [
      ['\n', ['a', '', 'bb\r', 'ccc', '\r\r']],
      ['\r\n\r\n', ['a', '', 'bb\r\n\r', 'ccc', '\r\n\r']],
    ];
    for (const [delimiter, lines] of cases) {
      const input = latin1Bytes(lines.join(delimiter) + delimiter);
      for (let size = 1; size <= input.length; size++) {
        const p = new Collect();
        p.delimiter = delimiter;
        p.makeConnection(new StringTransport());
        for (const c of splitEvery(input, size)) p.dataReceived(c);
        assert.deepEqual(p.lines, lines, `delimiter ${JSON.stringify(delimiter)} size ${size}`);
      }
    }
  });

  test('a Uint8Array delimiter works like the string one', () => {
    const p = new Collect();
    p.delimiter = new Uint8Array([0]);
    p.makeConnection(new StringTransport());
    p.dataReceived(latin1Bytes('a\0b\0c'));
    assert.deepEqual(p.lines, ['a', 'b']);
  });

  test('raw mode and back, switched inside callbacks, matches the model for every chunk size', () => {
    const input = latin1Bytes('one\r\nRAW 5\r\nab\r\ncdtwo\r\nRAW 0\r\nRAW 3\r\nxyz\r\nthree\r\n');
    const expected = ['L:one', 'L:RAW 5', 'R:ab\r\nc', 'L:dtwo', 'L:RAW 0', 'L:RAW 3', 'R:xyz', 'L:', 'L:three'];
    for (let size = 1; size <= input.length; size++) {
      const chunks = splitEvery(input, size);
      const real = runReal(chunks);
      const model = runModel(chunks);
      assert.deepEqual(model.events.filter((e) => e !== 'R:'), expected.filter((e) => e !== 'R:'), `model, size ${size}`);
      assert.deepEqual(real.events, model.events, `size ${size}`);
    }
  });

  test('changing the delimiter inside lineReceived applies to the very next line', () => {
    const input = latin1Bytes('a\r\nDELIM \\n\r\nb\nc\r\nDELIM \\r\\n\nd\r\n');
    for (let size = 1; size <= input.length; size++) {
      const real = runReal(splitEvery(input, size));
      assert.deepEqual(real.events, ['L:a', 'L:DELIM \\n', 'L:b', 'L:c\r', 'L:DELIM \\r\\n', 'L:d'], `size ${size}`);
    }
  });

  test('stops delivering once the transport is disconnecting', () => {
    const input = latin1Bytes('a\r\nQUIT\r\nb\r\nRAW 2\r\nzz');
    for (let size = 1; size <= input.length; size++) {
      const real = runReal(splitEvery(input, size));
      assert.deepEqual(real.events, ['L:a', 'L:QUIT'], `size ${size}`);
      assert.equal(real.clearLineBuffer().length, 0, 'nothing kept after disconnecting');
    }
  });

  test('a line of exactly MAX_LENGTH passes; one byte more is refused and drops the connection', () => {
    const ok = latin1Bytes('x'.repeat(10) + '\r\n');
    const tooLong = latin1Bytes('y'.repeat(11) + '\r\nnext\r\n');
    for (let size = 1; size <= tooLong.length; size++) {
      const a = runReal(splitEvery(ok, size), 10);
      assert.deepEqual(a.events, ['L:' + 'x'.repeat(10)]);
      const transport = new StringTransport();
      const b = new Scripted();
      b.MAX_LENGTH = 10;
      b.makeConnection(transport);
      for (const c of splitEvery(tooLong, size)) b.dataReceived(c);
      assert.deepEqual(b.events, ['X'], `size ${size}`);
      assert.equal(transport.disconnecting, true);
    }
  });

  test('a peer sending no delimiter cannot grow the buffer past MAX_LENGTH + delimiter', () => {
    const transport = new StringTransport();
    const p = new Scripted();
    p.MAX_LENGTH = 100;
    p.makeConnection(transport);
    for (let i = 0; i < 101; i++) p.dataReceived(latin1Bytes('z'));
    assert.deepEqual(p.events, []);
    p.dataReceived(latin1Bytes('z'));
    assert.deepEqual(p.events, ['X']);
    assert.equal(transport.disconnecting, true);
    for (let i = 0; i < 1000; i++) p.dataReceived(latin1Bytes('zzzzzzzzzz'));
    assert.equal(p.clearLineBuffer().length, 0);
  });

  test('pauseProducing holds lines back (pausing the transport) until resumeProducing', () => {
    const transport = new StringTransport();
    const p = new (class extends Collect {
      override lineReceived(line: Uint8Array): void {
        super.lineReceived(line);
        if (latin1(line) === 'pause') this.pauseProducing();
      }
    })();
    p.makeConnection(transport);
    p.dataReceived(latin1Bytes('a\r\npause\r\nb\r\nc'));
    assert.deepEqual(p.lines, ['a', 'pause']);
    assert.equal(transport.producerState, 'paused');
    p.dataReceived(latin1Bytes('\r\nd\r\n'));
    assert.deepEqual(p.lines, ['a', 'pause']);
    p.resumeProducing();
    assert.equal(transport.producerState, 'producing');
    assert.deepEqual(p.lines, ['a', 'pause', 'b', 'c', 'd']);
  });

  test('data arriving from inside lineReceived is delivered after the current line, in order', () => {
    const p = new (class extends Collect {
      override lineReceived(line: Uint8Array): void {
        super.lineReceived(line);
        if (latin1(line) === 'echo') this.dataReceived(latin1Bytes('inner1\r\ninner'));
      }
    })();
    p.makeConnection(new StringTransport());
    p.dataReceived(latin1Bytes('echo\r\nafter\r\n'));
    p.dataReceived(latin1Bytes('2\r\n'));
    assert.deepEqual(p.lines, ['echo', 'after', 'inner1', 'inner2']);
  });

  test('sendLine appends the delimiter, for strings and bytes', () => {
    const transport = new StringTransport();
    const p = new Collect();
    p.makeConnection(transport);
    p.sendLine('héllo');
    p.sendLine(latin1Bytes('raw'));
    p.delimiter = '\n';
    p.sendLine('x');
    assert.equal(transport.valueString(), 'héllo\r\nraw\r\nx\n');
  });

  test('fuzz: random bytes and chunkings never throw and agree with the model', () => {
    const alphabet = [...latin1Bytes('\r\n\r\nRAW 3\r\nQUIT\r\n0123456789abc')];
    for (let seed = 1; seed <= 300; seed++) {
      const random = seededRandom(seed);
      const input = randomBytes(random, 1 + Math.floor(random() * 300), alphabet);
      const max = 5 + Math.floor(random() * 40);
      const chunks = splitRandom(random, input, 1 + Math.floor(random() * 64));
      const real = runReal(chunks, max);
      const model = runModel(chunks, max);
      assert.deepEqual(real.events, model.events, `seed ${seed}`);
      if (real.events.includes('X')) assert.equal(real.transport.disconnecting, true, `seed ${seed}`);
    }
  });
});

describe('LineOnlyReceiver', () => {
  test('receives lines and refuses raw mode', () => {
    const lines: string[] = [];
    const p = new (class extends LineOnlyReceiver {
      override lineReceived(line: Uint8Array): void {
        lines.push(latin1(line));
      }
    })();
    p.makeConnection(new StringTransport());
    const input = latin1Bytes('a\r\nbb\r\n');
    for (const c of splitEvery(input, 1)) p.dataReceived(c);
    assert.deepEqual(lines, ['a', 'bb']);
    assert.throws(() => p.setRawMode(), /no raw mode/);
  });
});
