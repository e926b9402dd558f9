/**
 * Interop: OpenSSH's `ssh -X` and `ssh -Y` against the real `torsion ssh --x11-forwarding`, with a fake X
 * server the test owns on the client's side (a TCP listener on 127.0.0.1:6000+N, `DISPLAY=127.0.0.1:N`).
 * An X client on the server side reads `DISPLAY` and `XAUTHORITY`, connects and sends an X11 connection
 * setup with the cookie it found; `ssh` checks that cookie against the fake one it sent in `x11-req` and
 * swaps in its real one; the fake X server's answer comes back to the X client. A `no-x11-forwarding` key
 * gets no display.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from '../testing/index.js';
import { Key } from './keys/key.js';
import { startSSHCommand, type SSHCommand } from './test-support/command.js';

const ssh = requirePeer('ssh', 'openssh-client');

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(ssh, args, { timeout: 30_000, env }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }));
    child.stdin?.end();
  });
}

/** An X client for the server side: sends a connection setup with the cookie of its Xauthority, prints the answer. */
const X_CLIENT = `
const net = require('node:net');
const fs = require('node:fs');
const number = Number(process.env.DISPLAY.split(':')[1].split('.')[0]);
const file = fs.readFileSync(process.env.XAUTHORITY);
const fields = [];
for (let offset = 2, i = 0; i < 4; i++) {
  const length = file.readUInt16BE(offset);
  fields.push(file.subarray(offset + 2, offset + 2 + length));
  offset += 2 + length;
}
const [, , name, cookie] = fields;
const pad = (b) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
const head = Buffer.alloc(12);
head.write('l', 0);
head.writeUInt16LE(11, 2);
head.writeUInt16LE(name.length, 6);
head.writeUInt16LE(cookie.length, 8);
const socket = net.connect(6000 + number, '127.0.0.1', () => socket.write(Buffer.concat([head, pad(name), pad(cookie)])));
socket.on('data', (d) => {
  console.log('DISPLAY=' + process.env.DISPLAY + ' COOKIE=' + cookie.toString('hex') + ' REPLY=' + d.toString());
  socket.end();
});
`;

/** The setup an X server received: the authentication protocol name and cookie (little-endian client). */
function parseSetup(setup: Buffer): { name: string; cookie: string } {
  assert.equal(String.fromCharCode(setup[0]!), 'l');
  const nameLength = setup.readUInt16LE(6);
  const cookieLength = setup.readUInt16LE(8);
  const cookieAt = 12 + nameLength + ((4 - (nameLength % 4)) % 4);
  return { name: setup.subarray(12, 12 + nameLength).toString(), cookie: setup.subarray(cookieAt, cookieAt + cookieLength).toString('hex') };
}

/** Listens on 127.0.0.1:6000+N for a free N: the client side's X server. */
async function fakeXServer(received: Buffer[]): Promise<{ server: Server; display: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const display = 100 + Math.floor(Math.random() * 400);
    const server = createServer((socket) => {
      socket.once('data', (d) => {
        received.push(d);
        socket.end('X11-REPLY');
      });
      socket.on('error', () => undefined);
    });
    const ok = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(6000 + display, '127.0.0.1', () => resolve(true));
    });
    if (ok) return { server, display };
  }
  throw new Error('no free X11 display for the fake X server');
}

describe('torsion ssh --x11-forwarding with OpenSSH', () => {
  let dir: string;
  let server: SSHCommand;
  let x: { server: Server; display: number };
  const received: Buffer[] = [];
  const keyFile: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-x11-'));
    mkdirSync(join(dir, 'root'));
    mkdirSync(join(dir, 'keys'));
    for (const [user, prefix] of Object.entries({ alice: '', nox: 'no-x11-forwarding ' })) {
      const key = await Key.generate('ed25519');
      keyFile[user] = join(dir, `id_${user}`);
      await key.writeFile(keyFile[user], 'openssh');
      writeFileSync(join(dir, 'keys', user), `${prefix}${key.publicKey.toString()}\n`);
    }
    writeFileSync(join(dir, 'xclient.cjs'), X_CLIENT);
    x = await fakeXServer(received);
    server = await startSSHCommand(['--host-key', join(dir, 'host_key'), '--authorized-keys', join(dir, 'keys'), '--root', join(dir, 'root'), '--x11-forwarding'], dir);
    const hostKey = await Key.fromFile(join(dir, 'host_key'));
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${server.port} ${hostKey.publicKey.toString()}\n`);
  });

  after(async () => {
    await server?.stop();
    await new Promise((r) => (x ? x.server.close(r) : r(undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  const sshArgs = (user: string, flag: string) => [
    flag,
    '-F', '/dev/null',
    '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-i', keyFile[user]!,
    '-p', String(server.port),
    `${user}@127.0.0.1`,
  ];
  const clientEnv = () => ({ PATH: '/usr/bin:/bin', HOME: dir, DISPLAY: `127.0.0.1:${x.display}` });

  for (const flag of ['-X', '-Y']) {
    test(`ssh ${flag}: an X client on the server reaches the client's X server, with the cookie swapped by ssh, and its answer comes back`, { timeout: 60_000 }, async () => {
      received.length = 0;
      const r = await run([...sshArgs('alice', flag), `${process.execPath} ${join(dir, 'xclient.cjs')}`], clientEnv());
      assert.equal(r.code, 0, r.stderr);
      const m = /^DISPLAY=localhost:(\d+)\.0 COOKIE=([0-9a-f]+) REPLY=X11-REPLY$/m.exec(r.stdout);
      assert.ok(m, `${r.stdout}\n${r.stderr}`);
      assert.ok(Number(m[1]) >= 10);
      assert.equal(received.length, 1);
      const setup = parseSetup(received[0]!);
      assert.equal(setup.name, 'MIT-MAGIC-COOKIE-1');
      // The server side presented the fake cookie ssh sent in x11-req (ssh would have refused any other);
      // the X server got ssh's real one in its place.
      assert.equal(setup.cookie.length, m[2]!.length);
      assert.notEqual(setup.cookie, m[2]);
    });
  }

  test('a no-x11-forwarding key: the request is refused and the session has no DISPLAY', { timeout: 60_000 }, async () => {
    const r = await run([...sshArgs('nox', '-X'), 'echo "[${DISPLAY:-none}]"'], clientEnv());
    assert.equal(r.stdout, '[none]\n', r.stderr);
    assert.match(r.stderr, /X11 forwarding request failed/);
  });
});
