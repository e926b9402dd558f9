/**
 * OpenSSH's `authorized_keys` format (sshd(8), "AUTHORIZED_KEYS FILE FORMAT"): one key a line,
 * `[options] keytype base64-key [comment]`, with `#` comments and blank lines. Options are read as OpenSSH
 * reads them; an unknown or malformed option makes the whole line unusable, never silently ignored.
 * @module
 */
import { BadKeyError } from './errors.js';
import { DEFAULT_CRED_LIMITS, type CredLimits } from './limits.js';
import { SSHPublicKey } from './ssh-keys.js';

/** One option as written (name in lower case; value unquoted). */
export interface KeyOption {
  name: string;
  value?: string;
}

/** The options of one key, as they apply. Forwarding and terminals are allowed unless options say not. */
export interface AuthorizedKeyOptions {
  /** Every option, in order. */
  readonly list: readonly KeyOption[];
  /** `cert-authority`: the key signs user certificates and is not itself a login key. */
  readonly certAuthority: boolean;
  /** `command="..."`: the only command this key may run. */
  readonly command?: string;
  /** `environment="NAME=value"` entries. */
  readonly environment: readonly string[];
  /** `from="pattern-list"`: the addresses the key may log in from. */
  readonly from?: string;
  /** `expiry-time="YYYYMMDD[HHMM[SS]][Z]"`, in seconds since the epoch: the key is refused from then on. */
  readonly expiryTime?: number;
  /** `permitopen="host:port"` entries (local forwarding destinations). */
  readonly permitOpen: readonly string[];
  /** `permitlisten="[host:]port"` entries (remote forwarding listeners). */
  readonly permitListen: readonly string[];
  readonly principals?: string;
  readonly tunnel?: string;
  readonly portForwarding: boolean;
  readonly agentForwarding: boolean;
  readonly x11Forwarding: boolean;
  readonly pty: boolean;
  readonly userRc: boolean;
}

/** One usable line of an `authorized_keys` file. */
export interface AuthorizedKey {
  readonly key: SSHPublicKey;
  readonly options: AuthorizedKeyOptions;
  readonly comment: string;
  /** The line number in its file, from 1 (0 for keys not from a file). */
  readonly line: number;
}

/** A line that could not be used, and why. */
export interface AuthorizedKeysError {
  line: number;
  reason: string;
}

type Flag = 'portForwarding' | 'agentForwarding' | 'x11Forwarding' | 'pty' | 'userRc';
const FLAGS: Record<string, [Flag, boolean]> = {
  'port-forwarding': ['portForwarding', true],
  'no-port-forwarding': ['portForwarding', false],
  'agent-forwarding': ['agentForwarding', true],
  'no-agent-forwarding': ['agentForwarding', false],
  'x11-forwarding': ['x11Forwarding', true],
  'no-x11-forwarding': ['x11Forwarding', false],
  pty: ['pty', true],
  'no-pty': ['pty', false],
  'user-rc': ['userRc', true],
  'no-user-rc': ['userRc', false],
};
/** The other flags: `cert-authority` and `restrict` (applied below), and two that only security keys (sk-*) use. */
const OTHER_FLAGS = new Set(['cert-authority', 'restrict', 'no-touch-required', 'verify-required']);
const SINGLE_VALUES = new Set(['command', 'from', 'expiry-time', 'principals', 'tunnel']);
const LIST_VALUES = new Set(['environment', 'permitopen', 'permitlisten']);

/** Key type names, to tell a line that starts with its key from one that starts with options. */
const KEY_TYPE = /^(ssh-|ecdsa-|sk-)|-cert-v01@openssh\.com$/;

/** `YYYYMMDD[HHMM[SS]][Z]` as seconds since the epoch (local time without `Z`, as OpenSSH reads it). */
export function parseExpiryTime(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?(Z)?$/.exec(text);
  if (!m) throw new BadKeyError(`expiry-time ${JSON.stringify(text)} is not YYYYMMDD[HHMM[SS]][Z]`);
  const [y, mo, d, h = 0, mi = 0, s = 0] = m.slice(1, 7).map((v) => (v === undefined ? undefined : Number(v))) as number[];
  const parts = [y, mo - 1, d, h, mi, s] as const;
  const ms = m[7] ? Date.UTC(...parts) : new Date(...parts).getTime();
  const check = new Date(ms);
  const [cy, cmo, cd] = m[7] ? [check.getUTCFullYear(), check.getUTCMonth(), check.getUTCDate()] : [check.getFullYear(), check.getMonth(), check.getDate()];
  if (cy !== y || cmo !== mo - 1 || cd !== d || h > 23 || mi > 59 || s > 59) throw new BadKeyError(`expiry-time ${JSON.stringify(text)} is not a real date`);
  return ms / 1000;
}

/** Reads the options at the start of `text`; gives them and where the key type begins. */
function readOptions(text: string): { options: AuthorizedKeyOptions; rest: string } {
  const list: KeyOption[] = [];
  let i = 0;
  for (;;) {
    const nameMatch = /^[A-Za-z0-9-]+/.exec(text.slice(i));
    if (!nameMatch) throw new BadKeyError(`bad key options at ${JSON.stringify(text.slice(i, i + 20))}`);
    const name = nameMatch[0].toLowerCase();
    i += nameMatch[0].length;
    let value: string | undefined;
    if (text[i] === '=') {
      if (text[i + 1] !== '"') throw new BadKeyError(`the value of ${name} must be in double quotes`);
      i += 2;
      value = '';
      for (;;) {
        if (i >= text.length) throw new BadKeyError(`the value of ${name} has no closing quote`);
        if (text[i] === '\\' && text[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (text[i] === '"') {
          i++;
          break;
        } else value += text[i++];
      }
    }
    list.push(value === undefined ? { name } : { name, value });
    if (text[i] === ',') {
      i++;
      continue;
    }
    if (text[i] === ' ' || text[i] === '\t') break;
    throw new BadKeyError(i >= text.length ? 'key options with no key after them' : `bad key options at ${JSON.stringify(text.slice(i, i + 20))}`);
  }
  return { options: applyOptions(list), rest: text.slice(i).trimStart() };
}

/** What `list` means, OpenSSH's way: in order, `restrict` turning every permission off. */
function applyOptions(list: readonly KeyOption[]): AuthorizedKeyOptions {
  const flags: Record<Flag, boolean> = { portForwarding: true, agentForwarding: true, x11Forwarding: true, pty: true, userRc: true };
  const single = new Map<string, string>();
  const lists: Record<string, string[]> = { environment: [], permitopen: [], permitlisten: [] };
  for (const { name, value } of list) {
    const isFlag = name in FLAGS || OTHER_FLAGS.has(name);
    if (isFlag && value !== undefined) throw new BadKeyError(`the option ${name} takes no value`);
    if (!isFlag && !SINGLE_VALUES.has(name) && !LIST_VALUES.has(name)) throw new BadKeyError(`unknown key option ${JSON.stringify(name)}`);
    if (!isFlag && value === undefined) throw new BadKeyError(`the option ${name} needs a value`);
    if (name in FLAGS) flags[FLAGS[name][0]] = FLAGS[name][1];
    else if (name === 'restrict') for (const f of Object.keys(flags) as Flag[]) flags[f] = false;
    else if (SINGLE_VALUES.has(name)) {
      if (single.has(name)) throw new BadKeyError(`the option ${name} is given twice`);
      single.set(name, value as string);
    } else if (LIST_VALUES.has(name)) lists[name].push(value as string);
  }
  const expiry = single.get('expiry-time');
  return {
    list,
    certAuthority: list.some((o) => o.name === 'cert-authority'),
    command: single.get('command'),
    environment: lists.environment,
    from: single.get('from'),
    expiryTime: expiry === undefined ? undefined : parseExpiryTime(expiry),
    permitOpen: lists.permitopen,
    permitListen: lists.permitlisten,
    principals: single.get('principals'),
    tunnel: single.get('tunnel'),
    ...flags,
  };
}

/**
 * One `authorized_keys` line (not blank, not a comment); throws `BadKeyError` saying what is wrong.
 * The key type written on the line must be the one inside the key.
 *
 * @example
 * const entry = parseAuthorizedKeyLine('restrict,from="10.0.0.0/8" ssh-ed25519 AAAAC3Nza... alice@laptop');
 * entry.options.portForwarding; // false
 */
export function parseAuthorizedKeyLine(text: string, limits: Partial<CredLimits> = {}, line = 0): AuthorizedKey {
  const all = { ...DEFAULT_CRED_LIMITS, ...limits };
  if (text.length > all.maxAuthorizedKeysLineLength) throw new BadKeyError(`a line of ${text.length} characters, over ${all.maxAuthorizedKeysLineLength}`);
  let rest = text.trim();
  let options = applyOptions([]);
  const first = /^\S+/.exec(rest)?.[0] ?? '';
  if (!KEY_TYPE.test(first)) ({ options, rest } = readOptions(rest));
  const m = /^(\S+)[ \t]+([A-Za-z0-9+/]+={0,2})(?:[ \t]+(.*))?$/.exec(rest);
  if (!m) throw new BadKeyError('expected a key type and a base64 key');
  const [, type, base64, comment = ''] = m;
  const blob = Buffer.from(base64, 'base64');
  if (blob.toString('base64') !== base64) throw new BadKeyError('the key is not canonical base64');
  const key = SSHPublicKey.fromBlob(blob, all);
  if (key.type !== type) throw new BadKeyError(`the line says ${type} but the key is ${key.type}`);
  return { key, options, comment: comment.trim(), line };
}

/**
 * Every usable key of an `authorized_keys` file, and the lines that were not (with the reason, to log).
 *
 * @example
 * const { keys, errors } = parseAuthorizedKeys(readFileSync(path, 'utf8'));
 */
export function parseAuthorizedKeys(text: string, limits: Partial<CredLimits> = {}): { keys: AuthorizedKey[]; errors: AuthorizedKeysError[] } {
  const keys: AuthorizedKey[] = [];
  const errors: AuthorizedKeysError[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    try {
      keys.push(parseAuthorizedKeyLine(line, limits, index + 1));
    } catch (e) {
      errors.push({ line: index + 1, reason: e instanceof BadKeyError ? e.message : String(e) });
    }
  });
  return { keys, errors };
}
