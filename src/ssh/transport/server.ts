/**
 * The server side of the transport layer: the server's half of each key exchange (signing with a host
 * key), EXT_INFO with `server-sig-algs`, and starting services on SERVICE_REQUEST.
 * @module
 */
import { SSHKexError, SSHProtocolError, SSHServiceNotAvailableError } from '../errors.js';
import type { ISSHService, ISSHSigningKey } from '../interfaces.js';
import { EXT_INFO_C, EXT_INFO_S, STRICT_KEX_S } from './algorithms.js';
import { MSG } from './constants.js';
import { exchangeHash } from './kex.js';
import { encodeExtInfo, encodeKexReply, encodeServiceMessage, parseExtInfo, parseKexInitValue, parseServiceMessage } from './messages.js';
import { SSHTransportProtocol, type KexRound, type SSHTransportOptions } from './transport-protocol.js';

/** The user key signature algorithms `torsion/cred` checks, advertised in `server-sig-algs` by default. */
export const DEFAULT_SERVER_SIG_ALGS: readonly string[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256'];

/** Options of {@link SSHServerTransport}. */
export interface SSHServerTransportOptions extends SSHTransportOptions {
  /** The host keys; one per key type is usual. The client's preference picks among them. */
  hostKeys: readonly ISSHSigningKey[];
  /**
   * What a client may ask for with SERVICE_REQUEST, by name, each a maker of a fresh service for the
   * connection: `ssh-userauth` alone, normally. Never list a service that needs an authenticated user
   * (`ssh-connection`): user authentication starts that one itself with `setService`. One request is
   * accepted per connection.
   */
  services: Readonly<Record<string, () => ISSHService>> | ReadonlyMap<string, () => ISSHService>;
  /** The public key algorithms advertised in `server-sig-algs` (default {@link DEFAULT_SERVER_SIG_ALGS}). */
  serverSigAlgs?: readonly string[];
}

/**
 * The server end of an SSH connection's transport layer.
 *
 * @example
 * const factory = { buildProtocol: () => new SSHServerTransport({ hostKeys: [hostKey], services: { 'ssh-userauth': () => new UserAuthServer(portal) } }) };
 */
export class SSHServerTransport extends SSHTransportProtocol {
  readonly isClient = false;
  readonly #hostKeys: readonly ISSHSigningKey[];
  readonly #services: ReadonlyMap<string, () => ISSHService>;
  readonly #sigAlgs: readonly string[];
  /** The client's EXT_INFO extensions, if it sent any. */
  clientExtensions: ReadonlyMap<string, Uint8Array> | undefined;

  constructor(options: SSHServerTransportOptions) {
    super(options);
    if (options.hostKeys.length === 0) throw new RangeError('an SSH server needs at least one host key');
    this.#hostKeys = options.hostKeys;
    this.#services = options.services instanceof Map ? options.services : new Map(Object.entries(options.services));
    this.#sigAlgs = options.serverSigAlgs ?? DEFAULT_SERVER_SIG_ALGS;
    if (this.hostKeyAlgorithms().length === 0) throw new RangeError('no host key can sign with any host key algorithm offered');
  }

  protected override firstKexExtensions(): string[] {
    return this.offerStrictKex ? [EXT_INFO_S, STRICT_KEX_S] : [EXT_INFO_S];
  }

  protected override hostKeyAlgorithms(): readonly string[] {
    return this.algorithms.hostKey.filter((alg) => this.#keyFor(alg) !== undefined);
  }

  #keyFor(algorithm: string): ISSHSigningKey | undefined {
    return this.#hostKeys.find((k) => k.publicKey.signatureAlgorithms({ allowSHA1: true }).includes(algorithm));
  }

  protected override kexNegotiated(_round: KexRound): void {}

  protected override kexPacketReceived(round: KexRound, payload: Uint8Array): void {
    if (payload[0] !== MSG.KEX_INIT || round.exchange !== undefined) throw new SSHProtocolError(`unexpected key exchange message ${payload[0]}`);
    const method = round.method!;
    const clientValue = parseKexInitValue(payload, method.mpint);
    const exchange = method.start();
    round.exchange = exchange;
    const secret = exchange.computeSecret(clientValue);
    const algorithm = round.algorithms!.hostKey;
    const hostKey = this.#keyFor(algorithm);
    if (hostKey === undefined) throw new SSHKexError(`no host key for ${algorithm}`);
    const h = exchangeHash(method, {
      clientVersion: this.peerVersion!,
      serverVersion: this.ourVersion,
      clientKexInit: round.theirs!,
      serverKexInit: round.ours,
      hostKey: hostKey.publicKey.blob,
      clientValue,
      serverValue: exchange.publicValue,
      secret,
    });
    this.deriveKeys(round, secret, h);
    const reply = (signature: Uint8Array) => {
      this.writePacket(encodeKexReply({ hostKey: hostKey.publicKey.blob, value: exchange.publicValue, signature }, method.mpint));
      this.sendNewKeys(round);
    };
    const signature = hostKey.sign(algorithm, h);
    if (signature instanceof Uint8Array) {
      reply(signature);
      return;
    }
    // An agent or another process signs: hold the client's packets until the reply is out.
    this.holdInput();
    Promise.resolve(signature).then(
      (sig) => {
        if (this.closeReason !== undefined) return;
        reply(sig);
        this.releaseInput();
      },
      (e: unknown) => {
        this.fail(new SSHKexError(`the host key could not sign: ${e instanceof Error ? e.message : String(e)}`));
        this.releaseInput();
      },
    );
  }

  protected override afterFirstNewKeys(round: KexRound): void {
    if (round.peer?.kex.includes(EXT_INFO_C)) this.writePacket(encodeExtInfo(new Map([['server-sig-algs', this.#sigAlgs.join(',')]])));
  }

  protected override sideMessageReceived(payload: Uint8Array): boolean {
    if (payload[0] === MSG.EXT_INFO) {
      this.clientExtensions = parseExtInfo(payload, this.limits);
      return true;
    }
    if (payload[0] === MSG.SERVICE_REQUEST) {
      const name = parseServiceMessage(payload, MSG.SERVICE_REQUEST);
      // One request per connection: later services (ssh-connection) are started by the one running
      // (user authentication), never asked for by the client, so none can be skipped or restarted.
      if (this.service !== undefined) throw new SSHProtocolError(`SERVICE_REQUEST for ${name} while ${this.service.name} runs`);
      const make = this.#services.get(name);
      if (make === undefined) throw new SSHServiceNotAvailableError(`no service ${name}`);
      this.sendPacket(encodeServiceMessage(MSG.SERVICE_ACCEPT, name));
      this.setService(make());
      return true;
    }
    return false;
  }
}
