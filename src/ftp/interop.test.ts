/**
 * Real FTP clients nobody here wrote against `torsion ftp` (the plugin, as a process): curl (`ftp://`,
 * `--ssl-reqd`, `ftps://`), Python's ftplib (`FTP`, `FTP_TLS` with `prot_p`) and lftp.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeLoopbackPort, requirePeer, selfSignedCertificate, startPeerProgram, type PeerProgram } from '../testing/index.js';
import { run } from './test-support/run.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const curl = requirePeer('curl', 'curl');
const python = requirePeer('/usr/bin/python3', 'python3');
const lftp = requirePeer('lftp', 'lftp');

let dir: string;
let root: string;
let caFile: string;
let server: PeerProgram;
let implicitPort: number;
let port: number;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-ftp-interop-'));
  root = join(dir, 'public');
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(join(root, 'hello.txt'), 'hello from torsion\n');
  writeFileSync(join(root, 'docs', 'readme.md'), '# readme\n');
  const cert = selfSignedCertificate('localhost');
  caFile = join(dir, 'cert.pem');
  writeFileSync(caFile, cert.cert);
  writeFileSync(join(dir, 'key.pem'), cert.key);
  implicitPort = await freeLoopbackPort();
  server = await startPeerProgram({
    name: 'torsion ftp',
    executable: process.execPath,
    cwd: REPO,
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: process.env.NODE_OPTIONS ?? '--conditions=torsion-source' },
    args: (p) => [
      '--import', 'tsx', 'src/cli/main.ts', 'ftp',
      '--listen', `tcp:${p}:interface=127.0.0.1`,
      '--implicit-tls', `tcp:${implicitPort}:interface=127.0.0.1`,
      '--root', root, '--auth', 'memory:alice:secret', '--anonymous',
      '--tls-cert', caFile, '--tls-key', join(dir, 'key.pem'),
    ],
    ready: (out) => (out.match(/listening on/g) ?? []).length >= 2,
  });
  port = server.port;
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('curl against torsion ftp', { timeout: 120_000 }, () => {
  test('list, download, upload (passive and active), anonymous read-only', async () => {
    const url = `ftp://alice:secret@127.0.0.1:${port}`;
    let r = await run(curl, ['-sS', `${url}/`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /hello\.txt/);
    r = await run(curl, ['-sS', `${url}/hello.txt`]);
    assert.equal(r.stdout, 'hello from torsion\n');
    writeFileSync(join(dir, 'up.txt'), 'uploaded by curl\n');
    r = await run(curl, ['-sS', '-T', join(dir, 'up.txt'), `${url}/docs/up.txt`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(root, 'docs', 'up.txt'), 'utf8'), 'uploaded by curl\n');
    r = await run(curl, ['-sS', '-P', '-', `${url}/docs/readme.md`]);
    assert.equal(r.stdout, '# readme\n', r.stderr);
    r = await run(curl, ['-sS', '--disable-epsv', `${url}/hello.txt`]);
    assert.equal(r.stdout, 'hello from torsion\n', r.stderr);
    r = await run(curl, ['-sS', '-C', '6', `${url}/hello.txt`]);
    assert.equal(r.stdout, 'from torsion\n', r.stderr);
    r = await run(curl, ['-sS', `ftp://127.0.0.1:${port}/hello.txt`]);
    assert.equal(r.stdout, 'hello from torsion\n', r.stderr);
    r = await run(curl, ['-sS', '-T', join(dir, 'up.txt'), `ftp://127.0.0.1:${port}/anon.txt`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /550/);
  });

  test('explicit FTPS (--ssl-reqd) and implicit FTPS (ftps://)', async () => {
    let r = await run(curl, ['-v', '-sS', '--ssl-reqd', '--cacert', caFile, `ftp://alice:secret@localhost:${port}/hello.txt`]);
    assert.equal(r.stdout, 'hello from torsion\n', r.stderr);
    // The data connection resumes the control connection's TLS session: no second certificate is sent.
    assert.match(r.stderr, /re-using session/i);
    assert.equal(r.stderr.match(/handshake, Certificate \(11\)/g)?.length, 1, r.stderr);
    r = await run(curl, ['-sS', '--ssl-reqd', '--cacert', caFile, '-T', join(dir, 'up.txt'), `ftp://alice:secret@localhost:${port}/tls-up.txt`]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(join(root, 'tls-up.txt'), 'utf8'), 'uploaded by curl\n');
    r = await run(curl, ['-sS', '--cacert', caFile, `ftps://alice:secret@localhost:${implicitPort}/hello.txt`]);
    assert.equal(r.stdout, 'hello from torsion\n', r.stderr);
  });
});

describe('Python ftplib against torsion ftp', { timeout: 120_000 }, () => {
  const script = (tls: boolean): string => `
import ftplib, io, ssl, sys
port, ca = int(sys.argv[1]), sys.argv[2]
if ${tls ? 'True' : 'False'}:
    ctx = ssl.create_default_context(cafile=ca)
    ftp = ftplib.FTP_TLS(context=ctx)
    ftp.connect('localhost', port, timeout=20)
    ftp.login('alice', 'secret')
    ftp.prot_p()
else:
    ftp = ftplib.FTP()
    ftp.connect('127.0.0.1', port, timeout=20)
    ftp.login('alice', 'secret')
out = []
ftp.storbinary('STOR py.bin', io.BytesIO(bytes(range(256)) * 1000))
buf = io.BytesIO(); ftp.retrbinary('RETR py.bin', buf.write)
out.append('retr=%d ok=%s' % (len(buf.getvalue()), buf.getvalue() == bytes(range(256)) * 1000))
lines = []; ftp.retrlines('RETR hello.txt', lines.append); out.append('text=' + '|'.join(lines))
ftp.storlines('STOR lines.txt', io.BytesIO(b'one\\ntwo\\n'))
out.append('size=%d' % ftp.size('py.bin'))
out.append('nlst=' + ','.join(sorted(n for n in ftp.nlst() if n in ('docs', 'hello.txt', 'lines.txt', 'py.bin'))))
out.append('mlsd=' + ','.join(sorted(n + ':' + f['type'] for n, f in ftp.mlsd('docs') if n in ('.', 'readme.md'))))
out.append('mkd=' + ftp.mkd('made'))
ftp.cwd('made'); out.append('pwd=' + ftp.pwd()); ftp.cwd('..')
ftp.rename('py.bin', 'made/moved.bin'); ftp.delete('made/moved.bin'); ftp.rmd('made')
try:
    ftp.sendcmd('PORT 10,9,8,7,0,25'); out.append('bounce=accepted')
except ftplib.error_perm as e:
    out.append('bounce=' + str(e)[:3])
ftp.set_pasv(False)
buf = io.BytesIO(); ftp.retrbinary('RETR hello.txt', buf.write); out.append('active=' + buf.getvalue().decode().strip())
ftp.quit()
print('\\n'.join(out))
`;

  for (const tls of [false, true]) {
    test(tls ? 'FTP_TLS with prot_p' : 'FTP', async () => {
      const r = await run(python, ['-c', script(tls), String(port), caFile], { timeout: 60 });
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const lines = r.stdout.trim().split('\n');
      assert.deepEqual(lines, [
        'retr=256000 ok=True',
        'text=hello from torsion',
        'size=256000',
        'nlst=docs,hello.txt,lines.txt,py.bin',
        'mlsd=.:cdir,readme.md:file',
        'mkd=/made',
        'pwd=/made',
        'bounce=504',
        'active=hello from torsion',
      ]);
      assert.equal(readFileSync(join(root, 'lines.txt'), 'utf8'), 'one\ntwo\n');
    });
  }
});

describe('lftp against torsion ftp', { timeout: 120_000 }, () => {
  test('explicit FTPS: put, get, ls, mkdir, mirror', async () => {
    const local = join(dir, 'lftp');
    mkdirSync(local, { recursive: true });
    writeFileSync(join(local, 'from-lftp.txt'), 'lftp was here\n');
    const commands = [
      'set cmd:fail-exit true',
      'set ftp:ssl-force true',
      'set ftp:ssl-protect-data true',
      `set ssl:ca-file ${caFile}`,
      'set net:max-retries 1',
      'set net:timeout 10',
      `open -u alice,secret -p ${port} localhost`,
      `lcd ${local}`,
      'put from-lftp.txt',
      'mkdir lftp-dir',
      'put -O lftp-dir from-lftp.txt',
      'get hello.txt',
      'cls -1',
      'mirror docs docs-copy',
      'bye',
    ].join('; ');
    const r = await run(lftp, ['-c', commands], { timeout: 60, env: { PATH: process.env.PATH ?? '', HOME: dir } });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.equal(readFileSync(join(root, 'from-lftp.txt'), 'utf8'), 'lftp was here\n');
    assert.equal(readFileSync(join(root, 'lftp-dir', 'from-lftp.txt'), 'utf8'), 'lftp was here\n');
    assert.equal(readFileSync(join(local, 'hello.txt'), 'utf8'), 'hello from torsion\n');
    assert.equal(readFileSync(join(local, 'docs-copy', 'readme.md'), 'utf8'), '# readme\n');
    assert.match(r.stdout, /from-lftp\.txt/);
  });
});
