/**
 * Address classes (Twisted's `internet/address.py`).
 * @module
 */
import type { IAddress } from './interfaces.js';

/** An IPv4 TCP or UDP address. */
export class IPv4Address implements IAddress {
  constructor(readonly type: 'TCP' | 'UDP', readonly host: string, readonly port: number) {}
  toString(): string {
    return `${this.type}:${this.host}:${this.port}`;
  }
}

/** An IPv6 TCP or UDP address. */
export class IPv6Address implements IAddress {
  constructor(readonly type: 'TCP' | 'UDP', readonly host: string, readonly port: number, readonly flowInfo = 0, readonly scopeId: string | number = 0) {}
  toString(): string {
    return `${this.type}:[${this.host}]:${this.port}`;
  }
}

/** A Unix socket path (`null` for an unbound client end). */
export class UNIXAddress implements IAddress {
  readonly type = 'UNIX' as const;
  constructor(readonly name: string | null) {}
  toString(): string {
    return `UNIX:${this.name ?? '(unbound)'}`;
  }
}

/** The address of an in-memory or otherwise addressless endpoint (tests, pipes, stdio). */
export class PipeAddress implements IAddress {
  readonly type = 'PIPE' as const;
  toString(): string {
    return 'PIPE';
  }
}

/** A child process seen as an address. */
export class ProcessAddress implements IAddress {
  readonly type = 'PROCESS' as const;
  toString(): string {
    return 'PROCESS';
  }
}

/** The right class for a host string: IPv6 when it contains a colon. */
export function ipAddress(type: 'TCP' | 'UDP', host: string, port: number): IPv4Address | IPv6Address {
  return host.includes(':') ? new IPv6Address(type, host, port) : new IPv4Address(type, host, port);
}

/**
 * True for an IPv4 dotted quad or an IPv6 literal (without brackets), false for a host name. Browser-safe,
 * unlike `node:net`'s `isIP`; used wherever a host must not be treated as a name (TLS SNI, cookies, proxies).
 */
export function isIPAddress(host: string): boolean {
  if (host.includes(':')) return /^[0-9a-fA-F:.]+(%.+)?$/.test(host);
  return /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host);
}
