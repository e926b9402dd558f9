/**
 * One line of an OpenSSH `known_hosts` file (sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"):
 * `[@marker] hostpatterns keytype base64 [comment]`, where the host patterns are a comma-separated list
 * (`*` and `?` wildcards, `!` negation, `[host]:port` for a port other than 22) or one hashed name
 * `|1|base64 salt|base64 HMAC-SHA1(salt, name)`. Lines this module cannot use (an unknown key type, a
 * malformed key) are kept as written with the reason, and never match.
 * @module
 */
import { createHmac, randomBytes } from 'node:crypto';
import { parseAuthorizedKeyLine, type SSHPublicKey } from '../../cred/index.js';
import { globMatch } from '../../cred/host-patterns.js';

/** A marker before the host patterns. Certificates are not supported: `@cert-authority` lines never match a plain host key. */
export type KnownHostsMarker = 'cert-authority' | 'revoked';

/** Bytes of a hashed name's salt and hash (SHA-1's output size, as OpenSSH requires). */
const HASH_BYTES = 20;

/** One line that names hosts and a key; `error` says why it cannot be used, if it cannot. */
export interface KnownHostsEntry {
  /** The line number in the file, from 1 (lines added later count on from the last one). */
  readonly line: number;
  /** The line as written. */
  readonly text: string;
  readonly marker?: KnownHostsMarker;
  /** The host field as written: a pattern list, or a hashed name. */
  readonly hosts: string;
  /** True when `hosts` is a hashed name (`|1|...`). */
  readonly hashed: boolean;
  /** The key, when it could be read. */
  readonly key?: SSHPublicKey;
  readonly comment: string;
  /** Why the line is unusable (unknown key type, bad key, bad marker); undefined when usable. */
  readonly error?: string;
}

/** The name `known_hosts` uses for `host` at `port`: the host alone on port 22, else `[host]:port`. */
export function knownHostsName(host: string, port = 22): string {
  const lower = host.toLowerCase();
  return port === 22 ? lower : `[${lower}]:${port}`;
}

/** `|1|salt|hash` for `name`, with a fresh random salt unless one is given. */
export function hashHostName(name: string, salt: Uint8Array = randomBytes(HASH_BYTES)): string {
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${Buffer.from(salt).toString('base64')}|${hash.toString('base64')}`;
}

function matchesHashed(hosts: string, name: string): boolean {
  const m = /^\|1\|([A-Za-z0-9+/=]+)\|([A-Za-z0-9+/=]+)$/.exec(hosts);
  if (!m) return false;
  const salt = Buffer.from(m[1], 'base64');
  if (salt.length !== HASH_BYTES) return false;
  return hashHostName(name, salt) === `|1|${m[1]}|${m[2]}`;
}

/**
 * True if the entry's host field matches `name` (as {@link knownHostsName} gives it): a hashed name
 * equal to it, or a pattern list with a pattern that matches and no negated one that does.
 */
export function entryMatchesHost(entry: KnownHostsEntry, name: string): boolean {
  if (entry.hashed) return matchesHashed(entry.hosts, name);
  let matched = false;
  for (const raw of entry.hosts.split(',')) {
    const negated = raw.startsWith('!');
    const pattern = negated ? raw.slice(1) : raw;
    if (pattern === '') continue;
    if (globMatch(name, pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/**
 * Reads one line that is neither blank nor a comment. Never throws: an unusable line comes back with
 * `error` set.
 */
export function parseKnownHostsLine(text: string, line: number, maxLength: number): KnownHostsEntry {
  const unusable = (error: string, hosts = ''): KnownHostsEntry => ({ line, text, hosts, hashed: hosts.startsWith('|'), comment: '', error });
  if (text.length > maxLength) return unusable(`a line of ${text.length} characters, over ${maxLength}`);
  let rest = text.trim();
  let marker: KnownHostsMarker | undefined;
  if (rest.startsWith('@')) {
    const word = /^\S+/.exec(rest)![0];
    if (word === '@cert-authority') marker = 'cert-authority';
    else if (word === '@revoked') marker = 'revoked';
    else return unusable(`unknown marker ${JSON.stringify(word)}`);
    rest = rest.slice(word.length).trimStart();
  }
  const hosts = /^\S*/.exec(rest)![0];
  rest = rest.slice(hosts.length).trimStart();
  if (hosts === '' || rest === '') return unusable('expected host patterns, a key type and a key', hosts);
  if (hosts.startsWith('|') && !/^\|1\|[^|]+\|[^|]+$/.test(hosts)) return unusable('a hashed host name that is not |1|salt|hash', hosts);
  try {
    const entry = parseAuthorizedKeyLine(rest, { maxAuthorizedKeysLineLength: maxLength });
    if (entry.options.list.length > 0) return unusable('expected a key type after the host patterns', hosts);
    return { line, text, ...(marker ? { marker } : {}), hosts, hashed: hosts.startsWith('|'), key: entry.key, comment: entry.comment };
  } catch (e) {
    return unusable((e as Error).message, hosts);
  }
}
