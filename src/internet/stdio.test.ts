import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Failure } from '../defer/index.js';
import { ConnectionDone } from './error.js';
import type { IPushProducer } from './interfaces.js';
import { spawnProcess } from './process.js';
import { Protocol, ProcessProtocol } from './protocol.js';
import { StandardIO } from './stdio.js';

const child = fileURLToPath(new URL('./test-support/stdio-child.ts', import.meta.url));

class Collect extends ProcessProtocol {
  out = '';
  err = '';
  readonly ended: Promise<Failure>;
  #end!: (f: Failure) => void;
  constructor() {
    super();
    this.ended = new Promise((resolve) => { this.#end = resolve; });
  }
  override outReceived(data: Uint8Array): void { this.out += Buffer.from(data).toString(); }
  override errReceived(data: Uint8Array): void { this.err += Buffer.from(data).toString(); }
  override processEnded(reason: Failure): void { this.#end(reason); }
}

class Recorder extends Protocol {
  data = '';
  lost: Failure | undefined;
  override dataReceived(data: Uint8Array): void { this.data += Buffer.from(data).toString(); }
  override connectionLost(reason: Failure): void { this.lost = reason; }
}

function read(stream: PassThrough): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    stream.on('data', (c: Buffer) => { text += c.toString(); });
    stream.on('end', () => resolve(text));
  });
}

describe('StandardIO', () => {
  test('a child process runs a protocol over its own stdin/stdout and exits when input ends', async () => {
    const p = new Collect();
    const t = spawnProcess(null, p, process.execPath, ['node', '--import', 'tsx', child], { env: null });
    t.write('hello ');
    t.write('world\n');
    t.closeStdin();
    const reason = await p.ended;
    assert.equal(reason.value.name, 'ProcessDone', p.err);
    assert.equal(p.out, 'ready\nHELLO WORLD\n');
    assert.match(p.err, /lost: ConnectionDone/);
  });

  test('a half-closeable protocol hears readConnectionLost and can still write', async () => {
    const p = new Collect();
    const t = spawnProcess(null, p, process.execPath, ['node', '--import', 'tsx', child, '--half-close'], { env: null });
    t.write('abc');
    t.closeStdin();
    await p.ended;
    assert.equal(p.out, 'ready\nABCinput ended\n');
    assert.match(p.err, /lost: ConnectionDone/);
  });

  test('over given streams: data both ways, loseConnection flushes then ends output and reports ConnectionDone', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const output = read(stdout);
    const proto = new Recorder();
    const transport = new StandardIO(proto, { stdin, stdout });
    assert.equal(transport.getPeer().type, 'PIPE');
    stdin.write('in1');
    await new Promise((r) => setImmediate(r));
    assert.equal(proto.data, 'in1');
    transport.writeSequence(['a', new Uint8Array([0x62])]);
    transport.loseConnection();
    assert.equal(transport.disconnecting, true);
    assert.equal(await output, 'ab');
    assert.ok(proto.lost?.check(ConnectionDone));
    transport.write('ignored after close');
  });

  test('loseWriteConnection ends output only; connectionLost waits for the end of input', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const output = read(stdout);
    const events: string[] = [];
    class Half extends Recorder {
      writeConnectionLost(): void { events.push('writeConnectionLost'); }
      readConnectionLost(): void { events.push('readConnectionLost'); }
      override connectionLost(reason: Failure): void {
        super.connectionLost(reason);
        events.push('connectionLost');
      }
    }
    const proto = new Half();
    const transport = new StandardIO(proto, { stdin, stdout });
    transport.write('last words');
    transport.loseWriteConnection();
    assert.equal(await output, 'last words');
    assert.deepEqual(events, ['writeConnectionLost']);
    stdin.write('still reading');
    stdin.end();
    await new Promise((r) => stdin.on('end', r));
    await new Promise((r) => setImmediate(r));
    assert.equal(proto.data, 'still reading');
    assert.deepEqual(events, ['writeConnectionLost', 'connectionLost']);
    assert.ok(proto.lost?.check(ConnectionDone));
  });

  test('a streaming producer is paused when stdout holds more than the high mark and resumed when it drains', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough({ highWaterMark: 4 });
    const transport = new StandardIO(new Recorder(), { stdin, stdout });
    transport.setWriteBufferLimits(8, 2);
    const events: string[] = [];
    const producer: IPushProducer = {
      pauseProducing: () => { events.push('pause'); },
      resumeProducing: () => { events.push('resume'); },
      stopProducing: () => { events.push('stop'); },
    };
    transport.registerProducer(producer, true);
    transport.write('0123456789');
    assert.deepEqual(events, ['pause']);
    stdout.read();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ['pause', 'resume']);
    transport.write('more');
    transport.loseConnection();
    stdout.resume();
    await new Promise((r) => setImmediate(r));
    assert.equal(stdout.writableEnded, false, 'loseConnection waits for the producer to unregister');
    transport.unregisterProducer();
    await new Promise((r) => stdout.on('end', r));
    assert.deepEqual(events, ['pause', 'resume']);
  });

  test('the connection ending stops a registered producer', async () => {
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const transport = new StandardIO(new Recorder(), { stdin, stdout });
    const events: string[] = [];
    transport.registerProducer({ pauseProducing() {}, resumeProducing() {}, stopProducing: () => events.push('stop') }, true);
    stdout.destroy(new Error('gone'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(events, ['stop']);
  });

  test('writeSequence is one batch: the chunks reach the stream in one writev', async () => {
    const calls: number[] = [];
    const stdout = new Writable({
      writev(chunks, done) {
        calls.push(chunks.length);
        done();
      },
      write(_chunk, _encoding, done) {
        calls.push(1);
        done();
      },
    });
    const transport = new StandardIO(new Recorder(), { stdin: new PassThrough(), stdout });
    transport.write('first');
    transport.writeSequence(['a', 'b', new Uint8Array([0x63])]);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls, [1, 3]);
  });
});
