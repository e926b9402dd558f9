/**
 * `torsion words` with its IRC and XMPP front doors on loopback, slixmpp (Debian `python3-slixmpp`) as the
 * XMPP client and a raw IRC connection: the XMPP user logs in with a words account (STARTTLS, PLAIN),
 * is refused the IRC user's nick with a 409 conflict, joins `lobby@conference.localhost` (the words room
 * `#lobby`), and the two see each other's lines, the private one included. A second slixmpp client
 * registers in-band and subscribes to a Torsion client's presence.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requirePeer, selfSignedCertificate } from '../../testing/index.js';
import { clientFromString, connectProtocol, reactor } from '../../internet/index.js';
import { XMPPClient } from '../../xmpp/client/client.js';
import { DbRosterStore } from '../../xmpp/server/roster-store.js';
import type { DbStore } from '../db-store.js';
import { hashPassword } from '../passwords.js';
import { WordsApplication } from '../plugin.js';
import { RawIRC } from '../test-support/raw-irc.js';

const SCRIPT = fileURLToPath(new URL('./test-support/slixmpp_muc.py', import.meta.url));
const SCRIPT_ROSTER = fileURLToPath(new URL('./test-support/slixmpp_roster.py', import.meta.url));
const SCRIPT_LOGIN = fileURLToPath(new URL('./test-support/slixmpp_login.py', import.meta.url));
const SCRIPT_CONFIG = fileURLToPath(new URL('./test-support/slixmpp_config.py', import.meta.url));
const SCRIPT_COMPONENT = fileURLToPath(new URL('./test-support/slixmpp_component.py', import.meta.url));
const COMPONENT_SECRET = 'a long shared component secret';
const LOOPBACK = 'tcp:0:interface=127.0.0.1';

describe('the words XMPP door with slixmpp and an IRC user', { timeout: 90_000 }, () => {
  let dir: string;
  let app: WordsApplication;
  const { key, cert } = selfSignedCertificate('localhost');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'torsion-words-xmpp-'));
    writeFileSync(join(dir, 'ca.pem'), cert);
    app = new WordsApplication({ irc: [LOOPBACK], web: [], xmpp: [LOOPBACK], xmppRegister: true, xmppComponent: [LOOPBACK], componentSecret: COMPONENT_SECRET, tls: { key, cert }, data: dir, scrypt: { N: 1024, r: 8, p: 1 } });
    await app.startService();
    await app.words.register('alice', 'wonderland');
    await app.words.register('romeo', 'montague');
  });
  after(async () => {
    if (app?.running) await app.stopService();
    rmSync(dir, { recursive: true, force: true });
  });

  test('slixmpp joins #lobby as a MUC room and talks with an IRC user both ways', async () => {
    const python = requirePeer('/usr/bin/python3', 'python3-slixmpp');
    const bob = new RawIRC(app.ports.irc[0]!);
    bob.send('NICK bob', 'USER bob 0 * :Bob', 'JOIN #lobby', 'TOPIC #lobby :bridges');
    await bob.waitFor(/ 332 bob #lobby :bridges|TOPIC #lobby :bridges/, 20);
    const run = new Promise<string>((resolve, reject) =>
      execFile(python, [SCRIPT, 'alice@localhost/slix', 'wonderland', String(app.ports.xmpp[0]), join(dir, 'ca.pem'), 'lobby@conference.localhost', 'alice', 'bob'], { timeout: 60_000 }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
      ),
    );
    await bob.waitFor(/:alice!\S+ JOIN :?#lobby/, 40);
    bob.send('PRIVMSG #lobby :hello from irc');
    const out = await run;
    const results = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(results.end, 'left', out);
    assert.equal(results.bound, 'alice@localhost/slix');
    assert.equal(results.mechanism, 'SCRAM-SHA-256', 'slixmpp prefers SCRAM, with the keys made at registration');
    assert.equal(results.conflict, 'conflict', 'the nick an IRC user holds is a 409 conflict');
    assert.deepEqual(results.occupants, ['alice', 'bob']);
    assert.equal(results.subject, 'bridges');
    assert.deepEqual(results.heard, [['lobby@conference.localhost/bob', 'hello from irc'], ['lobby@conference.localhost/alice', 'hello from slixmpp & co']]);
    await bob.waitFor(/:alice!\S+ PRIVMSG #lobby :hello from slixmpp & co/, 10);
    await bob.waitFor(/:alice!\S+ PRIVMSG bob :psst/, 10);
    await bob.waitFor(/:alice!\S+ (PART :?#lobby|QUIT)/, 10);
    bob.socket.destroy();
  });

  test('slixmpp registers in-band, adds a Torsion client to its roster and subscribes, with stream management; the approval and presence come back, and the roster is in the database', async () => {
    const python = requirePeer('/usr/bin/python3', 'python3-slixmpp');
    const romeo = new XMPPClient({ jid: 'romeo@localhost', password: 'montague', resource: 'orchard', clock: reactor, tlsOptions: { ca: cert } });
    romeo.presenceReceived = (p) => {
      if (p.getAttribute('type') === 'subscribe') romeo.sendPresence({ to: p.getAttribute('from')!, type: 'subscribed' });
    };
    await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${app.ports.xmpp[0]}`), romeo);
    await romeo.ready;
    romeo.sendPresence({ status: 'under the balcony' });
    const out = await new Promise<string>((resolve, reject) =>
      execFile(python, [SCRIPT_ROSTER, 'juliet@localhost/slix', 'capulet-pw', String(app.ports.xmpp[0]), join(dir, 'ca.pem'), 'romeo@localhost'], { timeout: 60_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stdout}\n${stderr}`));
        else resolve(stdout);
      },
      ),
    );
    const results = JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(results.registered, true, out);
    assert.equal(results.end, 'saw contact', out);
    assert.equal(results.bound, 'juliet@localhost/slix');
    assert.equal(results.subscribed_from, 'romeo@localhost');
    assert.equal(results.subscription, 'to');
    assert.deepEqual(results.groups, ['Verona']);
    assert.equal(results.contact_presence, 'romeo@localhost/orchard');
    assert.equal(results.contact_status, 'under the balcony');
    assert.equal(results.sm_id, true, 'stream management enabled with resumption');
    assert.equal(results.stream_error, undefined);
    assert.ok(Number(results.sm_acked) >= 5, `the server acknowledged what slixmpp sent (${String(results.sm_acked)})`);
    assert.ok(Number(results.sm_handled) >= 6, 'slixmpp counted what the server sent');
    assert.equal((await app.words.isRegistered('juliet')), true, 'in-band registration made a words account');
    const rows = await new DbRosterStore((app.words.store as DbStore).pool).records('romeo@localhost');
    assert.deepEqual(rows.map((r) => `${r.contact} ${r.subscription}`), ['juliet@localhost from'], 'the contact side of the subscription, in SQLite');
    romeo.close();
  });

  test('slixmpp logs in to an account made before SCRAM keys: SCRAM fails, PLAIN works and makes the keys, then SCRAM works', async () => {
    const python = requirePeer('/usr/bin/python3', 'python3-slixmpp');
    await app.words.store.createAccount('elder', { name: 'elder', passwordHash: await hashPassword('old-timer', { N: 1024, r: 8, p: 1 }), created: 0 });
    const login = () =>
      new Promise<Record<string, unknown>>((resolve, reject) =>
        execFile(python, [SCRIPT_LOGIN, 'elder@localhost/slix', 'old-timer', String(app.ports.xmpp[0]), join(dir, 'ca.pem')], { timeout: 40_000 }, (err, stdout, stderr) =>
          err ? reject(new Error(`${err.message}\n${stdout}\n${stderr}`)) : resolve(JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>),
        ),
      );
    const first = await login();
    assert.equal(first.end, 'bound', JSON.stringify(first));
    assert.equal(first.mechanism, 'PLAIN');
    const failures = first.failures as [string, string, string][];
    assert.ok(failures.length >= 1 && failures.every(([mech, condition]) => mech.startsWith('SCRAM-') && condition === 'not-authorized'), JSON.stringify(failures));
    assert.match(failures[0]![2], /no SCRAM keys yet/);
    const second = await login();
    assert.equal(second.end, 'bound', JSON.stringify(second));
    assert.equal(second.mechanism, 'SCRAM-SHA-256');
    assert.deepEqual(second.failures, []);
  });

  test("slixmpp's muc#owner: it reads a room's configuration form, makes the room moderated with a password (IRC sees +mk), and destroys it (IRC sees the KICK)", async () => {
    const python = requirePeer('/usr/bin/python3', 'python3-slixmpp');
    const child = spawn(python, [SCRIPT_CONFIG, 'alice@localhost/config', 'wonderland', String(app.ports.xmpp[0]), join(dir, 'ca.pem'), 'config@conference.localhost', 'alice'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const configured = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not configured: ${stdout}\n${stderr}`)), 40_000);
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (stdout.includes('CONFIGURED')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const bob = new RawIRC(app.ports.irc[0]!);
    try {
      await configured;
      bob.send('NICK bobby', 'USER bobby 0 * :Bob', 'JOIN #config', 'JOIN #config sesame', 'MODE #config');
      await bob.waitFor(/ 475 bobby #config /, 20);
      await bob.waitFor(/ 324 bobby #config \+\S*m\S*k/, 20);
      child.stdin.write('GO\n');
      await bob.waitFor(/:alice!\S+ KICK #config bobby :closing time/, 20);
      await exited;
      const results = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, Record<string, unknown>>;
      assert.equal(results.before!['muc#roomconfig_moderatedroom'], false, stdout);
      assert.equal(results.after!['muc#roomconfig_moderatedroom'], true, stdout);
      assert.equal(results.after!['muc#roomconfig_passwordprotectedroom'], true, stdout);
      assert.equal(results.after!['muc#roomconfig_roomsecret'], 'sesame', stdout);
      assert.equal(String(results.end), 'destroyed', stdout);
      assert.equal(app.words.findRoom('#config'), undefined, 'the room is gone');
    } finally {
      bob.socket.destroy();
      child.kill();
      await exited;
    }
  });

  test("slixmpp's ComponentXMPP serves echo.localhost with the shared secret; a Torsion client's message reaches it and its answer comes back", async () => {
    const python = requirePeer('/usr/bin/python3', 'python3-slixmpp');
    const child = spawn(python, [SCRIPT_COMPONENT, 'echo.localhost', COMPONENT_SECRET, String(app.ports.component[0])], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const lines: string[] = [];
    const reader = createInterface({ input: child.stdout });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const lineWith = (what: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ${what} from the component: ${lines.join('\n')}\n${stderr}`)), 30_000);
        const check = (line: string) => {
          lines.push(line);
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (what in parsed) {
            clearTimeout(timer);
            reader.off('line', check);
            resolve(parsed);
          }
        };
        reader.on('line', check);
      });
    try {
      await lineWith('connected');
      const romeo = new XMPPClient({ jid: 'romeo@localhost', password: 'montague', resource: 'component', clock: reactor, tlsOptions: { ca: cert } });
      const answer = new Promise<string | undefined>((resolve) => (romeo.messageReceived = (m) => m.getAttribute('from') === 'bot@echo.localhost' && resolve(m.getChildText('body'))));
      await connectProtocol(clientFromString(reactor, `tcp:127.0.0.1:${app.ports.xmpp[0]}`), romeo);
      await romeo.ready;
      const results = lineWith('body');
      romeo.sendMessage('bot@echo.localhost', 'hello component');
      assert.equal(await answer, 'echo: hello component');
      const seen = await results;
      assert.equal(seen.from, 'romeo@localhost/component', 'the component sees the sender as the server stamped it');
      assert.equal(seen.to, 'bot@echo.localhost');
      romeo.close();
    } finally {
      child.kill();
      await exited;
    }
  });
});
