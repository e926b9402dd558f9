/**
 * Network errors (Twisted's `internet/error.py`), each with a stable `code` (as undici's errors).
 * @module
 */
import { TorsionError } from '../errors/index.js';

/** Base of Torsion's network errors. */
export class NetworkError extends TorsionError {
  override readonly code: string = 'TORSION_NETWORK';
  override name = 'NetworkError';
}

/** The connection was closed cleanly (handed to `connectionLost`). */
export class ConnectionDone extends NetworkError {
  override readonly code = 'TORSION_CONNECTION_DONE';
  override name = 'ConnectionDone';
  constructor(message = 'Connection was closed cleanly.') {
    super(message);
  }
}

/** The connection was lost in a non-clean fashion. */
export class ConnectionLost extends NetworkError {
  override readonly code: string = 'TORSION_CONNECTION_LOST';
  override name = 'ConnectionLost';
  constructor(message = 'Connection to the other side was lost in a non-clean fashion.', options?: ErrorOptions) {
    super(message, options);
  }
}

/** The connection was aborted locally (`abortConnection`). */
export class ConnectionAborted extends ConnectionLost {
  override readonly code = 'TORSION_CONNECTION_ABORTED';
  override name = 'ConnectionAborted';
  constructor(message = 'Connection was aborted locally.') {
    super(message);
  }
}

/** An outgoing connection could not be made. */
export class ConnectError extends NetworkError {
  override readonly code: string = 'TORSION_CONNECT';
  override name = 'ConnectError';
}

/** The peer refused the connection. */
export class ConnectionRefusedError extends ConnectError {
  override readonly code = 'TORSION_CONNECTION_REFUSED';
  override name = 'ConnectionRefusedError';
}

/** Connecting took longer than the timeout. */
export class ConnectingTimeoutError extends ConnectError {
  override readonly code = 'TORSION_CONNECT_TIMEOUT';
  override name = 'ConnectingTimeoutError';
}

/** A host name could not be resolved. */
export class DNSLookupError extends ConnectError {
  override readonly code = 'TORSION_DNS_LOOKUP';
  override name = 'DNSLookupError';
}

/** `stopConnecting` was called during the attempt. */
export class UserError extends ConnectError {
  override readonly code = 'TORSION_CONNECT_CANCELLED';
  override name = 'UserError';
}

/** A port could not be listened on. */
export class CannotListenError extends NetworkError {
  override readonly code = 'TORSION_CANNOT_LISTEN';
  override name = 'CannotListenError';
}

/** A process exited with status 0. */
export class ProcessDone extends NetworkError {
  override readonly code = 'TORSION_PROCESS_DONE';
  override name = 'ProcessDone';
  readonly exitCode = 0;
  readonly signal = null;
  constructor() {
    super('A process has ended without apparent errors: process finished with exit code 0.');
  }
}

/** A process exited with a non-zero status or was killed by a signal. */
export class ProcessTerminated extends NetworkError {
  override readonly code = 'TORSION_PROCESS_TERMINATED';
  override name = 'ProcessTerminated';
  constructor(readonly exitCode: number | null, readonly signal: string | null) {
    super(signal ? `A process has ended with a probable error condition: process ended by signal ${signal}.` : `A process has ended with a probable error condition: process ended with exit code ${exitCode}.`);
  }
}

export { AlreadyCancelled, AlreadyCalled } from '../time/errors.js';

/** An endpoint description string could not be parsed; names the bad part. */
export class EndpointSyntaxError extends TorsionError {
  override readonly code = 'TORSION_ENDPOINT_SYNTAX';
  override name = 'EndpointSyntaxError';
}

/** `reactor.getThreadPool()` before `torsion/threads` was imported. */
export class ThreadsNotLoadedError extends TorsionError {
  override readonly code = 'TORSION_THREADS_NOT_LOADED';
  override name = 'ThreadsNotLoadedError';
  constructor() {
    super("the reactor's thread pool is torsion/threads' default pool: import 'torsion/threads' before calling getThreadPool()");
  }
}
