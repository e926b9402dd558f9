/**
 * `expose`: marks the methods the other side may call. Used by `LiveElement` on the server and `Widget` in
 * the page; nothing else is callable remotely.
 * @module
 */

const EXPOSED = Symbol.for('torsion.live.exposed');

/** Names never callable remotely, whatever a class says. */
const FORBIDDEN = new Set(['constructor', '__proto__', 'prototype', 'toString', 'valueOf', 'hasOwnProperty', 'then']);

/**
 * Marks a method as callable from the other side of the live connection (standard decorators).
 * In plain JavaScript, list the names in `static exposed` instead.
 *
 * @example
 * class ChatRoom extends LiveElement {
 *   @expose
 *   say(text: string) { ... }
 * }
 */
export function expose<This, A extends unknown[], R>(
  method: (this: This, ...args: A) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
): void {
  if (context.kind !== 'method' || context.static || context.private || typeof context.name !== 'string') {
    throw new TypeError('@expose applies to public, non-static methods with string names');
  }
  (method as unknown as Record<symbol, boolean>)[EXPOSED] = true;
}

const cache = new WeakMap<object, Map<string, boolean>>();

/**
 * The function stored under `name` on `target` or a prototype of its own classes: Object.prototype (with
 * `__defineGetter__` and friends) is never searched, and getters are never run.
 */
function ownMethod(target: object, name: string): ((...args: unknown[]) => unknown) | undefined {
  for (let o: object | null = target; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o) as object | null) {
    const desc = Object.getOwnPropertyDescriptor(o, name);
    if (desc !== undefined) return typeof desc.value === 'function' ? (desc.value as (...args: unknown[]) => unknown) : undefined;
  }
  return undefined;
}

/**
 * The exposed method `name` of `target`, or `undefined` when there is none: it must be a function marked
 * with {@link expose} or listed in a `static exposed` array of the class or a superclass.
 */
export function exposedMethod(target: object, name: string): ((...args: unknown[]) => unknown) | undefined {
  if (FORBIDDEN.has(name)) return undefined;
  const fn = ownMethod(target, name);
  if (fn === undefined) return undefined;
  const marked = (fn as unknown as Record<symbol, unknown>)[EXPOSED] === true;
  const ctor = (Object.getPrototypeOf(target) as { constructor?: unknown } | null)?.constructor;
  if (typeof ctor !== 'function') return marked ? fn : undefined;
  let names = cache.get(ctor);
  if (names === undefined) cache.set(ctor, (names = new Map()));
  let ok = names.get(name);
  if (ok === undefined) {
    ok = marked;
    for (let c: any = ctor; !ok && c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
      if (Object.prototype.hasOwnProperty.call(c, 'exposed') && (c.exposed as readonly string[] | undefined)?.includes(name)) ok = true;
    }
    if (names.size < 256) names.set(name, ok);
  }
  return ok ? fn : undefined;
}
