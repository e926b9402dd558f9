/**
 * The errors of the live layer. Their `name` is what crosses the wire as the error's type.
 * @module
 */
import { TorsionError } from '../../errors/index.js';

/** An error raised on the other side of a live connection; `type` is the remote error's class name. */
export class RemoteError extends TorsionError {
  override readonly code = 'TORSION_LIVE_REMOTE';
  /** The error's class name on the side that raised it (`TypeError`, `NoSuchMethod`, ...). */
  readonly type: string;
  constructor(type: string, message: string) {
    super(message);
    this.type = type;
    this.name = type;
  }
}

/** A call named a method that does not exist or is not exposed (the two are not told apart, on purpose). */
export class NoSuchMethod extends TorsionError {
  override readonly code = 'TORSION_LIVE_NO_SUCH_METHOD';
  override name = 'NoSuchMethod';
}

/** A call named a widget that the receiving side does not have (never had, or detached). */
export class NoSuchWidget extends TorsionError {
  override readonly code = 'TORSION_LIVE_NO_SUCH_WIDGET';
  override name = 'NoSuchWidget';
}

/** Arguments or a result that are not JSON, or whose encoding is over the size limit. */
export class InvalidArguments extends TorsionError {
  override readonly code = 'TORSION_LIVE_INVALID_ARGUMENTS';
  override name = 'InvalidArguments';
}

/** The page is gone: its grace period ran out, or the server forgot it. Pending and later calls fail with it. */
export class PageGone extends TorsionError {
  override readonly code = 'TORSION_LIVE_PAGE_GONE';
  override name = 'PageGone';
}

/** The other side broke the live protocol (a malformed or oversized frame). */
export class LiveProtocolError extends TorsionError {
  override readonly code = 'TORSION_LIVE_PROTOCOL';
  override name = 'LiveProtocolError';
}

/** A call got no answer within the page's `callTimeout`: the other side is stuck or not answering on purpose. */
export class CallTimeout extends TorsionError {
  override name = 'CallTimeout';
  override readonly code = 'TORSION_LIVE_CALL_TIMEOUT';
}

/** A call was refused because `maxPendingCalls` calls already wait (in that direction) on this page. */
export class TooManyCalls extends TorsionError {
  override name = 'TooManyCalls';
  override readonly code = 'TORSION_LIVE_TOO_MANY_CALLS';
}
