/**
 * Test-only stand-ins for the user authentication service (RFC 4252), enough to prove that a transport
 * carries it: a client probe that sends one `none` request, and a server that refuses every request.
 * @module
 */
import { WireReader, WireWriter, concatBytes } from '../../../cred/ssh-wire.js';
import { Deferred } from '../../../defer/index.js';
import type { ISSHService, ISSHTransport } from '../../interfaces.js';

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
