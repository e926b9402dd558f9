/**
 * Parsers of `/etc/resolv.conf` and `/etc/hosts` text. Pure functions; the resolver reads the files.
 * Browser-safe.
 * @module
 */
import { normaliseIPv6 } from './records.js';
import { canonicalName } from './wire.js';

/** What the resolver uses from resolv.conf. */
export interface ResolvConf {
  /** `[host, port]` pairs, port 53 (resolv.conf cannot say another). */
  servers: Array<[string, number]>;
  search: string[];
  /** `options timeout:N`, seconds. */
  timeout?: number;
  /** `options attempts:N`. */
  attempts?: number;
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Parses resolv.conf text: `nameserver`, `search`/`domain`, `options timeout: attempts:`. */
export function parseResolvConf(text: string): ResolvConf {
  const conf: ResolvConf = { servers: [], search: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0] !== undefined && isAddress(rest[0])) conf.servers.push([rest[0], 53]);
    else if (key === 'search') conf.search = rest;
    else if (key === 'domain' && rest[0] !== undefined) conf.search = [rest[0]];
    else if (key === 'options') {
      for (const opt of rest) {
        const m = /^(timeout|attempts):(\d+)$/.exec(opt);
        if (m !== null) conf[m[1] as 'timeout' | 'attempts'] = Number(m[2]);
      }
    }
  }
  return conf;
}

function isAddress(text: string): boolean {
  if (IPV4.test(text)) return text.split('.').every((p) => Number(p) <= 255);
  try {
    normaliseIPv6(text);
    return true;
  } catch {
    return false;
  }
}

/** A hosts file: canonical name → addresses in file order. */
export type HostsTable = Map<string, string[]>;

/** Parses hosts text: `ADDRESS NAME [ALIAS...]` lines; invalid lines are skipped. */
export function parseHosts(text: string): HostsTable {
  const table: HostsTable = new Map();
  for (const raw of text.split('\n')) {
    const [address, ...names] = raw.replace(/#.*$/, '').trim().split(/\s+/);
    if (address === undefined || names.length === 0 || !isAddress(address)) continue;
    const value = IPV4.test(address) ? address : normaliseIPv6(address);
    for (const name of names) {
      let key: string;
      try { key = canonicalName(name); } catch { continue; }
      const list = table.get(key) ?? [];
      if (!list.includes(value)) list.push(value);
      table.set(key, list);
    }
  }
  return table;
}
