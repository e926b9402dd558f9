/**
 * Naming work for another thread: tasks (module URL + export name), the registry of task names, and the
 * registry of main-thread functions that workers may call back.
 * @module
 */
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { UnknownTaskError } from './errors.js';
import type { AnyFunction, Task, TaskLike } from './interfaces.js';

function moduleHref(module: URL | string): string {
  if (module instanceof URL) return module.href;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  if (/^(file|data):/.test(module)) return module;
  throw new TypeError(`task module must be a URL or an absolute path, not ${JSON.stringify(module)}: try new URL('${module}', import.meta.url)`);
}

/**
 * Names exported function `name` of `module` as a task. Give the function's type to have arguments and
 * result checked.
 *
 * @example
 * // hash.ts: export function digest(data: Uint8Array): string { ... }
 * const digest = task<typeof import('./hash.js').digest>(new URL('./hash.js', import.meta.url), 'digest');
 * const hex = await deferToThread(digest, bytes);
 */
export function task<F extends AnyFunction = AnyFunction>(module: URL | string, name = 'default'): Task<F> {
  const href = moduleHref(module);
  return Object.freeze({ module: href, name, key: `${href}#${name}` });
}

const registered = new Map<string, Task>();

/**
 * Registers a task under `name`, so `deferToThread(name, ...args)` runs it.
 *
 * @example
 * registerTask('digest', new URL('./hash.js', import.meta.url), 'digest');
 * const hex = await deferToThread('digest', bytes);
 */
export function registerTask<F extends AnyFunction = AnyFunction>(name: string, module: URL | string | Task<F>, exportName = 'default'): Task<F> {
  const t = typeof module === 'object' && !(module instanceof URL) ? module : task<F>(module, exportName);
  registered.set(name, t);
  return t;
}

/** Removes a registered task name. */
export function unregisterTask(name: string): void {
  registered.delete(name);
}

/** The task a {@link TaskLike} stands for. Throws {@link UnknownTaskError} for an unregistered name. */
export function resolveTask<F extends AnyFunction>(t: TaskLike<F>): Task<F> {
  if (typeof t !== 'string') return t;
  const found = registered.get(t);
  if (!found) throw new UnknownTaskError(`no task registered as ${JSON.stringify(t)}`);
  return found as Task<F>;
}

const exposed = new Map<string, AnyFunction>();

/**
 * Lets workers run `fn` on the main loop by `name`, through `callFromThread(name, ...)` or
 * `blockingCallFromThread(name, ...)`.
 *
 * @example
 * exposeToThreads('progress', (done: number) => bar.update(done));
 * // in a task: callFromThread('progress', 50);
 */
export function exposeToThreads(name: string, fn: AnyFunction): void {
  exposed.set(name, fn);
}

/** Withdraws a function exposed with {@link exposeToThreads}. */
export function unexposeToThreads(name: string): void {
  exposed.delete(name);
}

/** The main-thread function behind a name or task a worker asked for (imports the task's module). */
export async function lookupMainFunction(target: string | Task): Promise<AnyFunction> {
  if (typeof target === 'string') {
    const fn = exposed.get(target);
    if (!fn) throw new UnknownTaskError(`no function exposed to threads as ${JSON.stringify(target)}`);
    return fn;
  }
  return loadTask(target);
}

/** Imports a task's module and returns its function. */
export async function loadTask(t: Pick<Task, 'module' | 'name'>): Promise<AnyFunction> {
  const mod = (await import(t.module)) as Record<string, unknown>;
  const fn = mod[t.name];
  if (typeof fn !== 'function') throw new UnknownTaskError(`module ${t.module} has no exported function ${JSON.stringify(t.name)}`);
  return fn as AnyFunction;
}
