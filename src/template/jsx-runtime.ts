/**
 * The JSX runtime: JSX becomes Stan tags. With `"jsxImportSource": "torsion"` (or
 * `/** @jsxImportSource torsion *\/`) TypeScript and esbuild import `jsx`, `jsxs` and `Fragment` from
 * `torsion/jsx-runtime`, which is this module (also reachable as `torsion/template/jsx-runtime`). For the
 * classic transform, use `h` with `/** @jsx h *\/`.
 *
 * An intrinsic element (`<div>`) becomes a `Tag`; `className` is written as `class` and `htmlFor` as `for`;
 * `render="name"` names the renderer. A function component is called at once with its props; what it
 * returns is wrapped in a transparent tag unless it is already a `Tag`.
 * @module
 */
import type { Flattenable } from './interfaces.js';
import type { HtmlIntrinsicElements } from './jsx-types.js';
import { Tag } from './tag.js';

/** A function component: props in, anything flattenable out. */
export type Component<P = any> = (props: P) => Flattenable;

/** `<>...</>`: renders only its children. */
export function Fragment(props: { children?: Flattenable }): Flattenable {
  return props.children;
}

function transparent(content: Flattenable): Tag {
  return content instanceof Tag ? content : new Tag('', {}, [content]);
}

function element(type: string, props: Record<string, any> | null, children: Flattenable[] | undefined): Tag {
  const tag = new Tag(type, {}, children ?? []);
  const attributes = tag.attributes;
  for (const key in props) {
    if (key === 'children' || key === 'key') continue;
    const value = props[key];
    if (key === 'render') tag.render = value === null || value === undefined ? null : String(value);
    else if (key === 'className') attributes.class = value;
    else if (key === 'htmlFor') attributes.for = value;
    else attributes[key] = value;
  }
  return tag;
}

/**
 * Builds one JSX element (the automatic runtime's entry point; `jsxs` is the same).
 * `props.children` is a single child or, from `jsxs`, an array of them.
 */
export function jsx(type: string | Component, props: Record<string, any>, _key?: unknown): Tag {
  if (typeof type === 'string') {
    const c = props.children;
    return element(type, props, c === undefined ? undefined : Array.isArray(c) ? c : [c]);
  }
  if (type === Fragment) {
    const c = props.children;
    return new Tag('', {}, c === undefined ? [] : Array.isArray(c) ? c : [c]);
  }
  return transparent(type(props));
}

/** Builds a JSX element with several children (see {@link jsx}). */
export const jsxs = jsx;

/**
 * The classic-runtime factory, for `/** @jsx h *\/` and `/** @jsxFrag Fragment *\/`: children come as
 * extra arguments.
 *
 * @example
 * /** @jsxRuntime classic *\/ /** @jsx h *\/ /** @jsxFrag Fragment *\/
 * import { h, Fragment } from 'torsion/template';
 */
export function h(type: string | Component, props: Record<string, any> | null, ...children: Flattenable[]): Tag {
  if (typeof type === 'string') return element(type, props, children);
  if (type === Fragment) return new Tag('', {}, children);
  const p: Record<string, any> = { ...props };
  if (children.length > 0) p.children = children.length === 1 ? children[0] : children;
  return transparent(type(p));
}

/* eslint-disable @typescript-eslint/no-namespace -- TypeScript finds JSX types only in a namespace named JSX. */

/** JSX types for the automatic runtime. */
export declare namespace JSX {
  /** What a JSX expression evaluates to. */
  type Element = Tag;
  /** What may be used as a tag: an intrinsic name or a function component. */
  type ElementType = string | Component;
  interface ElementChildrenAttribute {
    children: unknown;
  }
  type IntrinsicElements = HtmlIntrinsicElements;
  interface IntrinsicAttributes {
    key?: string | number;
  }
}

/** JSX types for the classic runtime (`@jsx h`). */
export declare namespace h {
  namespace JSX {
    type Element = Tag;
    type ElementType = string | Component;
    interface ElementChildrenAttribute {
      children: unknown;
    }
    type IntrinsicElements = HtmlIntrinsicElements;
    interface IntrinsicAttributes {
      key?: string | number;
    }
  }
}
