/**
 * Binary uploads over real 127.0.0.1 sockets, where the data connection reads into one reused buffer and
 * each read is written before the next (`writeNow`): every byte lands in order, passive and active; a disk
 * that turns slow sends the rest through the queued writes (copies of the borrowed reads).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryUsernamePasswordDatabase, Portal, type IRealm, type LoginResult } from '../cred/index.js';
import { reactor } from '../internet/index.js';
import type { IListeningPort } from '../internet/interfaces.js';
import { connectFTP } from './client/connect.js';
import { FTPFactory } from './server/factory.js';
import { FilesystemShell, type BlockingWrites } from './server/filesystem-shell.js';
import { IFTPShell } from './shell-interface.js';

let root: string;
let port: IListeningPort;
let factory: FTPFactory;
/** What the next login's shell uses for its blocking writes. */
let blocking: BlockingWrites;
let blockingCalls = 0;
/** Bytes the client sends at a time in the first test. */
const PART = 512 * 1024;

const realWrites = (): BlockingWrites => ({
  writeSync: (fd, data, offset, length, position) => {
    blockingCalls++;
    return writeSync(fd, data, offset, length, position);
  },
  now: () => performance.now() / 1000,
});

before(() => {
  root = mkdtempSync(join(tmpdir(), 'torsion-ftp-upload-'));
  const realm: IRealm = {
    requestAvatar: () => [IFTPShell, new FilesystemShell(root, { blockingWrites: blocking }), () => undefined] as unknown as LoginResult,
  };
  factory = new FTPFactory({ portal: new Portal(realm, [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]), reactor, limits: { loginFailureDelay: 0 } });
  port = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
});

after(async () => {
  for (const c of factory.connections) c.transport.abortConnection();
  await port.stopListening();
  rmSync(root, { recursive: true, force: true });
});

async function login(passive = true): Promise<Awaited<ReturnType<typeof connectFTP>>> {
  const ftp = await connectFTP(reactor, '127.0.0.1', (port.getHost() as unknown as { port: number }).port, { passive });
  await ftp.login('alice', 'secret');
  return ftp;
}

describe('binary uploads read into one buffer', { timeout: 60_000 }, () => {
  test('passive and active: every byte in order, written by blocking writes', async () => {
    for (const passive of [true, false]) {
      blocking = realWrites();
      blockingCalls = 0;
      const body = randomBytes(3 * 1024 * 1024 + 17);
      const ftp = await login(passive);
      // In parts with a pause between: what arrives before the server reads into its buffer goes through the
      // queued writes (on a busy machine that can be all of one 3 MiB write), and later reads find them idle.
      const { upload, done } = ftp.storeFile('direct.bin');
      const u = await upload;
      for (let at = 0; at < body.length; at += PART) {
        u.write(body.subarray(at, at + PART));
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      u.finish();
      await done;
      assert.ok(readFileSync(join(root, 'direct.bin')).equals(body), `content (${passive ? 'passive' : 'active'})`);
      // The client may send before the 150: what arrived early goes through the queued writes, the rest blocks.
      assert.ok(blockingCalls > 0, `written by blocking writes (${blockingCalls} calls)`);
      await ftp.quit();
    }
  });

  test('a blocking write that was slow sends the rest to the queued writes, which get copies: the file is whole', async () => {
    // Every write looks as if it took a second: the first one trips the limit.
    let t = 0;
    blocking = { ...realWrites(), now: () => (t += 1) };
    blockingCalls = 0;
    const body = randomBytes(3 * 1024 * 1024);
    const ftp = await login();
    await ftp.storeBytes('slow.bin', body);
    assert.ok(blockingCalls <= 1, `one blocking write at most (${blockingCalls})`);
    assert.ok(readFileSync(join(root, 'slow.bin')).equals(body), 'no read overwrote a chunk still queued');
    await ftp.quit();
  });
});
