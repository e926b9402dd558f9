/**
 * An `openFun` module for a pool's connection worker whose loading makes the `pg` package unresolvable in
 * that worker, as in an install without it (`pg` is an optional peer dependency). The pool loads the
 * `openFun` module before the driver, so the driver's own `import('pg')` meets the hook.
 * @module
 */
import { register } from 'node:module';

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === 'pg' || specifier.startsWith('pg/')) {
    throw Object.assign(new Error("Cannot find package 'pg'"), { code: 'ERR_MODULE_NOT_FOUND' });
  }
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);

/** The `openFun` itself: never reached when the driver cannot load. */
export function opened(): void {}
