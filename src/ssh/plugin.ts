/**
 * `torsion ssh`: an SSH server (Twisted's `conch` tap). Passwords from `--auth`, keys from one OpenSSH
 * `authorized_keys` file per user under `--authorized-keys`; sessions run `/bin/sh` in `--root` as the
 * server's own OS user (not a privilege boundary), SFTP is confined to `--root`, and forwarding is only
 * for keys whose options allow it, towards `--forward-allow` destinations.
 * @module
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Deferred } from '../defer/index.js';
import { LISTEN_HELP, MultiService, UsageError, addAuthOption, authCheckers, loopbackEndpoints, strportsService, type Plugin, type PluginOptions, type StreamServerEndpointService } from '../app/index.js';
import {
  AuthorizedKeysFiles,
  ISSHPrivateKey,
  Portal,
  SSHPublicKeyChecker,
  UnsupportedAvatarInterface,
  authorizedKeysDirectory,
  provides,
  type AuthorizedKeyOptions,
  type AvatarId,
  type AvatarInterface,
  type ICredentials,
  type ICredentialsChecker,
  type IRealm,
  type LoginResult,
} from '../cred/index.js';
import { Factory, reactor as defaultReactor } from '../internet/index.js';
import type { IReactor } from '../internet/interfaces.js';
import { Logger } from '../logger/index.js';
import { ConchUser, IConchUserAvatar } from './connection/avatar.js';
import type { ISession, PtyRequest } from './connection/interfaces.js';
import type { SSHChannel } from './connection/channel.js';
import { ProcessSession } from './connection/process-session.js';
import type { SSHSession } from './connection/session.js';
import { loadNodePty, type NodePty } from './connection/pty.js';
import type { SSHSessionProcessProtocol } from './connection/session-protocol.js';
import { permitListenPermission, permitOpenPermission } from './key-options.js';
import { Key } from './keys/key.js';
import { Manhole } from './manhole/manhole.js';
import { RootFilesystem } from './sftp/server/root-filesystem.js';
import { SFTPServer } from './sftp/server/server.js';
import { SSHServerTransport } from './transport/server.js';
import { SSHUserAuthServer } from './userauth/server.js';

const log = new Logger({ namespace: 'torsion.ssh' });

/** What a {@link SSHApplication} serves. */
export interface SSHApplicationOptions {
  /** Endpoints to listen on. */
  listen: readonly string[];
  /** The host key file: read, or made (Ed25519, mode 0600) when missing. */
  hostKeyFile: string;
  /** Password checkers (`--auth`). */
  checkers: readonly ICredentialsChecker[];
  /** The folder of `authorized_keys` files, one per user named after them. */
  authorizedKeys?: string;
  /** Working directory of sessions, and SFTP's root. */
  root: string;
  /** `host:port` destinations forwarding may reach (none by default). */
  forwardAllow?: readonly string[];
  /** Key logins get the manhole (a JavaScript REPL into this process) as their shell instead of `/bin/sh`. */
  manhole?: boolean;
  /**
   * Sessions may forward the client's agent (`ssh -A`), unless the key's options forbid it
   * (`no-agent-forwarding`, `restrict`). Off by default: every session runs as the server's one OS user, so
   * each could use another user's forwarded agent.
   */
  agentForwarding?: boolean;
  /**
   * Sessions may forward X11 (`ssh -X`/`-Y`) on a display of their own on 127.0.0.1, unless the key's
   * options forbid it (`no-x11-forwarding`, `restrict`). Off by default, for the same reason as agent
   * forwarding.
   */
  x11Forwarding?: boolean;
  reactor?: IReactor;
}

/** What a login brings to the realm besides the user name: the matched key's options, for key logins. */
interface LoginMind {
  keyOptions?: AuthorizedKeyOptions;
}

/**
 * A portal that finds, for a key login, the `authorized_keys` entry that let it in, and hands its options
 * to the realm as the mind (the checker only answers with a user name).
 */
class KeyOptionsPortal extends Portal {
  constructor(
    realm: IRealm,
    checkers: readonly ICredentialsChecker[],
    readonly keyChecker: SSHPublicKeyChecker | undefined,
    reactor: IReactor,
  ) {
    super(realm, keyChecker === undefined ? checkers : [...checkers, keyChecker], { failureDelay: 1, clock: reactor });
  }

  override login<I extends AvatarInterface<any>[]>(credentials: ICredentials, _mind: unknown, ...interfaces: I): Deferred<LoginResult<I[number]>> {
    if (this.keyChecker === undefined || !provides(credentials, ISSHPrivateKey) || credentials.signature === undefined) return super.login(credentials, {} satisfies LoginMind, ...interfaces);
    return this.keyChecker.findKey(credentials).addCallback((entry) => super.login(credentials, { keyOptions: entry?.options } satisfies LoginMind, ...interfaces));
  }
}

/** Runs the key's `command=` whatever the client asked for, with what it asked in `SSH_ORIGINAL_COMMAND`. */
class ForcedCommandSession implements ISession {
  constructor(
    readonly inner: ProcessSession,
    readonly command: string,
  ) {}

  getPty(request: PtyRequest): void {
    this.inner.getPty(request);
  }

  setEnv(name: string, value: string): void {
    this.inner.setEnv(name, value);
  }

  openShell(protocol: SSHSessionProcessProtocol): void {
    this.inner.execCommand(protocol, this.command);
  }

  execCommand(protocol: SSHSessionProcessProtocol, command: string): void {
    this.inner.setEnv('SSH_ORIGINAL_COMMAND', command);
    this.inner.execCommand(protocol, this.command);
  }

  signal(name: string): void {
    this.inner.signal(name);
  }

  closed(): void {
    this.inner.closed();
  }
}

/** One {@link ConchUser} per login, shaped by the key's options (none for password logins). */
class SSHPluginRealm implements IRealm {
  constructor(
    readonly root: string,
    readonly forwardAllow: readonly string[],
    readonly reactor: IReactor,
    /** The manhole's globals, when `--manhole` is on. */
    readonly manhole: Record<string, unknown> | undefined,
    /** `node-pty`, once loaded (terminals are refused without it). */
    readonly pty: () => NodePty | undefined,
    /** `--agent-forwarding`. */
    readonly agentForwarding: boolean,
    /** `--x11-forwarding`. */
    readonly x11Forwarding: boolean,
  ) {}

  requestAvatar(avatarId: AvatarId, mind: unknown, ...interfaces: AvatarInterface[]): Deferred<LoginResult> {
    if (!interfaces.includes(IConchUserAvatar) || typeof avatarId !== 'string') return Deferred.fail(new UnsupportedAvatarInterface('the ssh realm gives IConchUser avatars for user names'));
    const options = (mind as LoginMind | null)?.keyOptions;
    // Forwarding is for key logins whose options allow it (`restrict` and `no-port-forwarding` clear it).
    const forwardAllow = options?.portForwarding === true ? this.forwardAllow : [];
    const forced = options?.command;
    // `no-pty` (and `restrict`) keep a key's sessions off terminals.
    const pty = options?.pty === false ? undefined : this.pty();
    const permitOpen = permitOpenPermission(options?.permitOpen ?? []);
    const permitListen = permitListenPermission(options?.permitListen ?? []);
    const process = (username: string) => new ProcessSession({ reactor: this.reactor, username, path: this.root, ...(pty === undefined ? {} : { pty }) });
    const user = new ConchUser(avatarId, {
      reactor: this.reactor,
      path: this.root,
      forwardAllow,
      agentForwarding: this.agentForwarding && options?.agentForwarding !== false,
      x11Forwarding: this.x11Forwarding && options?.x11Forwarding !== false,
      ...(pty === undefined ? {} : { pty }),
      ...(permitOpen === undefined ? {} : { permitOpen }),
      ...(permitListen === undefined ? {} : { permitListen }),
      // A forced command is all the key may run: no SFTP beside it.
      subsystems: forced === undefined ? { sftp: () => new SFTPServer(new RootFilesystem(this.root)) } : {},
      ...(forced === undefined ? {} : { session: (u: ConchUser) => new ForcedCommandSession(process(u.username), forced) }),
      // The manhole can do anything the process can: key logins only, never a password.
      ...(this.manhole !== undefined && options !== undefined && forced === undefined ? { shell: (channel: SSHChannel) => new Manhole({ namespace: this.manhole!, terminal: (channel as SSHSession).terminal !== undefined }) } : {}),
    });
    return Deferred.succeed([IConchUserAvatar, user, () => undefined] as LoginResult);
  }
}

/**
 * The SSH server as a service: on start it reads the host key (making it first when missing, and logging
 * its fingerprint), then listens.
 *
 * @example
 * const app = new SSHApplication({ listen: ['tcp:2222'], hostKeyFile: './ssh_host_ed25519_key', checkers: [], authorizedKeys: './keys', root: './srv' });
 * await app.startService();
 */
export class SSHApplication extends MultiService {
  readonly portal: Portal;
  readonly factory: Factory;
  readonly listeners: StreamServerEndpointService[] = [];
  /** The host key, once started. */
  hostKey: Key | undefined;
  /** `node-pty`, once started, when it is installed: sessions then get terminals on `pty-req`. */
  pty: NodePty | undefined;

  constructor(readonly config: SSHApplicationOptions) {
    super();
    const reactor = config.reactor ?? defaultReactor;
    const root = resolve(config.root);
    const keyChecker = config.authorizedKeys === undefined ? undefined : new SSHPublicKeyChecker(new AuthorizedKeysFiles(authorizedKeysDirectory(resolve(config.authorizedKeys))), { clock: reactor });
    this.portal = new KeyOptionsPortal(new SSHPluginRealm(root, config.forwardAllow ?? [], reactor, config.manhole === true ? { app: this, reactor } : undefined, () => this.pty, config.agentForwarding === true, config.x11Forwarding === true), config.checkers, keyChecker, reactor);
    this.factory = new Factory();
    this.factory.buildProtocol = () =>
      new SSHServerTransport({ hostKeys: [this.hostKey!], clock: reactor, services: { 'ssh-userauth': () => new SSHUserAuthServer({ portal: this.portal, clock: reactor }) } });
    for (const endpoint of config.listen) {
      const s = strportsService(endpoint, this.factory, reactor);
      s.setServiceParent(this);
      this.listeners.push(s);
    }
  }

  /** The ports listened on (once started). */
  get ports(): number[] {
    return this.listeners.map((s) => (s.port?.getHost() as { port?: number } | undefined)?.port ?? 0);
  }

  override startService(): Deferred<void> {
    return Deferred.fromPromise(
      (async () => {
        const key = await loadOrMakeHostKey(this.config.hostKeyFile);
        this.hostKey = key;
        log.info('host key {type} {fingerprint}', { type: key.sshType(), fingerprint: key.fingerprint() });
        try {
          this.pty = await loadNodePty();
        } catch (e) {
          log.warn('no terminals (pty-req is refused): {error}', { error: (e as Error).message });
        }
        await super.startService();
      })(),
    );
  }
}

/** Reads the host key at `path`, or makes an Ed25519 one there (mode 0600) when there is no file. */
export function loadOrMakeHostKey(path: string): Deferred<Key> {
  if (existsSync(path)) return Key.fromFile(path);
  return Key.generate('ed25519').addCallback((key) => {
    log.info('no host key at {path}: made a new Ed25519 key', { path });
    return key.writeFile(path, 'openssh').addCallback(() => key);
  });
}

/** Reads the plugin's parsed options into {@link SSHApplicationOptions}. */
export function sshOptions(options: PluginOptions): SSHApplicationOptions {
  const list = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : typeof v === 'string' ? [v] : []);
  const root = options.root;
  if (typeof root !== 'string') throw new UsageError('--root DIR is needed: the folder sessions run in and SFTP serves');
  if (!existsSync(root)) throw new UsageError(`--root ${root} does not exist`);
  const forwardAllow = list(options['forward-allow']);
  for (const f of forwardAllow) if (!/^[^\s:]+:(\d{1,5}|\*)$/.test(f)) throw new UsageError(`--forward-allow takes HOST:PORT, not ${JSON.stringify(f)}`);
  const checkers = authCheckers(options);
  const authorizedKeys = typeof options['authorized-keys'] === 'string' ? options['authorized-keys'] : undefined;
  if (checkers.length === 0 && authorizedKeys === undefined) throw new UsageError('nobody could log in: give --auth, --authorized-keys or both');
  return {
    listen: list(options.listen),
    hostKeyFile: typeof options['host-key'] === 'string' ? options['host-key'] : './ssh_host_ed25519_key',
    checkers,
    ...(authorizedKeys === undefined ? {} : { authorizedKeys }),
    root,
    forwardAllow,
    manhole: options.manhole === true,
    agentForwarding: options['agent-forwarding'] === true,
    x11Forwarding: options['x11-forwarding'] === true,
  };
}

export const sshPlugin: Plugin = {
  name: 'ssh',
  description: 'An SSH server: exec, shell (/bin/sh in --root, as this OS user), SFTP confined to --root, forwarding for allowed keys',
  options: addAuthOption([
    { name: 'listen', description: 'Endpoint to listen on', multiple: true, default: loopbackEndpoints(2222), metavar: 'endpoint' },
    { name: 'host-key', description: 'Host key file (an Ed25519 key is made there, mode 0600, when missing)', default: './ssh_host_ed25519_key', metavar: 'file' },
    { name: 'authorized-keys', description: 'Folder of authorized_keys files, one per user, named after the user', metavar: 'dir' },
    { name: 'root', description: 'Working directory of sessions and root of SFTP', metavar: 'dir' },
    { name: 'manhole', description: 'Key logins get a JavaScript REPL into this process as their shell (full power over the server)', type: 'boolean' },
    { name: 'agent-forwarding', description: 'Let sessions forward the client\'s agent (ssh -A) unless the key forbids it; every user of this server could use it', type: 'boolean' },
    { name: 'x11-forwarding', description: 'Let sessions forward X11 (ssh -X/-Y) on a display on 127.0.0.1 unless the key forbids it; every user of this server could use it', type: 'boolean' },
    { name: 'forward-allow', description: 'HOST:PORT (or HOST:*) that forwarding may reach, for keys that allow forwarding (default: none)', multiple: true, metavar: 'host:port' },
  ]),
  epilog: `${LISTEN_HELP}\nSessions run as the server's own OS user: --root is a working directory, not a privilege boundary.`,
  makeService(options, { reactor }) {
    return new SSHApplication({ ...sshOptions(options), reactor });
  },
};
