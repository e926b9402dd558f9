/**
 * Finding the real programs that interop tests run against (openssl, curl, python3, ...), and the optional
 * npm packages some helpers drive.
 * @module
 */
import { accessSync, constants, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { delimiter, isAbsolute, join } from 'node:path';
import { TorsionError } from '../errors/index.js';

/** A program an interop test needs is not installed. */
export class PeerMissingError extends TorsionError {
  override readonly code = 'TORSION_PEER_MISSING';
  override name = 'PeerMissingError';
  constructor(readonly command: string, readonly debianPackage: string) {
    super(`peer program ${command} not found: install the Debian package ${debianPackage}`);
  }
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The full path of `command`, looked up on `PATH` (or checked as given, when it has a slash). Throws
 * {@link PeerMissingError} naming the Debian package to install, so a test against a missing peer fails
 * with the fix in its message instead of skipping silently.
 *
 * @example
 * const openssl = requirePeer('openssl', 'openssl');
 * spawnSync(openssl, ['version']);
 */
export function requirePeer(command: string, debianPackage: string): string {
  if (command.includes('/')) {
    if (isExecutable(command)) return isAbsolute(command) ? command : join(process.cwd(), command);
    throw new PeerMissingError(command, debianPackage);
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    const candidate = join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  throw new PeerMissingError(command, debianPackage);
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, for starting a peer program that must be told its
 * port (ngircd, postgres). Another process could take it in between; peers started this way are local
 * and short-lived, which keeps that unlikely.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** An optional npm package that a Torsion helper needs is not installed. */
export class PackageMissingError extends TorsionError {
  override readonly code = 'TORSION_PACKAGE_MISSING';
  override name = 'PackageMissingError';
  constructor(
    /** The npm package to install. */
    readonly packageName: string,
    /** What needs it. */
    readonly neededBy: string,
    options?: { cause?: unknown },
  ) {
    super(`${neededBy} needs the npm package "${packageName}", an optional peer dependency of torsion, which is not installed: npm install --save-dev ${packageName}`, options);
  }
}

/**
 * Imports the optional package `name` when it is first needed, so that loading the module that uses it
 * does not require it. Throws {@link PackageMissingError} naming the package when it is not installed;
 * any other failure (a broken install) propagates as it is.
 */
export async function requirePackage<T>(name: string, neededBy: string): Promise<T> {
  try {
    return (await import(name)) as T;
  } catch (e) {
    const err = e as { code?: unknown; message?: unknown };
    // Only the package itself missing: a broken install (one of its own imports missing) passes through.
    if (err.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(`'${name}'`)) throw new PackageMissingError(name, neededBy, { cause: e });
    throw e;
  }
}
