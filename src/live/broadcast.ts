/**
 * `callRemoteAll`: one call to the browser widgets of many elements (a chat line to every open page), whose
 * arguments are encoded once and whose WebSocket frame is built once and written to every page as the same
 * bytes. Each page still gets it exactly once and in order with its other messages, across reconnections.
 * @module
 */
import { DeferredList, fail, type Deferred } from '../defer/index.js';
import { PageGone } from './shared/errors.js';
import { SharedMessage } from './shared/frames.js';
import { encodeCall, encodeLimited } from './shared/rpc.js';
import type { LiveElement } from './element.js';

/** Call ids of shared calls: negative, so they never meet a page's own (positive) ones. */
let lastSharedId = 0;

/**
 * Calls the exposed method `name` of the browser widget of each element in `elements` with the same
 * arguments, as `callRemote` on each would, but encoding and framing the call once for all of them (once
 * per widget id: pages built by the same code give a widget the same id). Fires once every page has
 * answered, failed or timed out, with one `[true, result]` or `[false, failure]` per element, in order.
 *
 * @example
 * callRemoteAll(rooms.get('lobby')!, 'say', nick, text);
 */
export function callRemoteAll<T = unknown>(elements: Iterable<LiveElement>, name: string, ...args: unknown[]): DeferredList<T> {
  let json: string | null = null;
  let error: unknown = null;
  const messages = new Map<number, { id: number; message: SharedMessage }>();
  const calls: Deferred<T>[] = [];
  for (const element of elements) {
    const page = element.page;
    const widgetId = element.widgetId;
    if (page === null || widgetId === null) {
      calls.push(fail(new Error(`${element.constructor.name} is not rendered on a live page yet`)));
      continue;
    }
    if (element.isDetached) {
      calls.push(fail(new PageGone(`${element.constructor.name} is detached`)));
      continue;
    }
    if (json === null && error === null) {
      try {
        json = encodeLimited(args, Infinity, 'arguments');
      } catch (e) {
        error = e;
      }
    }
    if (json === null) {
      calls.push(fail(error));
      continue;
    }
    let shared = messages.get(widgetId);
    if (shared === undefined) {
      const id = --lastSharedId;
      shared = { id, message: new SharedMessage(encodeCall(id, widgetId, name, json)) };
      messages.set(widgetId, shared);
    }
    calls.push(page.callWidgetShared<T>(shared.id, widgetId, name, args, json.length, shared.message));
  }
  return new DeferredList<T>(calls, { consumeErrors: true });
}
