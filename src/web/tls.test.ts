import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from '../testing/index.js';
import { reactor } from '../internet/reactor.js';
import { Resource } from './resource.js';
import type { Request } from './request.js';
import { Site } from './site.js';

test('HTTPS through listenSSL: request.isSecure() and a Secure session cookie', async () => {
  const openssl = requirePeer('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-web-tls-'));
  try {
    execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1'], { stdio: 'ignore' });
    const key = readFileSync(join(dir, 'key.pem'));
    const cert = readFileSync(join(dir, 'cert.pem'));
    class Secure extends Resource {
      override isLeaf = true;
      renderGET(r: Request): string {
        r.getSession();
        return `secure=${r.isSecure()}`;
      }
    }
    const port = reactor.listenSSL(0, new Site(new Secure(), { accessLog: false }), { key, cert }, { interface: '127.0.0.1' });
    try {
      const portNo = (port.getHost() as unknown as { port: number }).port;
      const res = await new Promise<{ body: string; cookie: string }>((resolve, reject) => {
        request({ host: '127.0.0.1', port: portNo, path: '/', ca: cert }, (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ body, cookie: String(r.headers['set-cookie']) }));
        })
          .on('error', reject)
          .end();
      });
      assert.equal(res.body, 'secure=true');
      assert.match(res.cookie, /; Secure; HttpOnly; SameSite=Lax/);
    } finally {
      await port.stopListening();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
