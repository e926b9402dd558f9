/**
 * The client side of `ssh-userauth` (RFC 4252, RFC 4256), Twisted's `SSHUserAuthClient`: asks which
 * methods the server takes, then tries each key (query first), the password, and keyboard-interactive
 * answered with the password, and starts the next service once the server says yes.
 * @module
 */
import { Deferred, Failure, maybeDeferred } from '../../defer/index.js';
import { Logger } from '../../logger/index.js';
import type { ISSHService, ISSHSigningKey, ISSHTransport } from '../interfaces.js';
import { DISCONNECT, SSHMalformedMessageError } from '../service-wire.js';
import { AuthenticationAbortedError, AuthenticationFailedError } from './errors.js';
import { resolveUserAuthLimits, type UserAuthLimits } from './limits.js';
import {
  MSG_USERAUTH_BANNER,
  MSG_USERAUTH_FAILURE,
  MSG_USERAUTH_PK_OK,
  MSG_USERAUTH_SUCCESS,
  parseUserAuthBanner,
  parseUserAuthFailure,
  parseUserAuthInfoRequest,
  parseUserAuthPKOK,
  publicKeySignedData,
  userAuthInfoResponse,
  userAuthRequest,
} from './messages.js';

const log = new Logger({ namespace: 'torsion.ssh.userauth' });

/** Options of {@link SSHUserAuthClient}. */
export interface SSHUserAuthClientOptions {
  username: string;
  /** The service to start once authenticated (an `SSHConnection`); its `name` is asked for. */
  instance: ISSHService;
  /** Keys to offer, in order (files, an agent's keys). */
  keys?: readonly ISSHSigningKey[];
  /** The password, for `password` and `keyboard-interactive`. */
  password?: string;
  /** The methods to try, in order of preference (publickey, password, keyboard-interactive). */
  preferredOrder?: readonly string[];
  /** Called with the server's banner text (it may hold control characters: escape it before showing it). */
  onBanner?: (message: string) => void;
  limits?: Partial<UserAuthLimits>;
}

/**
 * The `ssh-userauth` service of a client. `authenticated` fires once the server accepted a method and
 * the next service is started, or fails with `AuthenticationFailedError` naming the methods refused.
 *
 * @example
 * const connection = new SSHConnection();
 * const auth = new SSHUserAuthClient({ username: 'alice', instance: connection, keys: [key], password });
 * await auth.authenticated;
 */
export class SSHUserAuthClient implements ISSHService {
  readonly name = 'ssh-userauth';
  transport: ISSHTransport | undefined;
  readonly authenticated = new Deferred<void>();
  readonly limits: Readonly<UserAuthLimits>;
  /** Methods tried and refused, in order. */
  readonly failedMethods: string[] = [];
  readonly #options: SSHUserAuthClientOptions;
  readonly #keys: ISSHSigningKey[];
  readonly #order: readonly string[];
  #serverMethods: string[] = [];
  #method: string | undefined;
  #key: { key: ISSHSigningKey; algorithm: string } | undefined;
  #rounds = 0;
  #done = false;
  readonly #tried = new Set<string>();

  constructor(options: SSHUserAuthClientOptions) {
    this.#options = options;
    this.limits = resolveUserAuthLimits(options.limits);
    this.#keys = [...(options.keys ?? [])];
    this.#order = options.preferredOrder ?? ['publickey', 'password', 'keyboard-interactive'];
  }

  serviceStarted(transport: ISSHTransport): void {
    this.transport = transport;
    this.#method = 'none';
    this.#send(userAuthRequest({ username: this.#options.username, service: this.#options.instance.name, method: 'none' }));
  }

  packetReceived(payload: Uint8Array): void {
    if (this.#done) return;
    try {
      switch (payload[0]) {
        case MSG_USERAUTH_SUCCESS:
          this.#succeeded();
          return;
        case MSG_USERAUTH_FAILURE: {
          const { methods } = parseUserAuthFailure(payload);
          this.#serverMethods = methods;
          if (this.#method !== undefined && this.#method !== 'none' && this.#method !== 'publickey') this.#failed(this.#method);
          this.#tryNext();
          return;
        }
        case MSG_USERAUTH_BANNER:
          this.#options.onBanner?.(parseUserAuthBanner(payload, this.limits).message);
          return;
        case MSG_USERAUTH_PK_OK:
          this.#sixty(payload);
          return;
        default:
          this.#abort(DISCONNECT.PROTOCOL_ERROR, `unexpected message ${payload[0]} during authentication`);
      }
    } catch (e) {
      if (!(e instanceof SSHMalformedMessageError)) throw e;
      this.#abort(DISCONNECT.PROTOCOL_ERROR, e.message);
    }
  }

  serviceStopped(reason: Error): void {
    if (this.#done) return;
    this.#done = true;
    this.authenticated.errback(new AuthenticationAbortedError(`the connection ended before authentication finished: ${reason.message}`, { cause: reason }));
  }

  /** PK_OK, PASSWD_CHANGEREQ or INFO_REQUEST, by the method in progress. */
  #sixty(payload: Uint8Array): void {
    if (this.#method === 'publickey' && this.#key !== undefined) {
      const { algorithm, blob } = parseUserAuthPKOK(payload, this.limits);
      const { key } = this.#key;
      if (algorithm !== this.#key.algorithm || !key.publicKey.equals(blob)) throw new SSHMalformedMessageError('USERAUTH_PK_OK for a key not offered');
      this.#sign(key, algorithm);
    } else if (this.#method === 'keyboard-interactive') {
      const request = parseUserAuthInfoRequest(payload, this.limits);
      if (++this.#rounds > this.limits.maxInteractiveRounds) {
        this.#abort(DISCONNECT.AUTH_CANCELLED_BY_USER, 'too many keyboard-interactive rounds');
        return;
      }
      const password = this.#options.password ?? '';
      this.#send(userAuthInfoResponse(request.prompts.map((p) => (p.echo ? '' : password))));
    } else if (this.#method === 'password') {
      // A password change request: there is no new password to give, so this method has failed.
      this.#failed('password');
      this.#tryNext();
    } else {
      throw new SSHMalformedMessageError('message 60 with no method in progress that expects it');
    }
  }

  #sign(key: ISSHSigningKey, algorithm: string): void {
    const { username } = this.#options;
    const service = this.#options.instance.name;
    const blob = key.publicKey.blob;
    const data = publicKeySignedData(this.transport!.sessionId, username, service, algorithm, blob);
    maybeDeferred(() => key.sign(algorithm, data)).addCallbacks(
      (signature) => {
        if (!this.#done) this.#send(userAuthRequest({ username, service, method: 'publickey', algorithm, blob, signature }));
      },
      (f: Failure) => {
        log.failure('signing with key {fingerprint} failed', f, { fingerprint: key.publicKey.fingerprint() }, 'warn');
        if (!this.#done) this.#tryNext();
      },
    );
  }

  #tryNext(): void {
    const { username } = this.#options;
    const service = this.#options.instance.name;
    for (const method of this.#order) {
      if (!this.#serverMethods.includes(method)) continue;
      if (method === 'publickey') {
        const next = this.#nextKey();
        if (next === undefined) continue;
        this.#method = method;
        this.#key = next;
        this.#send(userAuthRequest({ username, service, method, algorithm: next.algorithm, blob: next.key.publicKey.blob }));
        return;
      }
      if (this.#options.password === undefined || this.#tried.has(method)) continue;
      this.#tried.add(method);
      this.#method = method;
      this.#rounds = 0;
      if (method === 'password') this.#send(userAuthRequest({ username, service, method, password: this.#options.password }));
      else if (method === 'keyboard-interactive') this.#send(userAuthRequest({ username, service, method, language: '', submethods: '' }));
      else continue;
      return;
    }
    this.#done = true;
    const error = new AuthenticationFailedError(this.failedMethods, this.#serverMethods);
    this.transport?.sendDisconnect(DISCONNECT.NO_MORE_AUTH_METHODS_AVAILABLE, 'No more authentication methods available');
    this.authenticated.errback(error);
  }

  /** The next key to offer and the signature algorithm to offer it with; keys the server cannot check are skipped. */
  #nextKey(): { key: ISSHSigningKey; algorithm: string } | undefined {
    if (this.#key !== undefined) this.#failed('publickey');
    this.#key = undefined;
    while (this.#keys.length > 0) {
      const key = this.#keys.shift()!;
      const algorithm = this.#algorithmFor(key);
      if (algorithm !== undefined) return { key, algorithm };
    }
    return undefined;
  }

  /** RSA keys sign with SHA-2 (RFC 8332): SHA-512 unless the server's `server-sig-algs` lists only SHA-256. */
  #algorithmFor(key: ISSHSigningKey): string | undefined {
    if (key.publicKey.type !== 'ssh-rsa') return key.publicKey.type;
    const offered = this.transport?.serverSigAlgs;
    if (offered === undefined || offered.includes('rsa-sha2-512')) return 'rsa-sha2-512';
    return offered.includes('rsa-sha2-256') ? 'rsa-sha2-256' : undefined;
  }

  #failed(method: string): void {
    if (this.failedMethods.at(-1) !== method) this.failedMethods.push(method);
  }

  #succeeded(): void {
    this.#done = true;
    this.transport!.setService(this.#options.instance);
    this.authenticated.callback(undefined);
  }

  #abort(code: number, description: string): void {
    this.#done = true;
    this.transport?.sendDisconnect(code, description);
    this.authenticated.errback(new AuthenticationAbortedError(description));
  }

  #send(payload: Uint8Array): void {
    this.transport?.sendPacket(payload);
  }
}
