/**
 * A client of the SSH agent protocol (draft-miller-ssh-agent; Twisted Conch's `SSHAgentClient`): lists the
 * agent's keys and has it sign with them, over any stream transport, usually the Unix socket named by
 * `SSH_AUTH_SOCK`. The agent answers requests in order, each message a `uint32` length and a type byte.
 * @module
 */
import { SSHPublicKey } from '../../cred/index.js';
import { WireReader, WireWriter, concatBytes } from '../../cred/ssh-wire.js';
import { Deferred, type Failure } from '../../defer/index.js';
import { Protocol } from '../../internet/protocol.js';
import { connectProtocol, UNIXClientEndpoint } from '../../internet/endpoints/index.js';
import type { IReactorUNIX } from '../../internet/interfaces.js';
import { reactor as nodeReactor } from '../../internet/reactor.js';
import type { IDelayedCall, IReactorTime } from '../../time/interfaces.js';
import type { ISSHSigningKey } from '../interfaces.js';
import { AgentConnectionError, AgentFailureError, AgentProtocolError } from './errors.js';
import { Key } from './key.js';
import { resolveSSHKeyLimits, type SSHKeyLimits } from './limits.js';
import { writePrivateFields } from './private-fields.js';

/** Message numbers of the agent protocol (draft-miller-ssh-agent §5.1). */
const MSG = {
  FAILURE: 5,
  SUCCESS: 6,
  REQUEST_IDENTITIES: 11,
  IDENTITIES_ANSWER: 12,
  SIGN_REQUEST: 13,
  SIGN_RESPONSE: 14,
  ADD_IDENTITY: 17,
  REMOVE_IDENTITY: 18,
  REMOVE_ALL_IDENTITIES: 19,
} as const;
/** Failure numbers older agents (ssh.com, protocol 1) answer with. */
const OTHER_FAILURES = new Set([30, 102]);

/** The signature flags that pick an RSA hash (§5.3). */
const RSA_FLAGS: Record<string, number> = { 'rsa-sha2-256': 2, 'rsa-sha2-512': 4 };

/** One key the agent holds: it signs through the agent, so `sign` is asynchronous. */
export interface AgentKey extends ISSHSigningKey {
  /** The agent's comment for the key (often the path it was loaded from). */
  readonly comment: string;
  /** The public key as a {@link Key}. */
  readonly key: Key;
  sign(algorithm: string, data: Uint8Array): Deferred<Uint8Array>;
}

/** Options of {@link SSHAgentClient}. */
export interface SSHAgentClientOptions {
  /** Times out requests (default: the reactor). */
  clock?: IReactorTime;
  limits?: Partial<SSHKeyLimits>;
}

/** Options of {@link SSHAgentClient.connect}. */
export interface SSHAgentConnectOptions extends SSHAgentClientOptions {
  /** The agent's socket (default: the `SSH_AUTH_SOCK` environment variable). */
  path?: string;
  /** Connects the Unix socket (default: the Node reactor). */
  reactor?: IReactorUNIX & IReactorTime;
}

interface Pending {
  deferred: Deferred<{ type: number; body: WireReader }>;
  timer: IDelayedCall;
}

/**
 * The agent client, a protocol: connect it over any stream (or with {@link SSHAgentClient.connect} to
 * `SSH_AUTH_SOCK`), then ask. A malformed or oversized answer, or one that does not come within
 * `agentTimeout` seconds, drops the connection and fails every request waiting.
 *
 * @example
 * const agent = await SSHAgentClient.connect();
 * const [first] = await agent.requestIdentities();
 * const signature = await first.sign(first.publicKey.signatureAlgorithms()[0], data);
 */
export class SSHAgentClient extends Protocol {
  readonly clock: IReactorTime;
  readonly limits: Readonly<SSHKeyLimits>;
  #buffer: Uint8Array = new Uint8Array(0);
  readonly #pending: Pending[] = [];
  #closed: Error | undefined;

  constructor(options: SSHAgentClientOptions = {}) {
    super();
    this.clock = options.clock ?? nodeReactor;
    this.limits = resolveSSHKeyLimits(options.limits);
  }

  /** Connects to the agent's Unix socket, `path` or `SSH_AUTH_SOCK`; fails with {@link AgentConnectionError}. */
  static connect(options: SSHAgentConnectOptions = {}): Deferred<SSHAgentClient> {
    const path = options.path ?? process.env.SSH_AUTH_SOCK;
    if (path === undefined || path === '') return Deferred.fail(new AgentConnectionError('no agent: SSH_AUTH_SOCK is not set'));
    const reactor = options.reactor ?? nodeReactor;
    return connectProtocol(new UNIXClientEndpoint(reactor, path), new SSHAgentClient({ clock: reactor, ...options })).addErrback((failure) => {
      throw new AgentConnectionError(`cannot connect to the agent at ${path}: ${failure.getErrorMessage()}`, { cause: failure.value });
    });
  }

  override dataReceived(data: Uint8Array): void {
    if (this.#closed !== undefined) return;
    this.#buffer = this.#buffer.length === 0 ? Uint8Array.from(data) : concatBytes(this.#buffer, data);
    while (this.#buffer.length >= 4 && this.#closed === undefined) {
      const length = new DataView(this.#buffer.buffer, this.#buffer.byteOffset).getUint32(0);
      if (length === 0 || length > this.limits.maxAgentMessageBytes) {
        this.#drop(new AgentProtocolError(`an agent message of ${length} bytes (the limit is ${this.limits.maxAgentMessageBytes})`));
        return;
      }
      if (this.#buffer.length < 4 + length) return;
      const message = this.#buffer.subarray(4, 4 + length);
      this.#buffer = this.#buffer.subarray(4 + length);
      const pending = this.#pending.shift();
      if (pending === undefined) {
        this.#drop(new AgentProtocolError('the agent sent a message nobody asked for'));
        return;
      }
      pending.timer.cancel();
      pending.deferred.callback({ type: message[0], body: new WireReader(message.subarray(1)) });
    }
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    this.#fail(new AgentConnectionError(`the agent connection closed: ${reason.getErrorMessage()}`));
  }

  /** Closes the connection to the agent. */
  close(): void {
    this.transport.loseConnection();
  }

  #fail(error: Error): void {
    this.#closed ??= error;
    for (const p of this.#pending.splice(0)) {
      if (p.timer.active()) p.timer.cancel();
      p.deferred.errback(error);
    }
  }

  #drop(error: Error): void {
    this.#fail(error);
    this.transport.loseConnection();
  }

  /** Sends one request; the answer's type must be one of `expect` (a failure answer fails the Deferred). */
  #request(payload: Uint8Array): Deferred<{ type: number; body: WireReader }> {
    if (this.#closed !== undefined) return Deferred.fail(this.#closed);
    if (!this.connected) return Deferred.fail(new AgentConnectionError('not connected to an agent'));
    if (this.#pending.length >= this.limits.maxAgentPendingRequests) return Deferred.fail(new AgentConnectionError(`${this.#pending.length} agent requests already waiting`));
    if (payload.length > this.limits.maxAgentMessageBytes) return Deferred.fail(new AgentProtocolError(`an agent request of ${payload.length} bytes, over the limit of ${this.limits.maxAgentMessageBytes}`));
    const deferred = new Deferred<{ type: number; body: WireReader }>();
    const timer = this.clock.callLater(this.limits.agentTimeout, () => this.#drop(new AgentConnectionError(`the agent did not answer within ${this.limits.agentTimeout} s`)));
    this.#pending.push({ deferred, timer });
    this.transport.write(new WireWriter().string(payload).bytes());
    return deferred;
  }

  /** A request whose answer must be `expected` (or a failure); reads the answer with `read`. */
  #call<T>(payload: Uint8Array, expected: number, what: string, read: (body: WireReader) => T): Deferred<T> {
    return this.#request(payload).addCallback(({ type, body }) => {
      if (type === MSG.FAILURE || OTHER_FAILURES.has(type)) throw new AgentFailureError(`the agent refused to ${what}`);
      if (type !== expected) {
        const error = new AgentProtocolError(`the agent answered ${what} with message ${type}`);
        this.#drop(error);
        throw error;
      }
      try {
        const result = read(body);
        body.end();
        return result;
      } catch (e) {
        const error = new AgentProtocolError(`the agent's answer to ${what} is malformed: ${(e as Error).message}`);
        this.#drop(error);
        throw error;
      }
    });
  }

  /**
   * The keys the agent holds, as signing keys. Keys of types not supported here (DSA, security keys,
   * certificates) are left out.
   */
  requestIdentities(): Deferred<AgentKey[]> {
    return this.#call(Uint8Array.of(MSG.REQUEST_IDENTITIES), MSG.IDENTITIES_ANSWER, 'list its keys', (body) => {
      const count = body.uint32();
      if (count > this.limits.maxAgentIdentities) throw new AgentProtocolError(`${count} identities, over the limit of ${this.limits.maxAgentIdentities}`);
      const keys: AgentKey[] = [];
      for (let i = 0; i < count; i++) {
        const blob = body.string();
        const comment = new TextDecoder().decode(body.string());
        let publicKey: SSHPublicKey;
        try {
          publicKey = SSHPublicKey.fromBlob(blob);
        } catch {
          continue;
        }
        keys.push(this.#agentKey(publicKey, comment));
      }
      return keys;
    });
  }

  #agentKey(publicKey: SSHPublicKey, comment: string): AgentKey {
    const key = Key.fromPublicKey(publicKey, comment);
    return { publicKey, comment, key, sign: (algorithm, data) => this.signData(publicKey, algorithm, data) };
  }

  /**
   * Has the agent sign `data` with the key `publicKey` and the signature algorithm `algorithm`
   * (`rsa-sha2-256`/`-512` set the agent's RSA flags). The signature must be of the algorithm asked for
   * and verify with the key, or the request fails.
   */
  signData(publicKey: SSHPublicKey | Key, algorithm: string, data: Uint8Array): Deferred<Uint8Array> {
    const pub = publicKey instanceof Key ? publicKey.publicKey : publicKey;
    if (!pub.signatureAlgorithms({ allowSHA1: true }).includes(algorithm)) return Deferred.fail(new AgentFailureError(`a ${pub.type} key cannot sign with ${algorithm}`));
    const payload = concatBytes(Uint8Array.of(MSG.SIGN_REQUEST), new WireWriter().string(pub.blob).string(data).uint32(RSA_FLAGS[algorithm] ?? 0).bytes());
    return this.#call(payload, MSG.SIGN_RESPONSE, `sign with ${pub.fingerprint()}`, (body) => Uint8Array.from(body.string())).addCallback((signature) => {
      if (!pub.verify(algorithm, signature, data, { allowSHA1: true })) throw new AgentProtocolError(`the agent's signature is not a valid ${algorithm} signature by ${pub.fingerprint()}`);
      return signature;
    });
  }

  /** Gives the agent a private key to hold (what `ssh-add` does). */
  addIdentity(key: Key, comment = key.comment): Deferred<void> {
    if (key.isPublic()) return Deferred.fail(new AgentFailureError('cannot add a public key to the agent'));
    const w = new WireWriter();
    writePrivateFields(w, key.keyObject, key.publicKey);
    w.string(comment);
    return this.#call(concatBytes(Uint8Array.of(MSG.ADD_IDENTITY), w.bytes()), MSG.SUCCESS, 'add a key', () => undefined);
  }

  /** Has the agent forget one key. */
  removeIdentity(key: Key | SSHPublicKey): Deferred<void> {
    const pub = key instanceof Key ? key.publicKey : key;
    return this.#call(concatBytes(Uint8Array.of(MSG.REMOVE_IDENTITY), new WireWriter().string(pub.blob).bytes()), MSG.SUCCESS, 'remove a key', () => undefined);
  }

  /** Has the agent forget every key. */
  removeAllIdentities(): Deferred<void> {
    return this.#call(Uint8Array.of(MSG.REMOVE_ALL_IDENTITIES), MSG.SUCCESS, 'remove every key', () => undefined);
  }
}
