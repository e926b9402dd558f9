/**
 * Test helpers: a temporary root directory, and an SFTPServer and SFTPClient talking over the in-memory
 * loopback, pumped on their own.
 * @module
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectedServerAndClient, type LoopbackConnection, type LoopbackOptions } from '../../../testing/index.js';
import { SFTPClient, type SFTPClientOptions } from '../client/client.js';
import type { ISFTPFilesystem } from '../interfaces.js';
import { RootFilesystem, type RootFilesystemOptions } from '../server/root-filesystem.js';
import { SFTPServer, type SFTPServerOptions } from '../server/server.js';

/** A fresh directory under the system's temporary one, and its removal. */
export function tempDir(prefix = 'torsion-sftp-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export interface Session extends LoopbackConnection<SFTPServer, SFTPClient> {
  /** The outer temporary directory; the root is `<dir>/root`, so tests can put files outside it. */
  dir: string;
  root: string;
  errors: unknown[];
  close(): void;
}

export interface SessionOptions {
  server?: SFTPServerOptions;
  client?: SFTPClientOptions;
  fs?: RootFilesystemOptions;
  filesystem?: (root: string) => ISFTPFilesystem;
  loopback?: LoopbackOptions;
}

/** A server on a temporary root and a client, connected in memory and pumped automatically. */
export async function session(options: SessionOptions = {}): Promise<Session> {
  const { mkdirSync } = await import('node:fs');
  const t = tempDir();
  const root = join(t.path, 'root');
  mkdirSync(root);
  const fs = options.filesystem?.(root) ?? new RootFilesystem(root, options.fs);
  const conn = connectedServerAndClient(new SFTPServer(fs, options.server), new SFTPClient(options.client), options.loopback);
  const errors: unknown[] = [];
  conn.pump.startAutoPump((e) => errors.push(e));
  await conn.client.whenReady();
  return {
    ...conn,
    dir: t.path,
    root,
    errors,
    close() {
      conn.clientTransport.loseConnection();
      t.remove();
    },
  };
}
