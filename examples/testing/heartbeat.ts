/**
 * A small line protocol to show how `torsion/testing` tests a protocol: the client sends `PING <n>` every
 * `interval` seconds and gives up on the server after `timeout` seconds without a `PONG`; the server answers
 * every `PING` and says `BYE` to `QUIT`. Time comes from an injected `IReactorTime`, so tests use a `Clock`.
 */
import { Deferred } from 'torsion/defer';
import type { IDelayedCall, IReactorTime } from 'torsion/internet';
import { LineReceiver } from 'torsion/protocols';

const decoder = new TextDecoder();

/** Answers `PING <n>` with `PONG <n>`; `QUIT` with `BYE` and a close. */
export class HeartbeatServer extends LineReceiver {
  /** While false the server ignores pings (to show the client's timeout). */
  answering = true;

  override lineReceived(bytes: Uint8Array): void {
    const line = decoder.decode(bytes);
    if (line.startsWith('PING ')) {
      if (this.answering) this.sendLine(`PONG ${line.slice(5)}`);
    } else if (line === 'QUIT') {
      this.sendLine('BYE');
      this.transport.loseConnection();
    } else {
      this.sendLine(`ERR unknown command ${JSON.stringify(line)}`);
    }
  }
}

/** Pings the server on a timer and measures round trips; drops a silent server. */
export class HeartbeatClient extends LineReceiver {
  #next = 1;
  #waiting = new Map<number, { sentAt: number; reply: Deferred<number> }>();
  #timer: IDelayedCall | null = null;
  #lastHeard = 0;

  /**
   * @param clock where time comes from (the reactor in production, a `Clock` in tests)
   * @param interval seconds between pings
   * @param timeout seconds of silence after which the connection is dropped
   */
  constructor(readonly clock: IReactorTime, readonly interval = 10, readonly timeout = 30) {
    super();
  }

  override connectionMade(): void {
    this.#lastHeard = this.clock.seconds();
    this.#timer = this.clock.callLater(this.interval, () => this.#tick());
  }

  /** Sends one ping; the Deferred fires with the round-trip time in seconds. */
  ping(): Deferred<number> {
    const n = this.#next++;
    const reply = new Deferred<number>();
    this.#waiting.set(n, { sentAt: this.clock.seconds(), reply });
    this.sendLine(`PING ${n}`);
    return reply;
  }

  override lineReceived(bytes: Uint8Array): void {
    const line = decoder.decode(bytes);
    this.#lastHeard = this.clock.seconds();
    const match = /^PONG (\d+)$/.exec(line);
    if (!match) return;
    const pending = this.#waiting.get(Number(match[1]));
    if (!pending) return;
    this.#waiting.delete(Number(match[1]));
    pending.reply.callback(this.clock.seconds() - pending.sentAt);
  }

  override connectionLost(reason: Parameters<LineReceiver['connectionLost']>[0]): void {
    super.connectionLost(reason);
    if (this.#timer?.active()) this.#timer.cancel();
    for (const { reply } of this.#waiting.values()) reply.errback(reason);
    this.#waiting.clear();
  }

  #tick(): void {
    if (this.clock.seconds() - this.#lastHeard >= this.timeout) {
      this.transport.loseConnection();
      return;
    }
    // A timer ping's reply only matters as a sign of life: its failure on disconnect is expected.
    this.ping().addErrback(() => undefined);
    this.#timer = this.clock.callLater(this.interval, () => this.#tick());
  }
}
