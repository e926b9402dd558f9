/**
 * The roles `torsion/template` depends on, as type-only interfaces: what can be flattened, what renders,
 * what loads a template, and the few request methods `renderElement` needs.
 * @module
 */
import type { Deferred } from '../defer/index.js';
import type { CDATA, CharRef, Comment, Raw, Slot, Tag } from './tag.js';

/**
 * Anything the flattener turns into markup: text (escaped), numbers, `raw()` markup, tags, slots, comments,
 * CDATA, character references, renderable elements, and arrays, iterables, async iterables, Deferreds and
 * Promises of any of these. `null`, `undefined`, `true` and `false` render nothing (as in JSX).
 */
export type Flattenable =
  | string
  | number
  | bigint
  | boolean
  | null
  | undefined
  | Tag
  | Slot
  | Raw
  | Comment
  | CDATA
  | CharRef
  | IRenderable
  | Deferred<Flattenable>
  | PromiseLike<Flattenable>
  | Iterable<Flattenable>
  | AsyncIterable<Flattenable>;

/** A tag's attributes: names to values; `null`, `undefined` and `false` leave the attribute out. */
export type Attributes = Record<string, Flattenable>;

/** Where a tag or slot came from in a template file (lines and columns count from 1). */
export interface SourceLocation {
  readonly filename: string;
  readonly line: number;
  readonly column: number;
}

/**
 * A renderer: called with the request and a copy of the tag that named it (its `render` cleared); what it
 * returns is flattened in place of that tag.
 */
export type RenderMethod<Req = any> = (request: Req, tag: Tag) => Flattenable;

/** Something that renders itself and supplies renderers for the `render` names in its output (Twisted's `IRenderable`). */
export interface IRenderable {
  /** The markup of this object, usually its loader's template. */
  render(request: any): Flattenable;
  /** The renderer called `name`, bound to this object; throws `MissingRenderMethod` if there is none. */
  lookupRenderMethod(name: string): RenderMethod;
}

/** Loads a template: the tags an `Element` renders (Twisted's `ITemplateLoader`). */
export interface ITemplateLoader {
  /** The template's top-level nodes. Callers must not mutate them: renderers receive copies of the tags they name. */
  load(): readonly Flattenable[];
}

/**
 * The part of an HTTP request that {@link renderElement} uses. A `torsion/web` `Request` has all of it; a
 * test or a `node:http` adapter can supply just these methods.
 */
export interface TemplateRequest {
  /** Sends part of the body. */
  write(data: Uint8Array): void;
  /** Ends the response. */
  finish(): void;
  /** Sets a response header (before the first `write`). */
  setHeader(name: string, value: string): void;
  /**
   * Optional, as Twisted's `Request.notifyFinish`: settles when the response is done; fails when the
   * connection was lost first, which stops the rendering.
   */
  notifyFinish?(): PromiseLike<unknown>;
}

/** What {@link renderElement} logs failures with: a `torsion/logger` `Logger` fits. */
export interface FailureLogger {
  failure(format: string, failure: unknown, fields?: Record<string, unknown>): void;
}
