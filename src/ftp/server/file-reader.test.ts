import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { IConsumer, IPushProducer, IWriteFromBuffer } from '../../internet/interfaces.js';
import { DEFAULT_FTP_SEND_LIMITS, type FTPSendLimits } from '../limits.js';
import { FileReader, SendBufferPool, type BlockingReads } from './file-reader.js';

const CHUNK = 64 * 1024;
const LIMITS: FTPSendLimits = { ...DEFAULT_FTP_SEND_LIMITS, chunk: CHUNK, burst: 1024 * 1024, keptBuffers: 2 };
let dir: string;
let path: string;
const body = randomBytes(10 * CHUNK + 123);

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-ftp-reader-'));
  path = join(dir, 'f.bin');
  writeFileSync(path, body);
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Blocking reads that count calls and run a fake clock: `slowAt` is the call that takes a second. */
function countingReads(slowAt = -1): BlockingReads & { calls: number } {
  let now = 0;
  const reads = {
    calls: 0,
    readSync(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number {
      if (reads.calls++ === slowAt) now += 1;
      return readSync(fd, buffer, offset, length, position);
    },
    now: () => now,
  };
  return reads;
}

/** A consumer that copies what it is lent; `hold(n)` says whether the n-th write keeps the buffer. */
class Lender implements IConsumer, IWriteFromBuffer {
  producer: IPushProducer | null = null;
  chunks: Buffer[] = [];
  lent = new Set<ArrayBufferLike>();
  constructor(readonly hold: (n: number) => boolean = () => false) {}
  registerProducer(p: IPushProducer): void {
    this.producer = p;
  }
  unregisterProducer(): void {
    this.producer = null;
  }
  write(): void {
    throw new Error('a lending consumer gets writeFromBuffer');
  }
  writeFromBuffer(data: Uint8Array): boolean {
    this.lent.add(data.buffer);
    this.chunks.push(Buffer.from(data));
    if (!this.hold(this.chunks.length)) return true;
    this.producer?.pauseProducing();
    return false;
  }
}

describe('FileReader', () => {
  test('reads into one lent buffer; while the consumer holds it nothing is read, resumeProducing goes on', async () => {
    const reads = countingReads();
    const consumer = new Lender((n) => n === 3);
    const reader = new FileReader(await open(path, 'r'), body.length, { limits: LIMITS, reads });
    const done = reader.send(consumer, 0);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(reads.calls, 3, 'the third write kept the buffer: no fourth read into it');
    assert.equal(done.called, false);
    consumer.producer!.resumeProducing();
    await done;
    assert.ok(Buffer.concat(consumer.chunks).equals(body));
    assert.equal(consumer.lent.size, 1, 'every chunk was a view of the same buffer');
  });

  test('from an offset (REST)', async () => {
    const consumer = new Lender();
    await new FileReader(await open(path, 'r'), body.length, { limits: LIMITS }).send(consumer, 1000);
    assert.ok(Buffer.concat(consumer.chunks).equals(body.subarray(1000)));
  });

  test('a read slower than blockingReadLimit sends the rest to the thread pool', async () => {
    const reads = countingReads(1);
    const consumer = new Lender();
    const reader = new FileReader(await open(path, 'r'), body.length, { limits: LIMITS, reads });
    await reader.send(consumer, 0);
    assert.equal(reads.calls, 2, 'no blocking read after the slow one');
    assert.equal(reader.slow, true);
    assert.ok(Buffer.concat(consumer.chunks).equals(body));
  });

  test('sends `burst` bytes per turn of the event loop, then goes on at the next', async () => {
    const consumer = new Lender();
    const done = new FileReader(await open(path, 'r'), body.length, { limits: { ...LIMITS, burst: 2 * CHUNK } }).send(consumer, 0);
    assert.equal(Buffer.concat(consumer.chunks).length, 2 * CHUNK, 'the first burst, within the call');
    await done;
    assert.ok(Buffer.concat(consumer.chunks).equals(body));
  });

  test('a consumer that cannot lend gets a fresh buffer per chunk, which it may keep', async () => {
    const chunks: Uint8Array[] = [];
    const consumer: IConsumer = { registerProducer: () => undefined, unregisterProducer: () => undefined, write: (d) => void chunks.push(d as Uint8Array) };
    await new FileReader(await open(path, 'r'), body.length, { limits: LIMITS }).send(consumer, 0);
    assert.ok(Buffer.concat(chunks).equals(body));
    assert.equal(new Set(chunks.map((c) => c.buffer)).size, chunks.length);
  });

  test('the buffer goes back to the pool after a clean end, not while the connection may still hold it', async () => {
    const pool = new SendBufferPool(CHUNK, 2);
    await new FileReader(await open(path, 'r'), body.length, { limits: LIMITS, pool }).send(new Lender(), 0);
    assert.equal(pool.idle, 1);
    const held = new FileReader(await open(path, 'r'), body.length, { limits: LIMITS, pool });
    const d = held.send(new Lender(() => true), 0);
    d.addErrback(() => null);
    assert.equal(pool.idle, 0, 'the running download took it');
    held.close();
    assert.equal(pool.idle, 0, 'held by the connection when the transfer was dropped: not reused');
  });
});

describe('SendBufferPool', () => {
  test('keeps at most `kept` idle buffers', () => {
    const pool = new SendBufferPool(1024, 2);
    const taken = [pool.take(), pool.take(), pool.take()];
    assert.equal(new Set(taken).size, 3, 'any number may be out at once');
    for (const b of taken) pool.give(b);
    assert.equal(pool.idle, 2);
    assert.ok(taken.includes(pool.take()), 'an idle one is reused');
  });
});
