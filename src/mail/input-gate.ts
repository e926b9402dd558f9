/**
 * The mail servers answer one command at a time: while a check or a store that a command started is pending,
 * nothing more is read, neither from what is buffered nor from the socket, so pipelined commands wait their
 * turn and a client cannot pile work up behind a slow disk or a password hash.
 * @module
 */
import type { Deferred, Failure } from '../defer/index.js';

/** The part of a transport the gate pauses. */
interface Pausable {
  pauseProducing(): void;
  resumeProducing(): void;
}

/** Holds a server's input while a Deferred it waits on is pending. */
export class InputGate {
  /** True while a Deferred is pending: the server's read loop stops. */
  busy = false;

  /**
   * `isClosed` says the connection is gone (a late result is then dropped); `transport` is paused while
   * waiting; `drain` handles what was buffered meanwhile, once the wait is over.
   */
  constructor(
    private readonly isClosed: () => boolean,
    private readonly transport: () => Pausable,
    private readonly drain: () => void,
  ) {}

  /** Runs `then` or `failed` with `d`'s outcome, reading nothing until it is known. */
  wait<T>(d: Deferred<T>, then: (result: T) => void, failed: (f: Failure) => void): void {
    let done = false;
    const finish = (run: () => void): void => {
      done = true;
      if (this.isClosed()) return;
      run();
      if (this.busy) {
        this.busy = false;
        this.transport().resumeProducing();
        this.drain();
      }
    };
    d.addCallbacks(
      (r) => finish(() => then(r)),
      (f) => finish(() => failed(f)),
    );
    if (!done) {
      this.busy = true;
      this.transport().pauseProducing();
    }
  }
}
