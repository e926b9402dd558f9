/**
 * `Element`: a template plus the renderers its `render` names call (Twisted's `twisted.web.template.Element`),
 * the `@renderer` decorator, and `TagLoader`.
 * @module
 */
import { MissingRenderMethod, MissingTemplateLoader } from './errors.js';
import type { Flattenable, IRenderable, ITemplateLoader, RenderMethod } from './interfaces.js';
import { Tag } from './tag.js';

const RENDERER = Symbol('torsion.template.renderer');

/**
 * Marks a method as a renderer, callable from templates by its name (standard decorators, TypeScript 5+,
 * without `experimentalDecorators`). An override in a subclass stays a renderer.
 *
 * @example
 * class Greeting extends Element {
 *   @renderer
 *   name(request: unknown, tag: Tag) { return tag.add('Alice'); }
 * }
 */
export function renderer<This, Req, R extends Flattenable>(
  method: (this: This, request: Req, tag: Tag) => R,
  context: ClassMethodDecoratorContext<This, (this: This, request: Req, tag: Tag) => R> & { readonly static: false; readonly private: false; readonly name: string },
): void {
  if (context.kind !== 'method' || context.static || context.private || typeof context.name !== 'string') {
    throw new TypeError('@renderer applies to public, non-static methods with string names');
  }
  (method as unknown as Record<symbol, boolean>)[RENDERER] = true;
}

/** Names an Element's own machinery uses: never renderers. */
const RESERVED = new Set(['constructor', 'render', 'lookupRenderMethod']);

/** Per class: which names are renderers (answers cached after the first lookup). */
const rendererNames = new WeakMap<object, Map<string, boolean>>();

function isRendererName(ctor: object, name: string): boolean {
  let names = rendererNames.get(ctor);
  if (names === undefined) rendererNames.set(ctor, (names = new Map()));
  let known = names.get(name);
  if (known === undefined) {
    known = false;
    if (!RESERVED.has(name)) {
      for (let c: any = ctor; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
        const own = Object.getOwnPropertyDescriptor(c.prototype ?? {}, name);
        const listed = Object.prototype.hasOwnProperty.call(c, 'renderers') && (c.renderers as readonly string[] | undefined)?.includes(name);
        if (listed || (own && typeof own.value === 'function' && own.value[RENDERER] === true)) {
          known = true;
          break;
        }
      }
    }
    names.set(name, known);
  }
  return known;
}

/**
 * A renderable object with a template. Its template comes from its loader: the one given to the
 * constructor or, failing that, the class's `static loader`. A `render` name in the template calls the
 * renderer method of that name (marked with {@link renderer}, or listed in `static renderers` in plain
 * JavaScript) with the request and a copy of the tag; the result replaces the tag.
 *
 * @example
 * class UserList extends Element {
 *   static override loader = XMLString(`<ul xmlns:t="urn:torsion:template"><li t:render="users"><t:slot name="name"/></li></ul>`);
 *   constructor(private users: { name: string }[]) { super(); }
 *   @renderer
 *   users(_request: unknown, tag: Tag) { return this.users.map((u) => tag.clone().fillSlots({ name: u.name })); }
 * }
 */
export class Element implements IRenderable {
  /** The class's default template, used when the constructor got none. */
  static loader: ITemplateLoader | null = null;
  /** In plain JavaScript (no decorators): the names of the methods that are renderers. */
  static renderers?: readonly string[];

  /** This element's template; `null` to use the class default. */
  loader: ITemplateLoader | null;
  #bound: Map<string, RenderMethod> | undefined;

  constructor(loader?: ITemplateLoader | null) {
    this.loader = loader ?? null;
  }

  /** The renderer called `name`, bound to this element. */
  lookupRenderMethod(name: string): RenderMethod {
    const bound = this.#bound?.get(name);
    if (bound !== undefined) return bound;
    const method = (this as unknown as Record<string, unknown>)[name];
    if (typeof method !== 'function' || !isRendererName(this.constructor, name)) throw new MissingRenderMethod(this, name);
    const fn = (method as RenderMethod).bind(this);
    (this.#bound ??= new Map()).set(name, fn);
    return fn;
  }

  /** The template from the loader; override to build the markup in code instead. */
  render(_request: unknown): Flattenable {
    const loader = this.loader ?? (this.constructor as typeof Element).loader;
    if (loader === null || loader === undefined) throw new MissingTemplateLoader(this);
    return loader.load();
  }
}

/**
 * A loader for tags built in code: `new Page(TagLoader(tags.div({ render: 'body' })))`.
 */
export function TagLoader(...tags: Flattenable[]): ITemplateLoader {
  return { load: () => tags };
}
