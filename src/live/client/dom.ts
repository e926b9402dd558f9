/**
 * The DOM side of the runtime: builds widgets from the server's widget infos (loading each class's module on
 * demand), wires `data-live-on` event handlers, and shows a reload offer when the page is gone.
 * @module
 */
import type { WidgetInfo } from '../shared/interfaces.js';
import type { LiveClient } from './client.js';
import { EVENTS_ATTRIBUTE, WIDGET_ATTRIBUTE, Widget, ownerWidgetNode, withWidgetContext } from './widget.js';

export type { WidgetInfo };

type WidgetClass = new (node: Element, ...args: unknown[]) => Widget;

const modules = new Map<string, Promise<Record<string, unknown>>>();

/** Loads (once) the module of widget class `cls` from `base` and returns the class. */
async function loadClass(base: string, info: WidgetInfo): Promise<WidgetClass> {
  if (!info.module) return Widget;
  let m = modules.get(info.cls);
  if (m === undefined) {
    const url = `${base}modules/${info.cls}.js`;
    m = import(/* @vite-ignore */ url) as Promise<Record<string, unknown>>;
    modules.set(info.cls, m);
    m.catch(() => modules.delete(info.cls));
  }
  const mod = await m;
  const cls = (mod[info.cls] ?? mod.default) as WidgetClass | undefined;
  if (typeof cls !== 'function') throw new Error(`module for ${info.cls} exports no class ${info.cls} (nor a default)`);
  return cls;
}

/**
 * Builds the widgets `infos` (parents first) whose nodes are inside `root` (or are `root`), then calls
 * `loaded()` on each. Returns the widgets, in order.
 */
export async function buildWidgets(client: LiveClient, infos: WidgetInfo[], root: ParentNode): Promise<Widget[]> {
  const classes = await Promise.all(infos.map((info) => loadClass(client.options.base, info)));
  const built: Widget[] = [];
  infos.forEach((info, i) => {
    const selector = `[${WIDGET_ATTRIBUTE}="${info.id}"]`;
    const node = root instanceof Element && root.matches(selector) ? root : root.querySelector(selector);
    if (node === null) throw new Error(`no node for widget ${info.id} (${info.cls})`);
    const widget = withWidgetContext(client, info.id, () => new classes[i]!(node, ...info.args));
    client.registerWidget(info.id, widget);
    const parent = info.parent === null ? undefined : client.widget(info.parent);
    if (parent instanceof Widget) {
      widget.widgetParent = parent;
      parent.childWidgets.push(widget);
    }
    built.push(widget);
  });
  for (const w of built) wireEvents(w);
  for (const w of built) w.loaded();
  return built;
}

/**
 * Wires the `data-live-on="event:method ..."` attributes of a widget's own nodes: each event calls the
 * widget's method with the event and the node; a method returning `false` prevents the default action.
 */
export function wireEvents(widget: Widget): void {
  const nodes = [widget.node, ...Array.from(widget.node.querySelectorAll(`[${EVENTS_ATTRIBUTE}]`))];
  for (const node of nodes) {
    const spec = node.getAttribute(EVENTS_ATTRIBUTE);
    if (spec === null || ownerWidgetNode(node) !== widget.node) continue;
    for (const pair of spec.trim().split(/\s+/)) {
      const [event, method] = pair.split(':');
      if (!event || !method) continue;
      node.addEventListener(event, (e) => {
        const fn = (widget as unknown as Record<string, unknown>)[method];
        if (typeof fn !== 'function') throw new Error(`widget ${widget.widgetId} has no handler ${method}`);
        if (fn.call(widget, e, node) === false) e.preventDefault();
      });
    }
  }
}

/** Installs the `__add__` and `__detach__` calls the server uses on every widget. */
export function installBuiltins(client: LiveClient): void {
  client.setBuiltin('__add__', (target, args) => {
    const { html, widgets } = args[0] as { html: string; widgets: WidgetInfo[] };
    const template = document.createElement('template');
    template.innerHTML = html;
    const node = template.content.firstElementChild;
    if (node === null) throw new Error('new widget has no markup');
    const work = buildWidgets(client, widgets, node).then((built) => {
      const child = built[0];
      if (child !== undefined && target instanceof Widget) target.childWidgetAdded(child);
    });
    // Calls to the new widget may follow at once: hold them until it exists.
    client.holdDeliveries(work);
    return work;
  });
  client.setBuiltin('__detach__', (target) => {
    if (target instanceof Widget) target.forgetDetached();
  });
}

/** Tells the page it is gone: a `torsion:live-gone` event on `document`, then (unless prevented) a reload offer. */
export function showGone(reason: string): void {
  const proceed = document.dispatchEvent(new CustomEvent('torsion:live-gone', { detail: reason, cancelable: true }));
  if (!proceed || document.getElementById('torsion-live-gone') !== null) return;
  const banner = document.createElement('div');
  banner.id = 'torsion-live-gone';
  banner.setAttribute('role', 'alert');
  banner.style.cssText = 'position:fixed;left:0;right:0;bottom:0;padding:1em;background:#fee;border-top:1px solid #c00;font:inherit;z-index:2147483647';
  banner.textContent = 'This page lost its connection to the server. ';
  const button = document.createElement('button');
  button.textContent = 'Reload';
  button.addEventListener('click', () => location.reload());
  banner.appendChild(button);
  document.body.appendChild(banner);
}
