/**
 * Throwaway TLS certificates for tests, made with the `openssl` command (Debian package `openssl`).
 * @module
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePeer } from './peers.js';

/** A private key and its self-signed certificate, PEM-encoded. */
export interface SelfSignedCertificate {
  key: string;
  cert: string;
}

const cache = new Map<string, SelfSignedCertificate>();

/**
 * A fresh self-signed certificate (P-256, valid for a day) for `hostname`, also valid for 127.0.0.1 and ::1,
 * cached per process. Fails naming the `openssl` Debian package when the command is missing.
 *
 * @example
 * const { key, cert } = selfSignedCertificate();
 * connectedServerAndClient(server, client, { tls: { server: { key, cert }, client: { ca: cert, servername: 'localhost' } } });
 */
export function selfSignedCertificate(hostname = 'localhost'): SelfSignedCertificate {
  const cached = cache.get(hostname);
  if (cached) return cached;
  const openssl = requirePeer('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'torsion-cert-'));
  try {
    const keyFile = join(dir, 'key.pem');
    const certFile = join(dir, 'cert.pem');
    execFileSync(openssl, [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${hostname}`,
      '-addext', `subjectAltName=DNS:${hostname},IP:127.0.0.1,IP:::1`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    const made = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    cache.set(hostname, made);
    return made;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
