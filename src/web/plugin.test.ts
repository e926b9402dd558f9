import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { readFileSync } from 'node:fs';
import { requirePeer } from '../testing/index.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const main = new URL('../cli/main.ts', import.meta.url).pathname;

function get(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    })
      .on('error', reject)
      .end();
  });
}

test('torsion web --listen tcp:0 --listen ssl:0 --path DIR serves the folder over HTTP and HTTPS, logs access, stops on SIGTERM', async () => {
  const openssl = requirePeer('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-web-cli-'));
  const keys = mkdtempSync(join(tmpdir(), 'torsion-web-cli-keys-'));
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(keys, 'key.pem'), '-out', join(keys, 'cert.pem'), '-days', '1'], { stdio: 'ignore' });
  const cert = readFileSync(join(keys, 'cert.pem'));
  writeFileSync(join(dir, 'index.html'), '<h1>served by torsion web</h1>'.repeat(20));
  const ssl = `ssl:0:privateKey=${join(keys, 'key.pem')}:certKey=${join(keys, 'cert.pem')}:interface=127.0.0.1`;
  const child = spawn(process.execPath, ['--import', 'tsx', main, 'web', '--listen', 'tcp:0:interface=127.0.0.1', '--listen', ssl, '--path', dir], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  try {
    const [port, securePort] = await new Promise<number[]>((resolve, reject) => {
      child.stderr!.on('data', (d: Buffer) => {
        log += d.toString();
        const plain = /listening on tcp:\S+ \(\S*127\.0\.0\.1:(\d+)\)/.exec(log);
        const secure = /listening on ssl:\S+ \(\S*127\.0\.0\.1:(\d+)\)/.exec(log);
        if (plain && secure) resolve([Number(plain[1]), Number(secure[1])]);
      });
      child.once('exit', (code) => reject(new Error(`torsion web exited with ${code}:\n${log}`)));
    });
    const res = await get(port, '/', { 'accept-encoding': 'gzip' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(res.body).toString(), '<h1>served by torsion web</h1>'.repeat(20));
    const secureBody = await new Promise<string>((resolve, reject) => {
      httpsRequest({ host: '127.0.0.1', port: securePort, path: '/index.html', ca: cert, agent: false }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    assert.equal(secureBody, '<h1>served by torsion web</h1>'.repeat(20));
    const missing = await get(port, '/nope.txt');
    assert.equal(missing.status, 404);
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    assert.equal(code, 0);
    assert.match(log, /"GET \/ HTTP\/1\.1" 200 \d+ "-" "-"/);
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    rmSync(keys, { recursive: true, force: true });
  }
});
