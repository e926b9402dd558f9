/**
 * The server side of `ssh-userauth` (RFC 4252, RFC 4256), Twisted's `SSHUserAuthServer`: checks each
 * request through a `Portal`, and once one succeeds starts the connection service for the avatar.
 * @module
 */
import { Deferred, Failure } from '../../defer/index.js';
import {
  ISSHPrivateKey,
  IUsernamePassword,
  SSHPrivateKey,
  SSHPublicKey,
  UsernamePassword,
  ValidPublicKey,
  type Logout,
  type Portal,
  type ICredentials,
} from '../../cred/index.js';
import { reactor } from '../../internet/index.js';
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import type { ISSHService, ISSHTransport } from '../interfaces.js';
import { DISCONNECT, SSHMalformedMessageError } from '../service-wire.js';
import { IConchUserAvatar } from '../connection/avatar.js';
import { SSHConnection, type SSHConnectionOptions } from '../connection/connection.js';
import type { IConchUser } from '../connection/interfaces.js';
import { resolveUserAuthLimits, type UserAuthLimits } from './limits.js';
import {
  CONNECTION_SERVICE,
  MSG_USERAUTH_INFO_RESPONSE,
  MSG_USERAUTH_REQUEST,
  parseUserAuthInfoResponse,
  parseUserAuthRequest,
  publicKeySignedData,
  userAuthBanner,
  userAuthFailure,
  userAuthInfoRequest,
  userAuthPKOK,
  userAuthSuccess,
  type UserAuthRequest,
} from './messages.js';

const log = new Logger({ namespace: 'torsion.ssh.userauth' });

/** Signature algorithms accepted for user keys unless `allowSHA1` adds `ssh-rsa`. */
const PUBLIC_KEY_ALGORITHMS = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'];

/** Options of {@link SSHUserAuthServer}. */
export interface SSHUserAuthServerOptions {
  /** Checks credentials; its realm must give `IConchUserAvatar` avatars. */
  portal: Portal;
  /** Time for the failure delay and the login grace time (the global reactor by default). */
  clock?: IReactorTime;
  /** Text shown to the user before authentication (USERAUTH_BANNER). */
  banner?: string;
  /**
   * The methods offered, in order. By default those the portal has checkers for: `publickey` for
   * `ISSHPrivateKey`, `password` and `keyboard-interactive` for `IUsernamePassword`.
   */
  methods?: readonly string[];
  /** Accept `ssh-rsa` (RSA with SHA-1) signatures: off by default, as in OpenSSH since 8.8. */
  allowSHA1?: boolean;
  limits?: Partial<UserAuthLimits>;
  /** Options of the `SSHConnection` started for the avatar (ignored when `serviceFor` is given). */
  connectionOptions?: Omit<SSHConnectionOptions, 'avatar' | 'logout'>;
  /** Builds the service started once the user is in (an `SSHConnection` for the avatar by default). */
  serviceFor?: (avatar: IConchUser, logout: Logout) => ISSHService;
}

type Outcome =
  | { kind: 'success'; avatar: IConchUser; logout: Logout }
  | { kind: 'failure'; counted: boolean }
  | { kind: 'pk-ok'; algorithm: string; blob: Uint8Array }
  | { kind: 'interactive' };

/**
 * The `ssh-userauth` service of a server.
 *
 * Guards, each tested: a `publickey` request without a signature only ever answers PK_OK; a signature is
 * checked over this connection's session id before the portal sees it; `ssh-rsa` (SHA-1) is refused
 * unless allowed; the user name and service are fixed by the first request; every failed attempt waits
 * `failureDelay` seconds from when the request arrived, whoever the user; `maxAuthTries` failures
 * disconnect; an unauthenticated connection is dropped after `loginGraceTime`.
 *
 * @example
 * const portal = new Portal(new ConchRealm(), [new InMemoryUsernamePasswordDatabase({ alice: 'secret' })]);
 * transport.setService(new SSHUserAuthServer({ portal, banner: 'Authorised use only\r\n' }));
 */
export class SSHUserAuthServer implements ISSHService {
  readonly name = 'ssh-userauth';
  transport: ISSHTransport | undefined;
  readonly limits: Readonly<UserAuthLimits>;
  /** Failed attempts so far. */
  attempts = 0;
  readonly #options: SSHUserAuthServerOptions;
  readonly #clock: IReactorTime;
  readonly #methods: readonly string[];
  #user: { username: string; service: string } | undefined;
  #busy = false;
  readonly #queue: Uint8Array[] = [];
  #grace: IDelayedCall | undefined;
  #delayed: IDelayedCall | undefined;
  #bannerSent = false;
  #finished = false;
  #interactive: { username: string; service: string; started: number } | undefined;

  constructor(options: SSHUserAuthServerOptions) {
    this.#options = options;
    this.limits = resolveUserAuthLimits(options.limits);
    this.#clock = options.clock ?? reactor;
    this.#methods = options.methods ?? defaultMethods(options.portal);
  }

  /** The methods offered. */
  get methods(): readonly string[] {
    return this.#methods;
  }

  serviceStarted(transport: ISSHTransport): void {
    this.transport = transport;
    this.#grace = this.#clock.callLater(this.limits.loginGraceTime, () => {
      this.#grace = undefined;
      log.info('login grace time over for {peer}', { peer: transport.peerAddress?.host ?? 'unknown' });
      this.#disconnect(DISCONNECT.BY_APPLICATION, 'Login grace time exceeded');
    });
  }

  packetReceived(payload: Uint8Array): void {
    if (this.#finished) return;
    const number = payload[0];
    if (number !== MSG_USERAUTH_REQUEST && number !== MSG_USERAUTH_INFO_RESPONSE) {
      this.#disconnect(DISCONNECT.PROTOCOL_ERROR, `message ${number} before authentication`);
      return;
    }
    if (this.#busy) {
      if (this.#queue.length >= this.limits.maxQueuedRequests) this.#disconnect(DISCONNECT.PROTOCOL_ERROR, 'too many authentication requests at once');
      else this.#queue.push(payload);
      return;
    }
    this.#handle(payload);
  }

  serviceStopped(_reason: Error): void {
    this.#finish();
  }

  #handle(payload: Uint8Array): void {
    let outcome: Deferred<Outcome>;
    const started = this.#clock.seconds();
    try {
      if (payload[0] === MSG_USERAUTH_INFO_RESPONSE) {
        outcome = this.#infoResponse(payload);
      } else {
        const request = parseUserAuthRequest(payload, this.limits);
        if (!this.#checkUser(request)) return;
        this.#sendBanner();
        outcome = this.#request(request, started);
      }
    } catch (e) {
      if (!(e instanceof SSHMalformedMessageError)) throw e;
      this.#disconnect(DISCONNECT.PROTOCOL_ERROR, e.message);
      return;
    }
    this.#busy = true;
    outcome.addCallbacks(
      (result) => this.#answer(result, started),
      (f: Failure) => {
        log.failure('authentication request failed', f, {}, 'error');
        this.#answer({ kind: 'failure', counted: true }, started);
      },
    );
  }

  /** The first request fixes the user name and the service; a change is refused, as OpenSSH does. */
  #checkUser(request: UserAuthRequest): boolean {
    if (this.#user === undefined) {
      if (request.service !== CONNECTION_SERVICE) {
        this.#disconnect(DISCONNECT.SERVICE_NOT_AVAILABLE, `no service ${JSON.stringify(request.service)}`);
        return false;
      }
      this.#user = { username: request.username, service: request.service };
      return true;
    }
    if (request.username !== this.#user.username || request.service !== this.#user.service) {
      this.#disconnect(DISCONNECT.PROTOCOL_ERROR, 'Change of username or service not allowed');
      return false;
    }
    return true;
  }

  #request(request: UserAuthRequest, started: number): Deferred<Outcome> {
    // A new request ends a keyboard-interactive exchange in progress (RFC 4256 §3.4).
    this.#interactive = undefined;
    const peer = this.transport?.peerAddress?.host;
    if (request.method === 'none') return Deferred.succeed<Outcome>({ kind: 'failure', counted: false });
    if (!this.#methods.includes(request.method)) return Deferred.succeed<Outcome>({ kind: 'failure', counted: true });
    if ('password' in request) {
      if (request.newPassword !== undefined) return Deferred.succeed<Outcome>({ kind: 'failure', counted: true });
      return this.#login(new UsernamePassword(request.username, request.password, peer));
    }
    if ('algorithm' in request) return this.#publicKey(request, peer);
    if ('submethods' in request) {
      this.#interactive = { username: request.username, service: request.service, started };
      this.#send(userAuthInfoRequest({ name: '', instruction: '', language: '', prompts: [{ prompt: 'Password: ', echo: false }] }));
      return Deferred.succeed<Outcome>({ kind: 'interactive' });
    }
    return Deferred.succeed<Outcome>({ kind: 'failure', counted: true });
  }

  #publicKey(request: Extract<UserAuthRequest, { method: 'publickey' }>, peer: string | undefined): Deferred<Outcome> {
    const { username, service, algorithm, blob, signature } = request;
    const allowSHA1 = this.#options.allowSHA1 ?? false;
    let key: SSHPublicKey;
    try {
      key = SSHPublicKey.fromBlob(blob);
    } catch {
      return Deferred.succeed<Outcome>({ kind: 'failure', counted: true });
    }
    const accepted = allowSHA1 ? [...PUBLIC_KEY_ALGORITHMS, 'ssh-rsa'] : PUBLIC_KEY_ALGORITHMS;
    if (!accepted.includes(algorithm) || !key.signatureAlgorithms({ allowSHA1 }).includes(algorithm)) {
      log.info('public key algorithm {algorithm} refused for {username}', { algorithm, username });
      return Deferred.succeed<Outcome>({ kind: 'failure', counted: true });
    }
    if (signature === undefined) {
      const query = new SSHPrivateKey({ username, algName: algorithm, blob, peer });
      return this.#login(query).addCallback((outcome): Outcome => {
        // A query never logs in, whatever the checker answered: the client must still prove the key.
        if (outcome.kind === 'success') {
          outcome.logout();
          return { kind: 'pk-ok', algorithm, blob };
        }
        return outcome;
      });
    }
    const sessionId = this.transport?.sessionId ?? new Uint8Array();
    const sigData = publicKeySignedData(sessionId, username, service, algorithm, blob);
    // Checked here as well as by the checker, so a checker that forgets signatures lets nobody in.
    if (!key.verify(algorithm, signature, sigData, { allowSHA1 })) {
      log.info('bad public key signature for {username}', { username });
      return Deferred.succeed<Outcome>({ kind: 'failure', counted: true });
    }
    return this.#login(new SSHPrivateKey({ username, algName: algorithm, blob, sigData, signature, peer })).addCallback((outcome): Outcome =>
      outcome.kind === 'pk-ok' ? { kind: 'failure', counted: true } : outcome,
    );
  }

  #infoResponse(payload: Uint8Array): Deferred<Outcome> {
    const interactive = this.#interactive;
    if (interactive === undefined) throw new SSHMalformedMessageError('USERAUTH_INFO_RESPONSE without a keyboard-interactive request');
    this.#interactive = undefined;
    const responses = parseUserAuthInfoResponse(payload, this.limits);
    if (responses.length !== 1) return Deferred.succeed<Outcome>({ kind: 'failure', counted: true });
    return this.#login(new UsernamePassword(interactive.username, responses[0], this.transport?.peerAddress?.host));
  }

  #login(credentials: ICredentials): Deferred<Outcome> {
    return this.#options.portal.login(credentials, null, IConchUserAvatar).addCallbacks(
      ([, avatar, logout]): Outcome => ({ kind: 'success', avatar, logout }),
      (f: Failure): Outcome => {
        if (f.value instanceof ValidPublicKey) {
          const c = credentials as SSHPrivateKey;
          return { kind: 'pk-ok', algorithm: c.algName, blob: c.blob };
        }
        return { kind: 'failure', counted: true };
      },
    );
  }

  #answer(outcome: Outcome, started: number): void {
    if (this.#finished) {
      if (outcome.kind === 'success') outcome.logout();
      return;
    }
    switch (outcome.kind) {
      case 'success':
        this.#succeed(outcome.avatar, outcome.logout);
        return;
      case 'pk-ok':
        this.#send(userAuthPKOK(outcome.algorithm, outcome.blob));
        this.#next();
        return;
      case 'interactive':
        this.#next();
        return;
      case 'failure':
        if (!outcome.counted) {
          this.#send(userAuthFailure(this.#methods));
          this.#next();
          return;
        }
        this.attempts++;
        if (this.attempts >= this.limits.maxAuthTries) {
          log.info('too many authentication failures for {username}', { username: this.#user?.username ?? '' });
          this.#disconnect(DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE, 'Too many authentication failures');
          return;
        }
        // Counted from the request's arrival, so a slow check (an unknown user's dummy hash) looks the same.
        this.#delayed = this.#clock.callLater(Math.max(0, started + this.limits.failureDelay - this.#clock.seconds()), () => {
          this.#delayed = undefined;
          this.#send(userAuthFailure(this.#methods));
          this.#next();
        });
    }
  }

  #succeed(avatar: IConchUser, logout: Logout): void {
    const transport = this.transport!;
    this.#finish();
    log.info('{username} logged in from {peer}', { username: avatar.username, peer: transport.peerAddress?.host ?? 'unknown' });
    transport.sendPacket(userAuthSuccess());
    transport.authenticationSucceeded();
    const service = this.#options.serviceFor?.(avatar, logout) ?? new SSHConnection({ ...this.#options.connectionOptions, avatar, logout });
    transport.setService(service);
  }

  #next(): void {
    this.#busy = false;
    const payload = this.#queue.shift();
    if (payload !== undefined && !this.#finished) this.#handle(payload);
  }

  #sendBanner(): void {
    if (this.#bannerSent || this.#options.banner === undefined) return;
    this.#bannerSent = true;
    this.#send(userAuthBanner(this.#options.banner));
  }

  #send(payload: Uint8Array): void {
    if (!this.#finished) this.transport?.sendPacket(payload);
  }

  #disconnect(code: number, description: string): void {
    if (this.#finished) return;
    const transport = this.transport;
    this.#finish();
    transport?.sendDisconnect(code, description);
  }

  #finish(): void {
    this.#finished = true;
    this.#queue.length = 0;
    this.#grace?.cancel();
    this.#grace = undefined;
    this.#delayed?.cancel();
    this.#delayed = undefined;
  }
}

function defaultMethods(portal: Portal): string[] {
  const kinds = portal.listCredentialsInterfaces();
  const methods: string[] = [];
  if (kinds.includes(ISSHPrivateKey)) methods.push('publickey');
  if (kinds.includes(IUsernamePassword)) methods.push('password', 'keyboard-interactive');
  return methods;
}
