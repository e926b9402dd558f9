/**
 * Torsion's FTP client and server over real 127.0.0.1 sockets: plain, explicit FTPS (AUTH TLS, PROT P)
 * and implicit FTPS, active and passive, a broken upload.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes as cryptoRandom } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryUsernamePasswordDatabase, Portal } from '../cred/index.js';
import { reactor, isSecure } from '../internet/index.js';
import type { IConsumer, IListeningPort, IPushProducer } from '../internet/interfaces.js';
import { eventually, selfSignedCertificate } from '../testing/index.js';
import { connectFTP } from './client/connect.js';
import { FTPCommandFailed } from './errors.js';
import { FTPFactory } from './server/factory.js';
import { FTPRealm } from './server/realm.js';
import { UPLOAD_PREFIX } from './server/filesystem-shell.js';

const cert = selfSignedCertificate('localhost');
let root: string;
let factory: FTPFactory;
let plain: IListeningPort;
let implicit: IListeningPort;
const portOf = (p: IListeningPort): number => (p.getHost() as unknown as { port: number }).port;
const clientTLS = { ca: cert.cert, servername: 'localhost' };

before(() => {
  root = mkdtempSync(join(tmpdir(), 'torsion-ftp-tcp-'));
  factory = new FTPFactory({
    portal: new Portal(new FTPRealm(root), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]),
    reactor,
    tls: { key: cert.key, cert: cert.cert },
    limits: { loginFailureDelay: 0 },
  });
  plain = reactor.listenTCP(0, factory, { interface: '127.0.0.1' });
  implicit = reactor.listenSSL(0, factory, { key: cert.key, cert: cert.cert }, { interface: '127.0.0.1' });
});

after(async () => {
  // A failed test may leave a client connected: its server side goes, and with it the client.
  for (const c of factory.connections) c.transport.abortConnection();
  await plain.stopListening();
  await implicit.stopListening();
  rmSync(root, { recursive: true, force: true });
});

describe('FTP over loopback sockets', { timeout: 60_000 }, () => {
  test('plain: upload and download 3 MiB, passive and active, listings', async () => {
    const body = cryptoRandom(3 * 1024 * 1024);
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(plain));
    await ftp.login('alice', 'secret');
    await ftp.storeBytes('big.bin', body);
    assert.ok(Buffer.from(readFileSync(join(root, 'big.bin'))).equals(body));
    assert.ok(Buffer.from(await ftp.retrieveBytes('big.bin')).equals(body));
    assert.deepEqual((await ftp.mlsd()).map((f) => [f.name, f.size]), [['big.bin', body.length]]);
    await ftp.quit();
    const active = await connectFTP(reactor, '127.0.0.1', portOf(plain), { passive: false });
    await active.login('alice', 'secret');
    assert.ok(Buffer.from(await active.retrieveBytes('big.bin', 100)).equals(body.subarray(100)));
    await active.quit();
  });

  test('a download streams into a consumer that pauses it (backpressure): nothing more arrives, and it does not end, while paused', async () => {
    writeFileSync(join(root, 'stream.bin'), Buffer.alloc(8 * 1024 * 1024, 9));
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(plain));
    await ftp.login('alice', 'secret');
    let producer: IPushProducer | null = null;
    let received = 0;
    let pausedAt = -1;
    const consumer: IConsumer = {
      registerProducer: (p) => void (producer = p as IPushProducer),
      unregisterProducer: () => void (producer = null),
      write: (d) => {
        received += d.length;
        if (pausedAt < 0 && received >= 1024 * 1024) {
          pausedAt = received;
          producer?.pauseProducing();
        }
      },
    };
    const done = ftp.retrieveFile('stream.bin', consumer);
    await eventually(() => pausedAt > 0, { timeout: 10 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(received, pausedAt, 'nothing arrives while paused');
    assert.equal(done.called, false);
    (producer as IPushProducer | null)?.resumeProducing();
    await done;
    assert.equal(received, 8 * 1024 * 1024);
    await ftp.quit();
  });

  test('ABOR during a download the client stopped reading (the socket holds the send buffer): it ends, and the next download is whole', async () => {
    const body = cryptoRandom(16 * 1024 * 1024);
    writeFileSync(join(root, 'abor.bin'), body);
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(plain));
    await ftp.login('alice', 'secret');
    let producer: IPushProducer | null = null;
    let received = 0;
    const consumer: IConsumer = {
      registerProducer: (p) => void (producer = p as IPushProducer),
      unregisterProducer: () => void (producer = null),
      write: (d) => {
        received += d.length;
        producer?.pauseProducing();
      },
    };
    const done = ftp.retrieveFile('abor.bin', consumer);
    done.addErrback(() => null);
    await eventually(() => received > 0, { timeout: 10, message: 'the first bytes' });
    const server = [...factory.connections].find((c) => c.transfer !== null);
    await eventually(() => (server?.transfer?.bytes ?? 0) > 2 * 1024 * 1024, { timeout: 10, message: 'the server to fill the socket' });
    assert.equal((await ftp.abortTransfer()).code, 226);
    await eventually(() => done.called, { timeout: 10, message: 'the download to end' });
    assert.ok(received < body.length);
    assert.ok(Buffer.from(await ftp.retrieveBytes('abor.bin')).equals(body));
    await ftp.quit();
  });

  test('a streaming upload pauses its producer when the data connection is full', async () => {
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(plain));
    await ftp.login('alice', 'secret');
    const { upload, done } = ftp.storeFile('produced.bin');
    const u = await upload;
    const total = 32 * 1024 * 1024;
    let sent = 0;
    let pauses = 0;
    let paused = false;
    const chunk = Buffer.alloc(256 * 1024, 3);
    const producer: IPushProducer = {
      pauseProducing: () => {
        paused = true;
        pauses++;
      },
      resumeProducing: () => {
        paused = false;
        setImmediate(pump);
      },
      stopProducing: () => undefined,
    };
    const pump = (): void => {
      while (!paused && sent < total) {
        u.write(chunk);
        sent += chunk.length;
      }
      if (sent >= total && !paused) {
        u.unregisterProducer();
        u.finish();
      }
    };
    u.registerProducer(producer, true);
    pump();
    await done;
    assert.ok(pauses > 0, 'the producer was paused at least once');
    assert.equal(readFileSync(join(root, 'produced.bin')).length, total);
    await ftp.quit();
  });

  test('explicit FTPS: AUTH TLS, PBSZ, PROT P; control and data connections encrypted', async () => {
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(plain));
    await ftp.authTLS(clientTLS);
    assert.equal(isSecure(ftp.transport), true);
    // The session data connections resume (the transport's getTLSSession).
    assert.ok((ftp.transport as unknown as { getTLSSession(): Uint8Array | null }).getTLSSession() instanceof Uint8Array);
    await ftp.login('alice', 'secret');
    const server = [...factory.connections].find((c) => c.username === 'alice' && c.secure);
    assert.equal(server?.prot, 'P');
    await ftp.storeBytes('tls.txt', 'over TLS');
    assert.equal(Buffer.from(await ftp.retrieveBytes('tls.txt')).toString(), 'over TLS');
    assert.ok((await ftp.nlst()).includes('tls.txt'));
    await ftp.quit();
  });

  test('explicit FTPS with a certificate the client does not trust fails the handshake', async () => {
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(plain));
    await assert.rejects(ftp.authTLS({ servername: 'localhost' }).asPromise());
  });

  test('implicit FTPS: TLS from the first byte, data protected', async () => {
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(implicit), { tls: clientTLS });
    await ftp.login('alice', 'secret');
    assert.equal(Buffer.from(await ftp.retrieveBytes('tls.txt')).toString(), 'over TLS');
    await ftp.quit();
  });

  test('an upload broken by a reset keeps the old file; the client sees the failure', async () => {
    writeFileSync(join(root, 'keep.txt'), 'original');
    const ftp = await connectFTP(reactor, '127.0.0.1', portOf(plain));
    await ftp.login('alice', 'secret');
    const { upload, done } = ftp.storeFile('keep.txt');
    const u = await upload;
    u.write(Buffer.alloc(64 * 1024, 1));
    await new Promise((r) => setTimeout(r, 50));
    u.abort();
    await assert.rejects(done.asPromise(), (e: unknown) => e instanceof FTPCommandFailed && e.replyCode === 426);
    await eventually(() => !readdirSync(root).some((n) => n.startsWith(UPLOAD_PREFIX)), { timeout: 5, message: 'the temporary upload to go' });
    assert.equal(readFileSync(join(root, 'keep.txt'), 'utf8'), 'original');
    await ftp.quit();
  });
});
