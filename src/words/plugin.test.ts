/**
 * `torsion words`: option parsing, the application started and stopped over loopback ports (in process and
 * as the real command, ended by SIGTERM), and accounts and history surviving a restart.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loopbackEndpoints, parseOptions, UsageError } from '../app/index.js';
import { RawIRC, httpGet } from './test-support/raw-irc.js';
import { RecordingClient } from './test-support/recording-client.js';
import { DATABASE_FILE, WordsApplication, wordsOptions, wordsPlugin } from './plugin.js';
import { eventually } from '../testing/index.js';

const LOOPBACK = 'tcp:0:interface=127.0.0.1';
const FAST_SCRYPT = { N: 1024, r: 8, p: 1 };

function parse(argv: string[]): ReturnType<typeof wordsOptions> {
  return wordsOptions(parseOptions(wordsPlugin.options, argv));
}

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return httpGet(`http://127.0.0.1:${port}${path}`);
}

describe('torsion words options', () => {
  test('defaults: IRC on 6667, web on 8080, both on loopback only; data in ./var, SQLite', () => {
    const o = parse([]);
    assert.deepEqual(o, { irc: loopbackEndpoints(6667), web: loopbackEndpoints(8080), data: './var', name: 'torsion.words' });
    assert.equal(o.irc[0], 'tcp:6667:interface=127.0.0.1');
    assert.equal(o.web[0], 'tcp:8080:interface=127.0.0.1');
  });

  test('endpoints repeat; none turns a front door off; --db takes a postgres URL', () => {
    const o = parse(['--irc', 'tcp:6667', '--irc', 'tcp:6668:interface=::1', '--web', 'none', '--data', '/srv/chat', '--db', 'postgres://u:p@127.0.0.1/chat', '--motd', 'hi\nthere']);
    assert.deepEqual(o.irc, ['tcp:6667', 'tcp:6668:interface=::1']);
    assert.deepEqual(o.web, []);
    assert.equal(o.data, '/srv/chat');
    assert.equal(o.db, 'postgres://u:p@127.0.0.1/chat');
    assert.deepEqual(o.motd, ['hi', 'there']);
  });

  test('usage errors: nothing to serve, a --db that is not PostgreSQL, a malformed endpoint', () => {
    assert.throws(() => parse(['--irc', 'none', '--web', 'none']), UsageError);
    assert.throws(() => parse(['--db', 'mysql://x']), /postgres:\/\//);
    assert.throws(() => new WordsApplication({ ...parse(['--irc', 'bogus:1']), data: tmpdir() }), /bogus/);
  });

  test('--redis takes a redis:// URL and --node-timeout seconds; anything else is a usage error', () => {
    const o = parse(['--redis', 'redis://127.0.0.1:6379/0', '--node-timeout', '6']);
    assert.equal(o.redis, 'redis://127.0.0.1:6379/0');
    assert.equal(o.nodeTimeout, 6);
    assert.throws(() => parse(['--redis', 'http://x']), (e: Error) => e instanceof UsageError && /--redis takes a redis:\/\/ URL/.test(e.message));
    for (const bad of ['0', 'soon', '99999']) assert.throws(() => parse(['--node-timeout', bad]), (e: Error) => e instanceof UsageError && /--node-timeout/.test(e.message));
  });

  test('--oper name:password repeats; the password may hold colons; a missing part is a usage error', () => {
    assert.deepEqual(parse(['--oper', 'root:s3cret', '--oper', 'ops:a:b:c']).operators, [
      { name: 'root', password: 's3cret' },
      { name: 'ops', password: 'a:b:c' },
    ]);
    assert.equal(parse([]).operators, undefined);
    for (const bad of ['root', 'root:', ':pw', 'two words:pw']) assert.throws(() => parse(['--oper', bad]), /--oper takes name:password/);
  });
});

describe('torsion words over loopback', () => {
  test('starts (making the data folder), serves IRC and the chat page, and on stop tells IRC clients and closes', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-words-'));
    const data = join(dir, 'fresh', 'var');
    const app = new WordsApplication({ irc: [LOOPBACK], web: [LOOPBACK], data, scrypt: FAST_SCRYPT, operators: parse(['--oper', 'root:op-pass']).operators });
    try {
      await app.startService();
      assert.ok(existsSync(join(data, DATABASE_FILE)), 'the database is created in the data folder');
      const { irc, web } = app.ports;
      assert.ok(irc[0]! > 0 && web[0]! > 0);

      const page = await get(web[0]!, '/');
      assert.equal(page.status, 200);
      assert.match(page.body, /<input[^>]*name="nick"/);
      assert.match(page.body, /<input[^>]*name="message"/);

      const client = new RawIRC(irc[0]!);
      client.send('NICK ircy', 'USER ircy 0 * :IRC user');
      await client.waitFor(/ 001 ircy /);
      client.send('JOIN #lobby');
      await client.waitFor(/ 366 ircy #lobby /);
      const watcher = new RecordingClient();
      const web1 = await app.words.login('watcher', { client: watcher });
      web1.join('#lobby');
      client.send('PRIVMSG #lobby :hello everyone');
      await client.waitFor(/JOIN :?#lobby[\s\S]*watcher/);
      await eventually(() => watcher.events.includes('message ircy->#lobby: hello everyone'), { message: () => watcher.events.join('\n') });

      // --oper: the password was hashed at start (the service takes only hashes) and OPER checks against it.
      client.send('OPER root wrong-pass');
      await client.waitFor(/ 464 ircy /);
      client.send('OPER root op-pass');
      await client.waitFor(/ 381 ircy [\s\S]*MODE ircy :?\+o/);
      assert.equal(app.words.findUser('ircy')?.serverOperator, 'root');

      await app.stopService();
      await client.waitFor(/ERROR :Closing Link: \S+ \(Server shutting down\)/);
      await client.closed;
      assert.ok(watcher.events.includes('disconnect: Server shutting down'));
      await assert.rejects(
        new Promise((resolve, reject) => net.connect(irc[0]!, '127.0.0.1').on('connect', resolve).on('error', reject)),
        /ECONNREFUSED/,
      );
    } finally {
      if (app.running) await app.stopService();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('accounts and history survive a restart', { timeout: 120_000 }, async () => {
    const data = mkdtempSync(join(tmpdir(), 'torsion-words-persist-'));
    try {
      const first = new WordsApplication({ irc: [LOOPBACK], web: [], data, scrypt: FAST_SCRYPT });
      await first.startService();
      await first.words.register('keeper', 'keep-it-safe');
      const c1 = new RawIRC(first.ports.irc[0]!);
      c1.send('PASS keep-it-safe', 'NICK keeper', 'USER keeper 0 * :Keeper');
      await c1.waitFor(/ 001 keeper /);
      c1.send('JOIN #archive', 'PRIVMSG #archive :remember me', 'PRIVMSG #archive :and me');
      // Lines are handled in order: once PING is answered the messages are in the service; stopping writes them.
      c1.send('PING :sync');
      await c1.waitFor(/PONG \S+ :?sync/);
      await first.stopService();

      const second = new WordsApplication({ irc: [LOOPBACK], web: [], data, scrypt: FAST_SCRYPT });
      await second.startService();
      try {
        assert.equal(await second.words.isRegistered('keeper'), true);
        const history = await second.words.history('#archive', { limit: 10 });
        assert.deepEqual(
          history.map((m) => `${m.from}: ${m.text}`),
          ['keeper: remember me', 'keeper: and me'],
        );
        const wrong = new RawIRC(second.ports.irc[0]!);
        wrong.send('PASS not-the-password', 'NICK keeper', 'USER keeper 0 * :Keeper');
        await wrong.waitFor(/ 464 /);
        wrong.socket.destroy();
        const right = new RawIRC(second.ports.irc[0]!);
        right.send('PASS keep-it-safe', 'NICK keeper', 'USER keeper 0 * :Keeper');
        await right.waitFor(/ 001 keeper /);
        assert.equal(second.words.findUser('keeper')?.account, 'keeper');
        right.socket.destroy();
      } finally {
        await second.stopService();
      }
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });

  test('the torsion words command: logs, serves, and on SIGTERM sends ERROR, flushes and exits 0', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'torsion-words-cli-'));
    const main = fileURLToPath(new URL('../cli/main.ts', import.meta.url));
    // The working directory is a fresh folder, so tsx is named by its location rather than found from there.
    const tsx = import.meta.resolve('tsx');
    const child = spawn(process.execPath, ['--import', tsx, main, 'words', '--irc', LOOPBACK, '--web', LOOPBACK], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const [ircPort, webPort] = await new Promise<number[]>((resolve, reject) => {
        const timer = setInterval(() => {
          const irc = /IRC server on \S+: connect an IRC client to port (\d+)/.exec(log);
          const web = /web chat at http:\/\/127\.0\.0\.1:(\d+)\//.exec(log);
          if (irc && web) {
            clearInterval(timer);
            resolve([Number(irc[1]), Number(web[1])]);
          }
        }, 20);
        void exited.then((code) => {
          clearInterval(timer);
          reject(new Error(`torsion words exited with ${code}:\n${log}`));
        });
      });
      assert.ok(existsSync(join(dir, 'var', DATABASE_FILE)), 'the default data folder ./var is made in the working directory');
      const page = await get(webPort!, '/');
      assert.equal(page.status, 200);
      assert.match(page.body, /name="nick"/);
      const client = new RawIRC(ircPort!);
      client.send('NICK sigterm', 'USER sigterm 0 * :S');
      await client.waitFor(/ 001 sigterm /);
      client.send('JOIN #lobby', 'PRIVMSG #lobby :before the end');
      await client.waitFor(/ 366 sigterm #lobby /);
      child.kill('SIGTERM');
      await client.waitFor(/ERROR :Closing Link: \S+ \(Server shutting down\)/);
      assert.equal(await exited, 0);
      assert.match(log, /words service open/);
      assert.match(log, /history flushed/);
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
