/**
 * `SSHConnection`: the `ssh-connection` service (RFC 4254), Twisted's `SSHConnection`, on either side.
 * It numbers channels, routes their messages, keeps the windows honest, answers requests in the order
 * they came, and asks its avatar ({@link IConchUser}) which channels and global requests to accept.
 * @module
 */
import { Deferred, Failure, maybeDeferred } from '../../defer/index.js';
import { reactor } from '../../internet/index.js';
import type { IDelayedCall, IReactorTime } from '../../internet/interfaces.js';
import { Logger } from '../../logger/index.js';
import type { Logout } from '../../cred/index.js';
import type { ISSHService, ISSHTransport } from '../interfaces.js';
import { DISCONNECT, SSHMalformedMessageError } from '../service-wire.js';
import type { SSHChannel } from './channel.js';
import { ChannelClosedError, ChannelOpenError, RequestFailedError } from './errors.js';
import type { GlobalRequestAnswer, IConchUser } from './interfaces.js';
import { resolveConnectionLimits, type ConnectionLimits } from './limits.js';
import * as m from './messages.js';

const log = new Logger({ namespace: 'torsion.ssh.connection' });

/** Options of an {@link SSHConnection}. */
export interface SSHConnectionOptions {
  /**
   * Decides which channels and global requests the peer may open: on a server the avatar the portal gave;
   * on a client what the server may open towards it (by default nothing).
   */
  avatar?: IConchUser;
  /** Called once when the connection ends (the portal's logout on a server). */
  logout?: Logout;
  /** Time for keepalives (the global reactor by default). */
  clock?: IReactorTime;
  limits?: Partial<ConnectionLimits>;
}

/** The avatar of a connection given none: refuses every channel and global request. */
const REFUSE_ALL: IConchUser = {
  username: '',
  lookupChannel: (channelType) => {
    throw new ChannelOpenError(`channels of type ${channelType} are not accepted`, m.OPEN_ADMINISTRATIVELY_PROHIBITED);
  },
  gotGlobalRequest: () => false,
};

interface Reply {
  wantReply: boolean;
  answer: { ok: boolean; data?: Uint8Array } | undefined;
}

interface ChannelState {
  /** Requests this side sent with want-reply, oldest first. */
  waiting: Deferred<void>[];
  /** Requests from the peer, answered in order. */
  replies: Reply[];
}

/**
 * The connection service.
 *
 * @example
 * // client: once authenticated, run a command on a session channel
 * const connection = new SSHConnection();
 * // ... new SSHUserAuthClient({ username, instance: connection, ... })
 * const { stdout, exitStatus } = await new SSHConnectionClient(connection).exec('uname -a');
 */
export class SSHConnection implements ISSHService {
  readonly name = 'ssh-connection';
  transport: ISSHTransport | undefined;
  readonly limits: Readonly<ConnectionLimits>;
  readonly avatar: IConchUser;
  /** Open channels (and those being opened by this side), by this side's number. */
  readonly channels = new Map<number, SSHChannel>();
  /** Fires once the service has started. */
  readonly started = new Deferred<void>();
  /** True once the connection has ended. */
  stopped = false;
  /** Set by the peer's `no-more-sessions@openssh.com`: further session opens are refused. */
  noMoreSessions = false;
  readonly #states = new Map<SSHChannel, ChannelState>();
  readonly #opening = new Map<number, Deferred<SSHChannel>>();
  /** Numbers reserved for channels the peer asked for and the avatar is still deciding on. */
  readonly #reserved = new Set<number>();
  readonly #globalWaiting: Deferred<Uint8Array>[] = [];
  readonly #globalReplies: Reply[] = [];
  readonly #options: SSHConnectionOptions;
  readonly #clock: IReactorTime;
  #nextId = 0;
  #keepalive: IDelayedCall | undefined;
  #keepaliveMissed = 0;

  constructor(options: SSHConnectionOptions = {}) {
    this.#options = options;
    this.limits = resolveConnectionLimits(options.limits);
    this.avatar = options.avatar ?? REFUSE_ALL;
    this.#clock = options.clock ?? reactor;
  }

  serviceStarted(transport: ISSHTransport): void {
    this.transport = transport;
    this.#scheduleKeepalive();
    this.started.callback(undefined);
  }

  serviceStopped(reason: Error): void {
    if (this.stopped) return;
    this.stopped = true;
    this.#keepalive?.cancel();
    this.#keepalive = undefined;
    const closed = () => new ChannelClosedError(`the connection ended: ${reason.message}`, { cause: reason });
    for (const d of this.#globalWaiting.splice(0)) d.errback(closed());
    for (const [id, d] of [...this.#opening]) {
      this.#opening.delete(id);
      this.channels.delete(id);
      d.errback(closed());
    }
    for (const channel of [...this.channels.values()]) this.#channelClosed(channel, closed);
    try {
      this.avatar.connectionLost?.(this);
    } finally {
      this.#options.logout?.();
    }
  }

  packetReceived(payload: Uint8Array): void {
    if (this.stopped) return;
    // Authentication requests after success are ignored (RFC 4252 §5.1).
    if (payload[0] < m.MSG_GLOBAL_REQUEST) return;
    let message: m.ConnectionMessage;
    try {
      message = m.parseConnectionMessage(payload);
    } catch (e) {
      if (!(e instanceof SSHMalformedMessageError)) throw e;
      this.protocolError(e.message);
      return;
    }
    this.#dispatch(message);
  }

  // ------------------------------------------------------------ opening channels

  /**
   * Opens `channel` towards the peer with the type-specific `data`; fires with the channel once the peer
   * confirms (its `channelOpen` has run), or fails with `ChannelOpenError`.
   */
  openChannel(channel: SSHChannel, data: Uint8Array = new Uint8Array()): Deferred<SSHChannel> {
    if (this.stopped || this.transport === undefined) return Deferred.fail(new ChannelClosedError('the connection is not running'));
    if (this.#count() >= this.limits.maxChannels) return Deferred.fail(new ChannelOpenError(`${this.limits.maxChannels} channels are open already`, m.OPEN_RESOURCE_SHORTAGE));
    const id = this.#allocate();
    this.#adopt(channel, id);
    const d = new Deferred<SSHChannel>();
    this.#opening.set(id, d);
    this.channels.set(id, channel);
    this.#send(m.channelOpen(channel.name, id, channel.localWindowSize!, channel.localMaxPacket!, data));
    return d;
  }

  // ------------------------------------------------------------ requests

  /** Sends a channel request; with `wantReply` the Deferred waits for SUCCESS (or fails on FAILURE). */
  sendRequest(channel: SSHChannel, requestType: string, data: Uint8Array, wantReply = false): Deferred<void> {
    const state = this.#states.get(channel);
    if (state === undefined || !channel.isOpen || channel.closeSent) return Deferred.fail(new ChannelClosedError(`channel ${channel.id} is not open`));
    // Waiting before sending: over an in-memory pair the reply can come back inside the send.
    const d = new Deferred<void>();
    if (wantReply) state.waiting.push(d);
    else d.callback(undefined);
    this.#send(m.channelRequest(channel.remoteId, requestType, wantReply, data));
    return d;
  }

  /** Sends a global request; with `wantReply` fires with the reply's data (or fails on REQUEST_FAILURE). */
  sendGlobalRequest(requestType: string, data: Uint8Array = new Uint8Array(), wantReply = false): Deferred<Uint8Array> {
    if (this.stopped || this.transport === undefined) return Deferred.fail(new ChannelClosedError('the connection is not running'));
    const d = new Deferred<Uint8Array>();
    if (wantReply) this.#globalWaiting.push(d);
    else d.callback(new Uint8Array());
    this.#send(m.globalRequest(requestType, wantReply, data));
    return d;
  }

  /** Ends the whole connection. */
  loseConnection(description = 'closed by application'): void {
    this.transport?.sendDisconnect(DISCONNECT.BY_APPLICATION, description);
  }

  /** Disconnects for a protocol error by the peer. */
  protocolError(description: string): void {
    if (this.stopped) return;
    log.info('protocol error: {description}', { description });
    this.transport?.sendDisconnect(DISCONNECT.PROTOCOL_ERROR, description);
  }

  // ------------------------------------------------------------ called by channels

  /** @internal */
  sendData(channel: SSHChannel, data: Uint8Array): void {
    const transport = this.transport;
    // The bulk of a busy connection: its data goes to the cipher without being copied into a payload first.
    if (transport?.sendPacketParts !== undefined) {
      if (!this.stopped) transport.sendPacketParts(m.channelDataHeader(channel.remoteId, data.length), data);
      return;
    }
    this.#send(m.channelData(channel.remoteId, data));
  }

  /** @internal Runs `fn` with the packets it sends written at once, where the transport can. */
  batchWrites(fn: () => void): void {
    const transport = this.transport;
    if (transport?.batchWrites !== undefined && !this.stopped) transport.batchWrites(fn);
    else fn();
  }

  /** @internal */
  sendExtendedData(channel: SSHChannel, dataType: number, data: Uint8Array): void {
    this.#send(m.channelExtendedData(channel.remoteId, dataType, data));
  }

  /** @internal */
  adjustWindow(channel: SSHChannel, bytes: number): void {
    if (channel.isOpen && !channel.closeSent) this.#send(m.channelWindowAdjust(channel.remoteId, bytes));
  }

  /** @internal */
  sendEOF(channel: SSHChannel): void {
    if (!channel.isOpen || channel.eofSent || channel.closeSent) return;
    channel.eofSent = true;
    this.#send(m.channelEOF(channel.remoteId));
  }

  /** @internal */
  sendClose(channel: SSHChannel): void {
    if (!channel.isOpen || channel.closeSent) return;
    channel.closeSent = true;
    this.#send(m.channelClose(channel.remoteId));
    if (channel.closeReceivedFlag) this.#channelClosed(channel);
  }

  // ------------------------------------------------------------ dispatch

  #dispatch(message: m.ConnectionMessage): void {
    switch (message.type) {
      case 'global-request':
        this.#globalRequest(message.name, message.wantReply, message.data);
        return;
      case 'request-success':
      case 'request-failure': {
        const d = this.#globalWaiting.shift();
        if (d === undefined) return this.protocolError('a global request reply with no request waiting');
        if (message.type === 'request-success') d.callback(message.data);
        else d.errback(new RequestFailedError('the peer refused the global request'));
        return;
      }
      case 'open':
        this.#channelOpenRequest(message);
        return;
      case 'open-confirmation':
      case 'open-failure':
        this.#openAnswer(message);
        return;
    }
    const channel = this.channels.get(message.recipient);
    if (channel === undefined || !channel.isOpen) return this.protocolError(`message for channel ${message.recipient}, which is not open`);
    switch (message.type) {
      case 'window-adjust':
        if (channel.remoteWindowLeft + message.bytes > 0xffffffff) return this.protocolError(`channel ${channel.id}: window adjust overflows the window`);
        channel.windowAdjusted(message.bytes);
        return;
      case 'data':
      case 'extended-data': {
        const { data } = message;
        if (data.length > channel.localWindowLeft) return this.protocolError(`channel ${channel.id}: ${data.length} bytes of data, ${channel.localWindowLeft} left in the window`);
        if (data.length > channel.localMaxPacket!) return this.protocolError(`channel ${channel.id}: a data packet of ${data.length} bytes, over ${channel.localMaxPacket}`);
        if (channel.eofReceivedFlag || channel.closeReceivedFlag) return this.protocolError(`channel ${channel.id}: data after EOF`);
        channel.dataArrived(message.type === 'data' ? undefined : message.dataType, data);
        return;
      }
      case 'eof':
        if (channel.eofReceivedFlag) return;
        channel.eofReceivedFlag = true;
        channel.eofReceived();
        return;
      case 'close':
        this.#closeReceived(channel);
        return;
      case 'request':
        this.#channelRequest(channel, message.name, message.wantReply, message.data);
        return;
      case 'success':
      case 'failure': {
        const d = this.#states.get(channel)?.waiting.shift();
        if (d === undefined) return this.protocolError(`channel ${channel.id}: a request reply with no request waiting`);
        if (message.type === 'success') d.callback(undefined);
        else d.errback(new RequestFailedError('the peer refused the channel request'));
        return;
      }
    }
  }

  #globalRequest(name: string, wantReply: boolean, data: Uint8Array): void {
    if (this.#globalReplies.length >= this.limits.maxPendingGlobalRequests) return this.protocolError('too many global requests waiting for an answer');
    const reply: Reply = { wantReply, answer: undefined };
    this.#globalReplies.push(reply);
    const answer =
      name === 'no-more-sessions@openssh.com'
        ? Deferred.succeed<GlobalRequestAnswer>((this.noMoreSessions = true))
        : maybeDeferred(() => this.avatar.gotGlobalRequest(name, data, this));
    answer.addCallbacks(
      (result) => {
        reply.answer = result === false ? { ok: false } : { ok: true, data: result === true ? undefined : result };
        this.#sendGlobalReplies();
      },
      (f: Failure) => {
        log.failure('global request {name} failed', f, { name }, 'warn');
        reply.answer = { ok: false };
        this.#sendGlobalReplies();
      },
    );
  }

  #sendGlobalReplies(): void {
    while (this.#globalReplies.length > 0 && this.#globalReplies[0].answer !== undefined) {
      const { wantReply, answer } = this.#globalReplies.shift()!;
      if (wantReply && !this.stopped) this.#send(answer!.ok ? m.requestSuccess(answer!.data) : m.requestFailure());
    }
  }

  #channelOpenRequest(message: Extract<m.ConnectionMessage, { type: 'open' }>): void {
    const { channelType, sender, window, maxPacket, data } = message;
    const refuse = (reason: number, description: string) => this.#send(m.channelOpenFailure(sender, reason, description));
    if (this.#count() >= this.limits.maxChannels) return refuse(m.OPEN_RESOURCE_SHORTAGE, `${this.limits.maxChannels} channels are open already`);
    if (maxPacket < this.limits.minPeerMaxPacket) return refuse(m.OPEN_ADMINISTRATIVELY_PROHIBITED, `a maximum packet under ${this.limits.minPeerMaxPacket} bytes`);
    if (channelType === 'session' && this.noMoreSessions) return refuse(m.OPEN_ADMINISTRATIVELY_PROHIBITED, 'no more sessions');
    const id = this.#allocate();
    this.#reserved.add(id);
    maybeDeferred(() => this.avatar.lookupChannel(channelType, data, this)).addCallbacks(
      (channel) => {
        this.#reserved.delete(id);
        if (this.stopped) {
          channel.closed();
          return;
        }
        this.#adopt(channel, id);
        this.channels.set(id, channel);
        channel.opened(sender, window, maxPacket);
        this.#send(m.channelOpenConfirmation(sender, id, channel.localWindowSize!, channel.localMaxPacket!));
        channel.channelOpen(data);
        channel.flushAfterOpen();
      },
      (f: Failure) => {
        this.#reserved.delete(id);
        if (this.stopped) return;
        const error = f.value instanceof ChannelOpenError ? f.value : undefined;
        if (error === undefined) log.failure('opening a {channelType} channel failed', f, { channelType }, 'warn');
        refuse(error?.reason ?? m.OPEN_CONNECT_FAILED, error?.message ?? 'open failed');
      },
    );
  }

  #openAnswer(message: Extract<m.ConnectionMessage, { type: 'open-confirmation' | 'open-failure' }>): void {
    const d = this.#opening.get(message.recipient);
    const channel = this.channels.get(message.recipient);
    if (d === undefined || channel === undefined) return this.protocolError(`an open answer for channel ${message.recipient}, which is not being opened`);
    this.#opening.delete(message.recipient);
    if (message.type === 'open-failure') {
      this.channels.delete(message.recipient);
      this.#states.delete(channel);
      const error = new ChannelOpenError(message.description || 'the peer refused the channel', message.reason);
      channel.openFailed(error);
      d.errback(error);
      return;
    }
    if (message.maxPacket < this.limits.minPeerMaxPacket) {
      this.protocolError(`channel ${channel.id}: a maximum packet under ${this.limits.minPeerMaxPacket} bytes`);
      return;
    }
    channel.opened(message.sender, message.window, message.maxPacket);
    channel.channelOpen(message.data);
    channel.flushAfterOpen();
    d.callback(channel);
  }

  #channelRequest(channel: SSHChannel, name: string, wantReply: boolean, data: Uint8Array): void {
    const state = this.#states.get(channel)!;
    if (state.replies.length >= this.limits.maxPendingChannelRequests) return this.protocolError(`channel ${channel.id}: too many requests waiting for an answer`);
    const reply: Reply = { wantReply, answer: undefined };
    state.replies.push(reply);
    maybeDeferred(() => channel.requestReceived(name, data)).addCallbacks(
      (ok) => {
        reply.answer = { ok: ok === true };
        this.#sendChannelReplies(channel, state);
      },
      (f: Failure) => {
        log.failure('channel request {name} failed', f, { name }, 'warn');
        reply.answer = { ok: false };
        this.#sendChannelReplies(channel, state);
      },
    );
  }

  #sendChannelReplies(channel: SSHChannel, state: ChannelState): void {
    while (state.replies.length > 0 && state.replies[0].answer !== undefined) {
      const { wantReply, answer } = state.replies.shift()!;
      if (wantReply && !channel.closeSent && !this.stopped) this.#send(answer!.ok ? m.channelSuccess(channel.remoteId) : m.channelFailure(channel.remoteId));
    }
    if (state.replies.length === 0) channel.repliesSent();
  }

  #closeReceived(channel: SSHChannel): void {
    if (channel.closeReceivedFlag) return;
    channel.closeReceivedFlag = true;
    if (channel.closeSent) {
      this.#channelClosed(channel);
      return;
    }
    channel.closeReceived();
    // The peer will read nothing more: whatever still waits for its window is dropped.
    if (!channel.closeSent) {
      channel.discard();
      this.sendClose(channel);
    }
  }

  #channelClosed(channel: SSHChannel, reason: () => Error = () => new ChannelClosedError(`channel ${channel.id} closed`)): void {
    const state = this.#states.get(channel);
    if (state === undefined) return;
    this.#states.delete(channel);
    this.channels.delete(channel.id);
    channel.discard();
    for (const d of state?.waiting ?? []) d.errback(reason());
    channel.closed();
  }

  // ------------------------------------------------------------ helpers

  #adopt(channel: SSHChannel, id: number): void {
    channel.id = id;
    channel.conn = this;
    channel.localWindowSize ??= this.limits.windowSize;
    channel.localMaxPacket ??= this.limits.maxPacketSize;
    channel.localWindowLeft = channel.localWindowSize;
    this.#states.set(channel, { waiting: [], replies: [] });
  }

  #count(): number {
    return this.channels.size + this.#reserved.size;
  }

  #allocate(): number {
    while (this.channels.has(this.#nextId) || this.#reserved.has(this.#nextId)) this.#nextId = (this.#nextId + 1) >>> 0;
    const id = this.#nextId;
    this.#nextId = (this.#nextId + 1) >>> 0;
    return id;
  }

  #scheduleKeepalive(): void {
    const interval = this.limits.keepaliveInterval;
    if (interval <= 0) return;
    this.#keepalive = this.#clock.callLater(interval, () => {
      this.#keepalive = undefined;
      if (this.stopped) return;
      if (this.#keepaliveMissed >= this.limits.keepaliveCountMax) {
        log.info('no answer to {count} keepalives: disconnecting', { count: this.#keepaliveMissed });
        this.transport?.sendDisconnect(DISCONNECT.BY_APPLICATION, 'keepalive timeout');
        return;
      }
      this.#keepaliveMissed++;
      // Any answer, success or failure, shows the peer is there.
      const heard = () => {
        this.#keepaliveMissed = 0;
      };
      this.sendGlobalRequest('keepalive@openssh.com', new Uint8Array(), true).addCallbacks(heard, (f: Failure) => {
        if (f.check(RequestFailedError)) heard();
      });
      this.#scheduleKeepalive();
    });
  }

  #send(payload: Uint8Array): void {
    if (!this.stopped) this.transport?.sendPacket(payload);
  }
}
