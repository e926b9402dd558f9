/**
 * The development JSX runtime (`"jsx": "react-jsxdev"`): the same elements as `jsx-runtime`.
 * @module
 */
import type { Flattenable } from './interfaces.js';
import { type Component, jsx } from './jsx-runtime.js';
import type { Tag } from './tag.js';

export { Fragment, type JSX } from './jsx-runtime.js';

/** Builds one JSX element; the source position and the other development arguments are ignored. */
export function jsxDEV(type: string | Component, props: Record<string, any>, key?: unknown, ..._dev: unknown[]): Tag {
  return jsx(type, props as Record<string, Flattenable>, key);
}
