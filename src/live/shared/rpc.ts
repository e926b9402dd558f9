/**
 * `RemoteCalls`: method calls in both directions over a reliable session. The same code runs on the server
 * (calling widgets in the page) and in the page (calling elements on the server).
 *
 * ```
 * ["c", callId, widgetId, method, args]   call
 * ["r", callId, result]                   result
 * ["e", callId, errorType, message]       error (its type and message become a RemoteError)
 * ```
 *
 * A peer that never answers must not make the calls to it pile up, and one that calls without end must not
 * make the calls from it pile up: both directions have a cap (`maxPending`), and calls out a deadline.
 * @module
 */
import { Deferred, maybeDeferred, type Failure } from '../../defer/index.js';
import type { MemoryBudget } from './budget.js';
import { cancelTimer } from './timers.js';
import { CallTimeout, InvalidArguments, LiveProtocolError, NoSuchMethod, NoSuchWidget, RemoteError, TooManyCalls } from './errors.js';
import { exposedMethod } from './expose.js';
import type { SharedMessage } from './frames.js';
import type { IReactorTime, IDelayedCall } from '../../time/interfaces.js';

/** What one call waiting for its answer costs, in bytes: its Deferred, its map entry and its bookkeeping. */
export const PENDING_CALL_COST = 256;

/** A method the receiving side provides itself, not subject to `expose` (adding and detaching widgets). */
export type Builtin = (target: object, args: unknown[]) => unknown;

/** Options of {@link RemoteCalls}. */
export interface RemoteCallsOptions {
  /** Sends one payload, already JSON text, reliably. */
  sendJSON: (payloadJSON: string) => void;
  /** Sends a payload encoded once for many peers (see {@link RemoteCalls.callShared}); without it, as `sendJSON` would. */
  sendShared?: (message: SharedMessage) => void;
  /** The local object a widget id names, or `undefined`. */
  lookup: (widgetId: number) => object | undefined;
  /** Methods available on every target under reserved names (starting with `__`). */
  builtins?: Record<string, Builtin>;
  /** Largest JSON encoding of arguments or a result, in characters. */
  maxMessageSize: number;
  /** Told about each local method that failed (for logging); the error goes back to the caller anyway. */
  onLocalError?: (failure: Failure, widgetId: number, method: string) => void;
  /**
   * Most calls out waiting for their answers, and most calls in being answered (default no limit). Beyond it
   * a call out fails at once, and a call in is answered, with `TooManyCalls`.
   */
  maxPending?: number;
  /** Seconds a call out waits for its answer before failing with `CallTimeout` (default 0: forever). Needs `clock`. */
  callTimeout?: number;
  /** Time source of `callTimeout`. */
  clock?: IReactorTime;
  /** Charged {@link PENDING_CALL_COST} for each call out while it waits. */
  budget?: MemoryBudget;
}

/** A call out waiting for its answer. */
interface Pending {
  readonly id: number;
  readonly d: Deferred<unknown>;
  /** When it times out, in the clock's seconds. */
  readonly deadline: number;
  readonly widgetId: number;
  readonly method: string;
}

/** The payload of a call of `method` on widget `widgetId`, whose arguments are already JSON. */
export function encodeCall(id: number, widgetId: number, method: string, argsJSON: string): string {
  return `["c",${id},${widgetId},${JSON.stringify(method)},${argsJSON}]`;
}

/** Encodes `value` as JSON within `limit` characters, or throws {@link InvalidArguments}. */
export function encodeLimited(value: unknown, limit: number, what: string): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw new InvalidArguments(`${what} are not JSON: ${(e as Error).message}`);
  }
  json ??= 'null';
  if (json.length > limit) throw new InvalidArguments(`${what} are ${json.length} characters of JSON, over the limit of ${limit}`);
  return json;
}

function className(target: object): string {
  const ctor = Object.getPrototypeOf(target)?.constructor as { name?: unknown } | undefined;
  return typeof ctor?.name === 'string' ? ctor.name : 'Object';
}

/** `#pending` of a peer with no call waiting: shared, never added to (a server has many idle pages). */
const NONE_PENDING = new Map<number, Pending>();

/** Outgoing calls waiting for their answers, and dispatch of incoming calls to exposed methods. */
export class RemoteCalls {
  readonly #o: RemoteCallsOptions;
  /**
   * The oldest call waiting, held as it is: a page usually has one call out at a time (a broadcast's), and a
   * Map made for it and emptied at its answer would be the largest thing each broadcast allocates per page.
   */
  #one: Pending | null = null;
  /**
   * The others, in the order they were made (after `#one`), which is also the order of their deadlines; the
   * shared empty one when none waits.
   */
  #pending: Map<number, Pending> = NONE_PENDING;
  #nextId = 1;
  #failed: Error | null = null;
  /** Calls in whose answers are not sent yet. */
  #running = 0;
  #timer: IDelayedCall | null = null;

  constructor(options: RemoteCallsOptions) {
    this.#o = options;
  }

  /** Number of calls still waiting for an answer. */
  get pendingCount(): number {
    return (this.#one === null ? 0 : 1) + this.#pending.size;
  }

  /** Number of calls from the other side still being answered. */
  get runningCount(): number {
    return this.#running;
  }

  /**
   * Calls `method` of the remote widget `widgetId`. The Deferred fires with its result, or fails with a
   * {@link RemoteError} carrying the remote error's type and message (or {@link InvalidArguments} at once).
   * It fails with {@link TooManyCalls} at once when `maxPending` calls already wait, and with
   * {@link CallTimeout} when no answer came within `callTimeout`.
   */
  call<T = unknown>(widgetId: number, method: string, args: unknown[]): Deferred<T> {
    const refused = this.#refusal(method);
    if (refused !== null) return Deferred.fail<T>(refused);
    let json: string;
    try {
      json = encodeLimited(args, this.#o.maxMessageSize, 'arguments');
    } catch (e) {
      return Deferred.fail<T>(e);
    }
    const id = this.#nextId++;
    return this.#send<T>(id, widgetId, method, encodeCall(id, widgetId, method, json));
  }

  /**
   * Makes a call encoded once for many peers (see {@link encodeCall}; `callRemoteAll` on the server): `id`
   * comes from a range of its own (negative numbers), the same for every peer, so the payload is too.
   * `argsLength` is the length of the arguments' JSON, checked against `maxMessageSize`. If a call with
   * that id already waits here (the same widget named twice), this one goes out as an ordinary call.
   */
  callShared<T = unknown>(id: number, widgetId: number, method: string, args: unknown[], argsLength: number, message: SharedMessage): Deferred<T> {
    if (this.#find(id) !== undefined) return this.call<T>(widgetId, method, args);
    const refused = this.#refusal(method);
    if (refused !== null) return Deferred.fail<T>(refused);
    if (argsLength > this.#o.maxMessageSize) return Deferred.fail<T>(new InvalidArguments(`arguments are ${argsLength} characters of JSON, over the limit of ${this.#o.maxMessageSize}`));
    return this.#send<T>(id, widgetId, method, message);
  }

  /** Why a call cannot be made now (the peer is gone, or too many calls wait), or null. */
  #refusal(method: string): Error | null {
    if (this.#failed !== null) return this.#failed;
    const max = this.#o.maxPending ?? Infinity;
    return this.pendingCount >= max ? new TooManyCalls(`${max} calls already wait for their answers; ${method} was not sent`) : null;
  }

  #send<T>(id: number, widgetId: number, method: string, payload: string | SharedMessage): Deferred<T> {
    // A refusal drops the page (the budget's owner does), which fails every call with the reason.
    if (this.#o.budget?.charge(PENDING_CALL_COST) === false) return Deferred.fail<T>(this.#failed ?? new TooManyCalls(`no memory left for ${method}`));
    const d = new Deferred<T>(() => this.#forget(id));
    const timeout = this.#o.callTimeout ?? 0;
    const deadline = timeout > 0 && this.#o.clock !== undefined ? this.#o.clock.seconds() + timeout : Infinity;
    const p: Pending = { id, d: d as Deferred<unknown>, deadline, widgetId, method };
    if (this.#one === null && this.#pending.size === 0) this.#one = p;
    else {
      if (this.#pending === NONE_PENDING) this.#pending = new Map();
      this.#pending.set(id, p);
    }
    this.#armTimeout();
    if (typeof payload === 'string') this.#o.sendJSON(payload);
    else if (this.#o.sendShared !== undefined) this.#o.sendShared(payload);
    else this.#o.sendJSON(payload.payloadJSON);
    return d;
  }

  /** Fails every pending call, and every later one, with `error` (the page is gone). */
  failAll(error: Error): void {
    this.#failed = error;
    cancelTimer(this.#timer);
    this.#timer = null;
    const pending = [...(this.#one === null ? [] : [this.#one.id]), ...this.#pending.keys()];
    for (const id of pending) this.#settle(id)?.errback(error);
  }

  /** Handles one delivered payload. Throws {@link LiveProtocolError} if it is not a call, result or error. */
  handle(payload: unknown): void {
    if (!Array.isArray(payload) || typeof payload[1] !== 'number') throw new LiveProtocolError('malformed payload');
    switch (payload[0]) {
      case 'c':
        if (typeof payload[2] !== 'number' || typeof payload[3] !== 'string' || !Array.isArray(payload[4])) break;
        this.#incoming(payload[1], payload[2], payload[3], payload[4]);
        return;
      case 'r':
        this.#settle(payload[1])?.callback(payload[2]);
        return;
      case 'e':
        this.#settle(payload[1])?.errback(new RemoteError(String(payload[2]), String(payload[3])));
        return;
    }
    throw new LiveProtocolError('malformed payload');
  }

  /** Takes call `id` out of the pending ones, if it still is, and returns its Deferred. */
  #settle(id: number): Deferred<unknown> | undefined {
    const p = this.#find(id);
    if (p === undefined) return undefined;
    this.#forget(id);
    return p.d;
  }

  #find(id: number): Pending | undefined {
    return this.#one?.id === id ? this.#one : this.#pending.get(id);
  }

  #forget(id: number): void {
    if (this.#one?.id === id) this.#one = null;
    else if (this.#pending.delete(id)) {
      if (this.#pending.size === 0) this.#pending = NONE_PENDING;
    } else return;
    this.#o.budget?.release(PENDING_CALL_COST);
  }

  /** The oldest call waiting, whose deadline is the earliest. */
  #first(): Pending | undefined {
    return this.#one ?? this.#pending.values().next().value;
  }

  /** One timer for all calls: they time out in the order they were made. */
  #armTimeout(): void {
    const clock = this.#o.clock;
    if (this.#timer !== null || clock === undefined) return;
    const first = this.#first();
    if (first === undefined || first.deadline === Infinity) return;
    this.#timer = clock.callLater(Math.max(0, first.deadline - clock.seconds()), RemoteCalls.#timedOut, this, clock);
  }

  static #timedOut(calls: RemoteCalls, clock: IReactorTime): void {
    calls.#timer = null;
    calls.#expire(clock.seconds());
  }

  #expire(now: number): void {
    for (let p = this.#first(); p !== undefined && p.deadline <= now + 1e-6; p = this.#first()) {
      this.#forget(p.id);
      p.d.errback(new CallTimeout(`no answer to ${p.method} on widget ${p.widgetId} within ${this.#o.callTimeout} seconds`));
    }
    this.#armTimeout();
  }

  #incoming(id: number, widgetId: number, method: string, args: unknown[]): void {
    const max = this.#o.maxPending ?? Infinity;
    if (this.#running >= max) {
      this.#replyError(id, new TooManyCalls(`${max} calls are being answered already; ${method} was refused`));
      return;
    }
    const target = this.#o.lookup(widgetId);
    let d: Deferred<unknown>;
    if (target === undefined) {
      d = Deferred.fail(new NoSuchWidget(`no widget ${widgetId}`));
    } else {
      // Own properties only: `__proto__` or `__defineGetter__` must not reach Object.prototype.
      const builtins = this.#o.builtins;
      const builtin = builtins !== undefined && method.startsWith('__') && Object.hasOwn(builtins, method) ? builtins[method] : undefined;
      const fn = builtin === undefined ? exposedMethod(target, method) : undefined;
      if (builtin !== undefined) d = maybeDeferred(builtin, target, args);
      else if (fn !== undefined) d = maybeDeferred(() => fn.apply(target, args));
      else d = Deferred.fail(new NoSuchMethod(`no exposed method ${JSON.stringify(method)} on widget ${widgetId} (${className(target)})`));
    }
    this.#running++;
    d.addCallbacks(
      (value) => {
        this.#running--;
        let json: string;
        try {
          json = encodeLimited(value, this.#o.maxMessageSize, 'result');
        } catch (e) {
          this.#replyError(id, e as Error);
          return;
        }
        this.#o.sendJSON(`["r",${id},${json}]`);
      },
      (f: Failure) => {
        this.#running--;
        this.#o.onLocalError?.(f, widgetId, method);
        this.#replyError(id, f.value);
      },
    );
  }

  #replyError(id: number, error: Error): void {
    const type = error instanceof RemoteError ? error.type : error.name || 'Error';
    this.#o.sendJSON(JSON.stringify(['e', id, type, String(error.message).slice(0, 4096)]));
  }
}
