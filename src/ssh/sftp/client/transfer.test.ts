import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SFTPLimitError } from '../errors.js';
import { readAll, readRanges, writeAll, type ChunkIO } from './transfer.js';

/** A file in memory answering READs asynchronously, at most `maxAnswer` bytes each; records the peak in flight. */
function memoryFile(content: Uint8Array, maxAnswer = Infinity) {
  const stats = { peak: 0, inFlight: 0, reads: 0 };
  const io: ChunkIO = {
    async read(offset, length) {
      stats.reads++;
      stats.peak = Math.max(stats.peak, ++stats.inFlight);
      await new Promise((r) => setImmediate(r));
      stats.inFlight--;
      if (offset >= content.length) return null;
      // Answers come in pieces of at most 256 bytes, as a DATA packet split across chunks would.
      const answer = content.slice(offset, offset + Math.min(length, maxAnswer));
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < answer.length; i += 256) pieces.push(answer.subarray(i, i + 256));
      return pieces;
    },
    async write(offset, data) {
      stats.peak = Math.max(stats.peak, ++stats.inFlight);
      await new Promise((r) => setImmediate(r));
      stats.inFlight--;
      content.set(data, offset);
    },
  };
  return { io, stats };
}

const data = new Uint8Array(100_003).map((_, i) => (i * 7) & 0xff);

test('readAll: keeps up to inFlight READs outstanding and assembles the file', async () => {
  const { io, stats } = memoryFile(data);
  assert.deepEqual(await readAll(io, 1000, 8, 1e9, data.length), data);
  assert.equal(stats.peak, 8);
});

test('readAll: short answers are asked again for the rest of their range', async () => {
  const { io } = memoryFile(data, 333);
  assert.deepEqual(await readAll(io, 1000, 8, 1e9, data.length), data);
});

test('readAll: a size hint too small or too large does not change the result (the file grew or shrank)', async () => {
  assert.deepEqual(await readAll(memoryFile(data).io, 4096, 4, 1e9, 10), data);
  assert.deepEqual(await readAll(memoryFile(data).io, 4096, 4, 1e9, 500_000), data);
  assert.deepEqual(await readAll(memoryFile(new Uint8Array(0)).io, 4096, 4, 1e9, 0), new Uint8Array(0));
});

test('readAll: a file longer than maxBytes fails with SFTPLimitError', async () => {
  await assert.rejects(readAll(memoryFile(data).io, 4096, 4, 50_000, 0), SFTPLimitError);
});

test('writeAll: writes every chunk with up to inFlight outstanding', async () => {
  const target = new Uint8Array(data.length);
  const { io, stats } = memoryFile(target);
  await writeAll(io, data, 1000, 16);
  assert.deepEqual(target, data);
  assert.equal(stats.peak, 16);
});

test('readRanges: hands over every range once, and a throwing onData stops the transfer with its error', async () => {
  const times = new Uint8Array(data.length);
  const back = new Uint8Array(data.length);
  const length = await readRanges(memoryFile(data, 700).io, 1000, 8, (d, offset) => {
    for (let i = 0; i < d.length; i++) times[offset + i]!++;
    back.set(d, offset);
  });
  assert.equal(length, data.length);
  assert.ok(times.every((n) => n === 1), 'every byte exactly once');
  assert.deepEqual(back, data);
  const { io, stats } = memoryFile(data);
  await assert.rejects(readRanges(io, 1000, 4, () => {
    throw new Error('disk full');
  }), /disk full/);
  assert.ok(stats.reads < 20, 'no more READs after the failure');
});
