/**
 * The roles of the web client. Type-only: this file emits no code.
 * @module
 */
import type { Deferred, Failure } from '../../defer/index.js';
import type { IConsumer, IPushProducer, ITransport } from '../../internet/interfaces.js';
import type { Headers } from '../headers.js';
import type { Response } from './response.js';

/** Request headers as callers write them: a `Headers`, a record (arrays repeat a field), or pairs. */
export type HeadersInit = Headers | Readonly<Record<string, string | readonly string[]>> | ReadonlyArray<readonly [string, string]>;

/**
 * A request body (Twisted's `IBodyProducer`). With a known `length` the request carries `Content-Length`;
 * with `null` it is sent chunked.
 */
export interface IBodyProducer {
  /** Size in bytes, or null when unknown. */
  readonly length: number | null;
  /** True when `startProducing` may run again with the same bytes (a 307/308 redirect resends the body). */
  readonly replayable?: boolean;
  /** Writes the body into `consumer`; fires once all of it is written (fails if it cannot be). */
  startProducing(consumer: IConsumer): Deferred<void>;
  /** The connection's buffer is full: wait for `resumeProducing`. */
  pauseProducing(): void;
  resumeProducing(): void;
  /** The request is abandoned: stop for good (the `startProducing` Deferred need not fire). */
  stopProducing(): void;
}

/** What a body protocol is handed by `deliverBody`: pause/resume the body (backpressure) or stop it. */
export type BodyTransport = ITransport & IPushProducer;

/**
 * Receives a response body: `makeConnection` (optional) → `dataReceived`* → `connectionLost(reason)` with
 * `ResponseDone`, `PotentialDataLoss` or `ResponseFailed`. A `Protocol` from `torsion/internet` fits.
 */
export interface IBodyProtocol {
  makeConnection?(transport: BodyTransport): void;
  dataReceived(data: Uint8Array): void;
  connectionLost(reason: Failure): void;
}

/** Makes HTTP requests (Twisted's `IAgent`); agents wrap agents (redirects, decoding, cookies). */
export interface IAgent {
  request(method: string, uri: string, headers?: HeadersInit | null, bodyProducer?: IBodyProducer | null): Deferred<Response>;
}
