/**
 * Interop: Torsion's `SSHClient` against a server made with the npm package `ssh2`: publickey (the
 * signature checked by ssh2) and password logins, a wrong password refused, an unknown host key refused,
 * exec with stdout, stderr and exit status, and SFTP writeFile, readFile and readdir against a small
 * in-memory SFTP server written on ssh2's SFTP events.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SSHClient } from './client.js';
import { Key } from './keys/key.js';
import { loadSsh2, type Ssh2Module, type Ssh2Server } from './test-support/ssh2.js';

/** What the ssh2 server keeps: files by name, and what it saw. */
interface World {
  files: Map<string, Buffer>;
  logins: string[];
}

/** ssh2 SFTP server events over `world.files` (a flat folder named `/`). */
function serveSftp(ssh2: Ssh2Module, sftp: any, world: World): void {
  const { STATUS_CODE } = ssh2.utils.sftp;
  const handles = new Map<string, { name: string | null; data: Buffer; listed?: boolean; writing?: boolean }>();
  let next = 0;
  const handle = (entry: { name: string | null; data: Buffer; writing?: boolean }) => {
    const h = Buffer.from(String(next++));
    handles.set(h.toString(), entry);
    return h;
  };
  const name = (path: string) => path.replace(/^\/+/, '');
  const attrs = (size: number, dir = false) => ({ mode: (dir ? 0o040755 : 0o100644) >>> 0, uid: 0, gid: 0, size, atime: 0, mtime: 0 });
  sftp.on('REALPATH', (id: number, path: string) => sftp.name(id, [{ filename: path === '.' ? '/' : path, longname: path, attrs: attrs(0, true) }]));
  sftp.on('OPEN', (id: number, path: string, flags: number) => {
    const mode = ssh2.utils.sftp.flagsToString(flags);
    const existing = world.files.get(name(path));
    if (mode.startsWith('r') && !mode.includes('+') && existing === undefined) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    const writing = mode !== 'r';
    const data = writing && mode.startsWith('w') ? Buffer.alloc(0) : (existing ?? Buffer.alloc(0));
    sftp.handle(id, handle({ name: name(path), data, writing }));
  });
  sftp.on('WRITE', (id: number, h: Buffer, offset: number, data: Buffer) => {
    const entry = handles.get(h.toString());
    if (entry === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
    const end = offset + data.length;
    if (end > entry.data.length) entry.data = Buffer.concat([entry.data, Buffer.alloc(end - entry.data.length)]);
    data.copy(entry.data, offset);
    sftp.status(id, STATUS_CODE.OK);
  });
  sftp.on('READ', (id: number, h: Buffer, offset: number, length: number) => {
    const entry = handles.get(h.toString());
    if (entry === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
    if (offset >= entry.data.length) return sftp.status(id, STATUS_CODE.EOF);
    sftp.data(id, entry.data.subarray(offset, offset + length));
  });
  sftp.on('FSTAT', (id: number, h: Buffer) => {
    const entry = handles.get(h.toString());
    if (entry === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
    sftp.attrs(id, attrs(entry.data.length));
  });
  sftp.on('CLOSE', (id: number, h: Buffer) => {
    const entry = handles.get(h.toString());
    handles.delete(h.toString());
    if (entry?.writing === true && entry.name !== null) world.files.set(entry.name, entry.data);
    sftp.status(id, entry === undefined ? STATUS_CODE.FAILURE : STATUS_CODE.OK);
  });
  sftp.on('OPENDIR', (id: number) => sftp.handle(id, handle({ name: null, data: Buffer.alloc(0) })));
  sftp.on('READDIR', (id: number, h: Buffer) => {
    const entry = handles.get(h.toString());
    if (entry === undefined) return sftp.status(id, STATUS_CODE.FAILURE);
    if (entry.listed === true) return sftp.status(id, STATUS_CODE.EOF);
    entry.listed = true;
    sftp.name(id, [...world.files].map(([filename, data]) => ({ filename, longname: `-rw-r--r-- 1 0 0 ${data.length} Jan 1 00:00 ${filename}`, attrs: attrs(data.length) })));
  });
}

describe("Torsion's SSHClient against an ssh2 (npm) server", () => {
  let ssh2: Ssh2Module;
  let dir: string;
  let server: Ssh2Server;
  let port: number;
  let aliceKey: Key;
  const world: World = { files: new Map([['hello.txt', Buffer.from('hello from ssh2\n')]]), logins: [] };

  before(async () => {
    ssh2 = await loadSsh2();
    dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-ssh2s-'));
    const hostKey = await Key.generate('ed25519');
    aliceKey = await Key.generate('ed25519');
    const allowed = ssh2.utils.parseKey(aliceKey.publicKey.toString());
    if (allowed instanceof Error) throw allowed;
    server = new ssh2.Server({ hostKeys: [hostKey.toString('openssh')] }, (client: any) => {
      client.on('error', () => undefined);
      client.on('authentication', (ctx: any) => {
        if (ctx.method === 'password' && ctx.username === 'dave' && ctx.password === 'secret') {
          world.logins.push('dave:password');
          return ctx.accept();
        }
        if (ctx.method === 'publickey' && ctx.username === 'alice' && Buffer.from(ctx.key.data).equals(allowed.getPublicSSH())) {
          // The query step has no signature: accepting it only says the key would do.
          if (ctx.signature === undefined) return ctx.accept();
          if (allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) {
            world.logins.push(`alice:publickey:${ctx.key.algo}`);
            return ctx.accept();
          }
        }
        ctx.reject(['password', 'publickey']);
      });
      client.on('ready', () => {
        client.on('session', (accept: () => any) => {
          const session = accept();
          session.on('exec', (acceptExec: () => any, _reject: unknown, info: { command: string }) => {
            const stream = acceptExec();
            stream.write(`ran: ${info.command}\n`);
            stream.stderr.write('oops\n');
            stream.exit(3);
            stream.end();
          });
          session.on('sftp', (acceptSftp: () => any) => serveSftp(ssh2, acceptSftp(), world));
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = server.address().port;
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostKey.publicKey.toString()}\n`);
    writeFileSync(join(dir, 'empty_known_hosts'), '');
  });

  after(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });

  const options = () => ({ host: '127.0.0.1', port, knownHosts: join(dir, 'known_hosts') });

  test('publickey login (ssh2 checks the signature), exec: stdout, stderr, exit status', { timeout: 30_000 }, async () => {
    const ssh = await SSHClient.connect({ ...options(), username: 'alice', privateKey: aliceKey });
    try {
      const { stdout, stderr, exitStatus } = await ssh.exec('echo hi; exit 3');
      assert.equal(Buffer.from(stdout).toString(), 'ran: echo hi; exit 3\n');
      assert.equal(Buffer.from(stderr).toString(), 'oops\n');
      assert.equal(exitStatus, 3);
      assert.ok(world.logins.includes('alice:publickey:ssh-ed25519'), world.logins.join());
    } finally {
      await ssh.close();
    }
  });

  test('password login; a wrong password and an unknown host key are refused', { timeout: 30_000 }, async () => {
    const ssh = await SSHClient.connect({ ...options(), username: 'dave', password: 'secret' });
    try {
      assert.equal((await ssh.exec('whoami')).exitStatus, 3);
    } finally {
      await ssh.close();
    }
    await assert.rejects(SSHClient.connect({ ...options(), username: 'dave', password: 'wrong' }));
    await assert.rejects(SSHClient.connect({ ...options(), knownHosts: join(dir, 'empty_known_hosts'), username: 'dave', password: 'secret' }), /UnknownHostKey|not known|unknown/i);
  });

  test('sftp: writeFile, readFile and readdir', { timeout: 30_000 }, async () => {
    const ssh = await SSHClient.connect({ ...options(), username: 'alice', privateKey: aliceKey });
    try {
      const sftp = await ssh.sftp();
      const big = new Uint8Array(200_000).map((_, i) => i % 251);
      await sftp.writeFile('notes.bin', big);
      assert.ok(world.files.get('notes.bin')?.equals(big));
      assert.ok(Buffer.from(await sftp.readFile('notes.bin')).equals(big));
      assert.equal(Buffer.from(await sftp.readFile('hello.txt')).toString(), 'hello from ssh2\n');
      const names = (await sftp.readdir('.')).map((e) => e.filename).sort();
      assert.deepEqual(names, ['hello.txt', 'notes.bin']);
      await assert.rejects(sftp.readFile('missing.txt'));
    } finally {
      await ssh.close();
    }
  });
});
