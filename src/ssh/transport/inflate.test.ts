import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDeflate, type Deflate } from 'node:zlib';
import { randomBytes, seededRandom } from '../../testing/index.js';
import { InflateError, Inflater } from './inflate.js';
import { ZlibCompressor, ZlibDecompressor } from './compression.js';

/** One zlib stream, flushed with `flush` after each piece, as OpenSSH (Z_PARTIAL_FLUSH) or others (Z_SYNC_FLUSH) do. */
async function deflatePieces(pieces: Uint8Array[], flush: number, level: number): Promise<Uint8Array[]> {
  const deflate: Deflate = createDeflate({ level });
  const chunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => chunks.push(c));
  const out: Uint8Array[] = [];
  for (const piece of pieces) {
    deflate.write(piece);
    await new Promise<void>((resolve) => deflate.flush(flush, () => resolve()));
    out.push(Buffer.concat(chunks.splice(0)));
  }
  deflate.close();
  return out;
}

function piecesFor(seed: number): Uint8Array[] {
  const random = seededRandom(seed);
  // Repetitive text so that references reach back across pieces, and some noise that stays literal.
  const words = ['ssh', 'channel', 'data', ' ', '\n', 'window', 'adjust'].map((w) => Buffer.from(w));
  return Array.from({ length: 1 + Math.floor(random() * 12) }, () => {
    if (random() < 0.3) return randomBytes(random, Math.floor(random() * 3000), []);
    return Buffer.concat(Array.from({ length: Math.floor(random() * 400) }, () => words[Math.floor(random() * words.length)]!));
  });
}

for (const [name, flush] of [['Z_PARTIAL_FLUSH', constants.Z_PARTIAL_FLUSH], ['Z_SYNC_FLUSH', constants.Z_SYNC_FLUSH]] as const) {
  test(`the inflater reads a zlib stream flushed with ${name} piece by piece, as node:zlib wrote it`, async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const pieces = piecesFor(seed);
      const compressed = await deflatePieces(pieces, flush, [1, 6, 9][seed % 3]!);
      const inflater = new Inflater();
      compressed.forEach((c, i) => assert.deepEqual(Buffer.from(inflater.inflate(c, 1 << 20)), Buffer.from(pieces[i]!), `seed ${seed} piece ${i}`));
    }
  });
}

test('the compressor and the inflater agree across packets, and node:zlib reads the compressor as one stream', async () => {
  const { createInflate } = await import('node:zlib');
  for (let seed = 1; seed <= 30; seed++) {
    const pieces = piecesFor(seed);
    const compressor = new ZlibCompressor();
    const decompressor = new ZlibDecompressor();
    const wire = pieces.map((p) => compressor.compress(p));
    wire.forEach((w, i) => assert.deepEqual(Buffer.from(decompressor.decompress(w, 1 << 20)), Buffer.from(pieces[i]!)));
    const inflate = createInflate();
    const out: Buffer[] = [];
    inflate.on('data', (c: Buffer) => out.push(c));
    for (const w of wire) inflate.write(w);
    await new Promise<void>((resolve) => inflate.flush(constants.Z_SYNC_FLUSH, () => resolve()));
    assert.deepEqual(Buffer.concat(out), Buffer.concat(pieces.map((p) => Buffer.from(p))));
  }
});

test('the inflater refuses garbage and output over the limit, with InflateError only', () => {
  const bomb = new ZlibCompressor().compress(new Uint8Array(100_000));
  assert.throws(() => new Inflater().inflate(bomb, 50_000), InflateError);
  for (let seed = 1; seed <= 300; seed++) {
    const random = seededRandom(seed);
    const valid = new ZlibCompressor().compress(Buffer.from('hello hello hello ssh '.repeat(20)));
    const altered = Uint8Array.from(valid);
    for (let k = 0; k < 3; k++) altered[2 + Math.floor(random() * (altered.length - 2))] = Math.floor(random() * 256);
    try {
      new Inflater().inflate(seed % 2 ? altered : randomBytes(random, 40, [0x78, 0x9c, 0]), 10_000);
    } catch (e) {
      assert.ok(e instanceof InflateError, `seed ${seed}: ${e}`);
    }
  }
});
