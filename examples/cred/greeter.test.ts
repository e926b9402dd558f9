import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import { fileURLToPath } from 'node:url';
import { AllowAnonymousAccess, InMemoryUsernamePasswordDatabase } from 'torsion/cred';
import { Failure } from 'torsion/defer';
import { IPv4Address } from 'torsion/internet';
import { Clock, StringTransport } from 'torsion/testing';
import { GreeterFactory } from './greeter.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function connect(factory: GreeterFactory) {
  const transport = new StringTransport({ peerAddress: new IPv4Address('TCP', '192.0.2.7', 40000) });
  const protocol = factory.buildProtocol(transport.getPeer());
  protocol.makeConnection(transport);
  const said = () => {
    const lines = transport.value().toString().split('\r\n').filter(Boolean);
    transport.clear();
    return lines;
  };
  return { transport, protocol, said, send: (line: string) => protocol.dataReceived(Buffer.from(`${line}\r\n`)) };
}

describe('examples/cred/greeter.ts', () => {
  test('logs in with a password or anonymously, echoes through the avatar, logs out on disconnect', () => {
    const clock = new Clock();
    const factory = new GreeterFactory([new InMemoryUsernamePasswordDatabase({ alice: 'secret word' }), new AllowAnonymousAccess()], clock);
    const c = connect(factory);
    assert.deepEqual(c.said(), ['Hello. Send LOGIN <user> <password>, or ANONYMOUS.']);
    c.send('LOGIN alice secret word');
    assert.deepEqual(c.said(), ['Welcome, alice.']);
    c.send('hi');
    assert.deepEqual(c.said(), ['alice says: hi']);
    assert.equal(factory.realm.online.size, 1);
    c.transport.loseConnection();
    c.protocol.connectionLost(new Failure(new Error('done')));
    assert.equal(factory.realm.online.size, 0);

    const guest = connect(factory);
    guest.said();
    guest.send('ANONYMOUS');
    assert.deepEqual(guest.said(), ['Welcome, guest.']);
  });

  test('a refusal comes after the 1-second delay, the same for a wrong password and an unknown user; 3 refusals close', () => {
    const clock = new Clock();
    const factory = new GreeterFactory([new InMemoryUsernamePasswordDatabase({ alice: 'secret' })], clock);
    const c = connect(factory);
    c.said();
    c.send('LOGIN alice wrong');
    assert.deepEqual(c.said(), []);
    c.send('LOGIN alice secret');
    assert.deepEqual(c.said(), ['Wait: checking your login.']);
    clock.advance(1);
    assert.deepEqual(c.said(), ['Login refused.']);
    c.send('LOGIN mallory wrong');
    clock.advance(1);
    assert.deepEqual(c.said(), ['Login refused.']);
    c.send('ANONYMOUS');
    assert.deepEqual(c.said(), ['That kind of login is not offered here.']);
    assert.equal(c.transport.disconnecting, true, 'the third failure closes the connection');
  });
});

function run(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'examples/cred/command.ts', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exited };
}

describe('examples/cred/command.ts greeter', () => {
  test('--help-auth lists the kinds; a bad --auth is a usage error (64) naming it', { timeout: 60_000 }, async () => {
    const help = run(['greeter', '--help-auth']);
    assert.equal(await help.exited, 0);
    assert.match(help.out(), /memory:USER:PASSWORD/);
    const bad = run(['greeter', '--auth', 'memory:alice']);
    assert.equal(await bad.exited, 64);
    assert.match(bad.err(), /--auth: memory: needs user:password pairs/);
    const none = run(['greeter']);
    assert.equal(await none.exited, 64);
    assert.match(none.err(), /--auth is required/);
  });

  test('serves logins over TCP with the --auth checkers', { timeout: 60_000 }, async () => {
    const r = run(['greeter', '--listen', 'tcp:0:interface=127.0.0.1', '--auth', 'memory:alice:secret']);
    try {
      let port = 0;
      while (port === 0) {
        const m = /listening on \S+ \(TCP:127\.0\.0\.1:(\d+)\)/.exec(r.err());
        if (m) port = Number(m[1]);
        else if (await Promise.race([r.exited.then(() => true), new Promise<false>((res) => setTimeout(() => res(false), 50))])) throw new Error(r.err());
      }
      const reply = await new Promise<string>((resolve, reject) => {
        const sock = net.connect(port, '127.0.0.1');
        let text = '';
        sock.setEncoding('utf8');
        sock.write('LOGIN alice secret\r\n');
        sock.on('data', (d: string) => {
          text += d;
          if (text.includes('Welcome')) {
            sock.destroy();
            resolve(text);
          }
        });
        sock.on('error', reject);
      });
      assert.match(reply, /Welcome, alice\./);
      r.child.kill('SIGTERM');
      assert.equal(await r.exited, 0, r.err());
    } finally {
      r.child.kill('SIGKILL');
    }
  });
});
