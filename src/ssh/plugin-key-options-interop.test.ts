/**
 * Interop: the `authorized_keys` options of `torsion ssh` as OpenSSH's `ssh` meets them: `permitopen=`
 * narrows `-L`/`-W` and `permitlisten=` narrows `-R` inside `--forward-allow`; `ssh -A` reaches the client's
 * agent under `--agent-forwarding`, except for a `no-agent-forwarding` key; a `command=` key gets no SFTP.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Factory, Protocol, reactor } from '../internet/index.js';
import type { IListeningPort } from '../internet/interfaces.js';
import { eventually, freeLoopbackPort, requirePeer } from '../testing/index.js';
import { Key } from './keys/key.js';
import { startSSHCommand, type SSHCommand } from './test-support/command.js';

const ssh = requirePeer('ssh', 'openssh-client');

function run(cmd: string, args: string[], stdin = '', env?: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: 30_000, ...(env === undefined ? {} : { env }) }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
    );
    child.stdin?.end(stdin);
  });
}

/** Answers the first chunk with its name, then hangs up. */
function echoServer(name: string): IListeningPort {
  const factory = new Factory();
  factory.buildProtocol = () =>
    new (class extends Protocol {
      override dataReceived(data: Uint8Array): void {
        this.transport.write(`${name}: ${new TextDecoder().decode(data)}`);
        this.transport.loseConnection();
      }
    })();
  return reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
}

const portOf = (p: IListeningPort) => (p.getHost() as unknown as { port: number }).port;

/** Connects to 127.0.0.1:port, sends `text`, and gives what came back before the close ('' if refused). */
function ask(port: number, text: string): Promise<string> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1', () => s.write(text));
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => resolve(got));
    s.on('error', () => undefined);
    s.setTimeout(10_000, () => s.destroy());
  });
}

/** Asks until an answer comes (the forward may not be listening yet), or gives up with ''. */
async function askUntilAnswered(port: number, text: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const got = await ask(port, text);
    if (got !== '') return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return '';
}

describe('torsion ssh key options with OpenSSH', () => {
  let dir: string;
  let server: SSHCommand;
  let echo: IListeningPort;
  let other: IListeningPort;
  let listenOk: number;
  const keyFile: Record<string, string> = {};
  const children: ChildProcess[] = [];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-ssh-keyopts-'));
    mkdirSync(join(dir, 'root'));
    mkdirSync(join(dir, 'keys'));
    echo = echoServer('echo');
    other = echoServer('other');
    listenOk = await freeLoopbackPort();
    const options: Record<string, string> = {
      alice: '',
      pat: `permitopen="127.0.0.1:${portOf(echo)}",permitlisten="127.0.0.1:${listenOk}" `,
      nola: 'no-agent-forwarding ',
      carol: 'command="echo forced" ',
    };
    for (const [user, prefix] of Object.entries(options)) {
      const key = await Key.generate('ed25519');
      keyFile[user] = join(dir, `id_${user}`);
      await key.writeFile(keyFile[user], 'openssh');
      writeFileSync(join(dir, 'keys', user), `${prefix}${key.publicKey.toString()}\n`);
    }
    server = await startSSHCommand(['--host-key', join(dir, 'host_key'), '--authorized-keys', join(dir, 'keys'), '--root', join(dir, 'root'), '--forward-allow', '127.0.0.1:*', '--agent-forwarding'], dir);
    const hostKey = await Key.fromFile(join(dir, 'host_key'));
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${server.port} ${hostKey.publicKey.toString()}\n`);
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await server?.stop();
    await echo?.stopListening();
    await other?.stopListening();
    rmSync(dir, { recursive: true, force: true });
  });

  const asUser = (user: string) => ['-F', '/dev/null', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`, '-o', 'StrictHostKeyChecking=yes', '-o', 'BatchMode=yes', '-o', 'IdentitiesOnly=yes', '-i', keyFile[user]!, '-p', String(server.port)];

  /** `ssh -N` with `forward` (e.g. `-L ...`) in the background, for the rest of the suite. */
  function background(user: string, ...forward: string[]): ChildProcess {
    const child = spawn(ssh, [...asUser(user), '-N', '-o', 'ExitOnForwardFailure=yes', ...forward, `${user}@127.0.0.1`], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    return child;
  }

  test('permitopen=: -W reaches only the key\'s destination, though --forward-allow would allow the other', { timeout: 60_000 }, async () => {
    const allowed = await run(ssh, [...asUser('pat'), '-W', `127.0.0.1:${portOf(echo)}`, 'pat@127.0.0.1'], 'ping');
    assert.equal(allowed.stdout, 'echo: ping', allowed.stderr);
    const refused = await run(ssh, [...asUser('pat'), '-W', `127.0.0.1:${portOf(other)}`, 'pat@127.0.0.1'], 'ping');
    assert.equal(refused.stdout, '');
    assert.match(refused.stderr, /administratively prohibited/);
    const plain = await run(ssh, [...asUser('alice'), '-W', `127.0.0.1:${portOf(other)}`, 'alice@127.0.0.1'], 'ping');
    assert.equal(plain.stdout, 'other: ping', plain.stderr);
  });

  test('permitopen=: ssh -L to the permitted destination answers, to another one is closed unanswered', { timeout: 60_000 }, async () => {
    const [good, bad] = [await freeLoopbackPort(), await freeLoopbackPort()];
    background('pat', '-L', `127.0.0.1:${good}:127.0.0.1:${portOf(echo)}`, '-L', `127.0.0.1:${bad}:127.0.0.1:${portOf(other)}`);
    assert.equal(await askUntilAnswered(good, 'via -L'), 'echo: via -L');
    assert.equal(await ask(bad, 'via -L'), '');
  });

  test('permitlisten=: ssh -R on the permitted address listens; on another port it is refused', { timeout: 60_000 }, async () => {
    background('pat', '-R', `127.0.0.1:${listenOk}:127.0.0.1:${portOf(echo)}`);
    assert.equal(await askUntilAnswered(listenOk, 'via -R'), 'echo: via -R');
    const elsewhere = await freeLoopbackPort();
    const refused = await run(ssh, [...asUser('pat'), '-N', '-o', 'ExitOnForwardFailure=yes', '-R', `127.0.0.1:${elsewhere}:127.0.0.1:${portOf(echo)}`, 'pat@127.0.0.1']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /remote port forwarding failed/);
    // The same request from a key without permitlisten= is inside --forward-allow, so it listens.
    background('alice', '-R', `127.0.0.1:${elsewhere}:127.0.0.1:${portOf(other)}`);
    assert.equal(await askUntilAnswered(elsewhere, 'via -R'), 'other: via -R');
  });

  test('agent forwarding: ssh -A gets a private socket to the client\'s agent, removed at the end; a no-agent-forwarding key gets none', { timeout: 60_000 }, async () => {
    const agentSocket = join(dir, 'agent.sock');
    const agent = spawn(requirePeer('ssh-agent', 'openssh-client'), ['-D', '-a', agentSocket], { stdio: 'ignore' });
    children.push(agent);
    const sshAdd = requirePeer('ssh-add', 'openssh-client');
    const agentEnv = { PATH: '/usr/bin:/bin', HOME: dir, SSH_AUTH_SOCK: agentSocket };
    await eventually(async () => (await run(sshAdd, ['-l'], '', agentEnv)).code === 1, { timeout: 10 });
    const added = await run(sshAdd, [keyFile.carol!], '', agentEnv);
    assert.equal(added.code, 0, added.stderr);
    const carolKey = (await Key.fromFile(keyFile.carol!)).fingerprint();

    const remote = 'echo "[${SSH_AUTH_SOCK:-none}]"; stat -c %a "$SSH_AUTH_SOCK" "${SSH_AUTH_SOCK%/*}"; ssh-add -l';
    const r = await run(ssh, [...asUser('alice'), '-A', 'alice@127.0.0.1', remote], '', agentEnv);
    assert.equal(r.code, 0, r.stderr);
    const [line, socketMode, dirMode, listed] = r.stdout.split('\n');
    const path = /^\[(\/.+)\]$/.exec(line!)?.[1];
    assert.ok(path !== undefined && path !== agentSocket, r.stdout);
    assert.deepEqual([socketMode, dirMode], ['600', '700']);
    // The agent the remote ssh-add lists is the client's: it holds carol's key.
    assert.ok(listed!.includes(carolKey), r.stdout);
    await eventually(() => !existsSync(dirname(path)), { timeout: 10 });

    const refused = await run(ssh, [...asUser('nola'), '-v', '-A', 'nola@127.0.0.1', 'echo "[${SSH_AUTH_SOCK:-none}]"'], '', agentEnv);
    assert.match(refused.stderr, /Requesting authentication agent forwarding/);
    assert.equal(refused.stdout, '[none]\n');
  });

  test('a command= key gets no SFTP: the subsystem is refused, its command still runs', { timeout: 60_000 }, async () => {
    const batch = join(dir, 'batch');
    writeFileSync(batch, 'ls\n');
    const sftp = await run(requirePeer('sftp', 'openssh-client'), [...asUser('carol').map((a) => (a === '-p' ? '-P' : a)), '-b', batch, 'carol@127.0.0.1']);
    assert.notEqual(sftp.code, 0);
    assert.match(sftp.stderr, /subsystem request failed|Connection closed/);
    const ok = await run(requirePeer('sftp', 'openssh-client'), [...asUser('alice').map((a) => (a === '-p' ? '-P' : a)), '-b', batch, 'alice@127.0.0.1']);
    assert.equal(ok.code, 0, ok.stderr);
    const forced = await run(ssh, [...asUser('carol'), 'carol@127.0.0.1', '-s', 'sftp']);
    assert.doesNotMatch(forced.stdout, /forced/);
  });
});
