/**
 * `Widget`: the browser half of a `LiveElement` (Athena's `Nevow.Athena.Widget`). Subclass it in a widget
 * module, mark with `@expose` what the server may call, and call the server with `callRemote`.
 * @module
 */
import { Deferred } from '../../defer/index.js';
import type { LiveClient } from './client.js';

/** The attribute naming a node inside a widget for {@link Widget.nodeById}. */
export const NODE_ID_ATTRIBUTE = 'data-live-id';
/** The attribute that wires events to widget methods: `data-live-on="click:send keydown:typed"`. */
export const EVENTS_ATTRIBUTE = 'data-live-on';
/** The attribute that marks a widget's node. */
export const WIDGET_ATTRIBUTE = 'data-live-widget';

/** Set by the runtime around `new WidgetClass(node, ...args)`, so constructors need not pass it along. */
let constructing: { client: LiveClient; id: number } | null = null;

/** Internal: runs `make` with the widget identity the next `Widget` constructor picks up. */
export function withWidgetContext<T>(client: LiveClient, id: number, make: () => T): T {
  const saved = constructing;
  constructing = { client, id };
  try {
    return make();
  } finally {
    constructing = saved;
  }
}

/**
 * A widget in the page. The runtime constructs it with its node and the server element's initial arguments.
 *
 * @example
 * export class Counter extends Widget {
 *   @expose
 *   show(n: number) { this.nodeById('count').textContent = String(n); }
 *   async increment() { await this.callRemote('increment'); }
 * }
 */
export class Widget {
  /** The widget's node (the element carrying `data-live-widget`). */
  readonly node: Element;
  /** The widget id shared with its server element. */
  readonly widgetId: number;
  /** The connection this widget talks over. */
  readonly client: LiveClient;
  /** The parent widget, `null` for the root. */
  widgetParent: Widget | null = null;
  /** Child widgets, in the order they were added. */
  readonly childWidgets: Widget[] = [];
  #detached = false;

  constructor(node: Element, ..._args: unknown[]) {
    if (constructing === null) throw new Error('widgets are constructed by the live runtime');
    this.node = node;
    this.widgetId = constructing.id;
    this.client = constructing.client;
  }

  /** True after `detach`. */
  get isDetached(): boolean {
    return this.#detached;
  }

  /** Calls the exposed method `name` of this widget's server element. Rejects with a `RemoteError`, `PageGone` or `InvalidArguments`. */
  callRemote<T = unknown>(name: string, ...args: unknown[]): Deferred<T> {
    return this.client.callRemote<T>(this.widgetId, name, args);
  }

  /**
   * The node inside this widget (not inside a child widget) whose `data-live-id` is `id`. Throws when there
   * is none, so a typo fails loudly.
   */
  nodeById<E extends Element = HTMLElement>(id: string): E {
    const found = this.nodesByAttribute(NODE_ID_ATTRIBUTE, id)[0];
    if (found === undefined) throw new Error(`no node with ${NODE_ID_ATTRIBUTE}="${id}" in widget ${this.widgetId}`);
    return found as E;
  }

  /** The nodes inside this widget, not inside child widgets, whose attribute `name` equals `value`. */
  nodesByAttribute(name: string, value: string): Element[] {
    const out: Element[] = [];
    if (this.node.getAttribute(name) === value) out.push(this.node);
    for (const el of Array.from(this.node.querySelectorAll(`[${name}]`))) {
      if (el.getAttribute(name) === value && ownerWidgetNode(el) === this.node) out.push(el);
    }
    return out;
  }

  /** Called once the widget and the children it was rendered with exist. Override it. */
  loaded(): void {}

  /** Places a child widget added by the server. The default appends its node to this widget's node. */
  childWidgetAdded(child: Widget): void {
    this.node.appendChild(child.node);
  }

  /** Removes this widget on both sides: the server element's `detached()` runs too. */
  detach(): Deferred<void> {
    if (this.#detached) return Deferred.succeed(undefined);
    const remote = this.client.callRemote<void>(this.widgetId, '__detach__', []);
    this.forgetDetached();
    return remote;
  }

  /** Called once this widget is detached, from either side. Override it. */
  detached(): void {}

  /** Internal: the local half of detaching (children first, then this node leaves the document). */
  forgetDetached(): void {
    if (this.#detached) return;
    this.#detached = true;
    for (const child of [...this.childWidgets]) child.forgetDetached();
    const parent = this.widgetParent;
    if (parent !== null) {
      const i = parent.childWidgets.indexOf(this);
      if (i >= 0) parent.childWidgets.splice(i, 1);
    }
    this.client.forgetWidget(this.widgetId);
    this.detached();
    this.node.remove();
  }
}

/** The node of the widget `el` belongs to (the nearest ancestor, or itself, marked as a widget). */
export function ownerWidgetNode(el: Element): Element | null {
  let n: Element | null = el.parentElement;
  if (el.hasAttribute(WIDGET_ATTRIBUTE)) return el;
  while (n !== null && !n.hasAttribute(WIDGET_ATTRIBUTE)) n = n.parentElement;
  return n;
}
