/**
 * Test-only stand-ins for the user authentication service (RFC 4252), enough to prove that a transport
 * carries it: a client probe that sends one `none` request, and a server that refuses every request.
 * @module
 */
import { WireReader, WireWriter, concatBytes } from '../../../cred/ssh-wire.js';
import { Deferred } from '../../../defer/index.js';
import type { ISSHService, ISSHSigningKey, ISSHTransport } from '../../interfaces.js';

const USERAUTH_REQUEST = 50;
const USERAUTH_FAILURE = 51;

/** Sends `none` for `user` on start; `methods` fires with the methods of the USERAUTH_FAILURE answer. */
export class NoneAuthProbe implements ISSHService {
  readonly name = 'ssh-userauth';
  readonly methods = new Deferred<string[]>();
  constructor(readonly user: string) {}
  serviceStarted(transport: ISSHTransport): void {
    const body = new WireWriter().string(this.user).string('ssh-connection').string('none').bytes();
    transport.sendPacket(concatBytes(Uint8Array.of(USERAUTH_REQUEST), body));
  }
  packetReceived(payload: Uint8Array): void {
    if (payload[0] !== USERAUTH_FAILURE || this.methods.called) return;
    const names = new TextDecoder().decode(new WireReader(payload.subarray(1)).string());
    this.methods.callback(names.split(','));
  }
  serviceStopped(reason: Error): void {
    if (!this.methods.called) this.methods.errback(reason);
  }
}

/** Answers every USERAUTH_REQUEST with USERAUTH_FAILURE listing `publickey,password`. */
export class RefuseAllAuth implements ISSHService {
  readonly name = 'ssh-userauth';
  requests = 0;
  #transport: ISSHTransport | undefined;
  serviceStarted(transport: ISSHTransport): void {
    this.#transport = transport;
  }
  packetReceived(payload: Uint8Array): void {
    if (payload[0] !== USERAUTH_REQUEST) return;
    this.requests++;
    this.#transport!.sendPacket(concatBytes(Uint8Array.of(USERAUTH_FAILURE), new WireWriter().string('publickey,password').bytes(), Uint8Array.of(0)));
  }
  serviceStopped(): void {}
}

const USERAUTH_SUCCESS = 52;

/**
 * Logs in with `key` by `publickey` (RFC 4252 §7, the signed request straight away), calls
 * `authenticationSucceeded` on success, then sends one GLOBAL_REQUEST wanting a reply each time
 * {@link ping} is called; `replies` collects the answers (REQUEST_SUCCESS or REQUEST_FAILURE).
 */
export class PublicKeyAuthProbe implements ISSHService {
  readonly name = 'ssh-userauth';
  readonly authenticated = new Deferred<void>();
  readonly replies: number[] = [];
  #transport: ISSHTransport | undefined;
  constructor(
    readonly user: string,
    readonly key: ISSHSigningKey,
    readonly algorithm: string,
  ) {}
  serviceStarted(transport: ISSHTransport): void {
    this.#transport = transport;
    const head = new WireWriter().string(this.user).string('ssh-connection').string('publickey').bytes();
    const keyPart = new WireWriter().string(this.algorithm).string(this.key.publicKey.blob).bytes();
    const signed = concatBytes(new WireWriter().string(transport.sessionId).bytes(), Uint8Array.of(USERAUTH_REQUEST), head, Uint8Array.of(1), keyPart);
    const signature = this.key.sign(this.algorithm, signed) as Uint8Array;
    transport.sendPacket(concatBytes(Uint8Array.of(USERAUTH_REQUEST), head, Uint8Array.of(1), keyPart, new WireWriter().string(signature).bytes()));
  }
  /** Sends `GLOBAL_REQUEST keepalive@openssh.com` wanting a reply. */
  ping(): void {
    this.#transport!.sendPacket(concatBytes(Uint8Array.of(80), new WireWriter().string('keepalive@openssh.com').bytes(), Uint8Array.of(1)));
  }
  packetReceived(payload: Uint8Array): void {
    if (payload[0] === USERAUTH_SUCCESS) {
      this.#transport!.authenticationSucceeded();
      this.authenticated.callback(undefined);
    } else if (payload[0] === USERAUTH_FAILURE && !this.authenticated.called) {
      this.authenticated.errback(new Error('publickey authentication failed'));
    } else if (payload[0] === 81 || payload[0] === 82) {
      this.replies.push(payload[0]!);
    }
  }
  serviceStopped(reason: Error): void {
    if (!this.authenticated.called) this.authenticated.errback(reason);
  }
}
