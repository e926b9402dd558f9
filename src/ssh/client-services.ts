/**
 * The services a client runs on a transport once its key exchange is done: user authentication, then the
 * connection. The seam between `SSHClient.connect` (transport) and the services.
 * @module
 */
import type { Deferred } from '../defer/index.js';
import type { IReactorTCP, IReactorTime, IReactorUNIX } from '../internet/interfaces.js';
import { reactor as defaultReactor } from '../internet/index.js';
import { ClientConchUser } from './connection/client-avatar.js';
import { SSHConnection } from './connection/connection.js';
import { SSHConnectionClient } from './connection/client.js';
import type { ConnectionLimits } from './connection/limits.js';
import type { IConchUser } from './connection/interfaces.js';
import { SSHUserAuthClient, type SSHUserAuthClientOptions } from './userauth/client.js';

/** Options of {@link sshClientServices}. */
export interface SSHClientServicesOptions extends Omit<SSHUserAuthClientOptions, 'instance'> {
  /** Where local forwards listen and time for keepalives (the global reactor by default; a forwarded agent needs Unix sockets). */
  reactor?: IReactorTCP & IReactorTime & Partial<IReactorUNIX>;
  /** What the server may open towards this client: by default a `ClientConchUser` (the remote forwards asked for). */
  avatar?: IConchUser;
  /** Limits of the connection layer (`limits` are user authentication's). */
  connectionLimits?: Partial<ConnectionLimits>;
  /** The local agent's socket to forward to the server's sessions (`ssh -A`), with the default avatar. */
  forwardAgent?: string;
}

/** The client's services, and the client API once authenticated. */
export interface SSHClientServices {
  /** Start this one on the transport (SERVICE_REQUEST `ssh-userauth`). */
  userauth: SSHUserAuthClient;
  /** Started by `userauth` once the server accepts a method. */
  connection: SSHConnection;
  /** Fires once authenticated with `exec` and friends; fails with `AuthenticationFailedError`. */
  ready: Deferred<SSHConnectionClient>;
}

/**
 * Builds the services of a client connection. The transport starts `userauth` after its first key
 * exchange; `ready` gives the client API once the user is in.
 *
 * @example
 * const { userauth, ready } = sshClientServices({ username: 'alice', keys: [key], password });
 * transport.requestService(userauth);   // the transport layer's call
 * const client = await ready;
 * const { stdout, exitStatus } = await client.exec('id');
 */
export function sshClientServices(options: SSHClientServicesOptions): SSHClientServices {
  const { reactor, avatar, connectionLimits, forwardAgent, ...auth } = options;
  const clientAvatar = avatar ?? new ClientConchUser(reactor ?? defaultReactor, forwardAgent === undefined ? {} : { agentPath: forwardAgent });
  const connection = new SSHConnection({ avatar: clientAvatar, limits: connectionLimits, clock: reactor });
  const userauth = new SSHUserAuthClient({ ...auth, instance: connection });
  const ready = userauth.authenticated.addCallback(() => new SSHConnectionClient(connection, reactor));
  return { userauth, connection, ready };
}
