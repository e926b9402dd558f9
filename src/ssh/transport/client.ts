/**
 * The client side of the transport layer: the client's half of each key exchange, the check of the
 * server's host key (its signature, then the caller's verdict: known_hosts), and service requests.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import { BadKeyError } from '../../cred/errors.js';
import { SSHPublicKey } from '../../cred/ssh-keys.js';
import { SSHHostKeyRejectedError, SSHKexError, SSHProtocolError } from '../errors.js';
import type { ISSHService } from '../interfaces.js';
import { EXT_INFO_C, STRICT_KEX_C } from './algorithms.js';
import { MSG } from './constants.js';
import { exchangeHash } from './kex.js';
import { encodeKexInitValue, encodeServiceMessage, parseExtInfo, parseKexReply, parseServiceMessage, parseSigAlgs } from './messages.js';
import { SSHTransportProtocol, type KexRound, type SSHTransportOptions } from './transport-protocol.js';

/** What a host key verifier is told besides the key. */
export interface HostKeyDetails {
  /** The signature algorithm the key exchange used (`ssh-ed25519`, `rsa-sha2-512`, ...). */
  readonly algorithm: string;
  /** OpenSSH's `SHA256:...` fingerprint. */
  readonly fingerprint: string;
  /** The peer's address, when the transport knows it. */
  readonly address: { host: string; port: number } | undefined;
}

/** Options of {@link SSHClientTransport}. */
export interface SSHClientTransportOptions extends SSHTransportOptions {
  /**
   * Decides whether the server's host key is the right one (a known_hosts lookup), after its signature of
   * the exchange was checked. True accepts; false or a failure refuses with `SSHHostKeyRejectedError`.
   * Left out, every key is refused: trusting a server must be asked for.
   */
  verifyHostKey?: (key: SSHPublicKey, details: HostKeyDetails) => boolean | PromiseLike<boolean>;
}

/**
 * The client end of an SSH connection's transport layer.
 *
 * @example
 * const transport = new SSHClientTransport({ verifyHostKey: (key) => knownHosts.has(key) });
 * connectProtocol(endpoint, transport);
 * await transport.requestService(userauthService);
 */
export class SSHClientTransport extends SSHTransportProtocol {
  readonly isClient = true;
  readonly #verifyHostKey: SSHClientTransportOptions['verifyHostKey'];
  #pendingService: { service: ISSHService; accepted: Deferred<void> } | undefined;

  constructor(options: SSHClientTransportOptions = {}) {
    super(options);
    this.#verifyHostKey = options.verifyHostKey;
  }

  /**
   * Asks the server for `service` (SERVICE_REQUEST; sent once the key exchange is done) and starts it on
   * SERVICE_ACCEPT. The Deferred fires then, or fails if the connection ends first.
   */
  requestService(service: ISSHService): Deferred<void> {
    const accepted = new Deferred<void>();
    if (this.closeReason !== undefined) {
      accepted.errback(this.closeReason);
      return accepted;
    }
    if (this.#pendingService !== undefined) {
      accepted.errback(new SSHProtocolError(`a service request (${this.#pendingService.service.name}) is already waiting for its answer`));
      return accepted;
    }
    this.#pendingService = { service, accepted };
    this.sendPacket(encodeServiceMessage(MSG.SERVICE_REQUEST, service.name));
    return accepted;
  }

  protected override firstKexExtensions(): string[] {
    return this.offerStrictKex ? [EXT_INFO_C, STRICT_KEX_C] : [EXT_INFO_C];
  }

  protected override hostKeyAlgorithms(): readonly string[] {
    return this.algorithms.hostKey;
  }

  protected override kexNegotiated(round: KexRound): void {
    const exchange = round.method!.start();
    round.exchange = exchange;
    this.writePacket(encodeKexInitValue(exchange.publicValue, round.method!.mpint));
  }

  protected override kexPacketReceived(round: KexRound, payload: Uint8Array): void {
    if (payload[0] !== MSG.KEX_REPLY || round.outKeys !== undefined) throw new SSHProtocolError(`unexpected key exchange message ${payload[0]}`);
    const method = round.method!;
    const reply = parseKexReply(payload, method.mpint);
    const algorithm = round.algorithms!.hostKey;
    let key: SSHPublicKey;
    try {
      key = SSHPublicKey.fromBlob(reply.hostKey);
    } catch (e) {
      if (e instanceof BadKeyError) throw new SSHKexError(`the server's host key cannot be read: ${e.message}`);
      throw e;
    }
    const allowSHA1 = algorithm === 'ssh-rsa';
    if (!key.signatureAlgorithms({ allowSHA1 }).includes(algorithm)) throw new SSHKexError(`a ${key.type} host key for the algorithm ${algorithm}`);
    const secret = round.exchange!.computeSecret(reply.value);
    const h = exchangeHash(method, {
      clientVersion: this.ourVersion,
      serverVersion: this.peerVersion!,
      clientKexInit: round.ours,
      serverKexInit: round.theirs!,
      hostKey: reply.hostKey,
      clientValue: round.exchange!.publicValue,
      serverValue: reply.value,
      secret,
    });
    if (!key.verify(algorithm, reply.signature, h, { allowSHA1 })) throw new SSHKexError("the server's signature of the key exchange does not verify");
    this.deriveKeys(round, secret, h);
    if (!round.first) {
      if (this.peerHostKey === undefined || !this.peerHostKey.equals(key)) throw new SSHHostKeyRejectedError('the host key changed during a re-key');
      this.sendNewKeys(round);
      return;
    }
    this.#askVerifier(round, key, algorithm);
  }

  #askVerifier(round: KexRound, key: SSHPublicKey, algorithm: string): void {
    const refuse = (why: string) => this.fail(new SSHHostKeyRejectedError(`host key ${key.fingerprint()} refused: ${why}`));
    const accept = () => {
      this.peerHostKey = key;
      this.sendNewKeys(round);
    };
    if (this.#verifyHostKey === undefined) {
      refuse('no host key verifier was given');
      return;
    }
    let verdict: boolean | PromiseLike<boolean>;
    try {
      verdict = this.#verifyHostKey(key, { algorithm, fingerprint: key.fingerprint(), address: this.peerAddress });
    } catch (e) {
      refuse(e instanceof Error ? e.message : String(e));
      return;
    }
    if (typeof verdict === 'boolean') {
      if (verdict) accept();
      else refuse('not trusted');
      return;
    }
    this.holdInput();
    Promise.resolve(verdict).then(
      (ok) => {
        if (this.closeReason !== undefined) return;
        if (ok) accept();
        else refuse('not trusted');
        this.releaseInput();
      },
      (e: unknown) => {
        refuse(e instanceof Error ? e.message : String(e));
        this.releaseInput();
      },
    );
  }

  protected override sideMessageReceived(payload: Uint8Array): boolean {
    if (payload[0] === MSG.EXT_INFO) {
      const extensions = parseExtInfo(payload, this.limits);
      const sigAlgs = extensions.get('server-sig-algs');
      if (sigAlgs !== undefined) this.serverSigAlgs = parseSigAlgs(sigAlgs, this.limits);
      return true;
    }
    if (payload[0] === MSG.SERVICE_ACCEPT) {
      const name = parseServiceMessage(payload, MSG.SERVICE_ACCEPT);
      const pending = this.#pendingService;
      if (pending === undefined || pending.service.name !== name) throw new SSHProtocolError(`SERVICE_ACCEPT for ${name}, which was not asked for`);
      this.#pendingService = undefined;
      this.setService(pending.service);
      pending.accepted.callback(undefined);
      return true;
    }
    return false;
  }

  protected override connectionClosed(reason: Error): void {
    const pending = this.#pendingService;
    this.#pendingService = undefined;
    pending?.accepted.errback(reason);
  }
}
