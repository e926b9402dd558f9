/**
 * The `--auth` option every server plugin takes (Twisted's `strcred.AuthOptionMixin`): repeatable, each
 * value a checker description of `torsion/cred` (`memory:...`, `file:PATH`, `anonymous`, `sshkeys[:DIR]`).
 * `torsion <plugin> --help-auth` lists the kinds.
 * @module
 */
import { BadAuthString, authHelp, checkersFromStrings, type ICredentialsChecker } from '../cred/index.js';
import type { PluginOption, PluginOptions } from './interfaces.js';
import { UsageError } from './options.js';

/** The `--auth` option. */
export const AUTH_OPTION: PluginOption = {
  name: 'auth',
  description: 'How users log in: memory:USER:PASSWORD[:...], file:PATH, anonymous, sshkeys[:DIR] (see --help-auth)',
  multiple: true,
  metavar: 'strcred',
};

/** `options` with `--auth` added. */
export function addAuthOption(options: readonly PluginOption[]): PluginOption[] {
  return [...options, AUTH_OPTION];
}

/** True if the plugin takes `--auth` (and so `--help-auth`). */
export function takesAuth(options: readonly PluginOption[]): boolean {
  return options.some((o) => o.name === AUTH_OPTION.name);
}

/** The text of `--help-auth`. */
export const AUTH_HELP = authHelp();

/**
 * The checkers of the parsed `--auth` options, in order. A bad value is a `UsageError` (exit 64) naming
 * the problem; `required` makes giving none a usage error too.
 *
 * @example
 * makeService(options) {
 *   const portal = new Portal(realm, authCheckers(options, { required: true }));
 * }
 */
export function authCheckers(options: PluginOptions, { required = false }: { required?: boolean } = {}): ICredentialsChecker[] {
  const values = (options[AUTH_OPTION.name] as string[] | undefined) ?? [];
  if (required && values.length === 0) throw new UsageError('--auth is required: say how users log in (see --help-auth)');
  try {
    return checkersFromStrings(values);
  } catch (e) {
    // The message names the kind and the problem but never repeats the value, which may hold passwords.
    if (e instanceof BadAuthString) throw new UsageError(`--auth: ${e.message}`);
    throw e;
  }
}
