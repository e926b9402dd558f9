/**
 * The reverse of `numerics.ts`: a numeric's symbolic name, for logs and `irc_RPL_*`-style dispatch.
 * @module
 */
import * as numerics from './numerics.js';

const names = new Map<string, string>(Object.entries(numerics).map(([name, code]) => [code, name]));

/**
 * The symbolic name of a numeric (`'001'` → `'RPL_WELCOME'`), or undefined when unknown.
 * @example numericName('433') // 'ERR_NICKNAMEINUSE'
 */
export function numericName(code: string): string | undefined {
  return names.get(code);
}
