/**
 * The avatar of an SSH user (Twisted's `ConchUser` and `IConchUser`) and a realm giving one per login:
 * which channel types and global requests the user's connection accepts, and what runs in its sessions.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { defineAvatarInterface, UnsupportedAvatarInterface, type AvatarId, type AvatarInterface, type IRealm, type LoginResult } from '../../cred/index.js';
import { reactor as defaultReactor } from '../../internet/index.js';
import type { IReactorProcess, IReactorTCP, IReactorUNIX } from '../../internet/interfaces.js';
import type { Deferrable } from '../../defer/index.js';
import type { SSHChannel } from './channel.js';
import type { SSHConnection } from './connection.js';
import { ChannelOpenError } from './errors.js';
import { ForwardAllowList, RemoteForwards, allPermit, openDirectTCPIP, type IForwardPermission } from './forwarding.js';
import type { GlobalRequestAnswer, IConchUser, ISession } from './interfaces.js';
import { OPEN_UNKNOWN_CHANNEL_TYPE } from './messages.js';
import { ProcessSession } from './process-session.js';
import type { NodePty } from './pty.js';
import { SSHSession, type SubsystemFactory } from './session.js';

/** The avatar interface SSH servers ask the portal for. */
export const IConchUserAvatar: AvatarInterface<IConchUser> = defineAvatarInterface<IConchUser>('IConchUser');

/** Builds the channel of one open request. */
export type ChannelFactory = (data: Uint8Array, connection: SSHConnection) => Deferrable<SSHChannel>;

/** Answers one kind of global request. */
export type GlobalRequestHandler = (data: Uint8Array, connection: SSHConnection) => Deferrable<GlobalRequestAnswer>;

/** Options of a {@link ConchUser}. */
export interface ConchUserOptions {
  /** Where processes run and forwarded connections go (the global reactor by default; agent forwarding needs Unix sockets). */
  reactor?: IReactorTCP & IReactorProcess & Partial<IReactorUNIX>;
  /** What runs behind each session channel: by default a {@link ProcessSession} (`/bin/sh -c`). */
  session?: (user: ConchUser) => ISession;
  /** Working directory of the default session's processes. */
  path?: string;
  /** `node-pty` (from `loadNodePty`), for the default session to honour `pty-req`; refused without it. */
  pty?: NodePty;
  /** Subsystems by name (`sftp`, ...). */
  subsystems?: Readonly<Record<string, SubsystemFactory>>;
  /** A protocol to run as the shell (the manhole) instead of the session's `openShell`. */
  shell?: SubsystemFactory;
  /** Environment variables sessions accept (`LANG`, `LC_*` by default; `*` ends a prefix). */
  acceptEnv?: readonly string[];
  /**
   * `host:port` destinations local forwarding may reach and remote forwarding may bind (see
   * {@link ForwardAllowList}). Empty by default: no forwarding at all.
   */
  forwardAllow?: readonly string[];
  /**
   * Narrows local forwarding further (a key's `permitopen=`): when given, a `direct-tcpip` destination must
   * be permitted by this too.
   */
  permitOpen?: IForwardPermission;
  /**
   * Narrows remote forwarding further (a key's `permitlisten=`): when given, a `tcpip-forward` bind address
   * must be permitted by this too.
   */
  permitListen?: IForwardPermission;
  /**
   * Agent forwarding (`ssh -A`): sessions accept `auth-agent-req@openssh.com` and get `SSH_AUTH_SOCK`
   * (default false). Every session of a server runs as its one OS user, so any of them can reach another's
   * forwarded agent while it is there: turn this on only where the users trust each other.
   */
  agentForwarding?: boolean;
  /** The folder the agent sockets' private directories are made in (the OS's temporary folder by default). */
  agentSocketDirectory?: string;
  /**
   * X11 forwarding (`ssh -X`/`-Y`): sessions accept `x11-req` and get a display on 127.0.0.1 (default
   * false). The Xauthority files are the server's OS user's, as the agent sockets: any session could use
   * another's display while it is there.
   */
  x11Forwarding?: boolean;
  /** The folder the Xauthority files' private directories are made in (the OS's temporary folder by default). */
  x11Directory?: string;
}

/**
 * A logged-in SSH user: `session` channels (with the configured session and subsystems), and, where the
 * allow-list permits, `direct-tcpip` channels and `tcpip-forward` requests. Add entries to
 * `channelLookup` and `globalRequests` for more.
 *
 * @example
 * const user = new ConchUser('alice', { session: () => new MyShell(), forwardAllow: ['127.0.0.1:8080'] });
 */
export class ConchUser implements IConchUser {
  readonly channelLookup = new Map<string, ChannelFactory>();
  readonly globalRequests = new Map<string, GlobalRequestHandler>();
  readonly options: ConchUserOptions;
  readonly #remoteForwards: RemoteForwards;

  constructor(
    readonly username: string,
    options: ConchUserOptions = {},
  ) {
    this.options = options;
    const reactor = options.reactor ?? defaultReactor;
    const allow = new ForwardAllowList(options.forwardAllow ?? []);
    const subsystems = new Map(Object.entries(options.subsystems ?? {}));
    const openAllow = options.permitOpen === undefined ? allow : allPermit(allow, options.permitOpen);
    const listenAllow = options.permitListen === undefined ? allow : allPermit(allow, options.permitListen);
    this.#remoteForwards = new RemoteForwards(reactor, listenAllow);
    const agentReactor = options.agentForwarding === true && reactor.listenUNIX !== undefined ? (reactor as IReactorUNIX) : undefined;
    this.channelLookup.set('session', () => {
      const session = options.session?.(this) ?? new ProcessSession({ reactor, username, path: options.path, ...(options.pty === undefined ? {} : { pty: options.pty }) });
      return new SSHSession({
        session,
        subsystems,
        acceptEnv: options.acceptEnv,
        ...(options.shell === undefined ? {} : { shell: options.shell }),
        ...(agentReactor === undefined ? {} : { agentForwarding: { reactor: agentReactor, ...(options.agentSocketDirectory === undefined ? {} : { directory: options.agentSocketDirectory }) } }),
        ...(options.x11Forwarding === true ? { x11Forwarding: { reactor, ...(options.x11Directory === undefined ? {} : { directory: options.x11Directory }) } } : {}),
      });
    });
    this.channelLookup.set('direct-tcpip', (data) => openDirectTCPIP(reactor, openAllow, data));
    for (const name of ['tcpip-forward', 'cancel-tcpip-forward']) {
      this.globalRequests.set(name, (data, connection) => this.#remoteForwards.globalRequest(name, data, connection) ?? false);
    }
  }

  lookupChannel(channelType: string, data: Uint8Array, connection: SSHConnection): Deferrable<SSHChannel> {
    const factory = this.channelLookup.get(channelType);
    if (factory === undefined) throw new ChannelOpenError(`unknown channel type ${channelType}`, OPEN_UNKNOWN_CHANNEL_TYPE);
    return factory(data, connection);
  }

  gotGlobalRequest(requestType: string, data: Uint8Array, connection: SSHConnection): Deferrable<GlobalRequestAnswer> {
    return this.globalRequests.get(requestType)?.(data, connection) ?? false;
  }

  connectionLost(_connection: SSHConnection): void {
    this.#remoteForwards.stopAll();
  }
}

/**
 * A realm giving a {@link ConchUser} per login (Twisted's `UnixSSHRealm`, without the Unix accounts:
 * every user runs as the server's own OS user).
 *
 * @example
 * const portal = new Portal(new ConchRealm({ path: '/srv/data' }), checkers);
 */
export class ConchRealm implements IRealm {
  constructor(readonly options: ConchUserOptions | ((username: string) => IConchUser) = {}) {}

  requestAvatar(avatarId: AvatarId, _mind: unknown, ...interfaces: AvatarInterface[]): Deferred<LoginResult> {
    if (!interfaces.includes(IConchUserAvatar)) return Deferred.fail(new UnsupportedAvatarInterface('ConchRealm gives IConchUser avatars only'));
    if (typeof avatarId !== 'string') return Deferred.fail(new UnsupportedAvatarInterface('ConchRealm needs a user name'));
    const user = typeof this.options === 'function' ? this.options(avatarId) : new ConchUser(avatarId, this.options);
    return Deferred.succeed([IConchUserAvatar, user, () => undefined] as LoginResult);
  }
}
