/**
 * `ReconnectingClientFactory`: a client factory that reconnects with exponential back-off (Twisted's
 * `twisted.internet.protocol.ReconnectingClientFactory`).
 * @module
 */
import type { Failure } from '../defer/index.js';
import { Logger } from '../logger/index.js';
import type { IConnector, IDelayedCall, IProtocol, IReactorTime } from './interfaces.js';
import { ClientFactory } from './protocol.js';
import { reactor } from './reactor.js';

const log = new Logger({ namespace: 'torsion.internet.reconnect' });

/** A normally distributed number (Box-Muller) from a uniform source. */
function normalVariate(mean: number, sigma: number, random: () => number): number {
  const u = 1 - random();
  const v = random();
  return mean + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Reconnects whenever a connection fails or is lost, waiting longer after each failure: the delay is
 * multiplied by `factor` up to `maxDelay`, with normally distributed `jitter` so that many clients do not
 * reconnect in lock step. Call {@link ReconnectingClientFactory.resetDelay} once a connection works (usually
 * in the protocol's `connectionMade`), and {@link ReconnectingClientFactory.stopTrying} to give up.
 *
 * @example
 * class EchoClientFactory extends ReconnectingClientFactory {
 *   override buildProtocol(addr: IAddress) {
 *     this.resetDelay();
 *     return super.buildProtocol(addr);
 *   }
 * }
 * reactor.connectTCP('127.0.0.1', 8007, EchoClientFactory.forProtocol(Echo));
 */
export class ReconnectingClientFactory<P extends IProtocol = IProtocol> extends ClientFactory<P> {
  /** The longest wait between attempts, in seconds. */
  maxDelay = 3600;
  /** The first wait, in seconds. */
  initialDelay = 1.0;
  /** How much the wait grows after each failure (e, as Twisted). */
  factor = 2.718281828459045;
  /** Standard deviation of the wait, as a fraction of it. 0 for exact delays. */
  jitter = 0.11962656472;
  /** The wait before the next attempt. */
  delay = this.initialDelay;
  /** Failed attempts since the last `resetDelay`. */
  retries = 0;
  /** Give up after this many retries (undefined: never). */
  maxRetries: number | undefined;
  /** False once `stopTrying` was called. */
  continueTrying = true;
  /** The connector to retry (the last one that failed or was lost). */
  connector: IConnector | undefined;
  /** Where retries are scheduled: the reactor unless replaced (tests set a `Clock`). */
  clock: IReactorTime | undefined;
  /** The uniform random source for jitter. */
  random: () => number = Math.random;
  #callID: IDelayedCall | undefined;

  /** Retries, unless `stopTrying` was called. */
  override clientConnectionFailed(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Reconnects, unless `stopTrying` was called. */
  override clientConnectionLost(connector: IConnector, _reason: Failure): void {
    if (this.continueTrying) {
      this.connector = connector;
      this.retry();
    }
  }

  /** Schedules another attempt on `connector` (default: the last one seen) after the next delay. */
  retry(connector: IConnector | undefined = this.connector): void {
    if (!this.continueTrying) return;
    if (!connector) throw new Error('no connector to retry');
    this.retries++;
    if (this.maxRetries !== undefined && this.retries > this.maxRetries) {
      log.info('abandoning {connector} after {retries} retries', { connector: String(connector.getDestination()), retries: this.maxRetries });
      return;
    }
    this.delay = Math.min(this.delay * this.factor, this.maxDelay);
    if (this.jitter) this.delay = Math.max(0, normalVariate(this.delay, this.delay * this.jitter, this.random));
    log.debug('will retry {connector} in {delay} seconds', { connector: String(connector.getDestination()), delay: this.delay });
    this.clock ??= reactor;
    this.#callID = this.clock.callLater(this.delay, () => {
      this.#callID = undefined;
      connector.connect();
    });
  }

  /** Gives up: cancels the pending retry and stops an attempt in progress. */
  stopTrying(): void {
    if (this.#callID) {
      this.#callID.cancel();
      this.#callID = undefined;
    }
    this.continueTrying = false;
    if (this.connector) {
      try {
        this.connector.stopConnecting();
      } catch {
        // Not connecting right now: nothing to stop, as Twisted's NotConnectingError.
      }
    }
  }

  /** Back to the initial delay and zero retries; call it when a connection has worked. */
  resetDelay(): void {
    this.delay = this.initialDelay;
    this.retries = 0;
    this.#callID = undefined;
    this.continueTrying = true;
  }
}
