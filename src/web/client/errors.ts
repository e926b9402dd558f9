/**
 * The client's errors (Twisted's `web._newclient` and `web.client` errors), each with a stable `code`.
 * A body protocol's `connectionLost` gets `ResponseDone` for a complete body, `PotentialDataLoss` when the
 * body ended with the connection (no length to check it against), and `ResponseFailed` otherwise.
 * @module
 */
import { Failure } from '../../defer/index.js';
import { TorsionError } from '../../errors/index.js';

/** Base of the web client's errors. */
export class WebClientError extends TorsionError {
  override readonly code: string = 'TORSION_WEB_CLIENT';
  override name = 'WebClientError';
}

/** The whole body was received (the reason handed to a body protocol's `connectionLost`). */
export class ResponseDone extends WebClientError {
  override readonly code = 'TORSION_RESPONSE_DONE';
  override name = 'ResponseDone';
  constructor(message = 'Response body fully received') {
    super(message);
  }
}

/** The body ended with the connection: it may be complete, there is no way to know. */
export class PotentialDataLoss extends WebClientError {
  override readonly code = 'TORSION_POTENTIAL_DATA_LOSS';
  override name = 'PotentialDataLoss';
  constructor(message = 'The response body was delimited by the end of the connection; it may be incomplete') {
    super(message);
  }
}

/** A failure that wraps the failures that caused it (Twisted's `_WrapperException`). */
export class WrapperError extends WebClientError {
  override readonly code: string = 'TORSION_WEB_WRAPPER';
  override name = 'WrapperError';
  /** The underlying failures. */
  readonly reasons: Failure[];
  constructor(reasons: Failure[], message?: string) {
    super(message ?? reasons.map((r) => r.getErrorMessage()).join('; '));
    this.reasons = reasons;
  }
}

/** The response (head or body) was cut short or malformed. */
export class ResponseFailed extends WrapperError {
  override readonly code: string = 'TORSION_RESPONSE_FAILED';
  override name = 'ResponseFailed';
}

/** The connection closed before any byte of the response arrived (the request may have been processed). */
export class ResponseNeverReceived extends ResponseFailed {
  override readonly code = 'TORSION_RESPONSE_NEVER_RECEIVED';
  override name = 'ResponseNeverReceived';
}

/** The request could not be sent at all (the connection was already closed, or is busy). */
export class RequestNotSent extends WebClientError {
  override readonly code = 'TORSION_REQUEST_NOT_SENT';
  override name = 'RequestNotSent';
}

/** Writing the request failed (its body producer failed, or the connection dropped while sending). */
export class RequestTransmissionFailed extends WrapperError {
  override readonly code = 'TORSION_REQUEST_TRANSMISSION_FAILED';
  override name = 'RequestTransmissionFailed';
}

/** The URI's scheme is neither http nor https. */
export class SchemeNotSupported extends WebClientError {
  override readonly code = 'TORSION_SCHEME_NOT_SUPPORTED';
  override name = 'SchemeNotSupported';
}

/** More redirects than the agent's limit (Twisted's `InfiniteRedirection`). */
export class InfiniteRedirection extends WebClientError {
  override readonly code = 'TORSION_INFINITE_REDIRECTION';
  override name = 'InfiniteRedirection';
  constructor(message: string, readonly location: string | null) {
    super(message);
  }
}

/** A 3xx response without a `Location` header. */
export class RedirectWithNoLocation extends WebClientError {
  override readonly code = 'TORSION_REDIRECT_WITH_NO_LOCATION';
  override name = 'RedirectWithNoLocation';
}

/** `readBody` got a body that may be incomplete; `body` holds what arrived. */
export class PartialDownloadError extends WebClientError {
  override readonly code = 'TORSION_PARTIAL_DOWNLOAD';
  override name = 'PartialDownloadError';
  constructor(readonly body: Uint8Array, message = 'the response body may be incomplete (no Content-Length, ended by the connection)') {
    super(message);
  }
}

/** A body (raw or decoded) passed the size the caller allowed. */
export class BodyTooLarge extends WebClientError {
  override readonly code = 'TORSION_BODY_TOO_LARGE';
  override name = 'BodyTooLarge';
  /**
   * @param limit the limit in bytes
   * @param remedy how to allow a bigger body, for the message
   */
  constructor(readonly limit: number, remedy?: string) {
    super(`response body larger than the limit of ${limit} bytes${remedy === undefined ? '' : ` (${remedy})`}`);
  }
}

/** A proxy refused to open a CONNECT tunnel. */
export class TunnelError extends WebClientError {
  override readonly code = 'TORSION_TUNNEL';
  override name = 'TunnelError';
  constructor(readonly statusCode: number, message: string) {
    super(message);
  }
}

/** The response body stopped arriving: no byte for `seconds` while it was being read (the connection is aborted). */
export class ResponseBodyTimeout extends WebClientError {
  override readonly code = 'TORSION_RESPONSE_BODY_TIMEOUT';
  override name = 'ResponseBodyTimeout';
  constructor(readonly seconds: number) {
    super(`the response body stalled: no byte received for ${seconds} s`);
  }
}
