/**
 * Test fixtures for the SSH services: signing keys, a portal with users and keys, a server and client
 * joined by the memory transport pair and driven by a fake clock. Not part of the public API.
 * @module
 */
import {
  InMemorySSHKeyDB,
  InMemoryUsernamePasswordDatabase,
  Portal,
  SSHPublicKeyChecker,
  sshSign,
  type ICredentialsChecker,
  type Logout,
} from '../../cred/index.js';
import type { TestKey } from '../../cred/test-support/keys.js';
import { Clock } from '../../testing/index.js';
import { ConchRealm } from '../connection/avatar.js';
import { SSHConnection } from '../connection/connection.js';
import type { IConchUser } from '../connection/interfaces.js';
import type { ISSHSigningKey } from '../interfaces.js';
import { SSHUserAuthServer, type SSHUserAuthServerOptions } from '../userauth/server.js';
import { memoryTransportPair, type MemorySSHTransport } from './memory-transport.js';

/** A test key as a signing key, optionally signing every request with `forceAlgorithm` instead. */
export function signingKey(key: TestKey, forceAlgorithm?: string): ISSHSigningKey {
  return {
    publicKey: key.publicKey,
    sign: (algorithm, data) => sshSign(key.privateKey, forceAlgorithm ?? algorithm, data),
  };
}

/** Options of {@link authWorld}. */
export interface AuthWorldOptions extends Partial<Omit<SSHUserAuthServerOptions, 'portal' | 'clock'>> {
  passwords?: Record<string, string>;
  keys?: Record<string, TestKey[]>;
  /** Extra or replacement checkers. */
  checkers?: ICredentialsChecker[];
  allowSHA1Checker?: boolean;
}

/** A userauth server on the memory pair, with what it logged in. */
export interface AuthWorld {
  clock: Clock;
  client: MemorySSHTransport;
  server: MemorySSHTransport;
  auth: SSHUserAuthServer;
  portal: Portal;
  /** Avatars the server started a connection for. */
  loggedIn: IConchUser[];
  /** Logouts that ran. */
  logouts: number;
}

/** Builds a server with `passwords` and authorized `keys`, its userauth service started. */
export function authWorld(options: AuthWorldOptions = {}): AuthWorld {
  const clock = new Clock();
  const { client, server } = memoryTransportPair();
  const checkers: ICredentialsChecker[] = [];
  if (options.passwords !== undefined) checkers.push(new InMemoryUsernamePasswordDatabase(options.passwords));
  if (options.keys !== undefined) {
    const db = new InMemorySSHKeyDB(Object.fromEntries(Object.entries(options.keys).map(([user, keys]) => [user, keys.map((k) => k.publicKey.toString())])));
    checkers.push(new SSHPublicKeyChecker(db, { clock, allowSHA1: options.allowSHA1Checker }));
  }
  checkers.push(...(options.checkers ?? []));
  const portal = new Portal(new ConchRealm(), checkers);
  const world: AuthWorld = { clock, client, server, auth: undefined as unknown as SSHUserAuthServer, portal, loggedIn: [], logouts: 0 };
  world.auth = new SSHUserAuthServer({
    ...options,
    portal,
    clock,
    serviceFor: (avatar: IConchUser, logout: Logout) => {
      world.loggedIn.push(avatar);
      return new SSHConnection({
        avatar,
        clock,
        logout: () => {
          world.logouts++;
          logout();
        },
      });
    },
  });
  server.setService(world.auth);
  return world;
}
