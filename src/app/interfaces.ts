/**
 * The roles of `torsion/app` (Twisted's `application/service.py`). Type-only.
 * @module
 */
import type { Deferred } from '../defer/index.js';

/** What `startService`/`stopService` may return: nothing (done at once) or something to wait for. */
export type MaybeAsync = void | Deferred<unknown> | PromiseLike<unknown>;

/** Something started and stopped with the application. */
export interface IService {
  /** Unique among its parent's children, if set. */
  name: string | null;
  /** The collection it belongs to, if any. */
  parent: IServiceCollection | null;
  /** True between `startService` and `stopService`. */
  running: boolean;
  /** Called before `startService`, while the process may still hold privileges (binding low ports). */
  privilegedStartService(): MaybeAsync;
  startService(): MaybeAsync;
  /** Stops; the returned Deferred or promise (if any) fires once it is fully stopped. */
  stopService(): MaybeAsync;
}

/** A service holding other services. */
export interface IServiceCollection {
  getServiceNamed(name: string): IService;
  [Symbol.iterator](): Iterator<IService>;
  addService(service: IService): MaybeAsync;
  removeService(service: IService): MaybeAsync;
}

/** One command-line option of a plugin. */
export interface PluginOption {
  /** The long name, without dashes: `listen` for `--listen`. */
  name: string;
  /** One line for `--help`. */
  description: string;
  /** `string` (default) takes a value, `number` takes a numeric one, `boolean` is a flag. */
  type?: 'string' | 'number' | 'boolean';
  /** True if it may be given more than once; its value is then an array. */
  multiple?: boolean;
  /** The value when not given (for a `multiple` option, a list). */
  default?: string | number | boolean | readonly string[];
  /** True if it must be given (or have a default). */
  required?: boolean;
  /** A one-letter alias, `-l` for `l`. */
  short?: string;
  /** How the value is shown in `--help`: `--listen <endpoint>`. */
  metavar?: string;
}

/** Parsed options: each option's value by name (arrays for `multiple` ones). */
export type PluginOptions = Record<string, string | number | boolean | string[] | undefined>;

/** What a plugin's `makeService` gets besides its options. */
export interface PluginContext {
  /** The reactor the service runs on. */
  reactor: import('../internet/interfaces.js').IReactor;
}

/**
 * A `torsion <name>` subcommand: its options, and how to build the service it runs.
 * The command adds its own options (`--log-level`, `--log-format`) to every plugin's.
 *
 * @example
 * registerPlugin({
 *   name: 'echo',
 *   description: 'An echo server',
 *   options: [{ name: 'listen', description: 'endpoint', multiple: true, default: ['tcp:8007'] }],
 *   makeService: (o) => echoService(o.listen as string[]),
 * });
 */
export interface Plugin {
  name: string;
  description: string;
  options: readonly PluginOption[];
  /** Text shown at the end of `--help` (servers show `LISTEN_HELP`: how to listen on the network). */
  epilog?: string;
  makeService(options: PluginOptions, context: PluginContext): IService | Promise<IService>;
}
