import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringTransport } from '../testing/string-transport.js';
import { FileSender, TransferStoppedError } from './file-sender.js';

function tempFile(content: Uint8Array): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'torsion-fs-'));
  const path = join(dir, 'data.bin');
  writeFileSync(path, content);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('FileSender', () => {
  test('registers as a pull producer and writes one chunk per request until the end', async () => {
    const content = new Uint8Array(10_000).map((_, i) => i % 251);
    const { path, cleanup } = tempFile(content);
    try {
      const transport = new StringTransport();
      const sender = new FileSender();
      sender.CHUNK_SIZE = 4096;
      const d = sender.beginFileTransfer(path, transport);
      assert.equal(transport.producer, sender);
      assert.equal(transport.streaming, false);
      const sizes: number[] = [];
      while (!d.called) {
        const before = transport.value().length;
        sender.resumeProducing();
        sizes.push(transport.value().length - before);
      }
      assert.deepEqual(sizes, [4096, 4096, 1808, 0]);
      assert.deepEqual(new Uint8Array(transport.value()), content);
      assert.equal(transport.producer, null, 'unregistered at the end');
      assert.deepEqual(await d, content.slice(-1));
    } finally {
      cleanup();
    }
  });

  test('applies the transform to each chunk', async () => {
    const { path, cleanup } = tempFile(new TextEncoder().encode('abc'));
    try {
      const transport = new StringTransport();
      const sender = new FileSender();
      const d = sender.beginFileTransfer(path, transport, (c) => c.map((b) => b - 32));
      while (!d.called) sender.resumeProducing();
      assert.equal(transport.valueString(), 'ABC');
    } finally {
      cleanup();
    }
  });

  test('stopProducing fails the Deferred with TransferStoppedError', async () => {
    const { path, cleanup } = tempFile(new Uint8Array(100_000));
    try {
      const transport = new StringTransport();
      const sender = new FileSender();
      const d = sender.beginFileTransfer(path, transport);
      sender.resumeProducing();
      sender.stopProducing();
      await assert.rejects(d.asPromise(), TransferStoppedError);
    } finally {
      cleanup();
    }
  });
});
