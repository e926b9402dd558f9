/**
 * Interop: OpenSSH's `ssh -tt` against the real `torsion ssh` gets a shell on a pseudo-terminal whose size
 * follows the client's terminal (`window-change`) and whose modes are the client terminal's (`pty-req`'s
 * encoded modes), driven from a terminal made by node-pty and from tmux; a `no-pty` key gets none.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { eventually, requirePeer } from '../testing/index.js';
import { loadNodePty } from './connection/pty.js';
import { Key } from './keys/key.js';
import { startSSHCommand, type SSHCommand } from './test-support/command.js';

const ssh = requirePeer('ssh', 'openssh-client');

describe('torsion ssh gives OpenSSH shells a pseudo-terminal', () => {
  let dir: string;
  let server: SSHCommand;
  const keyFile: Record<string, string> = {};

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-pty-'));
    mkdirSync(join(dir, 'root'));
    mkdirSync(join(dir, 'keys'));
    for (const [user, prefix] of Object.entries({ alice: '', bob: 'no-pty ' })) {
      const key = await Key.generate('ed25519');
      keyFile[user] = join(dir, `id_${user}`);
      await key.writeFile(keyFile[user], 'openssh');
      writeFileSync(join(dir, 'keys', user), `${prefix}${key.publicKey.toString()}\n`);
    }
    server = await startSSHCommand(['--host-key', join(dir, 'host_key'), '--authorized-keys', join(dir, 'keys'), '--root', join(dir, 'root')], dir);
    const hostKey = await Key.fromFile(join(dir, 'host_key'));
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${server.port} ${hostKey.publicKey.toString()}\n`);
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const sshArgs = (user: string) => [
    '-tt',
    '-F', '/dev/null',
    '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o', 'StrictHostKeyChecking=yes',
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-i', keyFile[user]!,
    '-p', String(server.port),
    `${user}@127.0.0.1`,
  ];

  test('ssh -tt from a terminal: tty is /dev/pts/N, stty size follows the client terminal being resized', { timeout: 60_000 }, async () => {
    const pty = await loadNodePty();
    let screen = '';
    const client = pty.spawn(ssh, sshArgs('alice'), { name: 'xterm', cols: 100, rows: 30, env: { PATH: '/usr/bin:/bin', HOME: dir }, encoding: null });
    client.onData((d) => (screen += d.toString()));
    let exitCode: number | undefined;
    client.onExit((e) => (exitCode = e.exitCode));
    try {
      client.write('echo "T=$(tty) S=$(stty size) E=$TERM"\r');
      await eventually(() => /T=\/dev\/pts\/\d+ S=30 100 E=xterm/.test(screen), { timeout: 20 });
      // ssh sees SIGWINCH on its own terminal and sends window-change.
      client.resize(120, 40);
      await new Promise((r) => setTimeout(r, 300));
      client.write('echo "S2=$(stty size)"\r');
      await eventually(() => /S2=40 120/.test(screen), { timeout: 20 });
      client.write('exit 7\r');
      await eventually(() => exitCode !== undefined, { timeout: 20 });
      assert.equal(exitCode, 7);
    } finally {
      if (exitCode === undefined) client.kill('SIGKILL');
    }
  });

  test('terminal modes: what the client\'s terminal is set to (intr, kill, echo, iexten) is what the remote terminal has', { timeout: 60_000 }, async () => {
    const pty = await loadNodePty();
    let screen = '';
    // ssh reads its own terminal's modes for pty-req: set unusual ones there first, then become ssh.
    const args = ['-c', 'stty intr ^B kill ^X -echo -iexten && exec "$0" "$@"', ssh, ...sshArgs('alice'), 'stty -a'];
    const client = pty.spawn('/bin/sh', args, { name: 'xterm', cols: 100, rows: 30, env: { PATH: '/usr/bin:/bin', HOME: dir }, encoding: null });
    client.onData((d) => (screen += d.toString()));
    let exitCode: number | undefined;
    client.onExit((e) => (exitCode = e.exitCode));
    try {
      await eventually(() => exitCode !== undefined, { timeout: 20 });
      assert.equal(exitCode, 0, screen);
      assert.match(screen, /intr = \^B;/);
      assert.match(screen, /kill = \^X;/);
      assert.match(screen, /(^|\s)-echo(\s|$)/m);
      assert.match(screen, /(^|\s)-iexten(\s|$)/m);
    } finally {
      if (exitCode === undefined) client.kill('SIGKILL');
    }
  });

  test('a no-pty key: pty-req is refused (ssh -tt then gives up), and without -t the command runs with no terminal', { timeout: 60_000 }, () => {
    const forced = spawnSync(ssh, [...sshArgs('bob'), 'echo ran'], { encoding: 'utf8', timeout: 30_000 });
    assert.match(forced.stderr, /PTY allocation request failed/);
    assert.doesNotMatch(forced.stdout, /ran/);
    const plain = spawnSync(ssh, [...sshArgs('bob').filter((a) => a !== '-tt'), '-T', 'tty; echo done'], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(plain.stdout, 'not a tty\ndone\n', plain.stderr);
    // The same command with a key that may have a terminal gets one.
    const allowed = spawnSync(ssh, [...sshArgs('alice'), 'tty'], { encoding: 'utf8', timeout: 30_000 });
    assert.match(allowed.stdout, /^\/dev\/pts\/\d+\r\n$/, allowed.stderr);
  });

  test('--manhole on a terminal: the REPL runs in terminal mode (line editing), results on their own lines', { timeout: 60_000 }, async () => {
    const manhole = await startSSHCommand(['--host-key', join(dir, 'host_key'), '--authorized-keys', join(dir, 'keys'), '--root', join(dir, 'root'), '--manhole'], dir);
    const pty = await loadNodePty();
    let screen = '';
    const args = sshArgs('alice').map((a) => (a === String(server.port) ? String(manhole.port) : a));
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${server.port} ${(await Key.fromFile(join(dir, 'host_key'))).publicKey.toString()}\n[127.0.0.1]:${manhole.port} ${(await Key.fromFile(join(dir, 'host_key'))).publicKey.toString()}\n`);
    const client = pty.spawn(ssh, args, { name: 'xterm', cols: 100, rows: 30, env: { PATH: '/usr/bin:/bin', HOME: dir }, encoding: null });
    client.onData((d) => (screen += d.toString()));
    let exited = false;
    client.onExit(() => (exited = true));
    try {
      await eventually(() => screen.includes('>>> '), { timeout: 20 });
      // A typo fixed with backspace: only line editing makes this 42.
      client.write('6 * 8\x7f7\r');
      // Results come coloured in terminal mode: compare without the escape sequences.
      await eventually(() => /\n42\r\n/.test(stripVTControlCharacters(screen)), { timeout: 20 });
      client.write('.exit\r');
      await eventually(() => exited, { timeout: 20 });
    } finally {
      if (!exited) client.kill('SIGKILL');
      await manhole.stop();
    }
  });

  test('in tmux: a shell over ssh -tt, typed into with send-keys, resized with resize-window', { timeout: 90_000 }, async () => {
    const tmux = requirePeer('tmux', 'tmux');
    const socket = join(dir, 'tmux.sock');
    const tm = (...args: string[]) => execFileSync(tmux, ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', timeout: 10_000, env: { PATH: '/usr/bin:/bin', HOME: dir, TERM: 'xterm' } });
    const command = [ssh, ...sshArgs('alice')].map((a) => `'${a}'`).join(' ');
    tm('new-session', '-d', '-s', 'torsion', '-x', '90', '-y', '25', command);
    try {
      const pane = () => tm('capture-pane', '-p', '-J', '-t', 'torsion');
      tm('send-keys', '-t', 'torsion', 'echo "A=$(tty) B=$(stty size)"', 'Enter');
      await eventually(() => /A=\/dev\/pts\/\d+ B=25 90/.test(pane()), { timeout: 20 });
      tm('resize-window', '-t', 'torsion', '-x', '110', '-y', '35');
      await new Promise((r) => setTimeout(r, 300));
      tm('send-keys', '-t', 'torsion', 'clear; echo "C=$(stty size)"', 'Enter');
      await eventually(() => /C=35 110/.test(pane()), { timeout: 20 });
    } finally {
      try {
        tm('kill-server');
      } catch {
        // Already gone with its only session.
      }
    }
  });
});
