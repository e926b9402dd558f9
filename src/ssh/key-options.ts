/**
 * What an `authorized_keys` entry's forwarding options (`permitopen=`, `permitlisten=`) allow, as
 * permissions the connection layer checks beside the server's own allow-list.
 * @module
 */
import { ForwardAllowList, type IForwardPermission } from './connection/forwarding.js';
import { Logger } from '../logger/index.js';

const log = new Logger({ namespace: 'torsion.ssh.keys' });

const NOTHING: IForwardPermission = { permits: () => false };

function listOrNothing(option: string, entries: readonly string[]): IForwardPermission {
  try {
    return new ForwardAllowList(entries);
  } catch (e) {
    // A key whose list cannot be read forwards nothing rather than everything.
    log.warn('{option} of a key is not understood ({error}): no forwarding for it', { option, error: (e as Error).message });
    return NOTHING;
  }
}

/**
 * `permitopen="host:port"` entries (port `*` for any, `[v6]:port`): the destinations local forwarding may
 * reach. No entries: undefined (no narrowing).
 */
export function permitOpenPermission(entries: readonly string[]): IForwardPermission | undefined {
  return entries.length === 0 ? undefined : listOrNothing('permitopen', entries);
}

/**
 * `permitlisten="[host:]port"` entries: the addresses remote forwarding may bind; a bare port allows it on
 * any bind address, as OpenSSH reads it. No entries: undefined (no narrowing).
 */
export function permitListenPermission(entries: readonly string[]): IForwardPermission | undefined {
  if (entries.length === 0) return undefined;
  return listOrNothing(
    'permitlisten',
    entries.map((e) => (/^(\d{1,5}|\*)$/.test(e) ? `*:${e}` : e)),
  );
}
