/**
 * `LiveElement`: a template `Element` with a twin in the page (Athena's `LiveElement`). It names its browser
 * class, passes it initial arguments, exposes methods the page may call, calls the page's widget with
 * `callRemote`, and grows or loses child widgets at any time.
 * @module
 */
import { Deferred, fail } from '../defer/index.js';
import { Element, Tag, tags, type Flattenable, type ITemplateLoader } from '../template/index.js';
import { PageGone } from './shared/errors.js';
import type { LiveConnection } from './connection.js';

/** The attribute that marks a widget's node in the page. */
export const WIDGET_ATTRIBUTE = 'data-live-widget';

/**
 * A server-side widget. Subclass it, give it a template (as any `Element`), a `jsClass` and a `jsModule`,
 * and mark with `@expose` the methods the browser may call.
 *
 * @example
 * class Counter extends LiveElement {
 *   static override jsClass = 'Counter';
 *   static override jsModule = new URL('./counter.client.ts', import.meta.url);
 *   static override loader = TagLoader(tags.button({ 'data-live-on': 'click:increment' }, '+'));
 *   #n = 0;
 *   @expose
 *   increment() { return ++this.#n; }
 * }
 */
export class LiveElement extends Element {
  /** The browser class's name: a named export of `jsModule` (or its default export). `'Widget'` is the plain base. */
  static jsClass = 'Widget';
  /** The TypeScript or JavaScript module (path or `file:` URL) defining `jsClass` for the browser. */
  static jsModule: string | URL | null = null;

  /** The widget's parent, `null` for the page's root element or one not added yet. */
  widgetParent: LiveElement | null = null;
  /** The child widgets added with `addChildWidget` and not yet detached. */
  readonly childWidgets: LiveElement[] = [];
  /** This widget's id on its page, set when it renders. */
  widgetId: number | null = null;
  #page: LiveConnection | null = null;
  #detached = false;

  constructor(loader?: ITemplateLoader | null) {
    super(loader);
    // Wrap a `render` the subclass defines, so every live element's markup carries its widget id. One that
    // renders its template (most) uses the method below, with no closure of its own.
    const own = this.render;
    if (own !== LiveElement.prototype.render) this.render = (request: unknown) => this.#renderLive(request, own);
  }

  /**
   * Renders the template, its markup marked with the widget id. A subclass's own `render` is wrapped in the
   * constructor instead; for it (and its `super.render`) this renders the template alone.
   */
  override render(request: unknown): Flattenable {
    if (Object.hasOwn(this, 'render')) return super.render(request);
    return this.#renderLive(request, super.render);
  }

  /** The browser class's name (defaults to the class's static `jsClass`). */
  get jsClass(): string {
    return (this.constructor as typeof LiveElement).jsClass;
  }

  /** The browser module (defaults to the class's static `jsModule`). */
  get jsModule(): string | URL | null {
    return (this.constructor as typeof LiveElement).jsModule;
  }

  /** The live page (one browser tab's connection) this element belongs to, or `null` before it has one. */
  get page(): LiveConnection | null {
    return this.#page ?? this.widgetParent?.page ?? null;
  }

  /** True after `detach`. */
  get isDetached(): boolean {
    return this.#detached;
  }

  /** The arguments passed to the browser class's constructor after its node; JSON values. Override it. */
  getInitialArguments(): unknown[] {
    return [];
  }

  /**
   * Calls the exposed method `name` of this element's browser widget. Fires with its result, or fails with
   * a `RemoteError` (the browser's error type and message), `PageGone` or `InvalidArguments`.
   */
  callRemote<T = unknown>(name: string, ...args: unknown[]): Deferred<T> {
    const page = this.page;
    if (page === null || this.widgetId === null) return fail(new Error(`${this.constructor.name} is not rendered on a live page yet`)) as Deferred<T>;
    if (this.#detached) return fail(new PageGone(`${this.constructor.name} is detached`)) as Deferred<T>;
    return page.callWidget<T>(this.widgetId, name, args);
  }

  /**
   * Makes `child` a child widget. Before the page is live (at render time) return the result from a renderer
   * to place the child's markup; once live, the child is rendered and sent to the browser, which builds its
   * widget and hands it to the parent widget's `childWidgetAdded` (the default appends its node).
   * Fires with the child once the browser has it (at once at render time).
   */
  addChildWidget<C extends LiveElement>(child: C): Deferred<C> {
    if (child.widgetParent !== null || child.#page !== null) return fail(new Error('the widget already has a parent')) as Deferred<C>;
    child.widgetParent = this;
    this.childWidgets.push(child);
    const page = this.page;
    if (page === null || !page.rendered || this.widgetId === null) return Deferred.succeed(child);
    return page.sendNewWidget(child, this.widgetId).addCallback(() => child);
  }

  /**
   * Removes this widget on both sides: the browser widget's `detached()` hook runs and its node leaves the
   * document, then this element's `detached()` runs. Children go with it.
   */
  detach(): Deferred<void> {
    const page = this.page;
    const remote = page !== null && page.rendered && this.widgetId !== null && !this.#detached ? page.callWidget<void>(this.widgetId, '__detach__', []) : Deferred.succeed(undefined);
    this.forgetDetached();
    return remote.addErrback((f) => {
      f.trap(PageGone);
    });
  }

  /** Called once this widget is detached (from either side). Override it to let go of resources. */
  detached(): void {}

  /** A Deferred that fires when this element's page is gone (its grace period ran out). */
  notifyOnDisconnect(): Deferred<void> {
    const page = this.page;
    return page === null ? fail(new Error('not on a live page')) : page.notifyOnDisconnect();
  }

  /** Internal: marks this widget and its children detached and tells the page to forget them. */
  forgetDetached(): void {
    if (this.#detached) return;
    this.#detached = true;
    const parent = this.widgetParent;
    if (parent !== null) {
      const i = parent.childWidgets.indexOf(this);
      if (i >= 0) parent.childWidgets.splice(i, 1);
    }
    for (const child of [...this.childWidgets]) child.forgetDetached();
    if (this.widgetId !== null) this.page?.forgetWidget(this.widgetId);
    this.detached();
  }

  /** Internal: makes this element the root of `page`. */
  bindPage(page: LiveConnection): void {
    this.#page = page;
  }

  #renderLive(request: unknown, own: (request: unknown) => Flattenable): Flattenable {
    const page = this.page;
    if (page === null) throw new Error(`${this.constructor.name} rendered outside a live page: add it with addChildWidget`);
    const id = page.registerWidget(this);
    return markWidget(own.call(this, request), id);
  }
}

/** Puts the widget id on the single top-level tag of `content`, or wraps it in a `<div>` that carries it. */
function markWidget(content: Flattenable, id: number): Flattenable {
  const items = Array.isArray(content) ? content.filter((c) => !(typeof c === 'string' && c.trim() === '')) : [content];
  const only = items.length === 1 ? items[0] : undefined;
  if (only instanceof Tag && only.tagName !== '' && only.render === null) {
    const t = new Tag(only.tagName, { ...only.attributes, [WIDGET_ATTRIBUTE]: String(id) }, only.children.slice());
    t.slotData = only.slotData === null ? null : { ...only.slotData };
    t.location = only.location;
    return t;
  }
  return tags.div({ [WIDGET_ATTRIBUTE]: String(id) }, content);
}
