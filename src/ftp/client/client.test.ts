import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Deferred } from '../../defer/index.js';
import { FTPCommandFailed, FTPConnectionLost, FTPLimitExceeded, FTPLineTooLong, FTPTimeoutError } from '../errors.js';
import { session, type Session } from '../test-support/harness.js';
import type { FTPClient } from './client.js';

/** The value of a Deferred that fired during the flush, or its failure thrown. */
function result<T>(s: Session, d: Deferred<T>): T {
  s.net.flush();
  let out: { ok: T } | { error: unknown } | undefined;
  d.addCallbacks(
    (v) => {
      out = { ok: v };
    },
    (f) => {
      out = { error: f.value };
    },
  );
  if (out === undefined) throw new Error('the Deferred has not fired');
  if ('error' in out) throw out.error;
  return out.ok;
}

function client(s: Session, options: Parameters<Session['client']>[0] = {}): FTPClient {
  const c = s.client(options);
  result(s, c.login('alice', 'secret'));
  return c;
}

describe('FTPClient against the Torsion server in memory', () => {
  test('login, pwd, mkdir, cwd, cdup, rename, size, mdtm, delete, rmdir, features, noop, quit', () => {
    const s = session();
    s.shell.put('/f.txt', 'hello');
    const c = client(s);
    assert.equal(result(s, c.pwd()), '/');
    assert.equal(result(s, c.makeDirectory('sub "q"')), '/sub "q"');
    result(s, c.cwd('sub "q"'));
    assert.equal(result(s, c.pwd()), '/sub "q"');
    result(s, c.cdup());
    result(s, c.rename('f.txt', 'g.txt'));
    assert.equal(result(s, c.size('g.txt')), 5);
    assert.equal(result(s, c.modificationTime('g.txt')), 1_700_000_000);
    result(s, c.removeFile('g.txt'));
    result(s, c.removeDirectory('sub "q"'));
    const features = result(s, c.features());
    assert.ok(features.has('EPSV') && features.has('UTF8') && features.has('REST STREAM'));
    assert.equal(result(s, c.noop()).code, 200);
    assert.equal(result(s, c.quit()).code, 221);
  });

  test('a failing command fails its Deferred with FTPCommandFailed carrying the reply', () => {
    const s = session();
    const c = client(s);
    assert.throws(
      () => result(s, c.size('missing')),
      (e: unknown) => e instanceof FTPCommandFailed && e.replyCode === 550 && e.code === 'TORSION_FTP_COMMAND_FAILED',
    );
    // The connection goes on.
    assert.equal(result(s, c.pwd()), '/');
  });

  test('a wrong password fails login with 530', () => {
    const s = session();
    const c = s.client();
    assert.throws(() => result(s, c.login('alice', 'nope')), (e: unknown) => e instanceof FTPCommandFailed && e.replyCode === 530);
  });

  test('mlsd, list and nlst over passive data connections', () => {
    const s = session();
    s.shell.put('/d/a.txt', 'aaa').put('/d/b b.txt', 'b').put('/d/sub/x', '');
    const c = client(s);
    const mlsd = result(s, c.mlsd('d'));
    assert.deepEqual(
      mlsd.map((f) => [f.name, f.type, f.size]),
      [
        ['a.txt', 'file', 3],
        ['b b.txt', 'file', 1],
        ['sub', 'dir', 0],
      ],
    );
    assert.equal(mlsd[0].modified, 1_700_000_000);
    const list = result(s, c.list('d'));
    assert.deepEqual(
      list.map((f) => [f.name, f.type, f.size, f.mode]),
      [
        ['a.txt', 'file', 3, 0o644],
        ['b b.txt', 'file', 1, 0o644],
        ['sub', 'dir', 0, 0o755],
      ],
    );
    assert.deepEqual(result(s, c.nlst('d')), ['a.txt', 'b b.txt', 'sub']);
  });

  test('concurrent operations never interleave their commands', () => {
    const s = session();
    s.shell.put('/a', 'A').put('/b', 'B');
    const c = client(s);
    const a = c.retrieveBytes('a');
    const l = c.nlst();
    const b = c.retrieveBytes('b');
    s.net.flush();
    assert.equal(Buffer.from(result(s, a)).toString(), 'A');
    assert.deepEqual(result(s, l), ['a', 'b']);
    assert.equal(Buffer.from(result(s, b)).toString(), 'B');
  });

  test('storeBytes, append, resume by REST, retrieve from an offset', () => {
    const s = session();
    const c = client(s);
    result(s, c.storeBytes('up.bin', 'hello'));
    assert.equal(s.shell.get('/up.bin'), 'hello');
    result(s, c.storeBytes('up.bin', ' world', { append: true }));
    assert.equal(s.shell.get('/up.bin'), 'hello world');
    result(s, c.storeBytes('up.bin', 'W', { offset: 6 }));
    assert.equal(s.shell.get('/up.bin'), 'hello W');
    assert.equal(Buffer.from(result(s, c.retrieveBytes('up.bin', 6))).toString(), 'W');
  });

  test('streaming upload: a consumer to write to, then finish', () => {
    const s = session();
    const c = client(s);
    const { upload, done } = c.storeFile('stream.txt');
    const u = result(s, upload);
    for (let i = 0; i < 10; i++) u.write(Buffer.from(`${i}`));
    u.finish();
    result(s, done);
    assert.equal(s.shell.get('/stream.txt'), '0123456789');
  });

  test('abortTransfer: the server discards the upload, the old file stays', () => {
    const s = session();
    s.shell.put('/keep', 'old');
    const c = client(s);
    const { upload, done } = c.storeFile('keep');
    result(s, upload).write(Buffer.from('partial'));
    s.net.flush();
    const abor = c.abortTransfer();
    assert.throws(() => result(s, done));
    assert.equal(result(s, abor).code, 226);
    assert.equal(s.shell.get('/keep'), 'old');
  });

  test('active mode: PORT to the client’s own listening port', () => {
    const s = session();
    s.shell.put('/f', 'via active');
    const c = client(s, { passive: false });
    assert.equal(Buffer.from(result(s, c.retrieveBytes('f'))).toString(), 'via active');
    assert.ok(s.net.reactor.tcpClients.some((r) => r.port >= 40000 || r.port !== 21), 'the server dialled the client');
  });

  test('EPSV refused (502): the client falls back to PASV and remembers', () => {
    const s = session();
    const lines: string[] = [];
    const c = s.client();
    result(s, c.login('alice', 'secret'));
    // EPSV goes out as a verb the server does not know (502), as to an old server.
    const real = c.sendCommand.bind(c);
    c.sendCommand = ((line: string, pre?: Parameters<FTPClient['sendCommand']>[1]) => {
      lines.push(line);
      return real(line === 'EPSV' ? 'XEPS' : line, pre);
    }) as FTPClient['sendCommand'];
    s.shell.put('/f', 'x');
    assert.equal(Buffer.from(result(s, c.retrieveBytes('f'))).toString(), 'x');
    assert.equal(Buffer.from(result(s, c.retrieveBytes('f'))).toString(), 'x');
    assert.deepEqual(lines, ['EPSV', 'PASV', 'RETR f', 'PASV', 'RETR f']);
  });
});

describe('FTPClient limits and failures', () => {
  test('no reply within replyTimeout fails the command with FTPTimeoutError and drops the connection', () => {
    const s = session({ limits: { loginFailureDelay: 100 } });
    const c = s.client({ limits: { replyTimeout: 5 } });
    const login = c.login('alice', 'wrong');
    s.net.flush();
    s.net.advance(5);
    assert.throws(() => result(s, login), FTPTimeoutError);
    assert.equal(c.connected, false);
  });

  test('a server that never sends the end of a transfer: the reply timer fires once the data connection closed', () => {
    const s = session();
    s.shell.put('/f', 'x');
    const c = client(s, { limits: { replyTimeout: 5 } });
    // The server's transfer end is swallowed: the client gets the data and the close, never the 226.
    const server = [...s.factory.connections].find((p) => p.username === 'alice')!;
    const reply = server.reply.bind(server);
    server.reply = (code: number, text: string | readonly string[]) => (code === 226 ? undefined : reply(code, text));
    const d = c.retrieveBytes('f');
    s.net.flush();
    assert.equal(d.called, false);
    s.net.advance(5);
    assert.throws(() => result(s, d), FTPTimeoutError);
  });

  test('a reply line over maxLineLength fails everything with FTPLineTooLong', () => {
    const s = session();
    const c = s.client({ limits: { maxLineLength: 40 } });
    const d = c.quote('HELP');
    assert.throws(() => result(s, d), FTPLineTooLong);
  });

  test('a listing over maxListingBytes fails with FTPLimitExceeded', () => {
    const s = session();
    for (let i = 0; i < 50; i++) s.shell.put(`/file-with-a-long-name-${i}`, '');
    const c = client(s, { limits: { maxListingBytes: 200 } });
    assert.throws(() => result(s, c.nlst()), FTPLimitExceeded);
  });

  test('the control connection closing fails pending commands with FTPConnectionLost', () => {
    const s = session();
    const c = client(s);
    const d = c.pwd();
    c.transport.abortConnection();
    assert.throws(() => result(s, d), FTPConnectionLost);
  });
});
