/**
 * A real-time `IReactorTime` built on the platform's `setTimeout`, the default clock of the timeouts and
 * throttles here. It lets `torsion/protocols` keep its promise of running in a browser, where the Node
 * reactor does not exist; pass the reactor (or a test `Clock`) instead wherever a `clock` is taken.
 * @module
 */
import { DelayedCall, checkDelay } from '../internet/delayed-call.js';
import type { IReactorTime } from '../internet/interfaces.js';

type Handle = ReturnType<typeof setTimeout>;

class TimerClock implements IReactorTime {
  readonly #handles = new Map<DelayedCall, Handle>();
  readonly #hooks = {
    seconds: () => this.seconds(),
    onCancel: (call: DelayedCall) => this.#disarm(call),
    onReset: (call: DelayedCall) => {
      this.#disarm(call);
      this.#arm(call);
    },
  };

  seconds(): number {
    return performance.now() / 1000;
  }

  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    const call = new DelayedCall(this.seconds() + checkDelay(seconds), fn as (...args: unknown[]) => unknown, args, this.#hooks);
    this.#arm(call);
    return call;
  }

  getDelayedCalls(): DelayedCall[] {
    return [...this.#handles.keys()];
  }

  #arm(call: DelayedCall): void {
    const ms = Math.max(0, (call.getTime() - this.seconds()) * 1000);
    this.#handles.set(
      call,
      setTimeout(() => {
        this.#handles.delete(call);
        call.run();
      }, ms),
    );
  }

  #disarm(call: DelayedCall): void {
    const h = this.#handles.get(call);
    if (h !== undefined) clearTimeout(h);
    this.#handles.delete(call);
  }
}

/** The shared real-time clock (seconds since the page or process started). */
export const timerClock: IReactorTime = new TimerClock();
