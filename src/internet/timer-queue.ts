/**
 * The real reactor's scheduler: a binary heap of `DelayedCall`s behind ONE Node timer, armed for the
 * earliest deadline. Idle timeouts reset their call on every read, thousands of times a second, so
 * `reset` to a later time is O(1): the call keeps its old heap slot and, when that slot comes due, is
 * re-filed at its new time instead of run. Only moving a call earlier touches the heap.
 * @module
 */
import { DelayedCall, checkDelay, type DelayedCallHooks } from '../time/delayed-call.js';

/** A `DelayedCall` that knows its heap slot. */
class QueuedCall extends DelayedCall {
  /** Index in the heap, -1 when not in it. */
  index = -1;
  /** The time the heap orders it by; `getTime()` may be later (lazy reset), never earlier. */
  heapTime = 0;
  /** Insertion order, so equal times run first-scheduled-first. */
  seq = 0;
}

function before(a: QueuedCall, b: QueuedCall): boolean {
  return a.heapTime < b.heapTime || (a.heapTime === b.heapTime && a.seq < b.seq);
}

/** Schedules calls on Node's event loop with a single timer. */
export class TimerQueue {
  readonly #heap: QueuedCall[] = [];
  #seq = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** The heap time the timer is armed for. */
  #armedFor = Infinity;
  #keepsAlive = true;
  readonly #hooks: DelayedCallHooks;

  /**
   * @param now the time source, in seconds
   * @param onError where errors thrown by calls go (the reactor logs them); the other calls still run
   */
  constructor(
    readonly now: () => number,
    readonly onError: (error: unknown, call: DelayedCall) => void,
  ) {
    this.#hooks = {
      seconds: now,
      onCancel: (call) => this.#remove(call as QueuedCall),
      onReset: (call) => this.#moved(call as QueuedCall),
    };
  }

  /** Runs `fn(...args)` after `seconds`. */
  callLater<A extends unknown[]>(seconds: number, fn: (...args: A) => unknown, ...args: A): DelayedCall {
    const call = new QueuedCall(this.now() + checkDelay(seconds), fn as (...args: unknown[]) => unknown, args, this.#hooks);
    this.#push(call);
    return call;
  }

  /**
   * Whether pending calls keep the process alive (the default). A reactor that has stopped turns this off,
   * so, as in Twisted, calls still scheduled do not hold the program open after `run()` has returned.
   */
  keepAlive(keep: boolean): void {
    this.#keepsAlive = keep;
    if (this.#timer !== undefined) {
      if (keep) this.#timer.ref();
      else this.#timer.unref();
    }
  }

  /** The pending calls (unordered). */
  getDelayedCalls(): DelayedCall[] {
    return this.#heap.slice();
  }

  /** How many calls are pending. */
  get size(): number {
    return this.#heap.length;
  }

  #push(call: QueuedCall): void {
    call.heapTime = call.getTime();
    call.seq = this.#seq++;
    call.index = this.#heap.length;
    this.#heap.push(call);
    this.#up(call.index);
    this.#arm();
  }

  #moved(call: QueuedCall): void {
    if (call.index < 0) return;
    const t = call.getTime();
    if (t >= call.heapTime) return; // later: re-filed lazily when its old slot comes due
    call.heapTime = t;
    this.#up(call.index);
    this.#arm();
  }

  #remove(call: QueuedCall): void {
    const i = call.index;
    if (i < 0) return;
    const heap = this.#heap;
    const last = heap.pop()!;
    call.index = -1;
    if (i < heap.length) {
      heap[i] = last;
      last.index = i;
      this.#down(i);
      this.#up(last.index);
    }
    if (heap.length === 0) this.#disarm();
  }

  #up(i: number): void {
    const heap = this.#heap;
    const item = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(item, heap[p])) break;
      heap[i] = heap[p];
      heap[i].index = i;
      i = p;
    }
    heap[i] = item;
    item.index = i;
  }

  #down(i: number): void {
    const heap = this.#heap;
    const n = heap.length;
    const item = heap[i];
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && before(heap[c + 1], heap[c])) c++;
      if (!before(heap[c], item)) break;
      heap[i] = heap[c];
      heap[i].index = i;
      i = c;
    }
    heap[i] = item;
    item.index = i;
  }

  #pop(): QueuedCall {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      last.index = 0;
      this.#down(0);
    }
    top.index = -1;
    return top;
  }

  #arm(): void {
    const heap = this.#heap;
    if (heap.length === 0) return this.#disarm();
    const due = heap[0].heapTime;
    if (this.#timer !== undefined && due >= this.#armedFor) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedFor = due;
    const ms = Math.max(0, Math.ceil((due - this.now()) * 1000));
    this.#timer = setTimeout(this.#fire, ms);
    if (!this.#keepsAlive) this.#timer.unref();
  }

  #disarm(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
  }

  readonly #fire = (): void => {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const now = this.now();
    // Calls scheduled while these run (even callLater(0)) wait for the next turn of the loop, as in Twisted.
    const lastSeq = this.#seq;
    const heap = this.#heap;
    while (heap.length > 0 && heap[0].heapTime <= now && heap[0].seq < lastSeq) {
      const call = this.#pop();
      if (call.getTime() > now) {
        this.#push(call); // reset to later since it was filed
        continue;
      }
      try {
        call.run();
      } catch (e) {
        this.onError(e, call);
      }
    }
    this.#arm();
  };
}
