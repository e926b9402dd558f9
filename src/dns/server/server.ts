/**
 * The DNS server's transports: `DNSDatagramProtocol` for UDP (rate-limited per source address) and
 * `DNSServerFactory` for TCP (length-prefixed, idle connections closed), both over a `QueryHandler`.
 * @module
 */
import { DatagramProtocol, Factory, Protocol } from '../../internet/protocol.js';
import type { IAddress } from '../../internet/interfaces.js';
import type { IDelayedCall, IReactorTime } from '../../time/interfaces.js';
import type { Failure } from '../../defer/index.js';
import { DNS_LIMITS, type DNSLimits } from '../limits.js';
import { frameMessage, MessageStreamDecoder } from '../stream.js';
import type { QueryHandler } from './handler.js';
import { SourceRateLimiter } from './rate-limit.js';

function whenDone(result: Uint8Array[] | Promise<Uint8Array[]>, send: (replies: Uint8Array[]) => void): void {
  if (Array.isArray(result)) send(result);
  else result.then(send, () => undefined);
}

/** Answers queries over UDP. */
export class DNSDatagramProtocol extends DatagramProtocol {
  readonly #limiter: SourceRateLimiter;
  /** Queries dropped by the per-source rate limit. */
  dropped = 0;

  constructor(private readonly handler: QueryHandler, clock: IReactorTime, limits: Partial<DNSLimits> = {}) {
    super();
    const l = { ...DNS_LIMITS, ...limits };
    this.#limiter = new SourceRateLimiter(clock, l.serverQueriesPerSecond, l.serverRateLimitSources);
  }

  override datagramReceived(data: Uint8Array, addr: { host: string; port: number }): void {
    if (!this.#limiter.allow(addr.host)) {
      this.dropped++;
      return;
    }
    const result = this.handler.handle(data, 'udp', addr.host);
    // The common case (an answer at hand) sends at once, with no closure made for it.
    if (Array.isArray(result)) this.#send(result, addr);
    else result.then((replies) => this.#send(replies, addr), () => undefined);
  }

  #send(replies: Uint8Array[], addr: { host: string; port: number }): void {
    for (const reply of replies) this.transport?.write(reply, addr);
  }
}

class DNSStreamProtocol extends Protocol {
  #decoder: MessageStreamDecoder;
  #idle: IDelayedCall | undefined;

  constructor(private readonly handler: QueryHandler, private readonly clock: IReactorTime, private readonly limits: DNSLimits) {
    super();
    this.#decoder = new MessageStreamDecoder(limits.maxTCPBufferBytes);
  }

  override connectionMade(): void {
    this.#idle = this.clock.callLater(this.limits.tcpIdleTimeout, () => this.transport.loseConnection());
  }

  override dataReceived(data: Uint8Array): void {
    let messages: Uint8Array[];
    try {
      messages = this.#decoder.feed(data);
    } catch {
      this.transport.loseConnection();
      return;
    }
    if (this.#idle?.active() === true) this.#idle.reset(this.limits.tcpIdleTimeout);
    for (const message of messages) {
      whenDone(this.handler.handle(message, 'tcp', this.#peerHost()), (replies) => {
        if (this.connected) this.transport.writeSequence(replies.map(frameMessage));
      });
    }
  }

  #peerHost(): string | undefined {
    const peer = this.transport.getPeer() as { host?: unknown };
    return typeof peer.host === 'string' ? peer.host : undefined;
  }

  override connectionLost(reason: Failure): void {
    super.connectionLost(reason);
    if (this.#idle?.active() === true) this.#idle.cancel();
  }
}

/** Builds a TCP protocol per connection. */
export class DNSServerFactory extends Factory {
  readonly #limits: DNSLimits;

  constructor(private readonly handler: QueryHandler, private readonly clock: IReactorTime, limits: Partial<DNSLimits> = {}) {
    super();
    this.#limits = { ...DNS_LIMITS, ...limits };
  }

  override buildProtocol(_addr: IAddress): Protocol {
    return new DNSStreamProtocol(this.handler, this.clock, this.#limits);
  }
}
