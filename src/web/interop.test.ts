/**
 * Interop with real HTTP clients nobody here wrote: curl (Debian `curl`) and Python's http.client and
 * urllib (Debian `python3`).
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from '../testing/index.js';
import { reactor } from '../internet/reactor.js';
import type { IListeningPort } from '../internet/interfaces.js';
import { EncodingResourceWrapper, GzipEncoderFactory } from './encoding.js';
import { Resource } from './resource.js';
import type { Request } from './request.js';
import { Site } from './site.js';
import { File } from './static/file.js';

function run(cmd: string, args: string[], input?: string): Promise<{ stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { encoding: 'buffer', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`${cmd} failed: ${err.message}\n${stderr.toString()}`));
      else resolve({ stdout, stderr: stderr.toString() });
    });
    if (input !== undefined) child.stdin!.end(input);
  });
}

class Upload extends Resource {
  override isLeaf = true;
  renderPOST(r: Request): string {
    return `got ${r.content.byteLength} bytes, te=${r.getHeader('transfer-encoding')}, sum=${r.content.reduce((a, b) => (a + b) % 65536, 0)}`;
  }
}

let dir: string;
let port: IListeningPort;
let base: string;
const data = Buffer.alloc(300_000);
for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'torsion-interop-'));
  writeFileSync(join(dir, 'data.bin'), data);
  writeFileSync(join(dir, 'page.html'), '<h1>hello</h1>'.repeat(200));
  const root = new Resource();
  root.putChild('files', new EncodingResourceWrapper(new File(dir), [new GzipEncoderFactory()]));
  root.putChild('upload', new Upload());
  port = reactor.listenTCP(0, new Site(root, { accessLog: false }), { interface: '127.0.0.1' });
  base = `http://127.0.0.1:${(port.getHost() as unknown as { port: number }).port}`;
});

after(async () => {
  await port.stopListening();
  rmSync(dir, { recursive: true, force: true });
});

describe('curl', () => {
  test('HTTP/1.1 GET, keep-alive reuse across two URLs', async () => {
    const curl = requirePeer('curl', 'curl');
    const { stdout, stderr } = await run(curl, ['-sS', '-v', '--http1.1', `${base}/files/page.html`, `${base}/files/page.html`]);
    assert.equal(stdout.toString(), '<h1>hello</h1>'.repeat(400));
    assert.match(stderr, /Re-using existing connection/i);
  });

  test('ranges: single and multiple', async () => {
    const curl = requirePeer('curl', 'curl');
    const one = await run(curl, ['-sS', '--http1.1', '-r', '100-199', `${base}/files/data.bin`]);
    assert.ok(one.stdout.equals(data.subarray(100, 200)));
    const multi = await run(curl, ['-sS', '--http1.1', '-i', '-r', '0-9,20-29', `${base}/files/data.bin`]);
    const text = multi.stdout.toString('latin1');
    assert.match(text, /^HTTP\/1\.1 206/);
    assert.match(text, /Content-Type: multipart\/byteranges; boundary=/);
    assert.match(text, /Content-Range: bytes 20-29\/300000/);
  });

  test('chunked upload from stdin', async () => {
    const curl = requirePeer('curl', 'curl');
    const body = 'x'.repeat(100_000);
    const { stdout } = await run(curl, ['-sS', '--http1.1', '-H', 'Transfer-Encoding: chunked', '--data-binary', '@-', `${base}/upload`], body);
    assert.equal(stdout.toString(), `got 100000 bytes, te=chunked, sum=${(120 * 100_000) % 65536}`);
  });

  test('gzip with --compressed', async () => {
    const curl = requirePeer('curl', 'curl');
    const { stdout, stderr } = await run(curl, ['-sS', '-v', '--http1.1', '--compressed', `${base}/files/page.html`]);
    assert.equal(stdout.toString(), '<h1>hello</h1>'.repeat(200));
    assert.match(stderr, /< Content-Encoding: gzip/i);
  });

  test('Expect: 100-continue on a large POST', async () => {
    const curl = requirePeer('curl', 'curl');
    const { stdout, stderr } = await run(curl, ['-sS', '-v', '--http1.1', '-H', 'Expect: 100-continue', '--data-binary', '@-', `${base}/upload`], 'y'.repeat(2_000_000));
    assert.match(stderr, /HTTP\/1\.1 100 Continue/);
    assert.match(stdout.toString(), /^got 2000000 bytes/);
  });
});

describe('python3', () => {
  test('http.client: keep-alive GETs, HEAD, a chunked POST; urllib: a Range request', async () => {
    const py = requirePeer('python3', 'python3');
    const script = `
import http.client, urllib.request, sys, json
u = sys.argv[1]
host, port = u.split('//')[1].split(':')
c = http.client.HTTPConnection(host, int(port))
out = {}
c.request('GET', '/files/page.html'); r = c.getresponse(); out['get'] = [r.status, len(r.read())]
c.request('HEAD', '/files/data.bin'); r = c.getresponse(); r.read(); out['head'] = [r.status, r.getheader('Content-Length')]
c.request('POST', '/upload', body=iter([b'ab', b'cd']), encode_chunked=True); r = c.getresponse(); out['post'] = r.read().decode()
c.request('GET', '/files/data.bin', headers={'If-None-Match': r.getheader('ETag') or '"x"'}); r = c.getresponse(); out['status'] = r.status; r.read()
req = urllib.request.Request(u + '/files/data.bin', headers={'Range': 'bytes=-10'})
with urllib.request.urlopen(req) as f: out['range'] = [f.status, list(f.read())]
print(json.dumps(out))
`;
    const { stdout } = await run(py, ['-c', script, base]);
    const out = JSON.parse(stdout.toString());
    assert.deepEqual(out.get, [200, 2800]);
    assert.deepEqual(out.head, [200, '300000']);
    assert.equal(out.post, `got 4 bytes, te=chunked, sum=${97 + 98 + 99 + 100}`);
    assert.equal(out.status, 200);
    assert.deepEqual(out.range, [206, [...data.subarray(-10)]]);
  });
});
