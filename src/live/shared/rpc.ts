/**
 * `RemoteCalls`: method calls in both directions over a reliable session. The same code runs on the server
 * (calling widgets in the page) and in the page (calling elements on the server).
 *
 * ```
 * ["c", callId, widgetId, method, args]   call
 * ["r", callId, result]                   result
 * ["e", callId, errorType, message]       error (its type and message become a RemoteError)
 * ```
 * @module
 */
import { Deferred, maybeDeferred, type Failure } from '../../defer/index.js';
import { InvalidArguments, LiveProtocolError, NoSuchMethod, NoSuchWidget, RemoteError } from './errors.js';
import { exposedMethod } from './expose.js';

/** A method the receiving side provides itself, not subject to `expose` (adding and detaching widgets). */
export type Builtin = (target: object, args: unknown[]) => unknown;

/** Options of {@link RemoteCalls}. */
export interface RemoteCallsOptions {
  /** Sends one payload, already JSON text, reliably. */
  sendJSON: (payloadJSON: string) => void;
  /** The local object a widget id names, or `undefined`. */
  lookup: (widgetId: number) => object | undefined;
  /** Methods available on every target under reserved names (starting with `__`). */
  builtins?: Record<string, Builtin>;
  /** Largest JSON encoding of arguments or a result, in characters. */
  maxMessageSize: number;
  /** Told about each local method that failed (for logging); the error goes back to the caller anyway. */
  onLocalError?: (failure: Failure, widgetId: number, method: string) => void;
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

/** Outgoing calls waiting for their answers, and dispatch of incoming calls to exposed methods. */
export class RemoteCalls {
  readonly #o: RemoteCallsOptions;
  readonly #pending = new Map<number, Deferred<unknown>>();
  #nextId = 1;
  #failed: Error | null = null;

  constructor(options: RemoteCallsOptions) {
    this.#o = options;
  }

  /** Number of calls still waiting for an answer. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * Calls `method` of the remote widget `widgetId`. The Deferred fires with its result, or fails with a
   * {@link RemoteError} carrying the remote error's type and message (or {@link InvalidArguments} at once).
   */
  call<T = unknown>(widgetId: number, method: string, args: unknown[]): Deferred<T> {
    if (this.#failed !== null) return Deferred.fail<T>(this.#failed);
    let json: string;
    try {
      json = encodeLimited(args, this.#o.maxMessageSize, 'arguments');
    } catch (e) {
      return Deferred.fail<T>(e);
    }
    const id = this.#nextId++;
    const d = new Deferred<T>(() => this.#pending.delete(id));
    this.#pending.set(id, d as Deferred<unknown>);
    this.#o.sendJSON(`["c",${id},${widgetId},${JSON.stringify(method)},${json}]`);
    return d;
  }

  /** Fails every pending call, and every later one, with `error` (the page is gone). */
  failAll(error: Error): void {
    this.#failed = error;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const d of pending) d.errback(error);
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

  #settle(id: number): Deferred<unknown> | undefined {
    const d = this.#pending.get(id);
    this.#pending.delete(id);
    return d;
  }

  #incoming(id: number, widgetId: number, method: string, args: unknown[]): void {
    const target = this.#o.lookup(widgetId);
    let d: Deferred<unknown>;
    if (target === undefined) {
      d = Deferred.fail(new NoSuchWidget(`no widget ${widgetId}`));
    } else {
      const builtin = method.startsWith('__') ? this.#o.builtins?.[method] : undefined;
      const fn = builtin === undefined ? exposedMethod(target, method) : undefined;
      if (builtin !== undefined) d = maybeDeferred(builtin, target, args);
      else if (fn !== undefined) d = maybeDeferred(() => fn.apply(target, args));
      else d = Deferred.fail(new NoSuchMethod(`no exposed method ${JSON.stringify(method)} on widget ${widgetId} (${target.constructor.name})`));
    }
    d.addCallbacks(
      (value) => {
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
