import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SFTPLimitError } from '../errors.js';
import { readAll, writeAll, type ChunkIO } from './transfer.js';

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
      return content.slice(offset, offset + Math.min(length, maxAnswer));
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
