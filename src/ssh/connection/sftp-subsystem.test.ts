import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SFTPClient } from '../sftp/client/client.js';
import { RootFilesystem } from '../sftp/server/root-filesystem.js';
import { SFTPServer } from '../sftp/server/server.js';
import { FakeSession, connectionWorld, fakeUser } from '../test-support/connection-world.js';
import { SSHConnectionClient } from './client.js';

test('SFTP runs as the sftp subsystem of a session channel: write, read back, list', async () => {
  const root = mkdtempSync(join(tmpdir(), 'torsion-sftp-subsystem-'));
  try {
    const world = connectionWorld({ avatar: fakeUser(new FakeSession(() => undefined), { subsystems: { sftp: () => new SFTPServer(new RootFilesystem(root)) } }) });
    const sftp = await new SSHConnectionClient(world.clientConnection).openSubsystem('sftp', new SFTPClient());
    await sftp.whenReady();
    const bytes = new Uint8Array(300_000).map((_, i) => i % 251);
    await sftp.writeFile('notes.bin', bytes);
    assert.deepEqual(await sftp.readFile('notes.bin'), bytes);
    assert.deepEqual((await sftp.readdir('.')).map((e) => e.filename).filter((n) => n === 'notes.bin'), ['notes.bin']);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
